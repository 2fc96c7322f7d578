package triggertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

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
	// ErrorMessage and ErrorType are what Lambda reports for Err, as
	// [triggers.InvokeErrorOf] maps it: the text Cognito shows the end user, and
	// Rejected, InvalidEvent, ConfigurationError or InternalError (also for an error of a
	// function that is not a router).
	ErrorMessage string
	ErrorType    string

	t TB
}

// Invoke sends payload, an event as JSON, to f through the JSON boundary, as Lambda
// does, and returns the outcome. f is usually a [*triggers.Router]; payload is usually a
// [Fixture] or a [Payload], or bytes a test wrote to check a quirk of the wire format.
// Check the outcome with the Result's Require methods.
func Invoke(t TB, f triggers.Function, payload []byte) Result {
	t.Helper()
	res := Result{Trigger: triggerOf(payload), Payload: payload, t: t}
	out, err := f.Invoke(contextOf(t), payload)
	if err != nil {
		ierr := triggers.InvokeErrorOf(res.Trigger, err)
		res.Err, res.ErrorMessage, res.ErrorType = err, ierr.Message, ierr.Type
		return res
	}
	res.Response = out
	return res
}

// InvokeEvent is [Invoke] for an event of this library, such as one a typed builder
// ([PreSignUp] and the others) returns: it encodes e as Cognito sends it, secrets
// included, and fails the test now when e does not encode.
func InvokeEvent(t TB, f triggers.Function, e triggers.Event) Result {
	t.Helper()
	return Invoke(t, f, encode(t, e))
}

func encode(t TB, e triggers.Event) []byte {
	t.Helper()
	payload, err := json.Marshal(e)
	if err != nil {
		t.Errorf("triggertest: encode event: %v", err)
		t.FailNow()
	}
	return payload
}

// InvokeHandler runs h alone, as the only chain of a router, on e through the JSON
// boundary: the event is encoded as Cognito sends it, decoded as Lambda would hand it to
// the router, and the response encoded again. The router has the default middleware and
// logs at info level to t's output; cfg, at most one, configures it instead (its Logger,
// when set, replaces t's output). The handler's event type picks the trigger:
//
//	res := triggertest.InvokeHandler(t, presignup.Chain(modules...), triggertest.PreSignUp(triggers.PreSignUpSignUp))
func InvokeHandler[E any, P interface {
	*E
	triggers.Event
}](t TB, h triggers.Handler[E], e *E, cfg ...triggers.RouterConfig) Result {
	t.Helper()
	return InvokeHandlerPayload[E, P](t, h, encode(t, P(e)), cfg...)
}

// InvokeHandlerPayload is [InvokeHandler] for an event as JSON, such as a [Payload] or
// bytes a test wrote.
func InvokeHandlerPayload[E any, P interface {
	*E
	triggers.Event
}](t TB, h triggers.Handler[E], payload []byte, cfg ...triggers.RouterConfig) Result {
	t.Helper()
	if len(cfg) > 1 {
		t.Errorf("triggertest.InvokeHandler: %d router configs, want at most one", len(cfg))
		t.FailNow()
	}
	var rc triggers.RouterConfig
	if len(cfg) == 1 {
		rc = cfg[0]
	}
	if rc.Logger == nil {
		rc.Logger = slog.New(slog.NewTextHandler(outputOf(t), &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return Invoke(t, routerFor[E, P](h, rc), payload)
}

// routerFor returns a router with h registered for its event type's trigger.
func routerFor[E any, P interface {
	*E
	triggers.Event
}](h triggers.Handler[E], cfg triggers.RouterConfig) *triggers.Router {
	return triggers.Register[E, P](triggers.NewRouter(cfg), h)
}

func triggerOf(payload []byte) triggers.Trigger {
	src, err := triggers.PeekSource(payload)
	if err != nil {
		return ""
	}
	return src.Trigger()
}

// OK reports whether the invocation succeeded.
func (r Result) OK() bool { return r.Err == nil }

// Text returns the error as Cognito words it for the end user,
// "<Trigger> failed with error <message>.", or "" when the invocation succeeded.
func (r Result) Text() string {
	if r.OK() {
		return ""
	}
	return triggers.InvokeErrorOf(r.Trigger, r.Err).Text()
}

func (r Result) describe() string {
	if r.OK() {
		return "succeeded"
	}
	return fmt.Sprintf("failed with %s %q", r.ErrorType, r.ErrorMessage)
}

// RequireOK fails the test now unless the invocation succeeded. It returns r, so that
// reading the response can follow: triggertest.EventAs[triggers.PreSignUpEvent](res.RequireOK(t)).
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

// EventAs decodes the response into the event type E of r's trigger:
//
//	e := triggertest.EventAs[triggers.PreSignUpEvent](res.RequireOK(t))
//	if !e.Response.AutoConfirmUser { ... }
//
// It fails the test now when the invocation failed, when E is not the event type of the
// trigger the payload named, or when the response does not decode.
func EventAs[E any, P interface {
	*E
	triggers.Event
}](r Result) *E {
	r.t.Helper()
	e := P(new(E))
	if r.Trigger != "" && r.Trigger != e.Trigger() {
		r.t.Errorf("the response is a %s event, not a %s event", r.Trigger, e.Trigger())
		r.t.FailNow()
		return nil
	}
	r.decodeInto(e)
	return (*E)(e)
}
