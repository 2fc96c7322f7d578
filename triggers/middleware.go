package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Next is a trigger handler seen by middleware: any event, through the [Event] interface.
type Next func(ctx context.Context, e Event) error

// Middleware wraps a handler with behaviour shared by every trigger: recovery, a time
// budget, logging. It is a plain function from handler to handler, as net/http's are.
type Middleware func(next Next) Next

// Wrap returns h wrapped in mws; the first middleware is the outermost, so
// Wrap(h, a, b) runs a, then b, then h. Nil middleware is skipped. Wrapping happens once,
// here, as the router does for the chains registered on it.
func Wrap[E any, P interface {
	*E
	Event
}](h Handler[E], mws ...Middleware) Handler[E] {
	next := wrapNext[E, P](h, mws)
	return func(ctx context.Context, e *E) error { return next(ctx, P(e)) }
}

// wrapNext is h seen as a [Next], wrapped in mws: the one composition of both [Wrap] and
// the router.
func wrapNext[E any, P interface {
	*E
	Event
}](h Handler[E], mws []Middleware) Next {
	next := Next(func(ctx context.Context, e Event) error { return h(ctx, (*E)(e.(P))) })
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			next = mws[i](next)
		}
	}
	return next
}

// Recover turns a panic in the handler into a [*PanicError], so that one bad event fails
// one invocation and the process keeps serving.
func Recover() Middleware {
	return func(next Next) Next {
		return func(ctx context.Context, e Event) (err error) {
			defer recoverTo(&err)
			return next(ctx, e)
		}
	}
}

// recoverTo turns a panic into a [*PanicError] in *err: the one recovery of the package,
// deferred directly (defer recoverTo(&err)) by [Recover], [Parallel], [Budget]'s workers
// and the observed invocations and modules.
func recoverTo(err *error) {
	if v := recover(); v != nil {
		*err = &PanicError{Value: v, Stack: debug.Stack()}
	}
}

// DefaultBudget is the time a trigger may take. Cognito waits 5 seconds for an answer and
// then gives up (and may retry), so the budget leaves room to encode the response and
// send it back.
const DefaultBudget = 4500 * time.Millisecond

// BudgetGrace is how long [Budget] waits, after the budget is spent and the context
// cancelled, for the handler to return before it answers without it.
const BudgetGrace = 20 * time.Millisecond

// ErrAbandoned is the error [Budget] returns for a handler that ignored its context and
// had not returned [BudgetGrace] after the budget was spent. The handler may still be
// running and writing its event: the caller must not read the event any more.
var ErrAbandoned = errors.New("trigger abandoned: the chain ignored its context past the budget")

// Budget caps the context's deadline at d from the start of the invocation, whatever the
// function timeout is, so that modules that honour ctx give up in time for Cognito to
// hear the answer. The handler runs on a worker goroutine (its panic becomes a
// [*PanicError] there, as with [Recover]); one that has not returned [BudgetGrace] after
// the deadline is left running on its worker, and Budget returns an error wrapping
// [ErrAbandoned]. A d of zero or less leaves the context as it is and runs the handler
// on the caller's goroutine.
func Budget(d time.Duration) Middleware {
	return func(next Next) Next {
		if d <= 0 {
			return next
		}
		return func(ctx context.Context, e Event) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return runWithin(ctx, d, next, e)
		}
	}
}

// runWithin runs next on a worker goroutine (see [worker]) until ctx, which has the
// budget's deadline, is done and BudgetGrace more has passed. A handler that honours its
// context returns in time; one that does not is left running on its worker, which is
// never reused.
func runWithin(ctx context.Context, budget time.Duration, next Next, e Event) error {
	w := getWorker()
	w.jobs <- job{ctx: ctx, next: next, e: e}
	select {
	case err := <-w.done:
		idleWorkers.Put(w)
		return err
	case <-ctx.Done():
	}
	grace := time.NewTimer(BudgetGrace)
	defer grace.Stop()
	select {
	case err := <-w.done:
		idleWorkers.Put(w)
		return err
	case <-grace.C:
		w.abandon()
		return fmt.Errorf("%w of %v", ErrAbandoned, budget)
	}
}

// worker is a goroutine that runs handlers, one at a time, for any [Budget]. Handlers
// run off the caller's goroutine so that one that ignores its context can be left
// behind at the budget; a worker kept from one invocation to the next keeps the stack
// its handlers grew, where a goroutine started per invocation would start small and
// grow, and copy, its stack every time.
//
// Idle workers wait in idleWorkers, so that concurrent invocations each take one of
// their own and an idle one the garbage collector drops from the pool ends (its cleanup
// closes jobs). A worker whose handler was abandoned is never put back: it ends once the
// handler returns.
type worker struct {
	jobs    chan job   // unbuffered; closed to end the goroutine
	done    chan error // the handler's result, buffered so that an abandoned one can still hand it in
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

// abandon ends the worker once its current handler returns.
func (w *worker) abandon() {
	w.cleanup.Stop()
	close(w.jobs)
}

// work runs the jobs it receives until jobs is closed. It holds no reference to its
// worker, so that an idle worker dropped from the pool can be collected.
func work(jobs <-chan job, done chan<- error) {
	for j := range jobs {
		done <- j.run()
	}
}

// run runs the job's handler; a panic, which cannot reach the caller's goroutine from
// here, becomes its error.
func (j job) run() (err error) {
	defer recoverTo(&err)
	return j.next(j.ctx, j.e)
}

// Log puts logger in the context (see [Logger]) and logs each invocation's outcome: at
// debug level the redacted event and response, failures at error level with the full
// error, rejections at info level. Events log through their LogValue methods, which leave
// out passwords, answers, codes, tokens and private parameters.
func Log(logger *slog.Logger) Middleware {
	return func(next Next) Next {
		return func(ctx context.Context, e Event) error {
			ctx = ContextWithLogger(ctx, logger)
			src := e.EventHeader().TriggerSource
			debug := logger.Enabled(ctx, slog.LevelDebug)
			if debug {
				logEvent(ctx, logger, "event", e)
			}
			err := next(ctx, e)
			switch {
			case err == nil:
				if debug {
					logEvent(ctx, logger, "response", e)
				}
			case errors.Is(err, ErrAbandoned):
				// The handler may still be writing e: log what was read before it ran.
				logAbandoned(ctx, logger, src, err)
			default:
				logOutcome(ctx, logger, e, err)
			}
			return err
		}
	}
}

// logEvent and logOutcome are out of line so that the frame Log keeps on the stack of
// every invocation stays small.
//
//go:noinline
func logEvent(ctx context.Context, logger *slog.Logger, msg string, e Event) {
	logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.Any("event", e))
}

//go:noinline
func logAbandoned(ctx context.Context, logger *slog.Logger, src TriggerSource, err error) {
	logger.LogAttrs(ctx, slog.LevelError, "trigger failed", slog.String("triggerSource", string(src)),
		slog.String("error", err.Error()))
}

//go:noinline
func logOutcome(ctx context.Context, logger *slog.Logger, e Event, err error) {
	if r, ok := AsRejection(err); ok {
		attrs := []slog.Attr{slog.String("triggerSource", string(e.EventHeader().TriggerSource)),
			slog.String("message", r.Message)}
		if r.Cause != nil {
			attrs = append(attrs, slog.String("cause", r.Cause.Error()))
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "rejected", attrs...)
		return
	}
	attrs := []slog.Attr{slog.String("triggerSource", string(e.EventHeader().TriggerSource)),
		slog.String("error", err.Error())}
	if p, ok := err.(*PanicError); ok {
		attrs = append(attrs, slog.String("stack", string(p.Stack)))
	}
	logger.LogAttrs(ctx, slog.LevelError, "trigger failed", attrs...)
}

type loggerKey struct{}

// ContextWithLogger returns a context that carries logger for [Logger].
func ContextWithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// Logger returns the logger the router put in ctx, or slog.Default() when there is none.
// Modules log through it so that their lines carry the router's handler and level.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
