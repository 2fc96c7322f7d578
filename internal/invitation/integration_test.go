package invitation_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/invitation"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestIntegrationMarkUsed(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	table := srv.CreateTable(t, "", invitation.AttrCode, "")
	put := func(t *testing.T, code, email string) {
		t.Helper()
		_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"code": s(code), "email": s(email), "expiresAt": n(time.Now().Add(time.Hour).Unix()),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Unix(1_750_000_000, 0)

	t.Run("two users race", func(t *testing.T) {
		t.Parallel()
		// Several rounds, since one round may happen to run the two in sequence.
		for round := range 5 {
			code := awslocal.UniqueName("race")
			put(t, code, "ada@example.com")
			users := []string{"ada-1", "ada-2"}
			results := make([]error, len(users))
			var next atomic.Int32
			awslocal.ReplayConcurrent(t.Context(), len(users), func(ctx context.Context) error {
				i := next.Add(1) - 1
				results[i] = invitation.MarkUsed(ctx, srv.DynamoDB, table, code, "ada@example.com", users[i], now)
				return results[i]
			})
			winners := 0
			for i, err := range results {
				switch {
				case err == nil:
					winners++
				case !errors.Is(err, invitation.ErrUsed):
					t.Errorf("round %d: %s: %v, want nil or ErrUsed", round, users[i], err)
				}
			}
			if winners != 1 {
				t.Fatalf("round %d: %d winners (%v), want exactly 1", round, winners, results)
			}
			inv, err := invitation.Get(t.Context(), srv.DynamoDB, table, code)
			if err != nil {
				t.Fatal(err)
			}
			winner := users[0]
			if results[0] != nil {
				winner = users[1]
			}
			if inv.UsedBy != winner || !inv.UsedAt.Equal(now) {
				t.Errorf("round %d: usedBy %q at %v, want the winner %q at %v", round, inv.UsedBy, inv.UsedAt, winner, now)
			}
		}
	})

	t.Run("one user retried concurrently", func(t *testing.T) {
		t.Parallel()
		code := awslocal.UniqueName("retry")
		put(t, code, "Bob@Example.com")
		errs := awslocal.ReplayConcurrent(t.Context(), 3, func(ctx context.Context) error {
			return invitation.MarkUsed(ctx, srv.DynamoDB, table, code, "bob@example.com", "bob", now)
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("delivery %d: %v", i, err)
			}
		}
		later := now.Add(time.Minute)
		if err := invitation.MarkUsed(t.Context(), srv.DynamoDB, table, code, "bob@example.com", "bob", later); err != nil {
			t.Errorf("a later retry: %v", err)
		}
		inv, err := invitation.Get(t.Context(), srv.DynamoDB, table, code)
		if err != nil {
			t.Fatal(err)
		}
		if inv.UsedBy != "bob" || !inv.UsedAt.Equal(now) {
			t.Errorf("usedBy %q at %v, want bob at the first use, %v", inv.UsedBy, inv.UsedAt, now)
		}
	})

	t.Run("refusals change nothing", func(t *testing.T) {
		t.Parallel()
		code := awslocal.UniqueName("refuse")
		put(t, code, "carol@example.com")
		for _, tt := range []struct {
			code, email string
			want        error
		}{
			{code, "mallory@example.com", invitation.ErrWrongEmail},
			{awslocal.UniqueName("missing"), "carol@example.com", invitation.ErrNotFound},
		} {
			if err := invitation.MarkUsed(t.Context(), srv.DynamoDB, table, tt.code, tt.email, "mallory", now); !errors.Is(err, tt.want) {
				t.Errorf("MarkUsed(%s) = %v, want %v", tt.email, err, tt.want)
			}
		}
		inv, err := invitation.Get(t.Context(), srv.DynamoDB, table, code)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Used() {
			t.Errorf("invitation used by %q after refusals", inv.UsedBy)
		}
		if err := inv.Check("carol@example.com", time.Now()); err != nil {
			t.Errorf("Check after refusals: %v", err)
		}
	})
}
