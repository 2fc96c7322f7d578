package fakeaws_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// A conditional write answers as DynamoDB does: the second one fails with the SDK's
// ConditionalCheckFailedException.
func ExampleDynamoDB() {
	ctx := context.Background()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	for _, email := range []string{"ana@example.com", "changed@example.com"} {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String("profiles"),
			Item: map[string]types.AttributeValue{
				"id":    &types.AttributeValueMemberS{Value: "user-1"},
				"email": &types.AttributeValueMemberS{Value: email},
			},
			ConditionExpression:      aws.String("attribute_not_exists(#id)"),
			ExpressionAttributeNames: map[string]string{"#id": "id"},
		})
		var exists *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &exists):
			fmt.Println("kept the existing profile")
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println("created", email)
		}
	}
	fmt.Println(db.Items("profiles")[0]["email"].(*types.AttributeValueMemberS).Value)
	// Output:
	// created ana@example.com
	// kept the existing profile
	// ana@example.com
}

// The welcome email module sends once however often Cognito delivers the event; the
// fake SES shows what it sent.
func ExampleSES() {
	ctx := context.Background()
	db, mail := fakeaws.NewDynamoDB(), fakeaws.NewSES()
	db.AddTable("welcome-markers", "pk", "")
	welcome, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{Sender: mail, Markers: db, Table: "welcome-markers",
		Email: postconfirm.Email{
			From:    "hello@example.com",
			Subject: "Welcome, {{.Attributes.name}}",
			Text:    "Hello {{.Attributes.name}}, your account is ready.",
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	event := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp)
	for range 3 {
		if err := welcome(ctx, event); err != nil {
			fmt.Println(err)
		}
	}
	for _, e := range mail.Sent() {
		fmt.Printf("%s to %v: %s\n%s\n", e.MessageID, e.To, e.Subject, e.Text)
	}
	// Output:
	// fake-000001 to [ana.silva@example.com]: Welcome, Ana Silva
	// Hello Ana Silva, your account is ready.
}

// AddToGroup creates the group it needs; the user must exist, as in Cognito.
func ExampleCognito() {
	ctx := context.Background()
	idp := fakeaws.NewCognito()
	event := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp)
	idp.AddUser(event.UserPoolID, event.UserName, map[string]string{"email": "ana.silva@example.com"})

	add, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Client: idp, Groups: postconfirm.StaticGroups("members")})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := add(ctx, event); err != nil {
		fmt.Println(err)
	}
	fmt.Println(idp.Groups(event.UserPoolID), idp.UserGroups(event.UserPoolID, event.UserName))
	// Output:
	// [members] [members]
}
