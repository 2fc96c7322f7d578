package postconfirm_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationMarkInvitationUsed races confirmations against a local DynamoDB: two
// people who signed up with one invitation confirm at the same moment, and one event is
// delivered several times at once.
func TestIntegrationMarkInvitationUsed(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	table := srv.CreateTable(t, "", "code", "")
	put := func(t *testing.T, code, email string) {
		t.Helper()
		_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"code":      &types.AttributeValueMemberS{Value: code},
				"email":     &types.AttributeValueMemberS{Value: email},
				"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func(t *testing.T, code string) (usedBy, usedAt string) {
		t.Helper()
		out, err := srv.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{
			TableName:      aws.String(table),
			Key:            map[string]types.AttributeValue{"code": &types.AttributeValueMemberS{Value: code}},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := out.Item["usedBy"].(*types.AttributeValueMemberS); ok {
			usedBy = v.Value
		}
		if v, ok := out.Item["usedAt"].(*types.AttributeValueMemberN); ok {
			usedAt = v.Value
		}
		return usedBy, usedAt
	}
	confirmation := func(user, email, code string) *postconfirm.Event {
		e := &postconfirm.Event{}
		e.Version = "1"
		e.TriggerSource = triggers.PostConfirmationConfirmSignUp
		e.UserPoolID = "us-east-1_LocalPool"
		e.UserName = user
		e.Request.UserAttributes = map[string]string{"email": email}
		e.Request.ClientMetadata = map[string]string{"invitationCode": code}
		return e
	}
	var clock atomic.Int64
	clock.Store(1_750_000_000)
	mark, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{
		Client: srv.DynamoDB,
		Table:  table,
		Now:    func() time.Time { return time.Unix(clock.Load(), 0) },
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("two users confirm at once", func(t *testing.T) {
		// Several rounds, since one round may happen to run the two one after the other.
		for round := range 5 {
			code := awslocal.UniqueName("shared")
			put(t, code, "team@example.com")
			users := []string{"first-" + strconv.Itoa(round), "second-" + strconv.Itoa(round)}
			results := make([]error, len(users))
			var next atomic.Int32
			awslocal.ReplayConcurrent(t.Context(), len(users), func(ctx context.Context) error {
				i := next.Add(1) - 1
				results[i] = mark(ctx, confirmation(users[i], "team@example.com", code))
				return results[i]
			})
			winner := ""
			for i, err := range results {
				switch {
				case err == nil && winner == "":
					winner = users[i]
				case err == nil:
					t.Fatalf("round %d: both %s and %s used the invitation", round, winner, users[i])
				case !errors.Is(err, postconfirm.ErrInvitationUsed):
					t.Errorf("round %d: %s: %v, want success or ErrInvitationUsed", round, users[i], err)
				}
			}
			if winner == "" {
				t.Fatalf("round %d: nobody used the invitation: %v", round, results)
			}
			if usedBy, _ := read(t, code); usedBy != winner {
				t.Errorf("round %d: usedBy = %q, want the winner %q: the loser overwrote it", round, usedBy, winner)
			}
		}
	})

	t.Run("one confirmation delivered three times at once", func(t *testing.T) {
		code := awslocal.UniqueName("retry")
		put(t, code, "solo@example.com")
		e := confirmation("solo", "Solo@Example.com", code)
		for i, err := range awslocal.ReplayConcurrent(t.Context(), 3, func(ctx context.Context) error { return mark(ctx, e) }) {
			if err != nil {
				t.Errorf("delivery %d: %v", i+1, err)
			}
		}
		clock.Store(1_750_000_060)
		if err := mark(t.Context(), e); err != nil {
			t.Errorf("a later delivery: %v", err)
		}
		if usedBy, usedAt := read(t, code); usedBy != "solo" || usedAt != "1750000000" {
			t.Errorf("usedBy %q at %s, want solo at the first use 1750000000", usedBy, usedAt)
		}
	})

	t.Run("another address cannot spend the code", func(t *testing.T) {
		code := awslocal.UniqueName("theft")
		put(t, code, "victim@example.com")
		err := mark(t.Context(), confirmation("thief", "thief@example.com", code))
		if !errors.Is(err, postconfirm.ErrInvitationWrongEmail) {
			t.Errorf("got %v, want ErrInvitationWrongEmail", err)
		}
		if usedBy, _ := read(t, code); usedBy != "" {
			t.Errorf("invitation marked used by %q", usedBy)
		}
	})
}
