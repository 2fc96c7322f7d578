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
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const testKey = "OTP_HMAC_KEY=test-key-of-at-least-thirty-two-bytes-0123456789"

func TestDefine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      []string
		session  []triggers.ChallengeResult
		wantName string
	}{
		{"first round asks for the code", nil, nil, "CUSTOM_CHALLENGE"},
		{"password first", []string{"CUSTOM_AUTH_PASSWORD=true"},
			[]triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}, "PASSWORD_VERIFIER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"OTP_FROM=sign-in@example.com", testKey}, tt.env...)
			var e triggers.DefineAuthChallengeEvent
			runEvent(t, env, triggertest.Payload(triggers.DefineAuthChallengeAuthentication,
				triggertest.WithSession(tt.session...))).requireOK(t, &e)
			if e.Response.ChallengeName != tt.wantName || e.Response.IssueTokens || e.Response.FailAuthentication {
				t.Errorf("response %+v, want challenge %s", e.Response, tt.wantName)
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
		{"no sender", []string{testKey}, "missing environment variable OTP_FROM"},
		{"no key", []string{"OTP_FROM=sign-in@example.com"}, "missing environment variable OTP_HMAC_KEY"},
		{"short key", []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=tiny-secret-value"}, "OTP_FROM, OTP_HMAC_KEY:"},
		{"bad flag", []string{"OTP_FROM=sign-in@example.com", testKey, "CUSTOM_AUTH_PASSWORD=sometimes"}, "CUSTOM_AUTH_PASSWORD: want true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runEvent(t, tt.env, triggertest.Payload(triggers.DefineAuthChallengeAuthentication))
			res.requireFailure(t, "customauth: "+tt.want)
			if strings.Contains(res.stderr, "tiny-secret-value") {
				t.Errorf("the key appears in the error: %s", res.stderr)
			}
		})
	}
}

// TestIntegrationSignIn signs in by email code through the program, with Cognito's part
// played by the flow simulator, SES and DynamoDB local: the code arrives by email, a wrong
// answer is asked again without a second email, the right one gets tokens, and a code
// signs in only once.
func TestIntegrationSignIn(t *testing.T) {
	srv := localAWS(t)
	table := srv.CreateTable(t, "", "pk", "")
	env := append(srv.Env(), "OTP_FROM=sign-in@example.com", testKey, "OTP_TABLE="+table)
	email := awslocal.UniqueName("ana") + "@example.com"
	user := triggertest.AuthUser{UserName: email, Attributes: map[string]string{
		"sub": awslocal.UniqueName("sub"), "email": email, "email_verified": "true"}}
	flow := triggertest.NewAuthFlow(t, program{t, env}, user)

	step := flow.Start()
	if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["step"] != "EMAIL_OTP" {
		t.Fatalf("first step %+v, want the email code challenge", step)
	}
	codes := codesTo(t, srv, email)
	if len(codes) != 1 {
		t.Fatalf("%d codes sent, want 1", len(codes))
	}
	if step = flow.Answer("000000" + codes[0]); step.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("after a wrong answer: %+v, want the challenge again", step)
	}
	if step = flow.Answer(codes[0]); !step.Tokens {
		t.Fatalf("after the right code: %+v, want tokens", step)
	}
	if n := len(codesTo(t, srv, email)); n != 1 {
		t.Errorf("%d emails for one sign-in, want 1", n)
	}

	// A new sign-in within the cooldown is asked for the code already sent, which has
	// signed in once already.
	flow.Start()
	if step = flow.Answer(codes[0]); step.Tokens {
		t.Error("a used code signed in again")
	}
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// codesTo returns the codes of the emails sent to address, oldest first.
func codesTo(t *testing.T, srv *awslocal.Servers, address string) []string {
	t.Helper()
	var codes []string
	for _, m := range srv.Emails(t) {
		if slices.Contains(m.To, address) {
			codes = append(codes, codePattern.FindString(m.Text))
		}
	}
	return codes
}

// program is the example as a triggers.Function: each Invoke runs the program once with
// -event, so that triggertest.NewAuthFlow can play Cognito against it.
type program struct {
	t   *testing.T
	env []string
}

func (p program) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	p.t.Helper()
	res := runEvent(p.t, p.env, payload)
	if res.code == 0 {
		return []byte(res.stdout), nil
	}
	// The last line on stderr is Cognito's wording: "<Trigger> failed with error <text>."
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	last := lines[len(lines)-1]
	if _, msg, ok := strings.Cut(last, " failed with error "); ok {
		return nil, messages.InvokeResponse_Error{Message: strings.TrimSuffix(msg, "."), Type: "Unhandled"}
	}
	return nil, fmt.Errorf("exit %d: %s", res.code, res.stderr)
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
		localAWSServers, localAWSErr = awslocal.StartServers(context.Background(), awslocal.WithDynamoDB(), awslocal.WithSES())
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
