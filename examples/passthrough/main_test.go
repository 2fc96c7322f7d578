package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestEveryFixture runs the program on every fixture event: each is answered exactly as
// Cognito sent it.
func TestEveryFixture(t *testing.T) {
	t.Parallel()
	for name, event := range triggertest.Fixtures() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := runEvent(t, nil, event)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			if diff := triggertest.ResponseDiff(event, []byte(res.stdout)); diff != "" {
				t.Errorf("response differs from the event:\n%s", diff)
			}
		})
	}
}

func TestInvalidEvent(t *testing.T) {
	t.Parallel()
	runEvent(t, nil, []byte(`{"triggerSource":"Nope_X"}`)).requireFailure(t, `invalid event: unknown triggerSource "Nope_X"`)
}

// The tests run the example as a program: started with runMainEnv set, the test binary
// runs main instead of the tests, so the program needs no second build.
const runMainEnv = "EXAMPLE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
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
