package lazydynamodb_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazydynamodb.Client
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_DYNAMODB", Name: awsclienttest.Target, Body: `{}`,
		Default: func(ctx context.Context) error { _, err := lazydynamodb.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "DynamoDB_20120810.GetItem", Do: func(ctx context.Context) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{Request: "DynamoDB_20120810.PutItem", Do: func(ctx context.Context) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key})
			return err
		}},
		{Request: "DynamoDB_20120810.UpdateItem", Do: func(ctx context.Context) error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{Request: "DynamoDB_20120810.DeleteItem", Do: func(ctx context.Context) error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
	})
}
