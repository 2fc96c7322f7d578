// Package lazysns is the process-wide SNS client that modules use when the caller passes
// none, as an adapter that keeps the SDK client out of interfaces; see package awsclient
// for why.
package lazysns

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *sns.Client
)

func get(ctx context.Context) (*sns.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = sns.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide SNS client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// Publish sends a message, such as an SMS to a phone number.
func (Client) Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.Publish(ctx, in, optFns...)
}
