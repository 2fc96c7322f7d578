// Package lazyssm is the process-wide SSM (Parameter Store) client that modules use
// when the caller passes none, as an adapter that keeps the SDK client out of
// interfaces; see package awsclient for why.
package lazyssm

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *ssm.Client
)

func get(ctx context.Context) (*ssm.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = ssm.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide SSM client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// GetParameter reads one parameter.
func (Client) GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetParameter(ctx, in, optFns...)
}
