package postconfirm_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// BenchmarkIntegrationLatency reports the warm per-invocation latency, p50 and p99, of a
// post confirmation trigger whose one module calls a local AWS server: DynamoDB
// (CreateProfile), SES with its DynamoDB marker (WelcomeEmail) and Cognito (AddToGroup).
// Every invocation goes through the JSON boundary of a router, and every one does the
// module's real work: a new user for the profile and the email, an AdminAddUserToGroup
// call for the group.
//
//	go test -run '^$' -bench BenchmarkIntegrationLatency -benchtime 200x ./postconfirm/
func BenchmarkIntegrationLatency(b *testing.B) {
	srv := awslocal.Start(b, awslocal.Config{})
	ctx := context.Background()
	profiles := srv.CreateTable(b, "", "id", "")
	markers := srv.CreateTable(b, "", "pk", "")
	pool := srv.CreateUserPool(b)
	email := awslocal.UniqueName("bench") + "@example.com"
	if _, err := srv.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool.ID), Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		b.Fatal(err)
	}
	user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		b.Fatal(err)
	}

	modules := []struct {
		name string
		h    postconfirm.Handler
	}{
		{"dynamodb", must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       srv.DynamoDB,
			Table:        profiles,
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email"},
		}))},
		{"ses", must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  srv.SES,
			Markers: srv.DynamoDB,
			Table:   markers,
			Email:   testEmail,
		}))},
		{"cognito", must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: srv.Cognito,
			Groups: postconfirm.StaticGroups("members"),
		}))},
	}
	for _, m := range modules {
		b.Run(m.name, func(b *testing.B) {
			router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}).
				PostConfirmation(postconfirm.BestEffort(postconfirm.Critical(m.h)))
			var samples []time.Duration
			for i := 0; b.Loop(); i++ {
				sub := awslocal.UniqueName("sub")
				e := signUp(map[string]string{"sub": sub, "email": sub + "@example.com", "email_verified": "true"})
				e.UserPoolID, e.UserName = pool.ID, aws.ToString(user.Username)
				payload, err := json.Marshal(e)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, ierr := router.Handle(ctx, payload); ierr != nil {
					b.Fatalf("invocation %d: %s", i, ierr.Message)
				}
				samples = append(samples, time.Since(start))
			}
			slices.Sort(samples)
			b.ReportMetric(float64(percentile(samples, 50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(samples, 99).Microseconds())/1000, "p99-ms")
		})
	}
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}
