package lazysecretsmanager_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazysecretsmanager"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazysecretsmanager.Client
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_SECRETS_MANAGER", Name: awsclienttest.Target,
		Body:    `{"Name":"app","SecretString":"v"}`,
		Default: func(ctx context.Context) error { _, err := lazysecretsmanager.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "secretsmanager.GetSecretValue", Do: func(ctx context.Context) error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app")})
			return err
		}},
	})
}
