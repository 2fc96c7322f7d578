// Package lazykms is the process-wide KMS client that modules use when the caller passes
// none, as an adapter that keeps the SDK client out of interfaces; see package awsclient
// for why.
package lazykms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *kms.Client
)

func get(ctx context.Context) (*kms.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = kms.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide KMS client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// Sign signs a message with an asymmetric key.
func (Client) Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.Sign(ctx, in, optFns...)
}

// Verify checks a signature made with an asymmetric key.
func (Client) Verify(ctx context.Context, in *kms.VerifyInput, optFns ...func(*kms.Options)) (*kms.VerifyOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.Verify(ctx, in, optFns...)
}
