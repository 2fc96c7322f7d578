// Package exampletest runs an example's program from the example's own tests, as a user
// runs it: with -event or -serve, configured by environment variables, checked by its exit
// code and output. The test binary is the program: an example's TestMain hands over to
// [Main], which runs the example's main instead of the tests when the binary is started
// with [RunMainEnv] set, so the program needs no second build and runs with the tests'
// race detector and coverage.
//
//	var localAWS = localaws.New(awslocal.Config{DynamoDB: true})
//
//	func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
//
//	func TestDenied(t *testing.T) {
//		t.Parallel()
//		exampletest.RunEvent(t, []string{"DOMAINDENYLIST=example.com"}, triggertest.Payload(triggers.PreSignUpSignUp)).
//			RequireFailure(t, "PreSignUp failed with error Invalid email domain: example.com.")
//	}
//
// Every run starts from a clean environment, so that nothing of the test's own AWS
// settings or credentials reaches the program; integration tests add the endpoints of the
// local servers from a localaws.Shared.
package exampletest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// RunMainEnv is the variable that makes a test binary run the example's main when set
// to 1, as every run of this package sets it.
const RunMainEnv = "EXAMPLE_RUN_MAIN"

// runTimeout bounds one run, so that a program that serves instead of exiting fails its
// test instead of hanging it; a run takes well under a second.
const runTimeout = time.Minute

// Main is an example's TestMain: with [RunMainEnv] set to 1 it runs main and exits 0 (main
// exits on its own with any other code); otherwise it runs the tests, then stops servers.
func Main(m *testing.M, main func(), servers ...*localaws.Shared) {
	if os.Getenv(RunMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(localaws.Run(m, servers...))
}

// baseEnv is the environment of a run before the test's own variables: [RunMainEnv], what
// a process needs to start, a home of its own, no AWS configuration files or instance
// metadata, and GORACE=atexit_sleep_ms=0, without which a race-enabled program waits a
// second before it exits.
func baseEnv(t testing.TB) []string {
	env := []string{RunMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, name := range []string{"GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return append(env, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
}

// Result is the outcome of one run of the program.
type Result struct {
	Code           int // exit code
	Stdout, Stderr string
}

// Run runs the program with args and the environment variables env, and waits for it to
// exit.
func Run(t testing.TB, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
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
	return Result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// RunEvent runs the program once on event, written to a file for -event.
func RunEvent(t testing.TB, env []string, event []byte) Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, event, 0o600); err != nil {
		t.Fatal(err)
	}
	return Run(t, env, "-event", path)
}

// RequireOK fails t unless the run succeeded, and decodes its response into e.
func (r Result) RequireOK(t testing.TB, e any) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", r.Code, r.Stderr)
	}
	if err := json.Unmarshal([]byte(r.Stdout), e); err != nil {
		t.Fatalf("response %q: %v", r.Stdout, err)
	}
}

// RequireFailure fails t unless the run exited with 1 and said want on stderr, with
// nothing on stdout.
func (r Result) RequireFailure(t testing.TB, want string) {
	t.Helper()
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.Code, r.Stderr, want)
	}
	if r.Stdout != "" {
		t.Errorf("stdout %q on failure, want nothing", r.Stdout)
	}
}

// StartupError is a misconfiguration of a program: run with Env, it must refuse to start,
// exit 1 and say Want on stderr.
type StartupError struct {
	Name string
	Env  []string
	Want string
}

// RequireStartupErrors runs the program on event once per case, each in a parallel
// subtest, and requires every run to fail with prefix and the case's Want. A run that
// prints one of secrets fails as well: a start-up error names a variable, never its value.
func RequireStartupErrors(t *testing.T, prefix string, event []byte, cases []StartupError, secrets ...string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			res := RunEvent(t, c.Env, event)
			res.RequireFailure(t, prefix+c.Want)
			for _, s := range secrets {
				if strings.Contains(res.Stderr, s) {
					t.Errorf("a secret value appears in the error: %s", res.Stderr)
				}
			}
		})
	}
}

// RequireNoOp fails t unless the run succeeded and answered event exactly as Cognito
// sent it.
func (r Result) RequireNoOp(t testing.TB, event []byte) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	if diff := triggertest.ResponseDiff(event, []byte(r.Stdout)); diff != "" {
		t.Errorf("response differs from the event:\n%s", diff)
	}
}

// Program returns the program as a [triggers.Function]: each Invoke runs it once with
// -event in env, so that triggertest.NewAuthFlow can play Cognito against it. A trigger
// error comes back as Lambda reports it to Cognito.
func Program(t testing.TB, env []string) triggers.Function {
	return program{t, env}
}

type program struct {
	t   testing.TB
	env []string
}

func (p program) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	p.t.Helper()
	res := RunEvent(p.t, p.env, payload)
	if res.Code == 0 {
		return []byte(res.Stdout), nil
	}
	// The last line on stderr is Cognito's wording: "<Trigger> failed with error <text>."
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	last := lines[len(lines)-1]
	if _, msg, ok := strings.Cut(last, " failed with error "); ok {
		return nil, messages.InvokeResponse_Error{Message: strings.TrimSuffix(msg, "."), Type: "Unhandled"}
	}
	return nil, fmt.Errorf("exit %d: %s", res.Code, res.Stderr)
}

// Serve runs the program with -serve on a free port of 127.0.0.1 until t ends, and
// returns its base URL.
func Serve(t testing.TB, env []string) string {
	t.Helper()
	addr := freeAddr(t)
	ServeAt(t, addr, env)
	return "http://" + addr
}

// freeAddr returns an address of 127.0.0.1 that no one listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ServeAt runs the program with -serve on addr until t ends, and returns once it accepts
// connections. When t ends, the program must exit cleanly on SIGTERM; its log is shown
// if it did not, or if t failed.
func ServeAt(t testing.TB, addr string, env []string) {
	t.Helper()
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
		} else if t.Failed() {
			t.Logf("function log:\n%s", stderr.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s did not start", addr) // its log follows, once it has stopped
		}
	}
}

// SSMStandIn is an HTTP server that answers GetParameter as Parameter Store does: the
// value of the one parameter it has, decrypted when asked to, and ParameterNotFound for any other name.
// AWS_ENDPOINT_URL_SSM set to its URL points a program's SSM client at it; the counter
// tells how many reads it answered.
func SSMStandIn(t *testing.T, name, value string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name           string
			WithDecryption bool
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" || !in.WithDecryption {
			t.Errorf("request %s %s, want GetParameter with decryption", r.Header.Get("X-Amz-Target"), body)
		}
		reads.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.Name != name {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ParameterNotFound","message":""}`)
			return
		}
		out, _ := json.Marshal(map[string]any{"Parameter": map[string]any{"Name": name, "Type": "SecureString", "Value": value, "Version": 1}})
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv, &reads
}
