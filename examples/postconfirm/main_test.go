package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	// A password reset is none of these modules' business: the program answers as Cognito
	// asked without calling AWS, which these tests give it no way to reach.
	event := triggertest.Payload(triggers.PostConfirmationConfirmForgotPassword)
	env := []string{"GROUP=members", "PROFILES_TABLE=profiles", "WELCOME_FROM=hello@example.com",
		"WELCOME_TABLE=welcome", "INVITATIONS_TABLE=invitations"}
	exampletest.RunEvent(t, env, event).RequireNoOp(t, event)
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "postconfirm: ", triggertest.Payload(triggers.PostConfirmationConfirmSignUp), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set GROUP"},
		{Name: "welcome without table", Env: []string{"WELCOME_FROM=hello@example.com"}, Want: "missing environment variable WELCOME_TABLE"},
		{Name: "bad sender", Env: []string{"WELCOME_FROM=not an address", "WELCOME_TABLE=welcome"}, Want: "WELCOME_FROM, WELCOME_TABLE:"},
		{Name: "bad group", Env: []string{"GROUP=" + strings.Repeat("g", 200)}, Want: "GROUP:"},
	})
}

// TestIntegrationConfirmation confirms a user of a local pool through the program, three
// times as Cognito may deliver the event: the user is in the group, which the program
// created, has a profile, and got one welcome email.
func TestIntegrationConfirmation(t *testing.T) {
	srv := localAWS.Servers(t)
	ctx := t.Context()
	pool := srv.CreateUserPool(t)
	profiles := srv.CreateTable(t, "", "id", "")
	markers := srv.CreateTable(t, "", "pk", "")
	email := awslocal.UniqueName("ana") + "@example.com"
	if _, err := srv.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool.ID), Username: aws.String(email), MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("given_name"), Value: aws.String("Ana")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	// cognito-local keeps a user whose name is an email address under an internal name,
	// which the event carries, as Cognito's does.
	user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	opts := []triggertest.Option{triggertest.Set("userPoolId", pool.ID), triggertest.WithUserName(aws.ToString(user.Username)),
		triggertest.Set("request.userAttributes", map[string]string{})}
	for _, a := range user.UserAttributes {
		opts = append(opts, triggertest.WithAttribute(aws.ToString(a.Name), aws.ToString(a.Value)))
	}
	event := triggertest.Payload(triggers.PostConfirmationConfirmSignUp, opts...)
	env := append(srv.Env(), "GROUP=members", "PROFILES_TABLE="+profiles, "WELCOME_FROM=hello@example.com", "WELCOME_TABLE="+markers)

	for i := range 3 {
		res := exampletest.RunEvent(t, env, event)
		if res.Code != 0 || strings.Contains(res.Stderr, `"level":"ERROR"`) {
			t.Fatalf("delivery %d: exit %d, stderr:\n%s", i+1, res.Code, res.Stderr)
		}
	}

	groups, err := srv.Cognito.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(pool.ID), Username: user.Username})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(groups.Groups, func(g ciptypes.GroupType) bool { return aws.ToString(g.GroupName) == "members" }) {
		t.Errorf("user's groups %v lack members", groups.Groups)
	}
	var sub string
	for _, a := range user.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			sub = aws.ToString(a.Value)
		}
	}
	item, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(profiles), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := item.Item["givenName"].(*types.AttributeValueMemberS); !ok || v.Value != "Ana" {
		t.Errorf("profile %v, want givenName Ana", item.Item)
	}
	var sent []awslocal.Email
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, email) {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || sent[0].Subject != "Welcome, Ana!" || !strings.Contains(sent[0].Text, "Sign in with "+email) {
		t.Errorf("emails to the user: %+v, want one welcome", sent)
	}
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true, SES: true, Cognito: &awslocal.CognitoConfig{}})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
