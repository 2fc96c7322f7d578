package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
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
	cfg    config
	routes map[Trigger]*route
}

type route struct {
	newEvent func() Event
	next     Next
}

// Option configures a [Router].
type Option func(*config)

type config struct {
	logger       *slog.Logger
	budget       time.Duration
	middleware   []Middleware
	errorMessage string
	exposeErrors bool
}

// WithLogger sets the logger; the default writes JSON to stderr at the level named by the
// LOG_LEVEL environment variable (debug, info, warn, error; info when unset).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithBudget sets how long a trigger may run. The chain's context is cancelled when the
// budget is spent, and a chain that has not returned [BudgetGrace] later is abandoned:
// the invocation answers without it (see [Router.Handle]). The default is
// [DefaultBudget]; zero or less turns the budget off.
func WithBudget(d time.Duration) Option { return func(c *config) { c.budget = d } }

// WithMiddleware adds middleware inside the defaults (Log, Recover), in the order
// given, around every trigger's chain.
func WithMiddleware(mws ...Middleware) Option {
	return func(c *config) { c.middleware = append(c.middleware, mws...) }
}

// WithErrorMessage sets the text the end user sees when a module fails with an error that
// is not a rejection. The default is [DefaultErrorMessage].
func WithErrorMessage(msg string) Option { return func(c *config) { c.errorMessage = msg } }

// WithInternalErrors returns every error's own text to Cognito instead of the generic
// message. It helps while developing against a local user pool; in production it can
// show internals such as AWS error messages to end users.
func WithInternalErrors() Option { return func(c *config) { c.exposeErrors = true } }

// NewRouter returns a router with no triggers registered. The default middleware, outermost
// first, is Log (so that it sees panics as errors) and Recover; the router enforces the
// budget itself, around both.
func NewRouter(opts ...Option) *Router {
	cfg := config{budget: DefaultBudget, errorMessage: DefaultErrorMessage}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = DefaultLogger()
	}
	return &Router{cfg: cfg, routes: make(map[Trigger]*route)}
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
	mws := append([]Middleware{Log(r.cfg.logger), Recover()}, r.cfg.middleware...)
	trigger := P(new(E)).Trigger()
	if d := descriptorOf(trigger); d == nil || !d.takes(P(new(E))) {
		panic(fmt.Sprintf("triggers: %T is not the event type of a trigger", P(nil)))
	}
	r.routes[trigger] = &route{
		newEvent: func() Event { return P(new(E)) },
		next:     compose(func(ctx context.Context, e Event) error { return h(ctx, (*E)(e.(P))) }, mws),
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
		r.cfg.logger.LogAttrs(ctx, slog.LevelError, "configuration error", slog.String("error", msg))
		return nil, &InvokeError{Trigger: trigger, Message: msg, Type: ErrorTypeConfiguration}
	}
	e := rt.newEvent()
	if err := decodeEvent(payload, e); err != nil {
		return nil, r.invalid(trigger, err)
	}
	err, finished := r.run(ctx, rt, e)
	if !finished {
		r.cfg.logger.LogAttrs(ctx, slog.LevelError, "trigger abandoned: the chain ignored its context past the budget",
			slog.String("triggerSource", string(src)), slog.Duration("budget", r.cfg.budget))
		if trigger == TriggerPostConfirmation {
			// The user is confirmed already; the chain still holds the event, so answer
			// with Cognito's own request, which leaves everything as it was.
			return payload, nil
		}
		return nil, &InvokeError{Trigger: trigger, Message: r.cfg.errorMessage, Type: ErrorTypeInternal}
	}
	if err != nil {
		if ierr := r.publicError(trigger, err); ierr != nil {
			return nil, ierr
		}
	}
	out, err := appendEvent(make([]byte, 0, len(payload)+64), e)
	if err != nil {
		r.cfg.logger.LogAttrs(ctx, slog.LevelError, "encode response", slog.String("error", err.Error()))
		return nil, &InvokeError{Trigger: trigger, Message: r.cfg.errorMessage, Type: ErrorTypeInternal}
	}
	return out, nil
}

// BudgetGrace is how long the router waits, after the budget is spent and the chain's
// context cancelled, for the chain to return before it answers without it.
const BudgetGrace = 20 * time.Millisecond

// run runs the route's chain within the budget, on a worker goroutine (see [worker]). A
// chain that honours its context returns in time; one that does not is left running on
// its worker, which is never reused, and run reports it unfinished.
func (r *Router) run(ctx context.Context, rt *route, e Event) (err error, finished bool) {
	if r.cfg.budget <= 0 {
		return rt.next(ctx, e), true
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.budget)
	defer cancel()
	w := getWorker()
	w.jobs <- job{ctx: ctx, next: rt.next, e: e}
	select {
	case err := <-w.done:
		idleWorkers.Put(w)
		return err, true
	case <-ctx.Done():
	}
	grace := time.NewTimer(BudgetGrace)
	defer grace.Stop()
	select {
	case err := <-w.done:
		idleWorkers.Put(w)
		return err, true
	case <-grace.C:
		w.abandon()
		return nil, false
	}
}

// worker is a goroutine that runs chains, one at a time, for any router. Chains run off
// the caller's goroutine so that one that ignores its context can be left behind at the
// budget; a worker kept from one invocation to the next keeps the stack its chains grew,
// where a goroutine started per invocation would start small and grow, and copy, its
// stack every time.
//
// Idle workers wait in idleWorkers, so that concurrent invocations each take one of
// their own and an idle one the garbage collector drops from the pool ends (its cleanup
// closes jobs). A worker whose chain was abandoned is never put back: it ends once the
// chain returns.
type worker struct {
	jobs    chan job   // unbuffered; closed to end the goroutine
	done    chan error // the chain's result, buffered so that an abandoned chain can still hand it in
	cleanup runtime.Cleanup
}

type job struct {
	ctx  context.Context
	next Next
	e    Event
}

var idleWorkers sync.Pool

func getWorker() *worker {
	if w, ok := idleWorkers.Get().(*worker); ok {
		return w
	}
	w := &worker{jobs: make(chan job), done: make(chan error, 1)}
	go work(w.jobs, w.done)
	w.cleanup = runtime.AddCleanup(w, closeJobs, w.jobs)
	return w
}

func closeJobs(jobs chan job) { close(jobs) }

// abandon ends the worker once its current chain returns.
func (w *worker) abandon() {
	w.cleanup.Stop()
	close(w.jobs)
}

// work runs the jobs it receives until jobs is closed. It holds no reference to its
// worker, so that an idle worker dropped from the pool can be collected.
func work(jobs <-chan job, done chan<- error) {
	for j := range jobs {
		done <- j.next(j.ctx, j.e)
	}
}

func (r *Router) invalid(trigger Trigger, err error) *InvokeError {
	r.cfg.logger.LogAttrs(context.Background(), slog.LevelError, "invalid event", slog.String("error", err.Error()))
	return &InvokeError{Trigger: trigger, Message: err.Error(), Type: ErrorTypeInvalidEvent}
}

// publicError turns a chain's error into what Cognito is told, or nil when the trigger
// must succeed anyway (a post confirmation failure that is not critical).
func (r *Router) publicError(trigger Trigger, err error) *InvokeError {
	if trigger == TriggerPostConfirmation && !errors.Is(err, ErrCritical) {
		return nil
	}
	if rej, ok := AsRejection(err); ok {
		return &InvokeError{Trigger: trigger, Message: rej.Message, Type: ErrorTypeRejected}
	}
	msg := r.cfg.errorMessage
	if r.cfg.exposeErrors {
		msg = err.Error()
	}
	return &InvokeError{Trigger: trigger, Message: msg, Type: ErrorTypeInternal}
}
