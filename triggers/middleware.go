package triggers

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// Next is a trigger handler seen by middleware: any event, through the [Event] interface.
type Next func(ctx context.Context, e Event) error

// Middleware wraps a handler with behaviour shared by every trigger: recovery, a time
// budget, logging. It is a plain function from handler to handler, as net/http's are.
type Middleware func(next Next) Next

// Wrap returns h wrapped in mws; the first middleware is the outermost, so
// Wrap(h, a, b) runs a, then b, then h. Wrapping happens once, here.
func Wrap[E any, P interface {
	*E
	Event
}](h Handler[E], mws ...Middleware) Handler[E] {
	next := compose(func(ctx context.Context, e Event) error { return h(ctx, (*E)(e.(P))) }, mws)
	return func(ctx context.Context, e *E) error { return next(ctx, P(e)) }
}

func compose(h Next, mws []Middleware) Next {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			h = mws[i](h)
		}
	}
	return h
}

// Recover turns a panic in the handler into a [*PanicError], so that one bad event fails
// one invocation and the process keeps serving.
func Recover() Middleware {
	return func(next Next) Next {
		return func(ctx context.Context, e Event) (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = &PanicError{Value: v, Stack: debug.Stack()}
				}
			}()
			return next(ctx, e)
		}
	}
}

// DefaultBudget is the time a trigger may take. Cognito waits 5 seconds for an answer and
// then gives up (and may retry), so the budget leaves room to encode the response and
// send it back.
const DefaultBudget = 4500 * time.Millisecond

// Budget caps the context's deadline at d from the start of the invocation, whatever the
// function timeout is. Modules that honour ctx then give up in time for Cognito to hear
// the answer. A d of zero or less leaves the context as it is.
func Budget(d time.Duration) Middleware {
	return func(next Next) Next {
		if d <= 0 {
			return next
		}
		return func(ctx context.Context, e Event) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, e)
		}
	}
}

// Log puts logger in the context (see [Logger]) and logs each invocation's outcome: at
// debug level the redacted event and response, failures at error level with the full
// error, rejections at info level. Events log through their LogValue methods, which leave
// out passwords, answers, codes, tokens and private parameters.
func Log(logger *slog.Logger) Middleware {
	return func(next Next) Next {
		return func(ctx context.Context, e Event) error {
			ctx = ContextWithLogger(ctx, logger)
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
			default:
				logOutcome(ctx, logger, e, err)
			}
			return err
		}
	}
}

// logEvent and logOutcome are out of line so that the frame Log keeps on the stack of
// every invocation stays small: the chain runs on a worker goroutine of its own, whose
// stack would otherwise have to grow, and be copied, once it is deeper.
//
//go:noinline
func logEvent(ctx context.Context, logger *slog.Logger, msg string, e Event) {
	logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.Any("event", e))
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
