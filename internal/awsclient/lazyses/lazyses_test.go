package lazyses_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazyses.Client
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_SESV2", Name: awsclienttest.MethodAndPath, Body: `{"MessageId":"m-1"}`,
		Default: func(ctx context.Context) error { _, err := lazyses.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "POST /v2/email/outbound-emails", Do: func(ctx context.Context) error {
			_, err := c.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"),
				Content: &types.EmailContent{}})
			return err
		}},
	})
}
