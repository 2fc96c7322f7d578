package postauth_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestRecordSignInOnce checks that a sign-in Cognito delivers three times is recorded once.
func TestRecordSignInOnce(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	record, err := postauth.RecordSignIn(postauth.RecordConfig{Client: db, Table: "profiles", PartitionKey: "id"})
	if err != nil {
		t.Fatal(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.BestEffort(record))
	payload := triggertest.Payload(triggers.PostAuthenticationAuthentication)
	for range 3 {
		if _, ierr := router.Handle(context.Background(), payload); ierr != nil {
			t.Fatal(ierr)
		}
	}
	out, _ := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("profiles"),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"}}})
	if n := out.Item[postauth.AttrSignInCount].(*types.AttributeValueMemberN).Value; n != "1" {
		t.Errorf("sign-ins %s after one sign-in delivered three times, want 1", n)
	}
	if c := out.Item[postauth.AttrLastClientID].(*types.AttributeValueMemberS).Value; c != "4j2u2vb6e0f2l2o8jv1mh1sf3n" {
		t.Errorf("last client %q, want the event's", c)
	}
}
