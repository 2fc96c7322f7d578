package pretoken_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const fixtureSub = "5f2c9b1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f" // the sub in testdata's user events

func TestIntegrationClaimsFromDynamoDB(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	ctx := t.Context()
	put := func(t *testing.T, table string, item map[string]types.AttributeValue) {
		t.Helper()
		if _, err := srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("claims, cache and expiry", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "userId", "")
		put(t, table, map[string]types.AttributeValue{
			"userId":   s(fixtureSub),
			"perms":    &types.AttributeValueMemberSS{Value: []string{"orders:write", "orders:read"}},
			"features": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sso": &types.AttributeValueMemberBOOL{Value: true}}},
			"hash":     s("never read"),
		})
		clk := newClock()
		h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "userId", Claims: map[string]string{"perms": "permissions", "features": "features"}, Tokens: pretoken.AccessToken, Now: clk.Now}))

		want := `{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":` +
			`{"features":{"sso":true},"permissions":["orders:read","orders:write"]}}}}`
		if got := jsonText(t, response(t, h, "v2_authentication.json")); got != want {
			t.Fatalf("v2:\n got %s\nwant %s", got, want)
		}
		v1 := `{"claimsOverrideDetails":{"claimsToAddOrOverride":` +
			`{"features":"{\"sso\":true}","permissions":"[\"orders:read\",\"orders:write\"]"}}}`
		h1 := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "userId", Claims: map[string]string{"perms": "permissions", "features": "features"}}))
		if got := jsonText(t, response(t, h1, "v1_authentication.json")); got != v1 {
			t.Errorf("v1:\n got %s\nwant %s", got, v1)
		}

		// A change to the item reaches tokens once the cached copy expires.
		put(t, table, map[string]types.AttributeValue{
			"userId": s(fixtureSub),
			"perms":  &types.AttributeValueMemberSS{Value: []string{"orders:read"}},
		})
		if got := jsonText(t, response(t, h, "v3_refresh_tokens.json")); got != want {
			t.Errorf("within the TTL: got %s, want the cached claims", got)
		}
		clk.advance(pretoken.DefaultCacheTTL)
		want = `{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":` +
			`{"permissions":["orders:read"]}}}}`
		if got := jsonText(t, response(t, h, "v3_refresh_tokens.json")); got != want {
			t.Errorf("after the TTL:\n got %s\nwant %s", got, want)
		}
	})

	t.Run("single table with sort key and missing user", func(t *testing.T) {
		t.Parallel()
		table := srv.CreateTable(t, "", "pk", "sk")
		put(t, table, map[string]types.AttributeValue{
			"pk": s("USER#ada@example.com"), "sk": s("ENTITLEMENTS"), "plan": s("team"),
		})
		put(t, table, map[string]types.AttributeValue{
			"pk": s("USER#ada@example.com"), "sk": s("PROFILE"), "plan": s("wrong item"),
		})
		cfg := pretoken.DynamoDBConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"},
			UserAttribute: "email", KeyPrefix: "USER#", SortKeyAttribute: "sk", SortKeyValue: "ENTITLEMENTS", ConsistentRead: true}
		h := pretoken.Must(pretoken.ClaimsFromDynamoDB(cfg))
		if got := jsonText(t, response(t, h, "v1_authentication.json")); got != `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"plan":"team"}}}` {
			t.Errorf("found: %s", got)
		}

		cfg.UserAttribute, cfg.MissingMessage = "custom:tenant_id", "No subscription for this account"
		reject := pretoken.Must(pretoken.ClaimsFromDynamoDB(cfg))
		_, ierr := handle(t, reject, "v2_authentication.json")
		if ierr == nil || ierr.Type != "Rejected" || ierr.Message != "No subscription for this account" {
			t.Errorf("missing item: %+v, want the rejection", ierr)
		}
	})

	t.Run("unknown table fails the trigger in time", func(t *testing.T) {
		t.Parallel()
		h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: srv.DynamoDB, Table: awslocal.UniqueName("absent"), KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}}))
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		err := h(ctx, newEvent(t, "v2_authentication.json"))
		var nf *types.ResourceNotFoundException
		if err == nil || !errors.As(err, &nf) {
			t.Errorf("err = %v, want ResourceNotFoundException", err)
		}
	})
}

// The whole flow through a Cognito user pool API: cognito-local calls the chain, served
// by triggers.InvokeServer, before it issues tokens, and the ID token it signs carries
// the chain's changes.
func TestIntegrationPreTokenThroughCognito(t *testing.T) {
	t.Parallel()
	// cognito-local needs the trigger's address before it starts, and the chain needs
	// the DynamoDB client the same start makes: the handler is set once both exist.
	var trigger atomic.Pointer[http.Handler]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*trigger.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PreTokenGeneration": "preTokenGeneration"},
	}})
	ctx := t.Context()

	email := awslocal.UniqueName("grace") + "@example.com"
	table := srv.CreateTable(t, "", "email", "")
	if _, err := srv.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"email": s(email), "perms": &types.AttributeValueMemberSS{Value: []string{"orders:write", "orders:read"}},
	}}); err != nil {
		t.Fatal(err)
	}
	chain := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro", "seats": 5}, Suppress: []string{"email_verified"}})),
		pretoken.Must(pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:tenant_id": "tenant"}})),
		pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: srv.DynamoDB, Table: table, KeyAttribute: "email", Claims: map[string]string{"perms": "permissions"}, UserAttribute: "email"})),
	)
	handler := triggers.InvokeServer(triggers.NewRouter(triggers.RouterConfig{Logger: discard()}).PreTokenGeneration(chain))
	trigger.Store(&handler)

	pool := srv.CreateUserPool(t)
	const password = "Pa55word-for-tokens!"
	if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(pool.ClientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("custom:tenant_id"), Value: aws.String("acme")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Cognito.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(pool.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(srv.CognitoCode),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := srv.Cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtClaims(t, aws.ToString(out.AuthenticationResult.IdToken))
	for name, want := range map[string]any{
		"plan": "pro", "seats": "5", "tenant": "acme", "permissions": `["orders:read","orders:write"]`, "email": email,
	} {
		if claims[name] != want {
			t.Errorf("ID token %s = %#v, want %#v", name, claims[name], want)
		}
	}
	if _, ok := claims["email_verified"]; ok {
		t.Error("ID token has email_verified, which the chain suppressed")
	}
	if claims["sub"] == nil || claims["sub"] == "" {
		t.Error("ID token lost its sub")
	}
}

// jwtClaims decodes a token's payload; the signature is cognito-local's business.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
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
