package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	signUp := triggertest.Payload(triggers.PreSignUpSignUp) // ana.silva@example.com
	tests := []struct {
		name        string
		env         []string
		event       []byte
		wantErr     string // on stderr, with exit 1
		wantConfirm bool
		wantVerify  bool
	}{
		{name: "denied domain", env: []string{"DOMAINDENYLIST=tempmail.test, example.com"}, event: signUp,
			wantErr: "PreSignUp failed with error Invalid email domain: example.com."},
		{name: "domain not allowed", env: []string{"DOMAINALLOWLIST=corp.example"}, event: signUp,
			wantErr: "PreSignUp failed with error Invalid email domain: example.com."},
		{name: "allowed and confirmed", env: []string{"DOMAINALLOWLIST=example.com", "AUTO_CONFIRM=true", "AUTO_VERIFY_EMAIL=true"},
			event: signUp, wantConfirm: true, wantVerify: true},
		{name: "confirmed by domain", env: []string{"AUTO_CONFIRM_DOMAINS=*.corp.example,example.com"}, event: signUp, wantConfirm: true},
		{name: "other domain not confirmed", env: []string{"AUTO_CONFIRM_DOMAINS=corp.example", "AUTO_VERIFY_EMAIL=true"}, event: signUp},
		{name: "administrator passes the deny list", env: []string{"DOMAINDENYLIST=example.com", "AUTO_CONFIRM=true"},
			event: triggertest.Payload(triggers.PreSignUpAdminCreateUser)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runEvent(t, tt.env, tt.event)
			if tt.wantErr != "" {
				res.requireFailure(t, tt.wantErr)
				return
			}
			var e triggers.PreSignUpEvent
			res.requireOK(t, &e)
			if e.Response.AutoConfirmUser != tt.wantConfirm || e.Response.AutoVerifyEmail != tt.wantVerify {
				t.Errorf("autoConfirmUser %v autoVerifyEmail %v, want %v %v",
					e.Response.AutoConfirmUser, e.Response.AutoVerifyEmail, tt.wantConfirm, tt.wantVerify)
			}
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nothing configured", nil, "no module configured: set DOMAINALLOWLIST"},
		{"bad domain", []string{"DOMAINDENYLIST=not a domain"}, "DOMAINALLOWLIST, DOMAINDENYLIST:"},
		{"bad limit", []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=many"}, `RATE_LIMIT: want a whole number, got "many"`},
		{"limit out of range", []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=0"}, "RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW:"},
		{"bad window", []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT_WINDOW=daily"}, `RATE_LIMIT_WINDOW: want a duration`},
		{"bad flag", []string{"AUTO_CONFIRM=yes please"}, `AUTO_CONFIRM: want true or false, got "yes please"`},
		{"both confirm settings", []string{"AUTO_CONFIRM=true", "AUTO_CONFIRM_DOMAINS=example.com"}, "AUTO_CONFIRM and AUTO_CONFIRM_DOMAINS: set one, not both"},
		{"verify without confirm", []string{"AUTO_VERIFY_EMAIL=true"}, "AUTO_VERIFY_EMAIL needs AUTO_CONFIRM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runEvent(t, tt.env, triggertest.Payload(triggers.PreSignUpSignUp))
			res.requireFailure(t, "presignup: "+tt.want)
		})
	}
}

// TestIntegrationInvitationAndRateLimit signs up through the program against DynamoDB:
// an invited user passes, a code for someone else does not, and the limit holds per
// client address, counting attempts with wrong codes too, so that nobody can try codes
// without end.
func TestIntegrationInvitationAndRateLimit(t *testing.T) {
	srv := localAWS(t)
	limits := srv.CreateTable(t, "", "pk", "")
	invitations := srv.CreateTable(t, "", "code", "")
	_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(invitations),
		Item: map[string]types.AttributeValue{
			"code":  &types.AttributeValueMemberS{Value: "INV-7K2M-QX9P"},
			"email": &types.AttributeValueMemberS{Value: "ana.silva@example.com"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), "RATE_LIMIT_TABLE="+limits, "RATE_LIMIT=3", "INVITATIONS_TABLE="+invitations, "AUTO_CONFIRM=true")
	ip := awslocal.UniqueName("ip")
	signUp := func(user, email, code string) []byte {
		return triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithUserName(user),
			triggertest.WithAttribute("email", email), triggertest.WithClientMetadata("invitationCode", code),
			triggertest.WithClientMetadata("ipAddress", ip))
	}

	var e triggers.PreSignUpEvent
	runEvent(t, env, signUp("ana", "ana.silva@example.com", "INV-7K2M-QX9P")).requireOK(t, &e)
	if !e.Response.AutoConfirmUser {
		t.Error("the invited user is not confirmed")
	}
	runEvent(t, env, signUp("eve", "eve@example.com", "INV-7K2M-QX9P")).
		requireFailure(t, "PreSignUp failed with error This invitation code was issued for a different email address.")
	runEvent(t, env, signUp("bob", "bob@example.com", "INV-NONE")).
		requireFailure(t, "PreSignUp failed with error Invalid invitation code.")
	runEvent(t, env, signUp("ana2", "ana.silva@example.com", "INV-7K2M-QX9P")).
		requireFailure(t, "PreSignUp failed with error Too many sign-up attempts, please try again later.")
	ip = awslocal.UniqueName("ip")
	runEvent(t, env, signUp("ana2", "ana.silva@example.com", "INV-7K2M-QX9P")).requireOK(t, &e)
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
