package triggertest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// failureLog is a TB that records failures instead of failing the test, so that tests can
// check the assertions fail when they should.
type failureLog struct {
	failed bool
	msgs   []string
}

func (r *failureLog) Helper() {}
func (r *failureLog) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *failureLog) FailNow() { r.failed = true }

type preSignUp = triggers.Handler[triggers.PreSignUpEvent]

func outcome(err error) preSignUp {
	return func(_ context.Context, e *triggers.PreSignUpEvent) error {
		e.Response.AutoConfirmUser = true
		return err
	}
}

func TestAssertions(t *testing.T) {
	t.Parallel()
	ok := outcome(nil)
	rejected := outcome(triggers.Reject("Email domain tempmail.test is not allowed"))
	internal := outcome(errors.New("dynamodb: connection refused"))
	tests := []struct {
		name   string
		h      preSignUp
		event  []byte
		assert func(triggertest.Result, triggertest.TB)
		fails  bool
	}{
		{"RequireOK on success", ok, nil, func(r triggertest.Result, t triggertest.TB) { r.RequireOK(t) }, false},
		{"RequireOK on rejection", rejected, nil, func(r triggertest.Result, t triggertest.TB) { r.RequireOK(t) }, true},
		{"RequireRejected on rejection", rejected, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireRejected(t, "tempmail.test") }, false},
		{"RequireRejected with other text", rejected, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireRejected(t, "invitation") }, true},
		{"RequireRejected on success", ok, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireRejected(t, "") }, true},
		{"RequireRejected on internal error", internal, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireRejected(t, "") }, true},
		{"RequireInternalError on internal error", internal, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireInternalError(t) }, false},
		{"RequireInternalError on rejection", rejected, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireInternalError(t) }, true},
		{"RequireInvalidEvent on event of another trigger", ok, triggertest.Fixture(triggers.CustomMessageSignUp),
			func(r triggertest.Result, t triggertest.TB) { r.RequireInvalidEvent(t) }, true},
		{"RequireConfigurationError on event of another trigger", ok, triggertest.Fixture(triggers.CustomMessageSignUp),
			func(r triggertest.Result, t triggertest.TB) { r.RequireConfigurationError(t) }, false},
		{"RequireConfigurationError on malformed JSON", ok, []byte(`{"triggerSource": "PreSignUp_SignUp", "request": [}`),
			func(r triggertest.Result, t triggertest.TB) { r.RequireConfigurationError(t) }, true},
		{"RequireInvalidEvent on malformed JSON", ok, []byte(`{"triggerSource": "PreSignUp_SignUp", "request": [}`),
			func(r triggertest.Result, t triggertest.TB) { r.RequireInvalidEvent(t) }, false},
		{"RequireInvalidEvent on success", ok, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireInvalidEvent(t) }, true},
		{"RequireNoOp when the response changed", ok, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireNoOp(t) }, true},
		{"RequireNoOp when nothing changed", func(context.Context, *triggers.PreSignUpEvent) error { return nil }, nil,
			func(r triggertest.Result, t triggertest.TB) { r.RequireNoOp(t) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			event := tt.event
			if event == nil {
				event = triggertest.Payload(triggers.PreSignUpSignUp)
			}
			res := triggertest.InvokeHandlerPayload(t, tt.h, event)
			var rec failureLog
			tt.assert(res, &rec)
			if rec.failed != tt.fails {
				t.Errorf("assertion failed = %v, want %v (%s)", rec.failed, tt.fails, strings.Join(rec.msgs, "; "))
			}
			if rec.failed && len(rec.msgs) == 0 {
				t.Error("assertion failed without a message")
			}
		})
	}
}

func TestResultOfFailures(t *testing.T) {
	t.Parallel()
	res := triggertest.InvokeHandler(t, outcome(triggers.Reject("Invitation code required")),
		triggertest.PreSignUp(triggers.PreSignUpSignUp))
	if res.OK() || res.ErrorType != triggers.ErrorTypeRejected || res.Response != nil {
		t.Errorf("rejection gave %+v", res)
	}
	if got, want := res.Text(), "PreSignUp failed with error Invitation code required."; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}

	res = triggertest.InvokeHandler(t, outcome(errors.New("table orders: throttled")), triggertest.PreSignUp(triggers.PreSignUpSignUp))
	if res.ErrorType != triggers.ErrorTypeInternal || res.ErrorMessage != triggers.DefaultErrorMessage {
		t.Errorf("internal error gave %s %q, want the generic text", res.ErrorType, res.ErrorMessage)
	}
	if strings.Contains(res.Text(), "throttled") {
		t.Errorf("end user would see internals: %q", res.Text())
	}
}

// plainFunction is a Function that is not a router, failing as a hand-written Lambda
// handler would.
type plainFunction struct{ err error }

func (p plainFunction) Invoke(context.Context, []byte) ([]byte, error) { return nil, p.err }

type quotaError struct{}

func (*quotaError) Error() string { return "quota exceeded" }

func TestInvokeReportsErrorsAsTheRouterDoes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err      error
		msg, typ string
	}{
		{errors.New("boom"), "boom", triggers.ErrorTypeInternal},
		{&quotaError{}, "quota exceeded", triggers.ErrorTypeInternal},
		{&triggers.InvokeError{Message: "no", Type: triggers.ErrorTypeRejected}, "no", triggers.ErrorTypeRejected},
		{fmt.Errorf("wrapped: %w", &triggers.InvokeError{Message: "bad", Type: triggers.ErrorTypeInvalidEvent}),
			"bad", triggers.ErrorTypeInvalidEvent},
	}
	for _, tt := range tests {
		res := triggertest.Invoke(t, plainFunction{tt.err}, triggertest.Fixture(triggers.PreSignUpSignUp))
		if res.ErrorMessage != tt.msg || res.ErrorType != tt.typ {
			t.Errorf("%v: reported %q %q, want %q %q", tt.err, res.ErrorMessage, res.ErrorType, tt.msg, tt.typ)
		}
	}
}

func TestInvokeEventForms(t *testing.T) {
	t.Parallel()
	var seen []string
	router := triggers.NewRouter(triggers.RouterConfig{Logger: discard}).
		UserMigration(func(_ context.Context, e *triggers.UserMigrationEvent) error {
			seen = append(seen, e.UserName+":"+e.Request.Password.Reveal())
			return nil
		}).
		PreSignUp(func(_ context.Context, e *triggers.PreSignUpEvent) error {
			seen = append(seen, e.UserName+":"+e.Request.UserAttributes["email"])
			return nil
		})
	migration := triggertest.UserMigration(triggers.UserMigrationAuthentication, triggertest.WithUserName("event"))
	raw := triggertest.Payload(triggers.UserMigrationAuthentication, triggertest.WithUserName("raw"))
	triggertest.InvokeEvent(t, router, migration).RequireOK(t)
	triggertest.Invoke(t, router, raw).RequireOK(t)
	triggertest.Invoke(t, router, triggertest.Fixture(triggers.PreSignUpSignUp)).RequireOK(t)
	// The password must reach the function as Cognito sends it, never redacted.
	want := []string{"event:correct-horse-battery-staple-7Q!", "raw:correct-horse-battery-staple-7Q!",
		"5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11:ana.silva@example.com"}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("function saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestInvokeHandlerSecretsReachTheModule(t *testing.T) {
	t.Parallel()
	verify := func(_ context.Context, e *triggers.VerifyAuthChallengeEvent) error {
		e.Response.AnswerCorrect = e.Request.ChallengeAnswer.Reveal() == "913370"
		return nil
	}
	// The module copies the code where the test can read it back.
	sms := func(_ context.Context, e *triggers.CustomSMSSenderEvent) error {
		e.UserName = e.Request.Code.Reveal()
		return nil
	}
	tests := []struct {
		name   string
		invoke func() triggertest.Result
		get    func(triggertest.Result) string
		want   string
	}{
		{"challenge answer, event", func() triggertest.Result {
			return triggertest.InvokeHandler(t, verify, triggertest.VerifyAuthChallenge(triggertest.WithChallengeAnswer("913370")))
		}, func(r triggertest.Result) string {
			return fmt.Sprint(triggertest.EventAs[triggers.VerifyAuthChallengeEvent](r).Response.AnswerCorrect)
		}, "true"},
		{"challenge answer, payload", func() triggertest.Result {
			return triggertest.InvokeHandlerPayload(t, verify, triggertest.Payload(triggers.VerifyAuthChallengeResponseAuthentication,
				triggertest.WithChallengeAnswer("913370")))
		}, func(r triggertest.Result) string {
			return fmt.Sprint(triggertest.EventAs[triggers.VerifyAuthChallengeEvent](r).Response.AnswerCorrect)
		}, "true"},
		{"sender code", func() triggertest.Result {
			return triggertest.InvokeHandler(t, sms, triggertest.CustomSMSSender(triggers.CustomSMSSenderAuthentication,
				triggertest.WithCode("AYADeXYZ")))
		}, func(r triggertest.Result) string {
			return triggertest.EventAs[triggers.CustomSMSSenderEvent](r).UserName
		}, "AYADeXYZ"},
	}
	for _, tt := range tests {
		if got := tt.get(tt.invoke().RequireOK(t)); got != tt.want {
			t.Errorf("%s: module saw %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTypedAccessors(t *testing.T) {
	t.Parallel()
	res := triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
		e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &triggers.AccessTokenGeneration{ScopesToAdd: []string{"orders.read"}},
		}
		return nil
	}, triggertest.PreTokenGeneration(triggers.TokenGenerationAuthentication, "2"))
	e := triggertest.EventAs[triggers.PreTokenGenerationEvent](res.RequireOK(t))
	if d := e.Response.ClaimsAndScopeOverrideDetails; d == nil || d.AccessTokenGeneration.ScopesToAdd[0] != "orders.read" ||
		d.GroupOverrideDetails == nil || !slices.Equal(d.GroupOverrideDetails.GroupsToOverride, e.Request.GroupConfiguration.GroupsToOverride) {
		t.Errorf("response %+v", e.Response)
	}
	if generic, ok := res.Event().(*triggers.PreTokenGenerationEvent); !ok || generic.Version != "2" {
		t.Errorf("Event() = %T", res.Event())
	}

	var rec failureLog
	failed := triggertest.InvokeHandler(&rec, outcome(triggers.Reject("no")), triggertest.PreSignUp(triggers.PreSignUpSignUp))
	triggertest.EventAs[triggers.PreSignUpEvent](failed)
	if !rec.failed {
		t.Error("reading the response of a failed invocation did not fail the test")
	}

	var wrong failureLog
	ok := triggertest.InvokeHandler(&wrong, outcome(nil), triggertest.PreSignUp(triggers.PreSignUpSignUp)).RequireOK(t)
	triggertest.EventAs[triggers.PostConfirmationEvent](ok)
	if !wrong.failed || !strings.Contains(strings.Join(wrong.msgs, "\n"), "PreSignUp event, not a PostConfirmation event") {
		t.Errorf("reading a pre sign-up response as post confirmation: failed %v, %q", wrong.failed, wrong.msgs)
	}
}

func TestInvokeHandlerRouterOptions(t *testing.T) {
	t.Parallel()
	res := triggertest.InvokeHandler(t, outcome(errors.New("ddb down")), triggertest.PreSignUp(triggers.PreSignUpSignUp),
		triggers.RouterConfig{ExposeInternalErrors: true})
	if res.ErrorMessage != "ddb down" {
		t.Errorf("router options not applied: %q", res.ErrorMessage)
	}
}

func TestInvokeHandlerPayloadTakesAwsLambdaGoEvents(t *testing.T) {
	t.Parallel()
	var le events.CognitoEventUserPoolsPreSignup
	if err := json.Unmarshal(triggertest.Fixture(triggers.PreSignUpAdminCreateUser), &le); err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(le)
	if err != nil {
		t.Fatal(err)
	}
	res := triggertest.InvokeHandlerPayload(t, outcome(nil), payload).RequireOK(t)
	if e := triggertest.EventAs[triggers.PreSignUpEvent](res); !e.Response.AutoConfirmUser || e.UserName != "jdoe" {
		t.Errorf("response %+v", e)
	}
}
