package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Router is one Lambda function for one or more triggers: it reads the triggerSource of
// each event, decodes the event into the type of that trigger, and runs the chain
// registered for it inside the router's middleware. It implements aws-lambda-go's
// lambda.Handler, so the runtime calls [Router.Invoke] with the raw payload and no
// reflection happens per call.
//
// Register every trigger before the first Invoke; a Router is safe for concurrent use
// after that.
type Router struct {
	logger               *slog.Logger
	stack                []Middleware // every chain's middleware, outermost first
	errorMessage         string
	exposeInternalErrors bool
	routes               map[Trigger]*route
}

type route struct {
	newEvent func() Event
	next     Next        // the chain inside the router's middleware
	policy   ErrorPolicy // what a failure of the chain means for the invocation
}

// RouterConfig configures [NewRouter]. The zero value is the usual configuration: JSON
// logs on stderr, a 4.5-second budget, the generic error text, no metrics.
type RouterConfig struct {
	// Logger receives the router's log lines and is put in every chain's context (see
	// [Logger]). Nil means [DefaultLogger].
	Logger *slog.Logger
	// Budget is how long a trigger may run (see [Budget]): the chain's context is
	// cancelled when it is spent, and a chain that has not returned [BudgetGrace] later
	// is abandoned, so that the invocation answers without it. Zero means
	// [DefaultBudget]; [NoBudget], or any negative value, turns the budget off.
	Budget time.Duration
	// Middleware runs around every trigger's chain, inside the router's own (Log,
	// Budget, Recover), the first outermost. Nil entries are skipped. Empty means none.
	Middleware []Middleware
	// ErrorMessage is the text the end user sees when a module fails with an error that
	// is not a rejection. Empty means [DefaultErrorMessage].
	ErrorMessage string
	// ExposeInternalErrors, when true, returns every error's own text to Cognito instead
	// of ErrorMessage. It helps while developing against a local user pool; in
	// production it can show internals such as AWS error messages to end users. The
	// default, false, keeps them in the log.
	ExposeInternalErrors bool
	// Metrics, when not nil, makes the router write CloudWatch metrics (see
	// [MetricsConfig]), as the innermost middleware, inside Middleware. Nil writes none.
	Metrics *MetricsConfig
}

// NoBudget is the [RouterConfig] Budget that turns the budget off: a chain runs as long
// as the function's timeout lets it.
const NoBudget time.Duration = -1

// NewRouter returns a router with no triggers registered. It accepts every config: each
// field's zero value means its default, and a negative Budget turns the budget off.
//
// Every chain runs inside one middleware stack, composed once at registration, outermost
// first: [Log] (so that it sees every outcome, an abandoned chain's included), [Budget],
// [Recover], then cfg.Middleware, then the metrics. What a chain's error then means is
// the trigger's: see [Router.Handle].
func NewRouter(cfg RouterConfig) *Router {
	r := &Router{
		logger:               cfg.Logger,
		errorMessage:         cfg.ErrorMessage,
		exposeInternalErrors: cfg.ExposeInternalErrors,
		routes:               make(map[Trigger]*route),
	}
	if r.logger == nil {
		r.logger = DefaultLogger()
	}
	if r.errorMessage == "" {
		r.errorMessage = DefaultErrorMessage
	}
	budget := cfg.Budget
	if budget == 0 {
		budget = DefaultBudget
	}
	r.stack = append([]Middleware{Log(r.logger), Budget(budget), Recover()}, cfg.Middleware...)
	if cfg.Metrics != nil {
		r.stack = append(r.stack, observeMiddleware(&layer{metrics: newMetrics(*cfg.Metrics, os.Getenv)}))
	}
	return r
}

// DefaultLogger returns the logger a router uses when given none: JSON on stderr, at the
// level named by LOG_LEVEL.
func DefaultLogger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// Register registers h as the chain of E's trigger, as the router's method named for the
// trigger does: Register(r, h) with a Handler[PreSignUpEvent] is r.PreSignUp(h). It
// panics when h is nil or E is not one of the package's event types.
func Register[E any, P interface {
	*E
	Event
}](r *Router, h Handler[E]) *Router {
	if h == nil {
		panic("triggers: nil handler")
	}
	trigger := P(new(E)).Trigger()
	if d := descriptorOf(trigger); d == nil || !d.takes(P(new(E))) {
		panic(fmt.Sprintf("triggers: %T is not the event type of a trigger", P(nil)))
	}
	r.routes[trigger] = &route{
		newEvent: func() Event { return P(new(E)) },
		next:     wrapNext[E, P](h, r.stack),
		policy:   trigger.ErrorPolicy(),
	}
	return r
}

// Registered reports the triggers that have a chain, in [Triggers] order.
func (r *Router) Registered() []Trigger {
	var out []Trigger
	for _, t := range Triggers {
		if r.routes[t] != nil {
			out = append(out, t)
		}
	}
	return out
}

// Error types returned to Lambda in errorType, so that operators can tell a rejection
// from a failure in the function's metrics and logs.
const (
	ErrorTypeRejected     = "Rejected"
	ErrorTypeInvalidEvent = "InvalidEvent"
	ErrorTypeInternal     = "InternalError"
	// ErrorTypeConfiguration is an event of a trigger the router has no chain for: the
	// function is attached to a trigger it was not built for.
	ErrorTypeConfiguration = "ConfigurationError"
)

// InvokeError is the error a failed invocation returns: the text Cognito shows the end
// user and the errorType Lambda reports. Cognito shows it as
// "<Trigger> failed with error <Message>.".
type InvokeError struct {
	Trigger Trigger // "" when the event did not name a known trigger
	Message string
	Type    string
}

func (e *InvokeError) Error() string { return e.Message }

// Text returns the error as Cognito words it for the end user.
func (e *InvokeError) Text() string {
	name := string(e.Trigger)
	if name == "" {
		name = "Lambda"
	}
	return fmt.Sprintf("%s failed with error %s.", name, e.Message)
}

// InvokeErrorOf returns err, as a [Function] returned it for an event of trigger, as the
// error Lambda reports: the message and errorType of an InvokeError or of aws-lambda-go's
// messages.InvokeResponse_Error, and for any other error its text and
// [ErrorTypeInternal]. Its [InvokeError.Text] is what the end user sees.
func InvokeErrorOf(trigger Trigger, err error) *InvokeError {
	msg, typ := errorMessage(err)
	return &InvokeError{Trigger: trigger, Message: msg, Type: typ}
}

// Invoke implements aws-lambda-go's lambda.Handler. On failure it returns the error as
// aws-lambda-go's messages.InvokeResponse_Error, so that Lambda reports the user-facing
// message and an errorType of Rejected, InvalidEvent, InternalError or ConfigurationError.
func (r *Router) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, ierr := r.Handle(ctx, payload)
	if ierr != nil {
		return nil, messages.InvokeResponse_Error{Message: ierr.Message, Type: ierr.Type}
	}
	return out, nil
}

// Handle runs one event and returns the response event JSON, or the user-facing error.
// It is [Router.Invoke] for callers outside the Lambda runtime (the local server, the
// -event mode, tests).
//
// It is one pipeline: decode the event into its trigger's type; run the chain inside the
// router's middleware (see [NewRouter]); apply the trigger's on-error policy to what the
// chain returned; encode the response. The policy of post confirmation and post
// authentication is best-effort, since the user is confirmed or signed in already: an
// error is logged and the response returned, unless it wraps [ErrCritical]. A chain
// abandoned at the budget ([ErrAbandoned]) still holds the event, so a best-effort
// trigger then answers with Cognito's own request, which leaves everything as it was.
// Every other trigger fails with the error: a rejection's own text, or the generic one.
func (r *Router) Handle(ctx context.Context, payload []byte) ([]byte, *InvokeError) {
	src, _, err := peekHeader(payload)
	if err != nil {
		return nil, r.invalid("", err)
	}
	trigger := src.Trigger()
	rt := r.routes[trigger]
	if rt == nil {
		msg := fmt.Sprintf("no chain registered for trigger %s (triggerSource %s): register one with Router.%s, "+
			"or detach the function from this trigger", trigger, src, trigger)
		r.logger.LogAttrs(ctx, slog.LevelError, "configuration error", slog.String("error", msg))
		return nil, &InvokeError{Trigger: trigger, Message: msg, Type: ErrorTypeConfiguration}
	}
	e := rt.newEvent()
	if err := decodeEvent(payload, e); err != nil {
		return nil, r.invalid(trigger, err)
	}
	if err := rt.next(ctx, e); err != nil {
		if rt.policy != BestEffort || errors.Is(err, ErrCritical) {
			return nil, r.publicError(trigger, err)
		}
		if errors.Is(err, ErrAbandoned) {
			return payload, nil
		}
	}
	out, err := appendEvent(make([]byte, 0, len(payload)+64), e)
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "encode response", slog.String("error", err.Error()))
		return nil, &InvokeError{Trigger: trigger, Message: r.errorMessage, Type: ErrorTypeInternal}
	}
	return out, nil
}

func (r *Router) invalid(trigger Trigger, err error) *InvokeError {
	r.logger.LogAttrs(context.Background(), slog.LevelError, "invalid event", slog.String("error", err.Error()))
	return &InvokeError{Trigger: trigger, Message: err.Error(), Type: ErrorTypeInvalidEvent}
}

// publicError turns a chain's error into what Cognito is told: a rejection's own text,
// or the generic text for any other error (its own with ExposeInternalErrors, but for an
// abandoned chain, whose error says nothing the end user can act on).
func (r *Router) publicError(trigger Trigger, err error) *InvokeError {
	if rej, ok := AsRejection(err); ok {
		return &InvokeError{Trigger: trigger, Message: rej.Message, Type: ErrorTypeRejected}
	}
	msg := r.errorMessage
	if r.exposeInternalErrors && !errors.Is(err, ErrAbandoned) {
		msg = err.Error()
	}
	return &InvokeError{Trigger: trigger, Message: msg, Type: ErrorTypeInternal}
}
