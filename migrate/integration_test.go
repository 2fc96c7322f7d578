package migrate_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// A sign-in through the JSON boundary, against a real DynamoDB API, with every log line
// at debug level captured: the right password migrates the user, a wrong password and
// an unknown user get the same answer, and the password appears nowhere.
func TestIntegrationMigrateFromDynamoDB(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	ctx := t.Context()
	table := srv.CreateTable(t, "", "username", "")
	// Distinctive passwords, so that any trace of them in the output is unmistakable.
	const (
		password      = "Zq7!legacy-Pa55word-4f9c"
		wrongPassword = "Xk2?not-the-Pa55word-8b1d"
	)
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"username":     &types.AttributeValueMemberS{Value: "ada@example.com"},
			"passwordHash": &types.AttributeValueMemberS{Value: string(h)},
			"mail":         &types.AttributeValueMemberS{Value: "ada@example.com"},
			"verified":     &types.AttributeValueMemberBOOL{Value: true},
			"plan":         &types.AttributeValueMemberS{Value: "pro"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "username",
		Attributes: map[string]string{"mail": "email", "verified": "email_verified", "plan": "custom:plan"}})
	if err != nil {
		t.Fatal(err)
	}
	migration, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs triggertest.Logs
	r := router(migration, &logs)

	right := invoke(t, r, signIn(t, "Ada@Example.com", password))
	if right.err != nil {
		t.Fatalf("right password: %s", right.err.Text())
	}
	want := `{"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS",` +
		`"userAttributes":{"custom:plan":"pro","email":"ada@example.com","email_verified":"true"}}`
	if got := jsonText(t, right.response); got != want {
		t.Errorf("right password:\n got %s\nwant %s", got, want)
	}

	reset := invoke(t, r, forgotPassword(t, "ada@example.com"))
	if reset.err != nil || reset.response["userAttributes"] == nil || reset.response["finalUserStatus"] != nil {
		t.Errorf("forgot password: %+v, %v; want the user without a final status", reset.response, reset.err)
	}

	wrong := invoke(t, r, signIn(t, "ada@example.com", wrongPassword))
	unknown := invoke(t, r, signIn(t, "nobody@example.com", password))
	unknownReset := invoke(t, r, forgotPassword(t, "nobody@example.com"))
	for name, res := range map[string]result{"wrong password": wrong, "unknown user": unknown, "unknown user reset": unknownReset} {
		if res.err == nil {
			t.Fatalf("%s: migrated", name)
		}
		if res.err.Type != triggers.ErrorTypeRejected || res.err.Message != migrate.DefaultMessage {
			t.Errorf("%s: %+v, want the rejection %q", name, *res.err, migrate.DefaultMessage)
		}
		if res.err.Text() != wrong.err.Text() || res.err.Type != wrong.err.Type {
			t.Errorf("%s answers %q (%s), the wrong password %q (%s)", name, res.err.Text(), res.err.Type, wrong.err.Text(), wrong.err.Type)
		}
	}

	out := logs.String()
	if !strings.Contains(out, `"level":"DEBUG"`) || !strings.Contains(out, "UserMigration_Authentication") {
		t.Fatalf("the capture holds no debug event logs, so it proves nothing:\n%s", out)
	}
	for _, secret := range []string{password, wrongPassword} {
		if strings.Contains(out, secret) {
			t.Errorf("a password appears in the logs:\n%s", out)
		}
		for _, res := range []result{right, reset, wrong, unknown, unknownReset} {
			if strings.Contains(string(res.out), secret) || res.err != nil && strings.Contains(res.err.Message, secret) {
				t.Errorf("a password appears in a response: %s %v", res.out, res.err)
			}
		}
	}
}

// The whole flow through a Cognito user pool API: cognito-local calls the trigger, served
// by triggers.InvokeServer, when a user it does not know signs in.
func TestIntegrationMigrateThroughCognito(t *testing.T) {
	t.Parallel()
	// cognito-local needs the trigger's address before it starts, and the trigger needs
	// the DynamoDB client the same start makes: the handler is set once both exist.
	var trigger atomic.Pointer[http.Handler]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*trigger.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"UserMigration": "userMigration"},
	}})
	ctx := t.Context()

	const password = "Legacy-Pa55word-through-Cognito-7e3a"
	table := srv.CreateTable(t, "", "username", "")
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"username":     &types.AttributeValueMemberS{Value: "grace@example.com"},
			"passwordHash": &types.AttributeValueMemberS{Value: string(h)},
			"email":        &types.AttributeValueMemberS{Value: "grace@example.com"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "username",
		Attributes: map[string]string{"email": "email"}})
	if err != nil {
		t.Fatal(err)
	}
	migration, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs triggertest.Logs
	handler := triggers.InvokeServer(router(migration, &logs))
	trigger.Store(&handler)

	pool := srv.CreateUserPool(t)
	signIn := func(username, password string) (*cip.InitiateAuthOutput, error) {
		return srv.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId:       aws.String(pool.ClientID),
			AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
		})
	}
	var notAuthorized *ciptypes.NotAuthorizedException
	if _, err := signIn("grace@example.com", "not-her-password"); !errors.As(err, &notAuthorized) {
		t.Errorf("wrong password: %v, want NotAuthorizedException", err)
	}
	if _, err := signIn("nobody@example.com", password); !errors.As(err, &notAuthorized) {
		t.Errorf("unknown user: %v, want NotAuthorizedException", err)
	}
	out, err := signIn("Grace@Example.com", password)
	if err != nil || out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatalf("right password: %+v, %v; want tokens", out, err)
	}
	users, err := srv.Cognito.ListUsers(ctx, &cip.ListUsersInput{
		UserPoolId: aws.String(pool.ID), Filter: aws.String(`email = "grace@example.com"`),
	})
	if err != nil || len(users.Users) != 1 || users.Users[0].UserStatus != ciptypes.UserStatusTypeConfirmed {
		t.Fatalf("migrated user: %+v, %v; want one confirmed user", users, err)
	}
	if strings.Contains(logs.String(), password) || strings.Contains(logs.String(), "not-her-password") {
		t.Errorf("a password appears in the logs:\n%s", logs.String())
	}
}
