// Package lazysecretsmanager is the process-wide Secrets Manager client that modules use
// when the caller passes none, as an adapter that keeps the SDK client out of
// interfaces; see package awsclient for why.
package lazysecretsmanager

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *secretsmanager.Client
)

func get(ctx context.Context) (*secretsmanager.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = secretsmanager.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide Secrets Manager client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// GetSecretValue reads the current version of one secret.
func (Client) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
	optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetSecretValue(ctx, in, optFns...)
}
