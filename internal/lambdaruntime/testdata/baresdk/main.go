// Command baresdk is the bare pre sign-up handler of testdata/bare with the AWS SDK
// clients a full trigger function calls (DynamoDB, SES v2 and Cognito), created on first
// use from the variables Lambda sets: the cold start of the SDK alone. With
// INVITATIONS_TABLE set, a sign-up must carry an invitation code that the table holds,
// which links the clients; the cold-start benchmark leaves it unset, so no client is
// created.
package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

type clients struct {
	db      *dynamodb.Client
	mail    *sesv2.Client
	cognito *cognitoidentityprovider.Client
}

var sdk = sync.OnceValue(func() clients {
	cfg := aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"),
			os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
	}
	return clients{dynamodb.NewFromConfig(cfg), sesv2.NewFromConfig(cfg), cognitoidentityprovider.NewFromConfig(cfg)}
})

func main() {
	lambda.Start(func(ctx context.Context, e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		email := e.Request.UserAttributes["email"]
		if strings.HasSuffix(strings.ToLower(email), "@blocked.example") {
			return e, errors.New("Invalid email domain: blocked.example")
		}
		if table := os.Getenv("INVITATIONS_TABLE"); table != "" {
			return e, invite(ctx, e, table, e.Request.ClientMetadata["invitationCode"])
		}
		return e, nil
	})
}

// invite accepts a sign-up whose code is in the invitations table, adds the user to the
// invited group and tells the inviter.
func invite(ctx context.Context, e events.CognitoEventUserPoolsPreSignup, table, code string) error {
	c := sdk()
	item, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{"code": &types.AttributeValueMemberS{Value: code}},
	})
	if err != nil {
		return err
	}
	inviter, ok := item.Item["inviter"].(*types.AttributeValueMemberS)
	if !ok {
		return errors.New("invalid invitation code")
	}
	if _, err := c.cognito.AdminAddUserToGroup(ctx, &cognitoidentityprovider.AdminAddUserToGroupInput{
		UserPoolId: aws.String(e.UserPoolID), Username: aws.String(e.UserName), GroupName: aws.String("invited"),
	}); err != nil {
		return err
	}
	_, err = c.mail.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(os.Getenv("FROM")),
		Destination:      &sestypes.Destination{ToAddresses: []string{inviter.Value}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Your invitation was used")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String(e.Request.UserAttributes["email"] + " signed up.")}},
		}}})
	return err
}
