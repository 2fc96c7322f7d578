package postauth_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// A sign-in that Cognito delivers three times is recorded once.
func ExampleRecordSignIn() {
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	record, err := postauth.RecordSignIn(postauth.RecordConfig{Client: db, Table: "profiles", PartitionKey: "id"})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.BestEffort(record))
	payload := triggertest.Payload(triggers.PostAuthenticationAuthentication)
	for range 3 {
		if _, ierr := router.Handle(context.Background(), payload); ierr != nil {
			panic(ierr)
		}
	}
	out, _ := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("profiles"),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"}}})
	fmt.Println("sign-ins:", out.Item[postauth.AttrSignInCount].(*types.AttributeValueMemberN).Value)
	fmt.Println("last client:", out.Item[postauth.AttrLastClientID].(*types.AttributeValueMemberS).Value)
	// Output:
	// sign-ins: 1
	// last client: 4j2u2vb6e0f2l2o8jv1mh1sf3n
}
