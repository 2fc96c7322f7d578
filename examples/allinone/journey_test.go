package main

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationUserJourney deploys the function locally: cognito-local calls it, served
// with -serve, for every trigger it supports, and the test checks through the Cognito and
// DynamoDB APIs what the function did for a user who signs up, confirms and signs in,
// and for a legacy user who signs in for the first time. (cognito-local leaves
// email_verified false on confirmation, so the welcome email, which goes to verified
// addresses only, is tested by the postconfirm example instead.)
func TestIntegrationUserJourney(t *testing.T) {
	srv := localAWS.Servers(t)
	ctx := t.Context()
	profiles := srv.CreateTable(t, "", "id", "")
	legacy := srv.CreateTable(t, "", "username", "")
	signIns := srv.CreateTable(t, "", "id", "")
	exampletest.ServeAt(t, lambdaAddr, append(srv.Env(), "DOMAINDENYLIST=tempmail.test", "GROUP=members", "PROFILES_TABLE="+profiles,
		"SIGNIN_TABLE="+signIns,
		`CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`,
		"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/welcome",
		"LEGACY_USERS_TABLE="+legacy))
	pool := srv.CreateUserPool(t, func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail}
	})
	const password = "Correct-Horse-9-Battery"
	signUp := func(email string) error {
		_, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(pool.ClientID), Username: aws.String(email),
			Password: aws.String(password), UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
		return err
	}

	if err := signUp(awslocal.UniqueName("eve") + "@tempmail.test"); err == nil ||
		!strings.Contains(err.Error(), "PreSignUp failed with error Invalid email domain: tempmail.test.") {
		t.Errorf("sign-up with a denied domain: %v", err)
	}

	email := awslocal.UniqueName("ana") + "@example.com"
	if err := signUp(email); err != nil {
		t.Fatal(err)
	}
	// cognito-local prints the message it would send: the custom message's link.
	waitForLog(t, srv, "Email Message:", `href="https://confirm.example.com/?client_id=`+pool.ClientID+"&amp;",
		"&amp;code="+srv.CognitoCode+`">`)
	if _, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(pool.ClientID),
		Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode)}); err != nil {
		t.Fatal(err)
	}
	user, err := srv.Cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := srv.Cognito.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool.ID), Username: user.Username})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(groups.Groups, func(g ciptypes.GroupType) bool { return aws.ToString(g.GroupName) == "members" }) {
		t.Errorf("confirmed user's groups %v lack members", groups.Groups)
	}
	sub := attribute(user.UserAttributes, "sub")
	item, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(profiles), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil || item.Item == nil {
		t.Errorf("no profile for %s: %v", sub, err)
	}
	if claims := signIn(t, srv, pool, email, password); claims["plan"] != "free" {
		t.Errorf("ID token claims %v, want plan=free", claims)
	}
	// The sign-in went through post authentication, which recorded it.
	record, err := srv.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(signIns), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: sub}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := record.Item["signInCount"].(*types.AttributeValueMemberN); !ok || n.Value != "1" {
		t.Errorf("sign-in record %v, want signInCount 1", record.Item)
	}

	// A legacy user signs in with the old password and is migrated on the way.
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	old := awslocal.UniqueName("lee") + "@example.com"
	if _, err := srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(legacy), Item: map[string]types.AttributeValue{
		"username": &types.AttributeValueMemberS{Value: old}, "passwordHash": &types.AttributeValueMemberS{Value: string(hash)},
		"email": &types.AttributeValueMemberS{Value: old}, "email_verified": &types.AttributeValueMemberBOOL{Value: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if claims := signIn(t, srv, pool, old, password); claims["email"] != old {
		t.Errorf("migrated user's ID token claims %v", claims)
	}
}

func attribute(attrs []ciptypes.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// signIn signs in with the user's password and returns the ID token's claims.
func signIn(t *testing.T, srv *awslocal.Servers, pool awslocal.UserPool, username, password string) map[string]any {
	t.Helper()
	out, err := srv.Cognito.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(pool.ClientID),
		AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}})
	if err != nil {
		t.Fatalf("sign-in of %s: %v", username, err)
	}
	parts := strings.Split(aws.ToString(out.AuthenticationResult.IdToken), ".")
	if len(parts) != 3 {
		t.Fatalf("ID token with %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// waitForLog waits until cognito-local has printed a line holding all of want. It prints
// each message it would send as a box whose lines it wraps, so borders and white space
// are ignored.
func waitForLog(t *testing.T, srv *awslocal.Servers, want ...string) {
	t.Helper()
	unbox := strings.NewReplacer("│", "", " ", "", "\n", "")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if slices.ContainsFunc(srv.Log(awslocal.CognitoServer), func(line string) bool {
			line = unbox.Replace(line)
			return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(line, unbox.Replace(w)) })
		}) {
			return
		}
	}
	t.Errorf("cognito-local printed no line with %q; last lines:\n%s", want, strings.Join(srv.Log(awslocal.CognitoServer), "\n"))
}

// lambdaAddr is where cognito-local calls the function, set when localAWS starts.
var lambdaAddr string

// localAWS is the package's local AWS servers, with cognito-local calling the Lambda
// Invoke API at lambdaAddr for every trigger it supports. Each function is named after
// its trigger, so that errors read as Cognito words them.
var localAWS = localaws.NewFunc(func() (awslocal.Config, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return awslocal.Config{}, err
	}
	lambdaAddr = ln.Addr().String()
	ln.Close()
	names := map[string]string{}
	for _, trigger := range []string{"PreSignUp", "PostConfirmation", "PostAuthentication", "PreTokenGeneration", "CustomMessage", "UserMigration"} {
		names[trigger] = trigger
	}
	return awslocal.Config{DynamoDB: true, SES: true,
		Cognito: &awslocal.CognitoConfig{LambdaEndpoint: "http://" + lambdaAddr, Triggers: names}}, nil
})
