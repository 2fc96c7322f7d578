package fakeaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
)

// Any expression gets an answer DynamoDB could give, or ErrUnsupported; never a panic,
// never an error of another kind.
func FuzzExpressions(f *testing.F) {
	for _, seed := range []string{
		rateLimitUpdate, rateLimitCondition, invitationUpdate, invitationCond, consumeCond, claimReclaimCond,
		"((#a = :v))", "#a.b[0] = :v", "size(:v) > :n", "SET #a = #a + :n, l = list_append(l, :l)", "",
		"#a IN (:v, :n)", "#a BETWEEN :n AND :v", "NOT (begins_with(#a, :v) OR contains(#a, :v))",
	} {
		f.Add(seed, seed)
	}
	db, table := fakeaws.NewDynamoDB(), "t"
	db.AddTable(table, "pk", "")
	allowed := map[string]bool{"ok": true, "ConditionalCheckFailed": true, "ValidationException": true, "Unsupported": true}
	f.Fuzz(func(t *testing.T, update, condition string) {
		names := map[string]string{"#a": "a"}
		values := item{":v": s("x"), ":n": n("1"), ":l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("y")}}}
		_, err := db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("k"),
			UpdateExpression: aws.String(update), ConditionExpression: aws.String(condition),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values})
		if got := outcome(err); !allowed[got] {
			t.Errorf("update %q condition %q: %s", update, condition, got)
		}
	})
}
