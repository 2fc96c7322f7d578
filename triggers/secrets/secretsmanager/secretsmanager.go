// Package secretsmanager lets package secrets read secretsmanager: references from AWS
// Secrets Manager. Importing it registers the reader; only functions that import it link
// the Secrets Manager client.
//
//	import _ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
package secretsmanager

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazysecretsmanager"
	"github.com/lambda-triggers/cognito/triggers/secrets"
)

func init() { secrets.Register(secrets.PrefixSecretsManager, Reader(nil)) }

// Client is the part of the Secrets Manager client this package calls;
// *secretsmanager.Client satisfies it.
type Client interface {
	GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, optFns ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
}

// Reader returns a reader of secrets' current SecretString through c, or through the
// process-wide client when c is nil. A missing secret is an error wrapping
// [secrets.ErrNotFound] and the SDK's *types.ResourceNotFoundException; a binary secret is
// not supported.
func Reader(c Client) secrets.Reader {
	lc := awsclient.NewLazy(c, func(ctx context.Context) (Client, error) { return lazysecretsmanager.Default(ctx) })
	return func(ctx context.Context, name string) (string, error) {
		client, err := lc.Get(ctx)
		if err != nil {
			return "", err
		}
		out, err := client.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException" {
				return "", fmt.Errorf("%w: %w", secrets.ErrNotFound, err)
			}
			return "", err
		}
		if out.SecretString == nil {
			return "", errors.New("the secret has no SecretString (a binary secret is not supported)")
		}
		return *out.SecretString, nil
	}
}
