package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func noEnv(string) string { return "" }

// defaults returns the options of a command line with only args.
func defaults(t *testing.T, args ...string) options {
	t.Helper()
	o, err := parseOptions(args, noEnv, strings.NewReader(""), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// journeyLines are lines every telling of the journey shows, whatever the backend:
// what the end user sees, what each trigger did.
var journeyLines = []string{
	"the user  PreSignUp failed with error Invalid email domain: tempmail.test.",
	"trigger   autoConfirmUser true, autoVerifyEmail true",
	"groups    members (",
	"email  ana.silva@example.com",
	"name   Ana Silva",
	"plan   team",
	"Subject: Welcome to Example, Ana Silva",
	"Hello Ana Silva,",
	"Cognito   CUSTOM_CHALLENGE: a code of 6 digits was sent to a***@e***.com",
	"Subject: Your sign-in code",
	"Cognito   wrong code: CUSTOM_CHALLENGE again, no new email",
	"Cognito   tokens issued: ID, access and refresh token",
	"VerifyAuthChallengeResponse -> true",
	"DefineAuthChallenge -> issueTokens",
	`idTokenGeneration.claimsToAddOrOverride      {"features":["beta-search"],"org":"example","plan":"team"}`,
	`accessTokenGeneration.claimsToAddOrOverride  {"features":["beta-search"],"org":"example","plan":"team"}`,
	"the tokens keep cognito:groups [members]",
}

func requireLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("the journey does not show %q", l)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestJourneyOnFakes(t *testing.T) {
	t.Parallel()
	var out, logs bytes.Buffer
	o := defaults(t)
	o.logs = &logs
	if err := run(t.Context(), &out, o); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	requireLines(t, out.String(), journeyLines...)
	requireLines(t, out.String(),
		"in-memory fakes (package fakeaws)",
		"groups    members (AddToGroup created members)",
		"again     Cognito delivers the event a second time: ok, 1 welcome email",
	)
	// The sub comes from the fake, the same on every run.
	sub := regexp.MustCompile(`sub ([0-9a-f-]{36})`).FindStringSubmatch(out.String())
	if sub == nil || !strings.Contains(out.String(), "id     "+sub[1]) {
		t.Errorf("the profile is not keyed by the user's sub")
	}
	if logs.Len() > 0 {
		t.Errorf("the function logged warnings or errors:\n%s", logs.String())
	}
}

// Apart from the emailed code, which is random by nature, two runs tell the same story.
func TestJourneyIsRepeatable(t *testing.T) {
	t.Parallel()
	code := regexp.MustCompile(`\b\d{6}\b`)
	var first string
	for i := range 2 {
		var out bytes.Buffer
		o := defaults(t)
		if err := run(t.Context(), &out, o); err != nil {
			t.Fatal(err)
		}
		got := code.ReplaceAllString(out.String(), "######")
		if i == 0 {
			first = got
		} else if got != first {
			t.Errorf("two runs differ beyond the code:\n%s\n---\n%s", first, got)
		}
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	env := map[string]string{"QUICKSTART_USER_POOL_ID": "eu-west-1_env", "QUICKSTART_FROM": "env@example.com"}
	tests := []struct {
		name    string
		args    []string
		getenv  func(string) string
		want    func(options) bool
		wantErr string
	}{
		{name: "no flags: in memory", want: func(o options) bool {
			return o.backend == onFakes && o.profilesTable == "quickstart-profiles" && o.stateTable == "quickstart-state" &&
				o.email == "ana.silva@example.com"
		}},
		{name: "-local", args: []string{"-local"}, want: func(o options) bool { return o.backend == onLocal }},
		{name: "-aws with the pool from the environment", args: []string{"-aws"},
			getenv: func(k string) string { return env[k] },
			want: func(o options) bool {
				return o.backend == onAWS && o.poolID == "eu-west-1_env" && o.from == "env@example.com"
			}},
		{name: "flags win over the environment", args: []string{"-aws", "-pool", "eu-west-1_flag", "-state-table", "state"},
			getenv: func(k string) string { return env[k] },
			want:   func(o options) bool { return o.poolID == "eu-west-1_flag" && o.stateTable == "state" }},
		{name: "-aws without a pool", args: []string{"-aws"}, wantErr: "-pool or QUICKSTART_USER_POOL_ID"},
		{name: "-local and -aws", args: []string{"-local", "-aws"}, wantErr: "exclude each other"},
		{name: "an argument", args: []string{"local"}, wantErr: `unexpected argument "local"`},
		{name: "an unknown flag", args: []string{"-fast"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := tt.getenv
			if getenv == nil {
				getenv = noEnv
			}
			o, err := parseOptions(tt.args, getenv, nil, io.Discard)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one containing %q", err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case !tt.want(o):
				t.Errorf("options %+v", o)
			}
		})
	}
	var usage bytes.Buffer
	if _, err := parseOptions([]string{"-h"}, noEnv, nil, &usage); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(usage.String(), "go run ./examples/quickstart -local") {
		t.Errorf("-h: %v\n%s", err, usage.String())
	}
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// command returns the path of the quickstart binary, built once for the package's tests.
func command(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "quickstart")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "quickstart")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// The README's first command: no flags, nothing but Go, exit 0, in well under a second.
func TestCommandWithoutFlags(t *testing.T) {
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), command(t))
	cmd.Env = append(os.Environ(), "OTP_HMAC_KEY=") // a random key for the run
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("quickstart: %v\n%s", err, stderr.String())
	}
	took := time.Since(start)
	t.Logf("the journey took %v", took)
	requireLines(t, stdout.String(), journeyLines...)
	if stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if took > 3*time.Second {
		t.Errorf("the journey took %v", took)
	}
}

// TestIntegrationQuickstartLocal tells the journey against the local servers, as -local does.
func TestIntegrationQuickstartLocal(t *testing.T) {
	t.Parallel()
	var out, logs bytes.Buffer
	o := defaults(t, "-local")
	o.logs = &logs
	err := run(t.Context(), &out, o)
	if errors.Is(err, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("local servers unavailable: %v", err)
	}
	if err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, out.String(), logs.String())
	}
	requireLines(t, out.String(), journeyLines...)
	requireLines(t, out.String(), "local servers (package awslocal", "again     Cognito delivers the event a second time: ok, 1 welcome email")
	if logs.Len() > 0 {
		t.Errorf("the function logged warnings or errors:\n%s", logs.String())
	}
}

// TestIntegrationQuickstartAWSConfiguration runs the command with -aws, the default AWS
// configuration pointed at local servers by the standard environment variables, and
// types the emailed code on its standard input, as a user with a real account would.
func TestIntegrationQuickstartAWSConfiguration(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.Config{})
	profiles := srv.CreateTable(t, "", "id", "")
	state := srv.CreateTable(t, "", "pk", "")
	pool := srv.CreateUserPool(t)
	email := awslocal.UniqueName("user") + "@example.com"

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, command(t), "-aws", "-pool", pool.ID, "-profiles-table", profiles,
		"-state-table", state, "-from", "hello@example.com", "-email", email)
	cmd.Env = append(os.Environ(), srv.Env()...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if !strings.Contains(lines.Text(), "type the code emailed to "+email) {
			continue
		}
		code := ""
		for _, e := range srv.Emails(t) {
			if e.Subject == "Your sign-in code" && len(e.To) == 1 && e.To[0] == email {
				code = regexp.MustCompile(`\b\d{6}\b`).FindString(e.Text)
			}
		}
		if code == "" {
			t.Errorf("no sign-in code was sent to %s", email)
		}
		if _, err := io.WriteString(stdin, code+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("quickstart -aws: %v\n%s\n%s", err, out.String(), stderr.String())
	}
	t.Logf("quickstart -aws:\n%s", out.String())
	requireLines(t, out.String(), "the default AWS configuration (region "+awslocal.Region+")",
		"the user  PreSignUp failed with error Invalid email domain: tempmail.test.",
		"groups    members (AddToGroup created members)",
		"email     sent through SES to "+email,
		"Cognito   tokens issued: ID, access and refresh token",
		`idTokenGeneration.claimsToAddOrOverride      {"features":["beta-search"],"org":"example","plan":"team"}`,
	)
}
