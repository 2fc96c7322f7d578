package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no table", nil, "missing environment variable LEGACY_USERS_TABLE"},
		{"bad attributes", []string{"LEGACY_USERS_TABLE=legacy", "LEGACY_ATTRIBUTES=email"}, `LEGACY_ATTRIBUTES: want comma-separated name=value pairs, got "email"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runEvent(t, tt.env, triggertest.Payload(triggers.UserMigrationAuthentication)).requireFailure(t, "migrate: "+tt.want)
		})
	}
}

// TestIntegrationMigration migrates a user from a local DynamoDB table through the
// program: the right password brings them over with their attributes, a wrong password
// and an unknown user get the same answer, and the password never comes back.
func TestIntegrationMigration(t *testing.T) {
	srv := localAWS(t)
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
		res := runEvent(t, env, triggertest.Payload(triggers.UserMigrationAuthentication,
			triggertest.WithUserName("Legacy.User@Example.com")))
		var e triggers.UserMigrationEvent
		res.requireOK(t, &e)
		if !maps.Equal(e.Response.UserAttributes, wantAttrs) || e.Response.FinalUserStatus != "CONFIRMED" ||
			e.Response.MessageAction != "SUPPRESS" {
			t.Errorf("response %+v, want the user's attributes, CONFIRMED and SUPPRESS", e.Response)
		}
		if strings.Contains(res.stdout+res.stderr, password) {
			t.Error("the password appears in the output")
		}
	})
	t.Run("forgot password", func(t *testing.T) {
		t.Parallel()
		var e triggers.UserMigrationEvent
		runEvent(t, env, triggertest.Payload(triggers.UserMigrationForgotPassword,
			triggertest.WithUserName("legacy.user@example.com"))).requireOK(t, &e)
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
			res := runEvent(t, env, event)
			res.requireFailure(t, "UserMigration failed with error Incorrect username or password.")
			if strings.Contains(res.stderr, "guess") || strings.Contains(res.stderr, password) {
				t.Error("a password appears in the output")
			}
		})
	}
}

// The tests run the example as a program: started with runMainEnv set, the test binary
// runs main instead of the tests, so the program needs no second build.
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

// result is the outcome of one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs the program with args. Its environment is env and what a process needs to
// start, nothing else of the test's: no AWS settings or credentials leak in.
func runMain(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, name := range []string{"GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			cmd.Env = append(cmd.Env, name+"="+v)
		}
	}
	// A race-enabled program otherwise waits a second before it exits.
	cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run %v: %v", args, err)
		}
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// runEvent runs the program once on event, written to a file for -event.
func runEvent(t *testing.T, env []string, event []byte) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, event, 0o600); err != nil {
		t.Fatal(err)
	}
	return runMain(t, env, "-event", path)
}

// requireOK fails t unless the run succeeded, and decodes its response into e.
func (r result) requireOK(t *testing.T, e any) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), e); err != nil {
		t.Fatalf("response %q: %v", r.stdout, err)
	}
}

// requireFailure fails t unless the run exited with 1 and said want on stderr.
func (r result) requireFailure(t *testing.T, want string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q on failure, want nothing", r.stdout)
	}
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
		localAWSServers, localAWSErr = awslocal.StartServers(context.Background(), awslocal.WithDynamoDB())
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
