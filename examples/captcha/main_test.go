package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// verifyServer is a siteverify endpoint that accepts the token "human" for the secret
// "site-secret".
func verifyServer(t *testing.T) (url string, calls *atomic.Int32) {
	t.Helper()
	calls = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.RawQuery != "" {
			t.Errorf("verify request query %q: the secret and token belong in the body", r.URL.RawQuery)
		}
		ok := r.PostFormValue("secret") == "site-secret" && r.PostFormValue("response") == "human"
		fmt.Fprintf(w, `{"success":%t}`, ok)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, calls
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	url, calls := verifyServer(t)
	env := []string{"RECAPTCHASECRET=site-secret", "RECAPTCHA_VERIFY_URL=" + url, "RECAPTCHA_SITE_KEY=site-key"}
	user := triggertest.AuthUser{UserName: "ana", Attributes: map[string]string{"sub": "ana-sub", "email": "ana@example.com"}}

	t.Run("password then captcha", func(t *testing.T) {
		flow := triggertest.NewAuthFlow(t, program{t, env}, user)
		step := flow.StartWithPassword(true)
		if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["siteKey"] != "site-key" {
			t.Fatalf("after the password: %+v, want the CAPTCHA challenge with the site key", step)
		}
		if step = flow.Answer("robot"); step.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("after a failed CAPTCHA: %+v, want another try", step)
		}
		if step = flow.Answer("human"); !step.Tokens {
			t.Fatalf("after a solved CAPTCHA: %+v, want tokens", step)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		before := calls.Load()
		flow := triggertest.NewAuthFlow(t, program{t, env}, user)
		if step := flow.StartWithPassword(false); !step.Failed {
			t.Fatalf("after a wrong password: %+v, want the sign-in failed", step)
		}
		if calls.Load() != before {
			t.Error("the CAPTCHA was verified for a wrong password")
		}
	})
	t.Run("captcha without password", func(t *testing.T) {
		flow := triggertest.NewAuthFlow(t, program{t, env}, user)
		if step := flow.Start(); !step.Failed {
			t.Fatalf("a sign-in that skipped the password: %+v", step)
		}
	})
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no secret", nil, "missing environment variable RECAPTCHASECRET"},
		{"bad verify URL", []string{"RECAPTCHASECRET=site-secret", "RECAPTCHA_VERIFY_URL=ftp://example.com/verify"}, "RECAPTCHASECRET, RECAPTCHA_VERIFY_URL:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runEvent(t, tt.env, triggertest.Fixture("DefineAuthChallenge_Authentication"))
			res.requireFailure(t, "captcha: "+tt.want)
			if strings.Contains(res.stderr, "site-secret") {
				t.Errorf("the secret appears in the error: %s", res.stderr)
			}
		})
	}
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

func stopLocalAWS() {}
