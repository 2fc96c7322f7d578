package fakeaws_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
)

// The fake stands in for the real client wherever the modules take one.
var _ dynamoAPI = (*dynamodb.Client)(nil)
var _ dynamoAPI = (*fakeaws.DynamoDB)(nil)

func newTable(t *testing.T, sortKey bool) (*fakeaws.DynamoDB, string) {
	t.Helper()
	db := fakeaws.NewDynamoDB()
	sk := ""
	if sortKey {
		sk = "sk"
	}
	db.AddTable("t", "pk", sk)
	return db, "t"
}

func TestDynamoDBCalls(t *testing.T) {
	t.Parallel()
	for _, c := range callCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db, table := newTable(t, c.sortKey)
			runCase(t, t.Context(), db, table, c)
		})
	}
}

func TestDynamoDBErrorsAreTheSDKs(t *testing.T) {
	t.Parallel()
	db, table := newTable(t, false)
	ctx := t.Context()
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item{"pk": s("a"), "v": n("1")}}); err != nil {
		t.Fatal(err)
	}

	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key("a"),
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional put: %v, want a ConditionalCheckFailedException", err)
	}
	if got := render(ccf.Item); got != `{"pk":{"S":"a"},"v":{"N":"1"}}` {
		t.Errorf("ConditionalCheckFailedException.Item = %s", got)
	}
	if want := "operation error DynamoDB: PutItem"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q as the SDK's do", err, want)
	}

	_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("missing"), Key: key("a")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("missing table: %v, want a ResourceNotFoundException", err)
	}

	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("a"),
		UpdateExpression: aws.String("SET status = :s"), ExpressionAttributeValues: item{":s": s("x")}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" ||
		!strings.Contains(api.ErrorMessage(), "reserved keyword: status") {
		t.Errorf("reserved word: %v, want a ValidationException naming it", err)
	}

	db.AddTable("again", "pk", "")
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("again"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}}})
	var riu *types.ResourceInUseException
	if !errors.As(err, &riu) {
		t.Errorf("existing table: %v, want a ResourceInUseException", err)
	}
}

// What the fake does not implement fails, and never changes anything.
func TestDynamoDBUnsupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(ctx context.Context, db *fakeaws.DynamoDB) error
	}{
		{"nested path in a condition", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key("a"),
				ConditionExpression: aws.String("#m.k = :v"), ExpressionAttributeNames: map[string]string{"#m": "map"},
				ExpressionAttributeValues: item{":v": s("v")}})
			return err
		}},
		{"list index in an update", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key("a"),
				UpdateExpression: aws.String("SET l[0] = :v"), ExpressionAttributeValues: item{":v": s("v")}})
			return err
		}},
		{"attribute_type", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key("a"),
				ConditionExpression: aws.String("attribute_type(v, :t)"), ExpressionAttributeValues: item{":t": s("S")}})
			return err
		}},
		{"legacy Expected", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key("a"),
				Expected: map[string]types.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}}})
			return err
		}},
		{"legacy AttributeUpdates", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key("a"),
				AttributeUpdates: map[string]types.AttributeValueUpdate{"v": {Value: s("x")}}})
			return err
		}},
		{"secondary index", func(ctx context.Context, db *fakeaws.DynamoDB) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t"), IndexName: aws.String("byEmail"),
				KeyConditionExpression: aws.String("email = :e"), ExpressionAttributeValues: item{":e": s("x")}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, _ := newTable(t, false)
			err := tt.run(t.Context(), db)
			if !errors.Is(err, fakeaws.ErrUnsupported) {
				t.Fatalf("error %v, want one wrapping ErrUnsupported", err)
			}
			if items := db.Items("t"); len(items) != 0 {
				t.Errorf("the table changed: %s", render(items))
			}
		})
	}
}

// Concurrent conditional updates of one counter admit exactly the limit, as DynamoDB's
// single-item atomicity does.
func TestDynamoDBConcurrentConditionalUpdates(t *testing.T) {
	t.Parallel()
	db, table := newTable(t, false)
	const writers, limit = 40, 7
	var admitted, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			_, err := db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
				TableName: aws.String(table), Key: key("w1"),
				UpdateExpression:         aws.String(rateLimitUpdate),
				ConditionExpression:      aws.String(rateLimitCondition),
				ExpressionAttributeNames: map[string]string{"#count": "count", "#attempts": "attempts", "#expiresAt": "expiresAt"},
				ExpressionAttributeValues: item{":one": n("1"), ":limit": n(strconv.Itoa(limit)),
					":attempts": ss("a" + strconv.Itoa(i)), ":attempt": s("a" + strconv.Itoa(i)), ":end": n("100")},
			})
			var ccf *types.ConditionalCheckFailedException
			switch {
			case err == nil:
				admitted.Add(1)
			case errors.As(err, &ccf):
				refused.Add(1)
			default:
				t.Errorf("update: %v", err)
			}
		})
	}
	wg.Wait()
	if admitted.Load() != limit || refused.Load() != writers-limit {
		t.Errorf("%d admitted and %d refused, want %d and %d", admitted.Load(), refused.Load(), limit, writers-limit)
	}
	items := db.Items(table)
	if len(items) != 1 || render(items[0]["count"]) != render(n(strconv.Itoa(limit))) {
		t.Errorf("table: %s", render(items))
	}
}

func TestDynamoDBCopiesInAndOut(t *testing.T) {
	t.Parallel()
	db, table := newTable(t, false)
	ctx := t.Context()
	in := item{"pk": s("a"), "set": ss("x")}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: in}); err != nil {
		t.Fatal(err)
	}
	in["set"].(*types.AttributeValueMemberSS).Value[0] = "changed"
	in["extra"] = s("added")
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("a")})
	if err != nil {
		t.Fatal(err)
	}
	out.Item["set"].(*types.AttributeValueMemberSS).Value[0] = "changed again"
	if got := render(db.Items(table)); got != `[{"pk":{"S":"a"},"set":{"SS":["x"]}}]` {
		t.Errorf("stored item changed through the caller's maps: %s", got)
	}
}

func TestDynamoDBContextAndFaults(t *testing.T) {
	t.Parallel()
	db, table := newTable(t, false)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key("a")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}

	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	db.FailNext("PutItem", throttled)
	_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: key("a")})
	var pte *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Errorf("injected failure: %v", err)
	}
	if len(db.Items(table)) != 0 {
		t.Error("a failed call wrote")
	}
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: key("a")}); err != nil {
		t.Errorf("the failure was injected once, the second call failed too: %v", err)
	}
	if got := db.Calls("PutItem"); got != 3 {
		t.Errorf("Calls(PutItem) = %d, want 3", got)
	}

	db.SetHook(func(ctx context.Context, op string) error {
		select {
		case <-time.After(time.Second):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	short, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel2()
	if _, err := db.GetItem(short, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("a")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow call past the deadline: %v", err)
	}
}

func TestDynamoDBNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0012.50", "12.5"}, {"-0", "0"}, {"1e3", "1000"}, {"1.5E-3", "0.0015"}, {"+7", "7"},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
		{"123456789012345678901234567890123456789", "ValidationException"},
		{"1e126", "ValidationException"}, {"1e-131", "ValidationException"}, {"abc", "ValidationException"},
		{"1/2", "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			db, table := newTable(t, false)
			_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item{"pk": s("a"), "v": n(tt.in)}})
			if err != nil {
				if got := outcome(err); got != tt.want {
					t.Errorf("%s: %v", tt.in, err)
				}
				return
			}
			if got := db.Items(table)[0]["v"].(*types.AttributeValueMemberN).Value; got != tt.want {
				t.Errorf("%s stored as %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// PlainItems gives items as plain Go values, for assertions that read and print well.
func TestDynamoDBPlainItems(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "pk", "")
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("profiles"), Item: map[string]types.AttributeValue{
		"pk":     &types.AttributeValueMemberS{Value: "u1"},
		"logins": &types.AttributeValueMemberN{Value: "42"},
		"ratio":  &types.AttributeValueMemberN{Value: "0.5"},
		"big":    &types.AttributeValueMemberN{Value: "123456789012345678901234567890"},
		"ok":     &types.AttributeValueMemberBOOL{Value: true},
		"none":   &types.AttributeValueMemberNULL{Value: true},
		"tags":   &types.AttributeValueMemberSS{Value: []string{"b", "a"}},
		"raw":    &types.AttributeValueMemberB{Value: []byte{1, 2}},
		"list":   &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberN{Value: "1"}}},
		"map":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "v"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{
		"pk": "u1", "logins": int64(42), "ratio": 0.5, "big": "123456789012345678901234567890", "ok": true, "none": nil,
		"tags": []string{"a", "b"}, "raw": []byte{1, 2}, "list": []any{"x", int64(1)}, "map": map[string]any{"k": "v"},
	}}
	if got := db.PlainItems("profiles"); !reflect.DeepEqual(got, want) {
		t.Errorf("PlainItems\n got %#v\nwant %#v", got, want)
	}
	if db.PlainItems("missing") != nil {
		t.Error("a missing table has items")
	}
}
