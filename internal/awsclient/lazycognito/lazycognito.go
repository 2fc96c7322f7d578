// Package lazycognito is the process-wide Cognito user pools client that modules use
// when the caller passes none, as an adapter that keeps the SDK client out of
// interfaces; see package awsclient for why.
package lazycognito

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *cip.Client
)

func get(ctx context.Context) (*cip.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = cip.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide Cognito user pools client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// ListUsers lists the users of a pool that match a filter.
func (Client) ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListUsers(ctx, in, optFns...)
}

// AdminLinkProviderForUser links a federated identity to an existing user.
func (Client) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.AdminLinkProviderForUser(ctx, in, optFns...)
}

// GetGroup reads a group.
func (Client) GetGroup(ctx context.Context, in *cip.GetGroupInput, optFns ...func(*cip.Options)) (*cip.GetGroupOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetGroup(ctx, in, optFns...)
}

// CreateGroup creates a group.
func (Client) CreateGroup(ctx context.Context, in *cip.CreateGroupInput, optFns ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.CreateGroup(ctx, in, optFns...)
}

// AdminAddUserToGroup adds a user to a group.
func (Client) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.AdminAddUserToGroup(ctx, in, optFns...)
}

// ConfirmSignUp confirms a sign-up with its code.
func (Client) ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ConfirmSignUp(ctx, in, optFns...)
}
