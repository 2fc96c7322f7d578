package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestSameChainsAsExamples checks that this function is the per-trigger examples
// combined: every declaration of an example's main.go, other than main and newRouter,
// is here with the same source, so that the two never drift apart.
func TestSameChainsAsExamples(t *testing.T) {
	t.Parallel()
	here := declarations(t, ".")
	for _, dir := range []string{"presignup", "postconfirm", "pretoken", "customauth", "captcha", "custommessage", "migrate"} {
		for name, src := range declarations(t, filepath.Join("..", dir)) {
			if name == "main" || name == "newRouter" {
				continue
			}
			switch mine, ok := here[name]; {
			case !ok:
				t.Errorf("examples/%s declares %s, which allinone lacks", dir, name)
			case mine != src:
				t.Errorf("examples/%s and allinone declare %s differently:\n%s\n---\n%s", dir, name, src, mine)
			}
		}
	}
}

// declarations returns the source of each top-level declaration of the package in dir,
// without comments, by name.
func declarations(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	print := func(node any) string {
		var b bytes.Buffer
		if err := format.Node(&b, fset, node); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				out[d.Name.Name] = print(d)
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							out[n.Name] = print(d)
						}
					case *ast.TypeSpec:
						out[s.Name.Name] = print(d)
					}
				}
			}
		}
	}
	return out
}

// TestRegistered checks that the function serves every trigger it can be attached to
// without further pool settings, configured or not.
func TestRegistered(t *testing.T) {
	t.Parallel()
	r, err := newRouter(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := []triggers.Trigger{triggers.TriggerPreSignUp, triggers.TriggerPostConfirmation, triggers.TriggerPreAuthentication,
		triggers.TriggerPostAuthentication, triggers.TriggerDefineAuthChallenge, triggers.TriggerCreateAuthChallenge,
		triggers.TriggerVerifyAuthChallenge, triggers.TriggerPreTokenGeneration, triggers.TriggerUserMigration,
		triggers.TriggerCustomMessage}
	got := r.Registered()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("registered %v, want %v", got, want)
	}
}

// TestPassThrough runs the unconfigured function on every fixture of the triggers it
// serves: each is answered exactly as Cognito sent it.
func TestPassThrough(t *testing.T) {
	t.Parallel()
	r, err := newRouter(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for name, event := range triggertest.Fixtures(r.Registered()...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			triggertest.Invoke(t, r, event).RequireNoOp(t)
		})
	}
}

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{"DOMAINDENYLIST=tempmail.test", "AUTO_CONFIRM=true", `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`}
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		runEvent(t, env, triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "eve@tempmail.test"))).
			requireFailure(t, "PreSignUp failed with error Invalid email domain: tempmail.test.")
	})
	t.Run("confirmed", func(t *testing.T) {
		t.Parallel()
		var e triggers.PreSignUpEvent
		runEvent(t, env, triggertest.Payload(triggers.PreSignUpSignUp)).requireOK(t, &e)
		if !e.Response.AutoConfirmUser {
			t.Error("user not confirmed")
		}
	})
	t.Run("claims", func(t *testing.T) {
		t.Parallel()
		var e triggers.PreTokenGenerationEvent
		runEvent(t, env, triggertest.Payload(triggers.TokenGenerationAuthentication)).requireOK(t, &e)
		if d := e.Response.ClaimsOverrideDetails; d == nil || d.ClaimsToAddOrOverride["plan"] != "free" || d.GroupOverrideDetails != nil {
			t.Errorf("claims %+v, want plan=free and the groups left alone", d)
		}
	})
	t.Run("pass-through", func(t *testing.T) {
		t.Parallel()
		event := triggertest.Payload(triggers.CustomMessageSignUp)
		res := runEvent(t, env, event)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		if diff := triggertest.ResponseDiff(event, []byte(res.stdout)); diff != "" {
			t.Errorf("unconfigured custom message changed the response:\n%s", diff)
		}
	})
}

// TestStartupErrors checks that every configuration error is reported at once.
func TestStartupErrors(t *testing.T) {
	t.Parallel()
	res := runEvent(t, []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=many", "WELCOME_FROM=hello@example.com",
		`CLAIMS_TO_ADD_OR_OVERRIDE=[]`, "CONFIRM_URL=https://confirm.example.com/", "OTP_FROM=sign-in@example.com",
		"CUSTOM_AUTH_PASSWORD=true", "LEGACY_USERS_TABLE=legacy", "LEGACY_ATTRIBUTES=email"},
		triggertest.Payload(triggers.PreSignUpSignUp))
	for _, want := range []string{"allinone: RATE_LIMIT: want a whole number", "missing environment variable WELCOME_TABLE",
		"CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object", "missing environment variable REDIRECTURL",
		"missing environment variable OTP_HMAC_KEY", "LEGACY_ATTRIBUTES: want comma-separated"} {
		if res.code != 1 || !strings.Contains(res.stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", res.code, want, res.stderr)
		}
	}
	if _, err := customAuth(func(name string) string { return map[string]string{"CUSTOM_AUTH_PASSWORD": "true"}[name] }); err == nil ||
		!strings.Contains(err.Error(), "CUSTOM_AUTH_PASSWORD needs a custom step") {
		t.Errorf("password without a step: %v", err)
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
