// Package parameterstore lets package secrets read ssm: references from AWS Systems
// Manager Parameter Store. Importing it registers the reader; only functions that import
// it link the SSM client, whose initialisation registers a schema for every shape of
// the SSM API when the process starts (about 1.4 MB allocated and a few milliseconds of
// cold start, measured on linux/amd64), whether or not a reference is ever read.
//
//	import _ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
package parameterstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyssm"
	"github.com/lambda-triggers/cognito/triggers/secrets"
)

func init() { secrets.Register(secrets.PrefixSSM, Reader(nil)) }

// Client is the part of the SSM client this package calls; *ssm.Client satisfies it.
type Client interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Reader returns a reader of parameters through c, or through the process-wide client
// when c is nil. It asks for the parameter decrypted, so that a SecureString gives its
// value; a missing parameter is an error wrapping [secrets.ErrNotFound] and the SDK's
// *types.ParameterNotFound.
func Reader(c Client) secrets.Reader {
	lc := awsclient.NewLazy(c, func(ctx context.Context) (Client, error) { return lazyssm.Default(ctx) })
	return func(ctx context.Context, name string) (string, error) {
		client, err := lc.Get(ctx)
		if err != nil {
			return "", err
		}
		out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "ParameterNotFound" {
				return "", fmt.Errorf("%w: %w", secrets.ErrNotFound, err)
			}
			return "", err
		}
		if out.Parameter == nil || out.Parameter.Value == nil {
			return "", errors.New("the answer has no value")
		}
		return *out.Parameter.Value, nil
	}
}
