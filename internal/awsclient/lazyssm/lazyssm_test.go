package lazyssm_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyssm"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazyssm.Client
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_SSM", Name: awsclienttest.Target,
		Body:    `{"Parameter":{"Name":"/app/key","Type":"SecureString","Value":"v"}}`,
		Default: func(ctx context.Context) error { _, err := lazyssm.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "AmazonSSM.GetParameter", Do: func(ctx context.Context) error {
			_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/key"), WithDecryption: aws.Bool(true)})
			return err
		}},
	})
}
