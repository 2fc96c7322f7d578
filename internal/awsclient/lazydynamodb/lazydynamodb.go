// Package lazydynamodb is the process-wide DynamoDB client that modules use when the
// caller passes none, as an adapter that keeps the SDK client out of interfaces; see
// package awsclient for why.
package lazydynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

var (
	once   awsclient.Once
	shared *dynamodb.Client
)

func get(ctx context.Context) (*dynamodb.Client, error) {
	err := once.Do(ctx, func(c aws.Config) { shared = dynamodb.NewFromConfig(c) })
	return shared, err
}

// Client calls the process-wide DynamoDB client, created on first use from
// [awsclient.Config]. It holds nothing, so that storing it in an interface keeps only
// its own methods in the binary, not every operation of the SDK client.
type Client struct{}

// Default creates the process-wide client if need be and returns the adapter, so that a
// configuration error shows where a module resolves its default client.
func Default(ctx context.Context) (Client, error) {
	_, err := get(ctx)
	return Client{}, err
}

// GetItem reads an item.
func (Client) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetItem(ctx, in, optFns...)
}

// PutItem writes an item.
func (Client) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.PutItem(ctx, in, optFns...)
}

// UpdateItem changes an item.
func (Client) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.UpdateItem(ctx, in, optFns...)
}

// DeleteItem deletes an item.
func (Client) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	return c.DeleteItem(ctx, in, optFns...)
}
