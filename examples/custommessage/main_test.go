package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/welcome",
		"EMAILSUBJECT=Confirm your Example account", "EMAILMESSAGE=Welcome to Example!", "APP_NAME=Example"}
	tests := []struct {
		name                 string
		event                []byte
		subject              string
		emailHas, emailLacks []string
		smsHas               string // "" wants Cognito's own SMS
	}{
		{name: "sign-up link", event: triggertest.Payload(triggers.CustomMessageSignUp),
			subject:  "Confirm your Example account",
			emailHas: []string{"Welcome to Example!", `<a href="https://confirm.example.com/?client_id=4j2u2vb6e0f2l2o8jv1mh1sf3n&amp;`, "&amp;code={####}\">"}},
		{name: "password reset", event: triggertest.Payload(triggers.CustomMessageForgotPassword),
			subject: "Reset your Example password", emailHas: []string{"<strong>{####}</strong>"},
			smsHas: "Your Example password reset code is {####}"},
		{name: "password reset in German", event: triggertest.Payload(triggers.CustomMessageForgotPassword,
			triggertest.WithAttribute("locale", "de-AT")),
			subject: "Ihr Example-Passwort zurücksetzen", emailHas: []string{"{####}"}, smsHas: "Ihr Example-Code zum Zurücksetzen: {####}"},
		{name: "invitation", event: triggertest.Payload(triggers.CustomMessageAdminCreateUser),
			subject: "Your Example account", emailHas: []string{"{username}", "{####}"}, emailLacks: []string{"<script"},
			smsHas: "{username}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e triggers.CustomMessageEvent
			runEvent(t, env, tt.event).requireOK(t, &e)
			r := e.Response
			if r.EmailSubject != tt.subject {
				t.Errorf("subject %q, want %q", r.EmailSubject, tt.subject)
			}
			for _, s := range tt.emailHas {
				if !strings.Contains(r.EmailMessage, s) {
					t.Errorf("email lacks %q:\n%s", s, r.EmailMessage)
				}
			}
			for _, s := range tt.emailLacks {
				if strings.Contains(r.EmailMessage, s) {
					t.Errorf("email has %q:\n%s", s, r.EmailMessage)
				}
			}
			if !strings.Contains(r.SMSMessage, tt.smsHas) || tt.smsHas == "" && r.SMSMessage != "" {
				t.Errorf("SMS %q, want it to hold %q (nothing: Cognito's own)", r.SMSMessage, tt.smsHas)
			}
		})
	}
}

// TestLink checks that the sign-up link names the confirm endpoint's parameters, with
// Cognito's code placeholder left as it is for Cognito to fill in.
func TestLink(t *testing.T) {
	t.Parallel()
	env := []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/welcome"}
	var e triggers.CustomMessageEvent
	runEvent(t, env, triggertest.Payload(triggers.CustomMessageSignUp)).requireOK(t, &e)
	msg := e.Response.EmailMessage
	start := strings.Index(msg, `href="`)
	if start < 0 {
		t.Fatalf("no link in %s", msg)
	}
	href := strings.ReplaceAll(msg[start+len(`href="`):][:strings.Index(msg[start+len(`href="`):], `"`)], "&amp;", "&")
	if !strings.HasSuffix(href, "&code={####}") {
		t.Errorf("link %s does not end with the code placeholder", href)
	}
	u, err := url.Parse(strings.TrimSuffix(href, "{####}"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "4j2u2vb6e0f2l2o8jv1mh1sf3n" || q.Get("username") != e.UserName ||
		q.Get("redirect_uri") != "https://app.example.com/welcome" {
		t.Errorf("link parameters %v", q)
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nothing configured", nil, "no module configured: set CONFIRM_URL and REDIRECTURL, or APP_NAME"},
		{"no redirect", []string{"CONFIRM_URL=https://confirm.example.com/"}, "missing environment variable REDIRECTURL"},
		{"bad confirm URL", []string{"CONFIRM_URL=ftp://confirm.example.com/", "REDIRECTURL=https://app.example.com/"}, "CONFIRM_URL, REDIRECTURL:"},
		{"long subject", []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/",
			"EMAILSUBJECT=" + strings.Repeat("s", 200)}, "EMAILSUBJECT, EMAILMESSAGE:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runEvent(t, tt.env, triggertest.Payload(triggers.CustomMessageSignUp)).requireFailure(t, "custommessage: "+tt.want)
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

func stopLocalAWS() {}
