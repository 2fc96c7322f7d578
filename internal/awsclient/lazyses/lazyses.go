// Package lazyses is the process-wide SES v2 client that modules use when the caller
// passes none, as an adapter that keeps the SDK client out of interfaces; see package
// awsclient for why.
package lazyses

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *sesv2.Client
)

func get(ctx context.Context) (*sesv2.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = sesv2.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide SES v2 client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// SendEmail sends an email.
func (Client) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.SendEmail(ctx, in, optFns...)
}
