package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
	"github.com/lambda-triggers/cognito/triggers/triggertest/lambdaruntime"
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
		runMainEnv+"=1", "GORACE=atexit_sleep_ms=0", "CLIENT_ID=client-1", "REDIRECTURL="+redirect,
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
			res := runMain(t, tt.env, tt.args...)
			if res.code != tt.code || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", res.code, res.stderr, tt.code, tt.want)
			}
		})
	}
}

// TestIntegrationConfirm opens a link on the program's local server against a local
// user pool: a link to another target confirms nobody, and the genuine link confirms the
// user and sends them to the application.
func TestIntegrationConfirm(t *testing.T) {
	srv := localAWS(t)
	ctx := t.Context()
	pool := srv.CreateUserPool(t)
	email := awslocal.UniqueName("ana") + "@example.com"
	if _, err := srv.Cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(pool.ClientID), Username: aws.String(email),
		Password:       aws.String("Correct-Horse-9-Battery"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}}); err != nil {
		t.Fatal(err)
	}
	base := serve(t, append(srv.Env(), "CLIENT_ID="+pool.ClientID, "REDIRECTURL="+redirect))

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

// serve runs the program with -serve on a free port until t ends, and returns its base URL.
func serve(t *testing.T, env []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-serve", addr)
	cmd.Env = append(baseEnv(t), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("server: %v\n%s", err, stderr.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s did not start: %s", addr, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The tests run the program: started with runMainEnv set, the test binary runs main
// instead of the tests, so the program needs no second build.
const runMainEnv = "EXAMPLE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	stopLocalAWS()
	os.Exit(code)
}

// baseEnv is what the program needs to start, and nothing else of the test's
// environment: no AWS settings or credentials leak in.
func baseEnv(t *testing.T) []string {
	env := []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, name := range []string{"GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	// A race-enabled program otherwise waits a second before it exits.
	env = append(env, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	return env
}

type result struct {
	code           int
	stdout, stderr string
}

func runMain(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(baseEnv(t), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run %v: %v", args, err)
		}
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

var (
	localAWSOnce    sync.Once
	localAWSServers *awslocal.Servers
	localAWSErr     error
)

// localAWS returns the package's local AWS servers, started on first use and stopped by
// TestMain, so that the integration tests share them.
func localAWS(t *testing.T) *awslocal.Servers {
	t.Helper()
	localAWSOnce.Do(func() {
		localAWSServers, localAWSErr = awslocal.StartServers(context.Background(), awslocal.WithCognito(awslocal.CognitoConfig{}))
	})
	if errors.Is(localAWSErr, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("awslocal: %v", localAWSErr)
	}
	if localAWSErr != nil {
		t.Fatalf("awslocal: %v", localAWSErr)
	}
	return localAWSServers
}

func stopLocalAWS() {
	if localAWSServers != nil {
		if err := localAWSServers.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
		}
	}
}
