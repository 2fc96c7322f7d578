package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const preSignUp = `{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"jane","callerContext":{"awsSdkVersion":"aws-sdk-js-3","clientId":"client1"},
"request":{"userAttributes":{"email":"jane@example.com","email_verified":true},"validationData":{"captcha":"tok-secret"},"clientMetadata":null},
"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}`

const postConfirmation = `{"version":"1","triggerSource":"PostConfirmation_ConfirmSignUp","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"jane","callerContext":{"awsSdkVersion":"x","clientId":"client1"},
"request":{"userAttributes":{"sub":"1","email":"jane@example.com"}},"response":{}}`

const postAuthentication = `{"version":"1","triggerSource":"PostAuthentication_Authentication","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"jane","callerContext":{"awsSdkVersion":"x","clientId":"client1"},
"request":{"userAttributes":{"sub":"1","email":"jane@example.com"},"newDeviceUsed":false},"response":{}}`

const migration = `{"version":"1","triggerSource":"UserMigration_Authentication","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"jane","callerContext":{"awsSdkVersion":"x","clientId":"client1"},
"request":{"password":"hunter2-Pa55word","validationData":null,"clientMetadata":null},
"response":{"userAttributes":null,"finalUserStatus":null,"messageAction":null,"desiredDeliveryMediums":null,"forceAliasCreation":null,"enableSMSMFA":null}}`

// quietRouter returns a router made with cfg (at most one), logging nothing.
func quietRouter(cfg ...triggers.RouterConfig) *triggers.Router {
	var c triggers.RouterConfig
	if len(cfg) > 0 {
		c = cfg[0]
	}
	c.Logger = slog.New(slog.DiscardHandler)
	return triggers.NewRouter(c)
}

func TestRouterErrorModel(t *testing.T) {
	t.Parallel()
	internal := errors.New("dynamodb: AccessDeniedException: arn:aws:dynamodb:us-east-1:123:table/secret")
	tests := []struct {
		name     string
		router   *triggers.Router
		payload  string
		wantType string
		wantMsg  string
	}{
		{"rejection text as is", quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			return triggers.Reject("Invalid email domain: example.com")
		}), preSignUp, triggers.ErrorTypeRejected, "Invalid email domain: example.com"},
		{"wrapped rejection", quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			return fmt.Errorf("module: %w", &triggers.Rejected{Message: "Not invited", Cause: internal})
		}), preSignUp, triggers.ErrorTypeRejected, "Not invited"},
		{"internal error hidden", quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			return internal
		}), preSignUp, triggers.ErrorTypeInternal, triggers.DefaultErrorMessage},
		{"custom generic text", quietRouter(triggers.RouterConfig{ErrorMessage: "Try again"}).PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			return internal
		}), preSignUp, triggers.ErrorTypeInternal, "Try again"},
		{"internal errors exposed on request", quietRouter(triggers.RouterConfig{ExposeInternalErrors: true}).PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			return internal
		}), preSignUp, triggers.ErrorTypeInternal, internal.Error()},
		{"panic hidden", quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
			panic("index out of range")
		}), preSignUp, triggers.ErrorTypeInternal, triggers.DefaultErrorMessage},
		{"post confirmation critical", quietRouter().PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error {
			return triggers.MarkCritical(internal)
		}), postConfirmation, triggers.ErrorTypeInternal, triggers.DefaultErrorMessage},
		{"unregistered trigger", quietRouter().PreSignUp(triggers.Chain[triggers.PreSignUpEvent]()), postConfirmation,
			triggers.ErrorTypeConfiguration, "no chain registered for trigger PostConfirmation (triggerSource PostConfirmation_ConfirmSignUp): " +
				"register one with Router.PostConfirmation, or detach the function from this trigger"},
		{"unknown source", quietRouter(), `{"triggerSource":"Bogus_Thing","request":{}}`,
			triggers.ErrorTypeInvalidEvent, `invalid event: unknown triggerSource "Bogus_Thing"`},
		{"missing source", quietRouter(), `{"version":"1","request":{}}`,
			triggers.ErrorTypeInvalidEvent, "invalid event: missing triggerSource"},
		{"not JSON", quietRouter(), `{"triggerSource":`, triggers.ErrorTypeInvalidEvent, "invalid event: malformed JSON"},
		{"empty payload", quietRouter(), ``, triggers.ErrorTypeInvalidEvent, "invalid event: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.router.Invoke(context.Background(), []byte(tt.payload))
			if out != nil {
				t.Errorf("a failed invocation returned a response: %s", out)
			}
			var ive messages.InvokeResponse_Error
			if !errors.As(err, &ive) {
				t.Fatalf("error %v is not a Lambda error response", err)
			}
			if ive.Type != tt.wantType || !strings.HasPrefix(ive.Message, tt.wantMsg) {
				t.Fatalf("got %s %q, want %s %q", ive.Type, ive.Message, tt.wantType, tt.wantMsg)
			}
			if tt.wantType != triggers.ErrorTypeInternal || tt.name == "internal errors exposed on request" {
				return
			}
			if strings.Contains(ive.Message, "arn:") || strings.Contains(ive.Message, "index out of range") {
				t.Fatalf("internal detail reached the user: %q", ive.Message)
			}
		})
	}
}

func TestPostConfirmationNeverFailsConfirmedUser(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]triggers.Handler[triggers.PostConfirmationEvent]{
		"error":     func(context.Context, *triggers.PostConfirmationEvent) error { return errors.New("ses down") },
		"rejection": func(context.Context, *triggers.PostConfirmationEvent) error { return triggers.Reject("x") },
		"panic":     func(context.Context, *triggers.PostConfirmationEvent) error { panic("bug") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			r := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).PostConfirmation(h)
			out, err := r.Invoke(context.Background(), []byte(postConfirmation))
			if err != nil {
				t.Fatalf("post confirmation failed a confirmed user: %v", err)
			}
			var resp struct{ Response json.RawMessage }
			if err := json.Unmarshal(out, &resp); err != nil || string(resp.Response) != "{}" {
				t.Fatalf("response %s (%v), want {}", out, err)
			}
			if logs.Len() == 0 {
				t.Fatal("the failure was not logged")
			}
		})
	}
}

func TestRouterDispatchesByTriggerSource(t *testing.T) {
	t.Parallel()
	r := quietRouter().
		PreSignUp(func(_ context.Context, e *triggers.PreSignUpEvent) error {
			e.Response.AutoConfirmUser = true
			return nil
		}).
		UserMigration(func(_ context.Context, e *triggers.UserMigrationEvent) error {
			if e.Request.Password.Reveal() != "hunter2-Pa55word" {
				return triggers.Reject("wrong password")
			}
			e.Response.FinalUserStatus = "CONFIRMED"
			return nil
		})
	if got := r.Registered(); len(got) != 2 || got[0] != triggers.TriggerPreSignUp || got[1] != triggers.TriggerUserMigration {
		t.Fatalf("Registered() = %v", got)
	}
	for payload, want := range map[string]string{
		preSignUp: `"autoConfirmUser":true`,
		migration: `"finalUserStatus":"CONFIRMED"`,
	} {
		out, err := r.Invoke(context.Background(), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("response %s lacks %s", out, want)
		}
	}
}

func TestDebugLogsAreRedacted(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := triggers.NewRouter(triggers.RouterConfig{Logger: logger}).
		UserMigration(func(ctx context.Context, e *triggers.UserMigrationEvent) error {
			triggers.Logger(ctx).Info("module sees", "request", e.Request, "event", e)
			return errors.New("legacy store rejected " + fmt.Sprint(e.Request.Password))
		}).
		PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return nil })
	_, _ = r.Invoke(context.Background(), []byte(migration))
	_, _ = r.Invoke(context.Background(), []byte(preSignUp))
	if !strings.Contains(logs.String(), `"msg":"event"`) {
		t.Fatalf("debug level logged no events:\n%s", logs.String())
	}
	for _, secret := range []string{"hunter2-Pa55word", "tok-secret"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log output contains %q:\n%s", secret, logs.String())
		}
	}
}

func TestInvokeServer(t *testing.T) {
	t.Parallel()
	r := quietRouter().PreSignUp(func(_ context.Context, e *triggers.PreSignUpEvent) error {
		if e.Request.UserAttributes["email"] == "jane@example.com" {
			return triggers.Reject("Invalid email domain: example.com")
		}
		return nil
	})
	srv := httptest.NewServer(triggers.InvokeServer(r))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/2015-03-31/functions/preSignUp/invocations", "application/json", strings.NewReader(preSignUp))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "Unhandled" ||
		body["errorMessage"] != "Invalid email domain: example.com" || body["errorType"] != triggers.ErrorTypeRejected {
		t.Fatalf("got %d %q %v", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"), body)
	}

	ok := strings.Replace(preSignUp, "jane@example.com", "jane@example.org", 1)
	resp2, err := http.Post(srv.URL+"/2015-03-31/functions/any-name/invocations", "application/json", strings.NewReader(ok))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var event triggers.PreSignUpEvent
	if err := json.NewDecoder(resp2.Body).Decode(&event); err != nil {
		t.Fatal(err)
	}
	if resp2.Header.Get("X-Amz-Function-Error") != "" || event.Request.UserAttributes["email"] != "jane@example.org" {
		t.Fatalf("success answered %v with header %q", event, resp2.Header.Get("X-Amz-Function-Error"))
	}

	resp3, err := http.Get(srv.URL + "/2015-03-31/functions/x/invocations")
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d, want 405", resp3.StatusCode)
	}
}

func TestRunEvent(t *testing.T) {
	t.Parallel()
	r := quietRouter().PreSignUp(func(_ context.Context, e *triggers.PreSignUpEvent) error {
		if e.Request.UserAttributes["email"] == "jane@example.com" {
			return triggers.Reject("Invalid email domain: example.com")
		}
		e.Response.AutoConfirmUser = true
		return nil
	})
	dir := t.TempDir()
	okFile := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(okFile, []byte(strings.Replace(preSignUp, "example.com", "example.org", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"file ok", []string{"-event", okFile}, "", 0, `"autoConfirmUser":true`, ""},
		{"stdin rejected", []string{"-event", "-"}, preSignUp, 1, "", "PreSignUp failed with error Invalid email domain: example.com.\n"},
		{"stdin garbage", []string{"-event", "-"}, "not json", 1, "", "Lambda failed with error invalid event: malformed JSON"},
		{"missing file", []string{"-event", filepath.Join(dir, "nope.json")}, "", 1, "", "read event:"},
		{"no mode", nil, "", 2, "", "usage:"},
		{"both modes", []string{"-event", "-", "-serve", "127.0.0.1:0"}, "", 2, "", "usage:"},
		{"bad flag", []string{"-bogus"}, "", 2, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := triggers.Run(context.Background(), r, tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.wantCode, stderr.String())
			}
			if tt.wantStdout == "" && stdout.Len() != 0 {
				t.Errorf("stdout must carry only a response, got %q", stdout.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Fatalf("stdout %q stderr %q", stdout.String(), stderr.String())
			}
			if tt.wantCode == 0 && !json.Valid(stdout.Bytes()) {
				t.Fatalf("stdout is not one JSON document: %q", stdout.String())
			}
		})
	}
}

func TestRunServe(t *testing.T) {
	t.Parallel()
	r := quietRouter().PreSignUp(triggers.Chain[triggers.PreSignUpEvent]())
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- triggers.Run(ctx, r, []string{"-serve", "127.0.0.1:0"}, nil, &bytes.Buffer{}, &stderr) }()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	if code := triggers.Run(context.Background(), r, []string{"-serve", "256.0.0.1:bad"}, nil, &bytes.Buffer{}, &stderr); code != 1 {
		t.Fatalf("bad address exited %d, want 1", code)
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine writing while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// -serve answers as Lambda does: one start-up line says where it listens, an Event
// invocation gets 202 with no body and runs, a DryRun gets 204 and runs nothing, and a
// trigger without a chain is a configuration error that names the missing registration.
func TestRunServeAnswersAsLambda(t *testing.T) {
	t.Parallel()
	ran := make(chan struct{}, 4)
	r := quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
		ran <- struct{}{}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- triggers.Run(ctx, r, []string{"-serve", "127.0.0.1:0"}, nil, &bytes.Buffer{}, &stderr) }()
	var line map[string]any
	for deadline := time.Now().Add(5 * time.Second); ; {
		if s := stderr.String(); strings.Contains(s, "\n") {
			if strings.Count(s, "\n") != 1 {
				t.Fatalf("start-up wrote %q, want one line", s)
			}
			if err := json.Unmarshal([]byte(s), &line); err != nil {
				t.Fatalf("start-up line %q is not JSON: %v", s, err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no start-up line")
		}
		time.Sleep(5 * time.Millisecond)
	}
	addr, _ := line["addr"].(string)
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("start-up line %v: want the address it listens on", line)
	}
	post := func(invocationType, body string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/2015-03-31/functions/f/invocations", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if invocationType != "" {
			req.Header.Set("X-Amz-Invocation-Type", invocationType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := post("Event", preSignUp); resp.StatusCode != http.StatusAccepted || body != "" {
		t.Errorf("Event: %d %q, want 202 and no body", resp.StatusCode, body)
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Error("the Event invocation did not run")
	}
	if resp, body := post("DryRun", preSignUp); resp.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("DryRun: %d %q, want 204 and no body", resp.StatusCode, body)
	}
	select {
	case <-ran:
		t.Error("DryRun ran the chain")
	case <-time.After(50 * time.Millisecond):
	}
	resp, body := post("RequestResponse", string(triggertest.Payload(triggers.TokenGenerationAuthentication)))
	var failure map[string]string
	_ = json.Unmarshal([]byte(body), &failure)
	if resp.Header.Get("X-Amz-Function-Error") != "Unhandled" || failure["errorType"] != triggers.ErrorTypeConfiguration ||
		!strings.Contains(failure["errorMessage"], "PreTokenGeneration") || !strings.Contains(failure["errorMessage"], "registered") {
		t.Errorf("unregistered trigger: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"), body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
}

// TestOnErrorPolicy checks the on-error policy of Router.Handle for plain chains, whatever
// module package built them: post confirmation and post authentication answer with the
// response unless the error is critical, other triggers fail with it.
func TestOnErrorPolicy(t *testing.T) {
	t.Parallel()
	failure := errors.New("table gone")
	errs := map[string]error{
		"error":     failure,
		"rejection": triggers.Reject("no"),
		"critical":  triggers.MarkCritical(failure),
		"panic":     nil, // the module panics
	}
	module := func(kind string) func() error {
		return func() error {
			if kind == "panic" {
				panic("bug")
			}
			return errs[kind]
		}
	}
	tests := []struct {
		source     triggers.TriggerSource
		bestEffort bool
	}{
		{triggers.PostConfirmationConfirmSignUp, true},
		{triggers.PostAuthenticationAuthentication, true},
		{triggers.PreSignUpSignUp, false},
		{triggers.PreAuthenticationAuthentication, false},
	}
	for _, tt := range tests {
		for kind := range errs {
			t.Run(string(tt.source)+"/"+kind, func(t *testing.T) {
				t.Parallel()
				run := module(kind)
				var logs bytes.Buffer
				r := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).
					PostConfirmation(triggers.Chain(func(context.Context, *triggers.PostConfirmationEvent) error { return run() })).
					PostAuthentication(triggers.Chain(func(context.Context, *triggers.PostAuthenticationEvent) error { return run() })).
					PreSignUp(triggers.Chain(func(context.Context, *triggers.PreSignUpEvent) error { return run() })).
					PreAuthentication(triggers.Chain(func(context.Context, *triggers.PreAuthenticationEvent) error { return run() }))
				payload := triggertest.Payload(tt.source)
				out, ierr := r.Handle(context.Background(), payload)
				if logs.Len() == 0 {
					t.Error("the failure was not logged")
				}
				wantFail := !tt.bestEffort || kind == "critical"
				if !wantFail {
					if ierr != nil {
						t.Fatalf("a best-effort trigger failed: %s %q", ierr.Type, ierr.Message)
					}
					if !json.Valid(out) || !bytes.Contains(out, []byte(`"triggerSource":"`+string(tt.source)+`"`)) {
						t.Fatalf("response %s", out)
					}
					return
				}
				if ierr == nil {
					t.Fatalf("succeeded with %s, want a failure", out)
				}
				wantType := triggers.ErrorTypeInternal
				if kind == "rejection" {
					wantType = triggers.ErrorTypeRejected
				}
				if ierr.Type != wantType {
					t.Fatalf("errorType %s (%q), want %s", ierr.Type, ierr.Message, wantType)
				}
			})
		}
	}
}

// TestRouterConfigDefaults checks what the zero values of RouterConfig mean: the default
// budget, the generic error text, and a negative budget turning the budget off.
func TestRouterConfigDefaults(t *testing.T) {
	t.Parallel()
	deadline := func(cfg triggers.RouterConfig) (time.Duration, bool) {
		var left time.Duration
		var ok bool
		cfg.Logger = slog.New(slog.DiscardHandler)
		r := triggers.NewRouter(cfg).PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
			var d time.Time
			d, ok = ctx.Deadline()
			left = time.Until(d)
			return nil
		})
		if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr != nil {
			t.Fatal(ierr.Message)
		}
		return left, ok
	}
	if left, ok := deadline(triggers.RouterConfig{}); !ok || left > triggers.DefaultBudget || left < triggers.DefaultBudget-time.Second {
		t.Errorf("zero Budget: deadline in %v (%v), want the default %v", left, ok, triggers.DefaultBudget)
	}
	if left, ok := deadline(triggers.RouterConfig{Budget: time.Second}); !ok || left > time.Second {
		t.Errorf("1s Budget: deadline in %v (%v)", left, ok)
	}
	for _, b := range []time.Duration{triggers.NoBudget, -time.Hour} {
		if _, ok := deadline(triggers.RouterConfig{Budget: b}); ok {
			t.Errorf("Budget %v still set a deadline", b)
		}
	}
	r := quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return errors.New("x") })
	if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr == nil || ierr.Message != triggers.DefaultErrorMessage {
		t.Errorf("zero ErrorMessage: %v, want the default text", ierr)
	}
}
