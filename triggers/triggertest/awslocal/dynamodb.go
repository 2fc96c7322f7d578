package awslocal

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateTable creates an on-demand table with a string partition key and,
// unless sortKey is empty, a string sort key, and returns its name. An
// empty name picks a unique one. The table is ACTIVE on return, so items can be written at once. It fails t
// if DynamoDB was not started or the table cannot be created.
func (s *Servers) CreateTable(t testing.TB, name, partitionKey, sortKey string) string {
	t.Helper()
	if name == "" {
		name = UniqueName("table")
	}
	ctx, cancel := helperContext()
	defer cancel()
	if err := s.CreateTableContext(ctx, name, partitionKey, sortKey); err != nil {
		t.Fatalf("awslocal: %v", err)
	}
	return name
}

// CreateTableContext is [Servers.CreateTable] for code without a
// testing.TB, such as TestMain.
func (s *Servers) CreateTableContext(ctx context.Context, name, partitionKey, sortKey string) error {
	if s.DynamoDB == nil {
		return fmt.Errorf("create table %q: DynamoDB was not started; set Config.DynamoDB", name)
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(partitionKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(partitionKey), KeyType: types.KeyTypeHash},
		},
	}
	if sortKey != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(sortKey), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema,
			types.KeySchemaElement{AttributeName: aws.String(sortKey), KeyType: types.KeyTypeRange})
	}
	if _, err := s.DynamoDB.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("create table %q: %w", name, err)
	}
	// Even with --createTableMs 0, dynalite answers CreateTable while the
	// table is CREATING and flips it to ACTIVE on a later tick; until then
	// item calls fail with ResourceNotFoundException.
	waiter := dynamodb.NewTableExistsWaiter(s.DynamoDB, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableActiveTimeout); err != nil {
		return fmt.Errorf("wait for table %q to become ACTIVE: %w", name, err)
	}
	return nil
}

// tableActiveTimeout bounds the wait for a new table; dynalite needs a few
// milliseconds.
const tableActiveTimeout = 10 * time.Second
