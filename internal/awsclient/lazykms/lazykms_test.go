package lazykms_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazykms"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazykms.Client
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_KMS", Name: awsclienttest.Target, Body: `{}`,
		Default: func(ctx context.Context) error { _, err := lazykms.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "TrentService.Sign", Do: func(ctx context.Context) error {
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String("k"), Message: []byte("m"),
				SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
			return err
		}},
		{Request: "TrentService.Verify", Do: func(ctx context.Context) error {
			_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String("k"), Message: []byte("m"), Signature: []byte("s"),
				SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
			return err
		}},
	})
}
