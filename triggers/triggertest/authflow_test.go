package triggertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// authRecorder is a function that keeps every payload it is invoked with.
type authRecorder struct {
	mu       sync.Mutex
	f        triggers.Function
	payloads []map[string]any
}

func (r *authRecorder) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(payload, &doc); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.payloads = append(r.payloads, doc)
	r.mu.Unlock()
	return r.f.Invoke(ctx, payload)
}

// of returns the payloads sent for trigger source src.
func (r *authRecorder) of(src triggers.TriggerSource) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, p := range r.payloads {
		if p["triggerSource"] == string(src) {
			out = append(out, p)
		}
	}
	return out
}

func authRequest(p map[string]any) map[string]any { return p["request"].(map[string]any) }

func authQuietRouter() *triggers.Router {
	return triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// authRiddle is a hand-written one-question flow: the answer is "42", at most maxWrong wrong
// answers; with password, it asks for PASSWORD_VERIFIER first.
func authRiddle(password bool, maxWrong int) *triggers.Router {
	define := func(_ context.Context, e *triggers.DefineAuthChallengeEvent) error {
		s := e.Request.Session
		wrong := 0
		for _, r := range s {
			if r.ChallengeName == "CUSTOM_CHALLENGE" && !r.ChallengeResult {
				wrong++
			}
		}
		switch {
		case password && len(s) == 1 && s[0].ChallengeName == "SRP_A":
			e.Response.ChallengeName = "PASSWORD_VERIFIER"
		case password && len(s) >= 2 && !s[1].ChallengeResult:
			e.Response.FailAuthentication = true
		case len(s) > 0 && s[len(s)-1].ChallengeName == "CUSTOM_CHALLENGE" && s[len(s)-1].ChallengeResult:
			e.Response.IssueTokens = true
		case wrong >= maxWrong:
			e.Response.FailAuthentication = true
		default:
			e.Response.ChallengeName = "CUSTOM_CHALLENGE"
		}
		return nil
	}
	create := func(_ context.Context, e *triggers.CreateAuthChallengeEvent) error {
		e.Response.PublicChallengeParameters = map[string]string{"question": "six times seven"}
		e.Response.PrivateChallengeParameters = map[string]string{"answer": "42"}
		e.Response.ChallengeMetadata = "RIDDLE"
		return nil
	}
	verify := func(_ context.Context, e *triggers.VerifyAuthChallengeEvent) error {
		e.Response.AnswerCorrect = e.Request.ChallengeAnswer.Reveal() == e.Request.PrivateChallengeParameters["answer"]
		return nil
	}
	return authQuietRouter().DefineAuthChallenge(define).CreateAuthChallenge(create).VerifyAuthChallenge(verify)
}

var authAlice = triggertest.AuthUser{
	UserName:   "alice",
	Attributes: map[string]string{"sub": "1111", "email": "alice@example.com", "email_verified": "true"},
}

func TestAuthFlowRightAnswerIssuesTokens(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{f: authRiddle(false, 3)}
	sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: authAlice})

	step := sim.Start()
	if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["question"] != "six times seven" || step.Public["USERNAME"] != "alice" {
		t.Fatalf("Start() = %+v, want a CUSTOM_CHALLENGE with the public parameters and USERNAME", step)
	}
	if _, ok := step.Public["answer"]; ok {
		t.Fatal("private parameter reached the client")
	}
	if c := sim.Challenge(); c == nil || c.Private["answer"] != "42" || c.Metadata != "RIDDLE" {
		t.Fatalf("Challenge() = %+v, want the private parameters and metadata Create returned", c)
	}
	if out := sim.Answer("42"); !out.Tokens || out.Failed {
		t.Fatalf("Answer(right) = %+v, want tokens", out)
	}
	want := []triggers.ChallengeResult{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "RIDDLE"}}
	if got := sim.Session(); !slices.Equal(got, want) {
		t.Errorf("Session() = %+v, want %+v", got, want)
	}

	// What the triggers saw, on the wire.
	defines := rec.of(triggers.DefineAuthChallengeAuthentication)
	if len(defines) != 2 {
		t.Fatalf("Define called %d times, want 2", len(defines))
	}
	if s := authRequest(defines[0])["session"].([]any); len(s) != 0 {
		t.Errorf("first Define session = %v, want empty", s)
	}
	s := authRequest(defines[1])["session"].([]any)
	if len(s) != 1 || s[0].(map[string]any)["challengeMetadata"] != "RIDDLE" || s[0].(map[string]any)["challengeResult"] != true {
		t.Errorf("second Define session = %v, want the answered challenge with its metadata", s)
	}
	verifies := rec.of(triggers.VerifyAuthChallengeResponseAuthentication)
	if len(verifies) != 1 {
		t.Fatalf("Verify called %d times, want 1", len(verifies))
	}
	vr := authRequest(verifies[0])
	if vr["challengeAnswer"] != "42" || vr["privateChallengeParameters"].(map[string]any)["answer"] != "42" {
		t.Errorf("Verify request = %v, want the plain answer and the private parameters", vr)
	}
	for _, p := range rec.payloads {
		if p["version"] != "1" || p["userName"] != "alice" || authRequest(p)["userNotFound"] != false {
			t.Errorf("event header or userNotFound wrong: %v", p)
		}
		if _, ok := authRequest(p)["clientMetadata"]; ok {
			t.Errorf("%v got clientMetadata, but none was given", p["triggerSource"])
		}
	}
	if got := authRequest(rec.of(triggers.CreateAuthChallengeAuthentication)[0])["challengeName"]; got != "CUSTOM_CHALLENGE" {
		t.Errorf("Create challengeName = %v", got)
	}
}

func TestAuthFlowWrongAnswersFail(t *testing.T) {
	t.Parallel()
	sim := triggertest.NewAuthFlow(t, authRiddle(false, 3), triggertest.AuthFlowConfig{User: authAlice})
	sim.Start()
	for i := 1; i <= 2; i++ {
		if out := sim.Answer("41"); out.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("wrong answer %d: %+v, want another challenge", i, out)
		}
	}
	out := sim.Answer("41")
	if !out.Failed || out.Err == nil || out.Err.Code != triggertest.AuthNotAuthorized || out.Err.Message != "Incorrect username or password." {
		t.Fatalf("third wrong answer: %+v, want NotAuthorizedException", out)
	}
	// The session served once.
	if out := sim.Answer("42"); !out.Failed || out.Err.Message != "Invalid session for the user." {
		t.Fatalf("answer after the end: %+v, want an invalid session", out)
	}
	if n := len(sim.Session()); n != 3 {
		t.Errorf("session has %d entries, want 3", n)
	}
}

func TestAuthFlowPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		user       triggertest.AuthUser
		passwordOK bool
		wantResult bool
	}{
		{"right password", authAlice, true, true},
		{"wrong password", authAlice, false, false},
		{"user not found is never right", triggertest.AuthUser{UserName: "nobody", NotFound: true}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &authRecorder{f: authRiddle(true, 3)}
			sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: tt.user})
			step := sim.StartWithPassword(tt.passwordOK)
			first := authRequest(rec.of(triggers.DefineAuthChallengeAuthentication)[0])["session"].([]any)
			if len(first) != 1 || first[0].(map[string]any)["challengeName"] != "SRP_A" || first[0].(map[string]any)["challengeResult"] != true {
				t.Errorf("first Define session = %v, want [SRP_A true]", first)
			}
			s := sim.Session()
			if len(s) != 2 || s[1].ChallengeName != "PASSWORD_VERIFIER" || s[1].ChallengeResult != tt.wantResult {
				t.Fatalf("session = %+v, want SRP_A then PASSWORD_VERIFIER %v", s, tt.wantResult)
			}
			if tt.wantResult {
				if step.ChallengeName != "CUSTOM_CHALLENGE" {
					t.Fatalf("step = %+v, want the custom challenge", step)
				}
				if out := sim.Answer("42"); !out.Tokens {
					t.Fatalf("Answer = %+v, want tokens", out)
				}
			} else if !step.Failed || step.Err.Code != triggertest.AuthNotAuthorized {
				t.Fatalf("step = %+v, want NotAuthorizedException", step)
			}
		})
	}
}

func TestAuthFlowUserNotFound(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{f: authRiddle(false, 3)}
	ghost := triggertest.AuthUser{UserName: "ghost", NotFound: true, Attributes: map[string]string{"email": "x@example.com"}}
	sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: ghost})
	sim.Start()
	sim.Answer("42")
	for _, p := range rec.payloads {
		r := authRequest(p)
		if r["userNotFound"] != true {
			t.Errorf("%v: userNotFound = %v, want true", p["triggerSource"], r["userNotFound"])
		}
		if attrs := r["userAttributes"].(map[string]any); len(attrs) != 0 {
			t.Errorf("%v: userAttributes = %v, want none for a missing user", p["triggerSource"], attrs)
		}
	}
}

func TestAuthFlowSessionExpires(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	rec := &authRecorder{f: authRiddle(false, 3)}
	sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: authAlice, Now: clock, SessionValidity: 5 * time.Minute})
	sim.Start()
	advance(5*time.Minute + time.Second)
	out := sim.Answer("42")
	if !out.Failed || out.Err.Code != triggertest.AuthNotAuthorized || !strings.Contains(out.Err.Message, "expired") {
		t.Fatalf("late answer = %+v, want an expired session", out)
	}
	if n := len(rec.of(triggers.VerifyAuthChallengeResponseAuthentication)); n != 0 {
		t.Errorf("Verify called %d times for an expired session", n)
	}
}

func TestAuthFlowRoundLimit(t *testing.T) {
	t.Parallel()
	// A Define that never decides: Cognito ends the sign-in anyway.
	sim := triggertest.NewAuthFlow(t, authRiddle(false, 1000), triggertest.AuthFlowConfig{User: authAlice, MaxRounds: 4})
	sim.Start()
	var out triggertest.AuthStep
	answers := 0
	for answers = 1; answers <= 10; answers++ {
		if out = sim.Answer("wrong"); out.Failed {
			break
		}
	}
	if !out.Failed || out.Err.Code != triggertest.AuthNotAuthorized || answers != 4 {
		t.Fatalf("after %d answers: %+v, want NotAuthorizedException after 4", answers, out)
	}
}

func TestAuthFlowTriggerErrors(t *testing.T) {
	t.Parallel()
	fail := func(err error) triggers.Handler[triggers.CreateAuthChallengeEvent] {
		return func(context.Context, *triggers.CreateAuthChallengeEvent) error { return err }
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"rejection text reaches the client", triggers.Reject("Try again later"),
			"CreateAuthChallenge failed with error Try again later."},
		{"internal error is generic", io.ErrUnexpectedEOF,
			"CreateAuthChallenge failed with error " + triggers.DefaultErrorMessage + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := authRiddle(false, 3).CreateAuthChallenge(fail(tt.err))
			out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: authAlice}).Start()
			if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || out.Err.Message != tt.want {
				t.Fatalf("Start() = %+v (%v), want %s: %s", out, out.Err, triggertest.AuthUserLambdaValidation, tt.want)
			}
		})
	}
}

func TestAuthFlowInvalidDefineResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		define func(*triggers.DefineAuthChallengeEvent)
	}{
		{"no decision", func(*triggers.DefineAuthChallengeEvent) {}},
		{"password verifier without SRP", func(e *triggers.DefineAuthChallengeEvent) { e.Response.ChallengeName = "PASSWORD_VERIFIER" }},
		{"unmodelled challenge", func(e *triggers.DefineAuthChallengeEvent) { e.Response.ChallengeName = "SMS_MFA" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := authRiddle(false, 3).DefineAuthChallenge(func(_ context.Context, e *triggers.DefineAuthChallengeEvent) error {
				tt.define(e)
				return nil
			})
			out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: authAlice}).Start()
			if !out.Failed || out.Err.Code != triggertest.AuthInvalidLambdaResponse {
				t.Fatalf("Start() = %+v, want %s", out, triggertest.AuthInvalidLambdaResponse)
			}
		})
	}
}

func TestAuthFlowClientMetadata(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{f: authRiddle(false, 3)}
	sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: authAlice})
	sim.Start()
	sim.AnswerWithMetadata("41", map[string]string{"device": "kiosk-7"})
	for _, src := range []triggers.TriggerSource{triggers.DefineAuthChallengeAuthentication,
		triggers.CreateAuthChallengeAuthentication} {
		calls := rec.of(src)
		if len(calls) != 2 {
			t.Fatalf("%s called %d times, want 2", src, len(calls))
		}
		if _, ok := authRequest(calls[0])["clientMetadata"]; ok {
			t.Errorf("%s of the first round got client metadata", src)
		}
		if md, _ := authRequest(calls[1])["clientMetadata"].(map[string]any); md["device"] != "kiosk-7" {
			t.Errorf("%s after the answer: clientMetadata = %v", src, md)
		}
	}
	v := rec.of(triggers.VerifyAuthChallengeResponseAuthentication)
	if md, _ := authRequest(v[0])["clientMetadata"].(map[string]any); md["device"] != "kiosk-7" {
		t.Errorf("Verify clientMetadata = %v", md)
	}
}

func TestAuthFlowRetries(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{f: authRiddle(false, 3)}
	sim := triggertest.NewAuthFlow(t, rec, triggertest.AuthFlowConfig{User: authAlice, Retries: 2})
	sim.Start()
	if out := sim.Answer("42"); !out.Tokens {
		t.Fatalf("Answer = %+v, want tokens", out)
	}
	for src, want := range map[triggers.TriggerSource]int{
		triggers.DefineAuthChallengeAuthentication:         6,
		triggers.CreateAuthChallengeAuthentication:         3,
		triggers.VerifyAuthChallengeResponseAuthentication: 3,
	} {
		if got := len(rec.of(src)); got != want {
			t.Errorf("%s invoked %d times, want %d", src, got, want)
		}
	}
}

func TestAuthFlowTraceAndRestart(t *testing.T) {
	t.Parallel()
	sim := triggertest.NewAuthFlow(t, authRiddle(false, 1), triggertest.AuthFlowConfig{User: authAlice})
	sim.Start()
	sim.Answer("41")
	sim.Start() // a new InitiateAuth: a fresh session
	if n := len(sim.Session()); n != 0 {
		t.Fatalf("session after restart has %d entries", n)
	}
	sim.Answer("42")
	want := []string{
		"start", "DefineAuthChallenge -> CUSTOM_CHALLENGE", "CreateAuthChallenge",
		"VerifyAuthChallengeResponse -> false", "DefineAuthChallenge -> failAuthentication",
		"start", "DefineAuthChallenge -> CUSTOM_CHALLENGE", "CreateAuthChallenge",
		"VerifyAuthChallengeResponse -> true", "DefineAuthChallenge -> issueTokens",
	}
	if got := sim.Trace(); !slices.Equal(got, want) {
		t.Errorf("Trace() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAuthFlowNoSecretsInTrace(t *testing.T) {
	t.Parallel()
	sim := triggertest.NewAuthFlow(t, authRiddle(false, 3), triggertest.AuthFlowConfig{User: authAlice})
	sim.Start()
	sim.Answer("41")
	var b bytes.Buffer
	for _, l := range sim.Trace() {
		b.WriteString(l)
	}
	if strings.Contains(b.String(), "41") || strings.Contains(b.String(), "42") {
		t.Errorf("trace shows an answer: %s", b.String())
	}
}

// authPrintT stands in for the *testing.T a test function passes: it prints failures.
type authPrintT struct{}

func (authPrintT) Helper()                           {}
func (authPrintT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (authPrintT) FailNow()                          {}

// A sign-in through a hand-written custom auth function, as Cognito would run it: the
// password first, then a question, a wrong answer, and the right one.
func ExampleNewAuthFlow() {
	var t triggertest.TB = authPrintT{} // in a test function: t *testing.T

	router := authRiddle(true, 3) // Define, Create and Verify of a one-question flow
	sim := triggertest.NewAuthFlow(t, router, triggertest.AuthFlowConfig{User: triggertest.AuthUser{
		UserName:   "alice",
		Attributes: map[string]string{"email": "alice@example.com"},
	}})
	step := sim.StartWithPassword(true)
	fmt.Println(step.ChallengeName, step.Public["question"])
	fmt.Println(sim.Answer("41").ChallengeName)
	fmt.Println("tokens:", sim.Answer("42").Tokens)
	for _, s := range sim.Session() {
		fmt.Printf("%s %v %q\n", s.ChallengeName, s.ChallengeResult, s.ChallengeMetadata)
	}
	// Output:
	// CUSTOM_CHALLENGE six times seven
	// CUSTOM_CHALLENGE
	// tokens: true
	// SRP_A true ""
	// PASSWORD_VERIFIER true ""
	// CUSTOM_CHALLENGE false "RIDDLE"
	// CUSTOM_CHALLENGE true "RIDDLE"
}

func TestNewAuthFlowRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  triggertest.AuthFlowConfig
		want string
	}{
		{triggertest.AuthFlowConfig{}, "triggertest.NewAuthFlow: User.UserName is empty"},
		{triggertest.AuthFlowConfig{User: authAlice, SessionValidity: -time.Second}, "triggertest.NewAuthFlow: SessionValidity is negative"},
		{triggertest.AuthFlowConfig{User: authAlice, MaxRounds: -1}, "triggertest.NewAuthFlow: MaxRounds is negative"},
		{triggertest.AuthFlowConfig{User: authAlice, Retries: -1}, "triggertest.NewAuthFlow: Retries is negative"},
	}
	for _, tt := range tests {
		var rec authFailureLog
		triggertest.NewAuthFlow(&rec, authRiddle(false, 1), tt.cfg)
		if !rec.failed || strings.Join(rec.msgs, "\n") != tt.want {
			t.Errorf("%+v: failed %v, %q, want %q", tt.cfg, rec.failed, rec.msgs, tt.want)
		}
	}
	var rec authFailureLog
	if out := triggertest.NewAuthFlow(&rec, authRiddle(false, 1), triggertest.AuthFlowConfig{User: authAlice}).Start(); rec.failed ||
		out.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Errorf("a good config: failed %v %q, step %+v", rec.failed, rec.msgs, out)
	}
}

type authFailureLog struct {
	failed bool
	msgs   []string
}

func (r *authFailureLog) Helper() {}
func (r *authFailureLog) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *authFailureLog) FailNow() { r.failed = true }
