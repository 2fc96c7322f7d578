package triggertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/lambda-triggers/cognito/triggers"
)

// TB is the part of testing.TB the kit needs; *testing.T, *testing.B and *testing.F
// satisfy it. When t also has testing.TB's Context and Output methods, invocations run
// under t.Context() and the router's log lines go to t.Output().
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

func contextOf(t TB) context.Context {
	if c, ok := t.(interface{ Context() context.Context }); ok {
		return c.Context()
	}
	return context.Background()
}

func outputOf(t TB) io.Writer {
	if o, ok := t.(interface{ Output() io.Writer }); ok {
		return o.Output()
	}
	return io.Discard
}

// Result is the outcome of one invocation, as Lambda would report it to Cognito.
type Result struct {
	// Trigger is the trigger the event named, or "" when it named none.
	Trigger triggers.Trigger
	// Payload is the event JSON the function received.
	Payload []byte
	// Response is the event JSON the function returned; nil when it failed.
	Response []byte
	// Err is the error the function returned; nil when it succeeded.
	Err error
	// ErrorMessage and ErrorType are what Lambda reports for Err: the text Cognito shows
	// the end user, and Rejected, InvalidEvent, InternalError or the error's type name.
	ErrorMessage string
	ErrorType    string

	t TB
}

// Invoke sends event to f through the JSON boundary, as Lambda does: event may be raw
// JSON ([]byte, json.RawMessage or string), a trigger source for its fixture, an event of
// this library (pointer or value), or any other value encoding/json encodes, such as an
// aws-lambda-go event. f is usually
// a [*triggers.Router]. Invoke fails the test only when event cannot be encoded; check
// the outcome with the Result's Require methods.
func Invoke(t TB, f triggers.Function, event any) Result {
	t.Helper()
	payload, err := payloadOf(event)
	if err != nil {
		t.Errorf("triggertest: encode event: %v", err)
		t.FailNow()
	}
	return invoke(t, f, payload)
}

func invoke(t TB, f triggers.Function, payload []byte) Result {
	res := Result{Trigger: triggerOf(payload), Payload: payload, t: t}
	out, err := f.Invoke(contextOf(t), payload)
	if err != nil {
		res.Err = err
		res.ErrorMessage, res.ErrorType = lambdaError(err)
		return res
	}
	res.Response = out
	return res
}

// InvokeHandler runs h alone, as the only chain of a router, through the JSON boundary:
// the event is encoded as [Invoke] does, decoded as Lambda would hand it to the router,
// and the response encoded again. The router is made with cfg, when one is given, and
// logs at info level to t's output unless cfg sets a Logger. The handler's event type
// picks the trigger:
//
//	res := triggertest.InvokeHandler(t, presignup.Chain(modules...), triggertest.PreSignUp(triggers.PreSignUpSignUp))
func InvokeHandler[E any, P interface {
	*E
	triggers.Event
}](t TB, h triggers.Handler[E], event any, cfg ...triggers.RouterConfig) Result {
	t.Helper()
	var rc triggers.RouterConfig
	if len(cfg) > 0 {
		rc = cfg[0]
	}
	if rc.Logger == nil {
		rc.Logger = slog.New(slog.NewTextHandler(outputOf(t), &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return Invoke(t, routerFor[E, P](h, rc), event)
}

// routerFor returns a router with h registered for its event type's trigger.
func routerFor[E any, P interface {
	*E
	triggers.Event
}](h triggers.Handler[E], cfg triggers.RouterConfig) *triggers.Router {
	r := triggers.NewRouter(cfg)
	switch h := any(h).(type) {
	case triggers.Handler[triggers.PreSignUpEvent]:
		r.PreSignUp(h)
	case triggers.Handler[triggers.PostConfirmationEvent]:
		r.PostConfirmation(h)
	case triggers.Handler[triggers.PreAuthenticationEvent]:
		r.PreAuthentication(h)
	case triggers.Handler[triggers.PostAuthenticationEvent]:
		r.PostAuthentication(h)
	case triggers.Handler[triggers.DefineAuthChallengeEvent]:
		r.DefineAuthChallenge(h)
	case triggers.Handler[triggers.CreateAuthChallengeEvent]:
		r.CreateAuthChallenge(h)
	case triggers.Handler[triggers.VerifyAuthChallengeEvent]:
		r.VerifyAuthChallenge(h)
	case triggers.Handler[triggers.PreTokenGenerationEvent]:
		r.PreTokenGeneration(h)
	case triggers.Handler[triggers.UserMigrationEvent]:
		r.UserMigration(h)
	case triggers.Handler[triggers.CustomMessageEvent]:
		r.CustomMessage(h)
	case triggers.Handler[triggers.CustomEmailSenderEvent]:
		r.CustomEmailSender(h)
	case triggers.Handler[triggers.CustomSMSSenderEvent]:
		r.CustomSMSSender(h)
	case triggers.Handler[triggers.InboundFederationEvent]:
		r.InboundFederation(h)
	default:
		panic(fmt.Sprintf("triggertest: no trigger for handlers of %T", P(nil)))
	}
	return r
}

// payloadOf encodes an Invoke argument.
func payloadOf(event any) ([]byte, error) {
	switch v := event.(type) {
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	case string:
		return []byte(v), nil
	case triggers.TriggerSource:
		if _, ok := lookup(v, ""); !ok {
			return nil, fmt.Errorf("no fixture for triggerSource %q", v)
		}
		return Fixture(v), nil
	}
	// Events, by pointer or by value, encode through their own MarshalJSON: exactly what
	// Cognito sends, secrets included.
	return json.Marshal(event)
}

func triggerOf(payload []byte) triggers.Trigger {
	var h struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
	}
	if json.Unmarshal(payload, &h) != nil {
		return ""
	}
	return h.TriggerSource.Trigger()
}

// lambdaError returns the errorMessage and errorType Lambda reports for err.
func lambdaError(err error) (msg, typ string) {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return ive.Message, ive.Type
	}
	var pive *messages.InvokeResponse_Error
	if errors.As(err, &pive) {
		return pive.Message, pive.Type
	}
	var ie *triggers.InvokeError
	if errors.As(err, &ie) {
		return ie.Message, ie.Type
	}
	// The Lambda runtime names any other error by its type, without the pointer.
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return err.Error(), t.Name()
}

// OK reports whether the invocation succeeded.
func (r Result) OK() bool { return r.Err == nil }

// Text returns the error as Cognito words it for the end user,
// "<Trigger> failed with error <message>.", or "" when the invocation succeeded.
func (r Result) Text() string {
	if r.OK() {
		return ""
	}
	return (&triggers.InvokeError{Trigger: r.Trigger, Message: r.ErrorMessage}).Text()
}

func (r Result) describe() string {
	if r.OK() {
		return "succeeded"
	}
	return fmt.Sprintf("failed with %s %q", r.ErrorType, r.ErrorMessage)
}

// RequireOK fails the test now unless the invocation succeeded. It returns r, so that
// a typed accessor can follow: res.RequireOK(t).PreSignUp().
func (r Result) RequireOK(t TB) Result {
	t.Helper()
	if !r.OK() {
		t.Errorf("invocation %s, want success (the end user would see %q)", r.describe(), r.Text())
		t.FailNow()
	}
	return r
}

// RequireRejected fails the test now unless the invocation failed with a deliberate
// rejection ([triggers.Reject], errorType Rejected) whose message contains contains.
func (r Result) RequireRejected(t TB, contains string) Result {
	t.Helper()
	switch {
	case r.OK():
		t.Errorf("invocation succeeded, want a rejection containing %q", contains)
	case r.ErrorType != triggers.ErrorTypeRejected:
		t.Errorf("invocation %s, want a rejection (errorType %s) containing %q", r.describe(), triggers.ErrorTypeRejected, contains)
	case !strings.Contains(r.ErrorMessage, contains):
		t.Errorf("rejection message %q does not contain %q", r.ErrorMessage, contains)
	default:
		return r
	}
	t.FailNow()
	return r
}

// RequireInternalError fails the test now unless the invocation failed with an error
// that is not a rejection (errorType InternalError): the end user sees the generic text.
func (r Result) RequireInternalError(t TB) Result {
	t.Helper()
	return r.requireErrorType(t, triggers.ErrorTypeInternal, "an internal error")
}

// RequireInvalidEvent fails the test now unless the function refused the event as
// malformed (errorType InvalidEvent).
func (r Result) RequireInvalidEvent(t TB) Result {
	t.Helper()
	return r.requireErrorType(t, triggers.ErrorTypeInvalidEvent, "an invalid event error")
}

// RequireConfigurationError fails the test now unless the function refused the event as
// one of a trigger it has no chain for (errorType ConfigurationError).
func (r Result) RequireConfigurationError(t TB) Result {
	t.Helper()
	return r.requireErrorType(t, triggers.ErrorTypeConfiguration, "a configuration error")
}

// requireErrorType fails the test now unless the invocation failed with errorType typ,
// which what describes.
func (r Result) requireErrorType(t TB, typ, what string) Result {
	t.Helper()
	if r.ErrorType != typ {
		t.Errorf("invocation %s, want %s (errorType %s)", r.describe(), what, typ)
		t.FailNow()
	}
	return r
}

// RequireNoOp fails the test now unless the invocation succeeded and the response is
// what Cognito sent, as Cognito reads it (see [ResponseDiff]): what a module must
// return for the trigger sources it does not act on.
func (r Result) RequireNoOp(t TB) Result {
	t.Helper()
	r.RequireOK(t)
	if diff := ResponseDiff(r.Payload, r.Response); diff != "" {
		t.Errorf("response changed:\n%s", diff)
		t.FailNow()
	}
	return r
}

// Event decodes the response into the event type of its trigger. It fails the test
// now when the invocation failed or the response does not decode.
func (r Result) Event() triggers.Event {
	r.t.Helper()
	e := triggers.NewEvent(r.Trigger)
	if e == nil {
		r.t.Errorf("invocation %s for an event of no known trigger", r.describe())
		r.t.FailNow()
		return nil
	}
	r.decodeInto(e)
	return e
}

func (r Result) decodeInto(e triggers.Event) {
	r.t.Helper()
	if !r.OK() {
		r.t.Errorf("no response to decode: invocation %s", r.describe())
		r.t.FailNow()
		return
	}
	if err := json.Unmarshal(r.Response, e); err != nil {
		r.t.Errorf("decode %s response: %v", e.Trigger(), err)
		r.t.FailNow()
	}
}

func response[E any, P interface {
	*E
	triggers.Event
}](r Result) *E {
	r.t.Helper()
	e := P(new(E))
	r.decodeInto(e)
	return (*E)(e)
}

// PreSignUp decodes the response as a pre sign-up event; it fails the test now when
// there is none.
func (r Result) PreSignUp() *triggers.PreSignUpEvent {
	r.t.Helper()
	return response[triggers.PreSignUpEvent](r)
}

// PostConfirmation decodes the response as a post confirmation event.
func (r Result) PostConfirmation() *triggers.PostConfirmationEvent {
	r.t.Helper()
	return response[triggers.PostConfirmationEvent](r)
}

// PreAuthentication decodes the response as a pre authentication event.
func (r Result) PreAuthentication() *triggers.PreAuthenticationEvent {
	r.t.Helper()
	return response[triggers.PreAuthenticationEvent](r)
}

// PostAuthentication decodes the response as a post authentication event.
func (r Result) PostAuthentication() *triggers.PostAuthenticationEvent {
	r.t.Helper()
	return response[triggers.PostAuthenticationEvent](r)
}

// DefineAuthChallenge decodes the response as a define auth challenge event.
func (r Result) DefineAuthChallenge() *triggers.DefineAuthChallengeEvent {
	r.t.Helper()
	return response[triggers.DefineAuthChallengeEvent](r)
}

// CreateAuthChallenge decodes the response as a create auth challenge event.
func (r Result) CreateAuthChallenge() *triggers.CreateAuthChallengeEvent {
	r.t.Helper()
	return response[triggers.CreateAuthChallengeEvent](r)
}

// VerifyAuthChallenge decodes the response as a verify auth challenge event.
func (r Result) VerifyAuthChallenge() *triggers.VerifyAuthChallengeEvent {
	r.t.Helper()
	return response[triggers.VerifyAuthChallengeEvent](r)
}

// PreTokenGeneration decodes the response as a pre token generation event.
func (r Result) PreTokenGeneration() *triggers.PreTokenGenerationEvent {
	r.t.Helper()
	return response[triggers.PreTokenGenerationEvent](r)
}

// UserMigration decodes the response as a user migration event.
func (r Result) UserMigration() *triggers.UserMigrationEvent {
	r.t.Helper()
	return response[triggers.UserMigrationEvent](r)
}

// CustomMessage decodes the response as a custom message event.
func (r Result) CustomMessage() *triggers.CustomMessageEvent {
	r.t.Helper()
	return response[triggers.CustomMessageEvent](r)
}

// CustomEmailSender decodes the response as a custom email sender event.
func (r Result) CustomEmailSender() *triggers.CustomEmailSenderEvent {
	r.t.Helper()
	return response[triggers.CustomEmailSenderEvent](r)
}

// CustomSMSSender decodes the response as a custom SMS sender event.
func (r Result) CustomSMSSender() *triggers.CustomSMSSenderEvent {
	r.t.Helper()
	return response[triggers.CustomSMSSenderEvent](r)
}

// InboundFederation decodes the response as an inbound federation event.
func (r Result) InboundFederation() *triggers.InboundFederationEvent {
	r.t.Helper()
	return response[triggers.InboundFederationEvent](r)
}
