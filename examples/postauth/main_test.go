package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "postauth: ", triggertest.Payload(triggers.PostAuthenticationAuthentication), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set SIGNIN_TABLE"},
		{Name: "notice without table", Env: []string{"NEW_DEVICE_FROM=security@example.com"}, Want: "missing environment variable NEW_DEVICE_TABLE"},
		{Name: "bad sender", Env: []string{"NEW_DEVICE_FROM=not an address", "NEW_DEVICE_TABLE=markers"}, Want: "NEW_DEVICE_FROM, NEW_DEVICE_TABLE:"},
		{Name: "bad retention", Env: []string{"AUDIT_TABLE=audit", "AUDIT_RETENTION=forever"}, Want: "AUDIT_RETENTION: want a duration"},
		{Name: "short retention", Env: []string{"AUDIT_TABLE=audit", "AUDIT_RETENTION=1h"}, Want: "AUDIT_TABLE, AUDIT_RETENTION:"},
	})
}

// A module that cannot reach AWS fails, and the sign-in goes on: the program answers
// Cognito as it asked and logs the failure.
func TestFailureKeepsTheSignIn(t *testing.T) {
	t.Parallel()
	event := triggertest.Payload(triggers.PostAuthenticationAuthentication)
	env := []string{"SIGNIN_TABLE=sign-ins", "AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x",
		"AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:1"}
	res := exampletest.RunEvent(t, env, event)
	res.RequireNoOp(t, event)
	if !strings.Contains(res.Stderr, "post authentication module failed") {
		t.Errorf("no failure logged:\n%s", res.Stderr)
	}
}

// TestIntegrationSignIn delivers one sign-in three times, as Cognito may, to the program
// with every module on: one record, one audit entry, one notice.
func TestIntegrationSignIn(t *testing.T) {
	srv := localAWS.Servers(t)
	ctx := t.Context()
	signIns := srv.CreateTable(t, "", "id", "")
	audit := srv.CreateTable(t, "", "pk", "sk")
	markers := srv.CreateTable(t, "", "pk", "")
	sub := awslocal.UniqueName("user")
	email := awslocal.UniqueName("ana") + "@example.com"
	event := triggertest.Payload(triggers.PostAuthenticationAuthentication,
		triggertest.WithAttribute("sub", sub), triggertest.WithAttribute("email", email), triggertest.WithAttribute("given_name", "Ana"))
	env := append(srv.Env(), "SIGNIN_TABLE="+signIns, "AUDIT_TABLE="+audit,
		"NEW_DEVICE_FROM=security@example.com", "NEW_DEVICE_TABLE="+markers)
	for i := range 3 {
		res := exampletest.RunEvent(t, env, event)
		if res.Code != 0 || strings.Contains(res.Stderr, `"level":"ERROR"`) {
			t.Fatalf("delivery %d: exit %d, stderr:\n%s", i+1, res.Code, res.Stderr)
		}
	}
	item, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(signIns), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := item.Item["signInCount"].(*types.AttributeValueMemberN); !ok || n.Value != "1" {
		t.Errorf("record %v, want signInCount 1", item.Item)
	}
	entries, err := srv.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(audit), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :sub"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sub": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries.Items) != 1 {
		t.Errorf("%d audit entries, want 1", len(entries.Items))
	}
	var sent []awslocal.Email
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, email) {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || sent[0].Subject != "New sign-in to your account" || !strings.Contains(sent[0].Text, "Hello Ana,") {
		t.Errorf("notices to the user: %+v, want one", sent)
	}
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true, SES: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
