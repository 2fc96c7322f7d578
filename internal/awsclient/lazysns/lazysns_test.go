package lazysns_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazysns"
)

// action names a query protocol request by its Action parameter.
func action(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return "unreadable form"
	}
	return r.PostForm.Get("Action")
}

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazysns.Client
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_SNS", Name: action,
		Body:    `<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>`,
		Default: func(ctx context.Context) error { _, err := lazysns.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "Publish", Do: func(ctx context.Context) error {
			_, err := c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+15555550100"), Message: aws.String("hi")})
			return err
		}},
	})
}
