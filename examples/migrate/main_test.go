package main

import (
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "migrate: ", triggertest.Payload(triggers.UserMigrationAuthentication), []exampletest.StartupError{
		{Name: "no table", Want: "missing environment variable LEGACY_USERS_TABLE"},
		{Name: "bad attributes", Env: []string{"LEGACY_USERS_TABLE=legacy", "LEGACY_ATTRIBUTES=email"}, Want: `LEGACY_ATTRIBUTES: want comma-separated name=value pairs, got "email"`},
	})
}

// TestIntegrationMigration migrates a user from a local DynamoDB table through the
// program: the right password brings them over with their attributes, a wrong password
// and an unknown user get the same answer, and the password never comes back.
func TestIntegrationMigration(t *testing.T) {
	srv := localAWS.Servers(t)
	table := srv.CreateTable(t, "", "username", "")
	const password = "correct-horse-battery-staple-7Q!" // the fixture's
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"username":     &types.AttributeValueMemberS{Value: "legacy.user@example.com"},
			"passwordHash": &types.AttributeValueMemberS{Value: string(hash)},
			"mail":         &types.AttributeValueMemberS{Value: "legacy.user@example.com"},
			"verified":     &types.AttributeValueMemberBOOL{Value: true},
			"displayName":  &types.AttributeValueMemberS{Value: "Lee Gacy"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), "LEGACY_USERS_TABLE="+table, "LEGACY_ATTRIBUTES=mail=email, verified=email_verified, displayName=name")
	wantAttrs := map[string]string{"email": "legacy.user@example.com", "email_verified": "true", "name": "Lee Gacy"}

	t.Run("sign-in", func(t *testing.T) {
		t.Parallel()
		// Users type their address as they like; the store keeps it in lower case.
		res := exampletest.RunEvent(t, env, triggertest.Payload(triggers.UserMigrationAuthentication,
			triggertest.WithUserName("Legacy.User@Example.com")))
		var e triggers.UserMigrationEvent
		res.RequireOK(t, &e)
		if !maps.Equal(e.Response.UserAttributes, wantAttrs) || e.Response.FinalUserStatus != "CONFIRMED" ||
			e.Response.MessageAction != "SUPPRESS" {
			t.Errorf("response %+v, want the user's attributes, CONFIRMED and SUPPRESS", e.Response)
		}
		if strings.Contains(res.Stdout+res.Stderr, password) {
			t.Error("the password appears in the output")
		}
	})
	t.Run("forgot password", func(t *testing.T) {
		t.Parallel()
		var e triggers.UserMigrationEvent
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.UserMigrationForgotPassword,
			triggertest.WithUserName("legacy.user@example.com"))).RequireOK(t, &e)
		if !maps.Equal(e.Response.UserAttributes, wantAttrs) || e.Response.FinalUserStatus != "" {
			t.Errorf("response %+v, want the user's attributes and no status", e.Response)
		}
	})
	for name, event := range map[string][]byte{
		"wrong password": triggertest.Payload(triggers.UserMigrationAuthentication, triggertest.WithPassword("guess")),
		"unknown user": triggertest.Payload(triggers.UserMigrationAuthentication,
			triggertest.WithUserName(awslocal.UniqueName("nobody")+"@example.com")),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := exampletest.RunEvent(t, env, event)
			res.RequireFailure(t, "UserMigration failed with error Incorrect username or password.")
			if strings.Contains(res.Stderr, "guess") || strings.Contains(res.Stderr, password) {
				t.Error("a password appears in the output")
			}
		})
	}
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
