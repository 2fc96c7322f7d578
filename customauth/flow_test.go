package customauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// fixedStep is a step whose right answer is its name in lower case.
func fixedStep(name string) customauth.Step {
	return customauth.Step{
		Name: name,
		Create: func(_ context.Context, c *customauth.Challenge) error {
			c.Public["prompt"] = "say " + strings.ToLower(name)
			return nil
		},
		Verify: func(_ context.Context, a *customauth.Answer) (bool, error) {
			return a.Value.Reveal() == strings.ToLower(a.Event.Request.PrivateChallengeParameters["step"]), nil
		},
	}
}

func TestNewFlowErrors(t *testing.T) {
	t.Parallel()
	good := fixedStep("A")
	tests := []struct {
		name string
		cfg  customauth.FlowConfig
		want string
	}{
		{"no steps", customauth.FlowConfig{}, "customauth.NewFlow: Steps is empty"},
		{"unnamed step", customauth.FlowConfig{Steps: []customauth.Step{{Create: good.Create, Verify: good.Verify}}}, "no name"},
		{"colon in name", customauth.FlowConfig{Steps: []customauth.Step{{Name: "A:B", Create: good.Create, Verify: good.Verify}}}, "colon"},
		{"no create", customauth.FlowConfig{Steps: []customauth.Step{{Name: "A", Verify: good.Verify}}}, "Create and Verify"},
		{"no verify", customauth.FlowConfig{Steps: []customauth.Step{{Name: "A", Create: good.Create}}}, "Create and Verify"},
		{"name twice", customauth.FlowConfig{Steps: []customauth.Step{good, good}}, "used twice"},
		{"negative wrong answers", customauth.FlowConfig{Steps: []customauth.Step{good}, MaxWrongAnswers: -1}, "MaxWrongAnswers must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := customauth.NewFlow(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewFlow() error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("Must did not panic on an error")
		}
	}()
	customauth.Must(customauth.NewFlow(customauth.FlowConfig{}))
}

func entry(name string, ok bool, meta string) triggers.ChallengeResult {
	return triggers.ChallengeResult{ChallengeName: name, ChallengeResult: ok, ChallengeMetadata: meta}
}

func custom(ok bool, meta string) triggers.ChallengeResult {
	return entry("CUSTOM_CHALLENGE", ok, meta)
}

var (
	srpA    = entry("SRP_A", true, "")
	pwRight = entry("PASSWORD_VERIFIER", true, "")
	pwWrong = entry("PASSWORD_VERIFIER", false, "")
	tokens  = triggers.DefineAuthChallengeResponse{IssueTokens: true}
	fail    = triggers.DefineAuthChallengeResponse{FailAuthentication: true}
	askOwn  = triggers.DefineAuthChallengeResponse{ChallengeName: "CUSTOM_CHALLENGE"}
	askPass = triggers.DefineAuthChallengeResponse{ChallengeName: "PASSWORD_VERIFIER"}
)

// define sends a define auth challenge event with session through r and returns the
// response Cognito would read.
func define(t *testing.T, r *triggers.Router, session []triggers.ChallengeResult, userNotFound bool) triggers.DefineAuthChallengeResponse {
	t.Helper()
	if session == nil {
		session = []triggers.ChallengeResult{}
	}
	payload, err := json.Marshal(map[string]any{
		"version": "1", "region": "us-east-1", "userPoolId": "us-east-1_X", "userName": "alice",
		"callerContext": map[string]string{"awsSdkVersion": "x", "clientId": "c"},
		"triggerSource": "DefineAuthChallenge_Authentication",
		"request": map[string]any{"userAttributes": map[string]string{}, "session": session,
			"userNotFound": userNotFound},
		"response": map[string]any{"challengeName": nil, "issueTokens": nil, "failAuthentication": nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, ierr := r.Handle(t.Context(), payload)
	if ierr != nil {
		t.Fatalf("Define failed: %v", ierr)
	}
	var e triggers.DefineAuthChallengeEvent
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatal(err)
	}
	return e.Response
}

func TestFlowDefine(t *testing.T) {
	t.Parallel()
	logs := &triggertest.Logs{}
	passwordless := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{fixedStep("S")}})), logs)
	asking := fixedStep("Q")
	asking.Uncounted = func(carry string) bool { return carry == "ask" }
	asks := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{asking}})), logs)
	twoSteps := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{
		Steps: []customauth.Step{fixedStep("A"), fixedStep("B")}, Password: true})), logs)
	tests := []struct {
		name         string
		r            *triggers.Router
		session      []triggers.ChallengeResult
		userNotFound bool
		want         triggers.DefineAuthChallengeResponse
	}{
		{"start", passwordless, nil, false, askOwn},
		{"right answer", passwordless, []triggers.ChallengeResult{custom(true, "S")}, false, tokens},
		{"right answer with carry", passwordless, []triggers.ChallengeResult{custom(true, "S:v1.x")}, false, tokens},
		{"one wrong answer", passwordless, []triggers.ChallengeResult{custom(false, "S")}, false, askOwn},
		{"wrong then right", passwordless, []triggers.ChallengeResult{custom(false, "S"), custom(true, "S")}, false, tokens},
		{"three wrong answers", passwordless, []triggers.ChallengeResult{custom(false, "S"), custom(false, "S"), custom(false, "S")}, false, fail},
		{"three wrong answers to re-issued challenges", passwordless, []triggers.ChallengeResult{
			custom(false, "S:v1.first"), custom(false, "S:v1.second"), custom(false, "S:v1.third")}, false, fail},
		{"right answer, user not found", passwordless, []triggers.ChallengeResult{custom(true, "S")}, true, fail},
		{"user not found still gets challenges", passwordless, []triggers.ChallengeResult{custom(false, "S")}, true, askOwn},
		{"password alone", passwordless, []triggers.ChallengeResult{srpA, pwRight}, false, fail},
		{"password verifier alone", passwordless, []triggers.ChallengeResult{pwRight}, false, fail},
		{"SRP start on a passwordless flow", passwordless, []triggers.ChallengeResult{srpA}, false, fail},
		{"passed challenge of another step", passwordless, []triggers.ChallengeResult{custom(true, "OTHER")}, false, fail},
		{"passed challenge without metadata", passwordless, []triggers.ChallengeResult{custom(true, "")}, false, fail},
		{"challenge after the last step", passwordless, []triggers.ChallengeResult{custom(true, "S"), custom(true, "S")}, false, fail},
		{"built-in challenge last", passwordless, []triggers.ChallengeResult{custom(true, "S"), entry("SMS_MFA", true, "")}, false, fail},

		{"an uncounted challenge is no wrong answer", asks, []triggers.ChallengeResult{
			custom(false, "Q:ask"), custom(false, "Q"), custom(false, "Q:ask"), custom(false, "Q")}, false, askOwn},
		{"wrong answers still count", asks, []triggers.ChallengeResult{
			custom(false, "Q:ask"), custom(false, "Q"), custom(false, "Q"), custom(false, "Q")}, false, fail},
		{"uncounted challenges are bounded too", asks, []triggers.ChallengeResult{
			custom(false, "Q:ask"), custom(false, "Q:ask"), custom(false, "Q:ask"), custom(false, "Q:ask")}, false, fail},
		{"passed after asking", asks, []triggers.ChallengeResult{custom(false, "Q:ask"), custom(true, "Q")}, false, tokens},

		{"no SRP", twoSteps, nil, false, fail},
		{"SRP", twoSteps, []triggers.ChallengeResult{srpA}, false, askPass},
		{"failed SRP_A", twoSteps, []triggers.ChallengeResult{entry("SRP_A", false, "")}, false, fail},
		{"wrong password", twoSteps, []triggers.ChallengeResult{srpA, pwWrong}, false, fail},
		{"right password", twoSteps, []triggers.ChallengeResult{srpA, pwRight}, false, askOwn},
		{"custom challenge instead of password", twoSteps, []triggers.ChallengeResult{srpA, custom(true, "A")}, false, fail},
		{"first step passed", twoSteps, []triggers.ChallengeResult{srpA, pwRight, custom(true, "A")}, false, askOwn},
		{"both steps passed", twoSteps, []triggers.ChallengeResult{srpA, pwRight, custom(true, "A"), custom(true, "B")}, false, tokens},
		{"steps out of order", twoSteps, []triggers.ChallengeResult{srpA, pwRight, custom(true, "B"), custom(true, "A")}, false, fail},
		{"second step skipped", twoSteps, []triggers.ChallengeResult{srpA, pwRight, custom(true, "B")}, false, fail},
		{"wrong answers count over steps", twoSteps, []triggers.ChallengeResult{srpA, pwRight,
			custom(false, "A"), custom(true, "A"), custom(false, "B"), custom(false, "B")}, false, fail},
		{"two wrong answers over steps", twoSteps, []triggers.ChallengeResult{srpA, pwRight,
			custom(false, "A"), custom(true, "A"), custom(false, "B"), custom(true, "B")}, false, tokens},
		{"both passed, user not found", twoSteps, []triggers.ChallengeResult{srpA, pwRight, custom(true, "A"), custom(true, "B")}, true, fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := define(t, tt.r, tt.session, tt.userNotFound); got != tt.want {
				t.Errorf("Define(%v) = %+v, want %+v", tt.session, got, tt.want)
			}
		})
	}
}

// naiveDefine issues tokens whenever the latest result is true: the mistake the Cognito
// documentation warns about.
func naiveDefine(_ context.Context, e *customauth.DefineEvent) error {
	s := e.Request.Session
	switch {
	case len(s) > 0 && s[len(s)-1].ChallengeResult:
		e.Response.IssueTokens = true
	case len(s) >= 3:
		e.Response.FailAuthentication = true
	default:
		e.Response.ChallengeName = "CUSTOM_CHALLENGE"
	}
	return nil
}

func TestAuthFlowGuardTokens(t *testing.T) {
	t.Parallel()
	flow := customauth.Must(customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: "open sesame"}))
	build := func(d customauth.DefineHandler) *triggers.Router {
		return router(flow, &triggertest.Logs{}).DefineAuthChallenge(d)
	}
	// Started with SRP, the session's first entry is SRP_A with result true.
	if out := triggertest.NewAuthFlow(t, build(naiveDefine), triggertest.AuthFlowConfig{User: alice}).StartWithPassword(false); !out.Tokens {
		t.Fatalf("naive Define: %+v; the test expects it to issue tokens without any challenge", out)
	}
	guarded := build(customauth.GuardTokens(naiveDefine))
	if out := triggertest.NewAuthFlow(t, guarded, triggertest.AuthFlowConfig{User: alice}).StartWithPassword(false); !out.Failed {
		t.Fatalf("guarded naive Define after SRP_A: %+v, want failure", out)
	}
	sim := triggertest.NewAuthFlow(t, guarded, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.Answer("open sesame"); !out.Tokens {
		t.Fatalf("guarded Define after a passed custom challenge: %+v, want tokens", out)
	}

	tests := []struct {
		name         string
		session      []triggers.ChallengeResult
		userNotFound bool
		want         triggers.DefineAuthChallengeResponse
	}{
		{"empty session", nil, false, askOwn},
		{"password only", []triggers.ChallengeResult{srpA, pwRight}, false, fail},
		{"failed password before a passed challenge", []triggers.ChallengeResult{srpA, pwWrong, custom(true, "")}, false, fail},
		{"passed custom challenge", []triggers.ChallengeResult{srpA, pwRight, custom(true, "")}, false, tokens},
		{"passed custom challenge, user not found", []triggers.ChallengeResult{custom(true, "")}, true, fail},
		{"other built-in challenge last", []triggers.ChallengeResult{custom(true, ""), entry("SMS_MFA", true, "")}, false, fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := define(t, guarded, tt.session, tt.userNotFound); got != tt.want {
				t.Errorf("guarded Define(%v) = %+v, want %+v", tt.session, got, tt.want)
			}
		})
	}
}

func TestAuthFlowTwoSteps(t *testing.T) {
	t.Parallel()
	flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{
		Steps: []customauth.Step{fixedStep("A"), fixedStep("B")}, Password: true, MaxWrongAnswers: 2}))
	sim := triggertest.NewAuthFlow(t, router(flow, &triggertest.Logs{}), triggertest.AuthFlowConfig{User: alice})
	steps := []triggertest.AuthStep{sim.StartWithPassword(true)}
	steps = append(steps, sim.Answer("a"), sim.Answer("nope"), sim.Answer("b"))
	wantSteps := []string{"A", "B", "B", ""}
	for i, s := range steps {
		if s.Public["step"] != wantSteps[i] {
			t.Errorf("step %d: %+v, want step %q", i, s, wantSteps[i])
		}
	}
	if !steps[3].Tokens {
		t.Fatalf("final: %+v, want tokens", steps[3])
	}
	if c := steps[1].Public["prompt"]; c != "say b" {
		t.Errorf("prompt of step B = %q", c)
	}
}

func TestFlowCreateAndVerifyErrors(t *testing.T) {
	t.Parallel()
	reserved := customauth.Step{
		Name: "R",
		Create: func(_ context.Context, c *customauth.Challenge) error {
			c.Public["step"] = "spoofed"
			return nil
		},
		Verify: func(context.Context, *customauth.Answer) (bool, error) { return true, nil },
	}
	broken := customauth.Step{
		Name:   "X",
		Create: func(context.Context, *customauth.Challenge) error { return nil },
		Verify: func(context.Context, *customauth.Answer) (bool, error) { return false, errors.New("backend down") },
	}
	t.Run("reserved public parameter", func(t *testing.T) {
		t.Parallel()
		r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{reserved}})), &triggertest.Logs{})
		out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice}).Start()
		if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation {
			t.Fatalf("%+v, want Create to fail", out)
		}
	})
	t.Run("verify error", func(t *testing.T) {
		t.Parallel()
		logs := &triggertest.Logs{}
		r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{broken}})), logs)
		sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		out := sim.Answer("x")
		if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || strings.Contains(out.Err.Message, "backend") {
			t.Fatalf("%+v, want a generic Verify failure", out)
		}
		if !strings.Contains(logs.String(), "backend down") {
			t.Error("the cause was not logged for operators")
		}
	})
	t.Run("answer for an unknown step", func(t *testing.T) {
		t.Parallel()
		r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{fixedStep("A")}})), &triggertest.Logs{})
		res := triggertest.InvokeEvent(t, r, triggertest.VerifyAuthChallenge(
			triggertest.WithChallengeAnswer("a"), triggertest.WithPrivateChallengeParameter("step", "Z")))
		if !res.OK() || triggertest.EventAs[triggers.VerifyAuthChallengeEvent](res).Response.AnswerCorrect {
			t.Fatalf("Verify for step Z: %s, want a wrong answer", res.Text())
		}
	})
	t.Run("create for another challenge is a no-op", func(t *testing.T) {
		t.Parallel()
		r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{fixedStep("A")}})), &triggertest.Logs{})
		res := triggertest.InvokeEvent(t, r, triggertest.CreateAuthChallenge(triggertest.Set("request.challengeName", "SMS_MFA")))
		if !res.OK() || len(triggertest.EventAs[triggers.CreateAuthChallengeEvent](res).Response.PublicChallengeParameters) != 0 {
			t.Fatalf("Create for SMS_MFA: %s, want no challenge", res.Text())
		}
	})
	t.Run("create out of sequence", func(t *testing.T) {
		t.Parallel()
		r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{fixedStep("A")}})), &triggertest.Logs{})
		res := triggertest.InvokeEvent(t, r, triggertest.CreateAuthChallenge(triggertest.Set("request.challengeName", "CUSTOM_CHALLENGE"),
			triggertest.WithSession(custom(true, "A"))))
		if res.OK() {
			t.Fatal("Create after the last step succeeded")
		}
	})
}
