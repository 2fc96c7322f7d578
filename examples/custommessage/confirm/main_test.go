package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/lambdaruntime"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const redirect = "https://app.example.com/welcome"

// link returns a confirmation link as the custom message example writes it.
func link(base, clientID, username, code, redirectURI string) string {
	q := url.Values{custommessage.ParamClientID: {clientID}, custommessage.ParamUsername: {username},
		custommessage.ParamCode: {code}, custommessage.ParamRedirect: {redirectURI}}
	return base + "/?" + q.Encode()
}

// noRedirects is a client that reports redirects instead of following them.
var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func get(t *testing.T, u string) (status int, location string) {
	t.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// TestFunctionURL runs the program as Lambda runs it, behind a function URL: a link whose
// redirect target is not allowed gets the error page, and Cognito is never called.
func TestFunctionURL(t *testing.T) {
	t.Parallel()
	q := url.Values{"client_id": {"client-1"}, "username": {"ana"}, "code": {"123456"}, "redirect_uri": {"https://evil.example/"}}
	payload, err := json.Marshal(map[string]any{
		"version": "2.0", "rawPath": "/", "rawQueryString": q.Encode(),
		"headers":        map[string]string{"host": "confirm.example.com"},
		"requestContext": map[string]any{"http": map[string]string{"method": "GET", "path": "/", "sourceIp": "192.0.2.1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := lambdaruntime.ColdStart(t.Context(), os.Args[0], payload,
		exampletest.RunMainEnv+"=1", "GORACE=atexit_sleep_ms=0", "CLIENT_ID=client-1", "REDIRECTURL="+redirect,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(res.Response, &resp); err != nil {
		t.Fatalf("response %s (%s): %v", res.Response, res.ErrorMessage, err)
	}
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(resp.Body, "evil.example") {
		t.Errorf("status %d, body %s; want 400 without the target", resp.StatusCode, resp.Body)
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"no client", []string{"REDIRECTURL=" + redirect}, []string{"-serve", "127.0.0.1:0"}, 1, "confirm: missing environment variable CLIENT_ID"},
		{"no redirect", []string{"CLIENT_ID=c"}, []string{"-serve", "127.0.0.1:0"}, 1, "confirm: missing environment variable REDIRECTURL"},
		{"bad redirect", []string{"CLIENT_ID=c", "REDIRECTURL=javascript:alert(1)"}, []string{"-serve", "127.0.0.1:0"}, 1, "confirm: CLIENT_ID, REDIRECTURL:"},
		{"no address", []string{"CLIENT_ID=c", "REDIRECTURL=" + redirect}, nil, 2, "usage: confirm -serve ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := exampletest.Run(t, tt.env, tt.args...)
			if res.Code != tt.code || !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", res.Code, res.Stderr, tt.code, tt.want)
			}
		})
	}
}

// TestIntegrationConfirm opens a link on the program's local server against a local
// user pool: a link to another target confirms nobody, and the genuine link confirms the
// user and sends them to the application.
func TestIntegrationConfirm(t *testing.T) {
	srv := localAWS.Servers(t)
	ctx := t.Context()
	pool := srv.CreateUserPool(t)
	email := awslocal.UniqueName("ana") + "@example.com"
	if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(pool.ClientID), Username: aws.String(email),
		Password:       aws.String("Correct-Horse-9-Battery"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}}); err != nil {
		t.Fatal(err)
	}
	base := exampletest.Serve(t, append(srv.Env(), "CLIENT_ID="+pool.ClientID, "REDIRECTURL="+redirect))

	if status, _ := get(t, link(base, pool.ClientID, email, srv.CognitoCode, "https://evil.example/")); status != http.StatusBadRequest {
		t.Errorf("a link to another target: status %d, want 400", status)
	}
	if status := userStatus(t, srv, pool.ID, email); status != ciptypes.UserStatusTypeUnconfirmed {
		t.Fatalf("user is %s before the link is opened", status)
	}
	// Cognito redirects a second click too; cognito-local forgets the code on
	// confirmation instead, so only the first click is checked here.
	status, location := get(t, link(base, pool.ClientID, email, srv.CognitoCode, redirect))
	if status != http.StatusSeeOther || location != redirect {
		t.Errorf("status %d location %q, want 303 to %s", status, location, redirect)
	}
	if status := userStatus(t, srv, pool.ID, email); status != ciptypes.UserStatusTypeConfirmed {
		t.Errorf("user is %s after the link, want CONFIRMED", status)
	}
}

func userStatus(t *testing.T, srv *awslocal.Servers, poolID, username string) ciptypes.UserStatusType {
	t.Helper()
	u, err := srv.Cognito.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	if err != nil {
		t.Fatal(err)
	}
	return u.UserStatus
}

var localAWS = localaws.New(awslocal.Config{Cognito: &awslocal.CognitoConfig{}})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
