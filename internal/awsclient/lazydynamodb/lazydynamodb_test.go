package lazydynamodb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
)

func newServer(t *testing.T) *awsclienttest.Server {
	return awsclienttest.NewServer(t, awsclienttest.Target, `{}`)
}

func setEnv(t *testing.T, endpoint string) {
	awsclienttest.SetEnv(t, "AWS_ENDPOINT_URL_DYNAMODB", endpoint)
}

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	ctx := t.Context()
	var c lazydynamodb.Client
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}
	calls := []struct {
		op   string
		call func(context.Context) error
	}{
		{"GetItem", func(ctx context.Context) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{"PutItem", func(ctx context.Context) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key})
			return err
		}},
		{"UpdateItem", func(ctx context.Context) error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{"DeleteItem", func(ctx context.Context) error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
	}

	setEnv(t, "")
	if _, err := lazydynamodb.Default(ctx); err == nil {
		t.Fatal("Default: no error without a usable configuration")
	}
	for _, tt := range calls {
		if err := tt.call(ctx); err == nil {
			t.Errorf("%s: no error without a usable configuration", tt.op)
		}
	}

	first := newServer(t)
	setEnv(t, first.URL)
	if _, err := lazydynamodb.Default(ctx); err != nil {
		t.Fatalf("Default: %v", err)
	}
	// The client exists now: a later change of endpoint does not make another one.
	second := newServer(t)
	setEnv(t, second.URL)
	var want []string
	for _, tt := range calls {
		op := tt.op
		want = append(want, "DynamoDB_20120810."+op)
		if err := tt.call(ctx); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	if got := first.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if got := second.Requests(); len(got) > 0 {
		t.Errorf("requests %q to the endpoint set after the client was created", got)
	}
}
