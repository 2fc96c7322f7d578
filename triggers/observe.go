package triggers

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Observer is told when an invocation starts and ends, and when each module given a
// name with [Named] starts and ends inside it. Tracing implements it (see package
// triggers/tracing); the router's metrics ([RouterConfig] Metrics) are built on the same
// hooks. Add one to a router with [Observe] in [RouterConfig] Middleware.
//
// Start methods return the context the invocation or module runs with, so that an
// observer can put a span in it; End methods get that context back. An observer must be
// safe for concurrent use: modules under [Parallel] start and end at the same time.
type Observer interface {
	StartInvocation(ctx context.Context, e Event) context.Context
	EndInvocation(ctx context.Context, e Event, o Outcome)
	StartModule(ctx context.Context, e Event, module string) context.Context
	EndModule(ctx context.Context, e Event, module string, o Outcome)
}

// Result says how an invocation or a module ended. The kinds are disjoint: a panic is
// not also counted as an internal error.
type Result uint8

// The results, in the order [Outcome] tells them apart: a panic first, then a
// rejection, then an error after the budget was spent, then any other error.
const (
	ResultOK            Result = iota // returned nil
	ResultRejected                    // returned a [RejectError]
	ResultInternalError               // returned any other error
	ResultPanic                       // panicked (also a [PanicError] returned by a recovering chain)
	ResultBudgetOverrun               // returned an error once the context's deadline had passed
)

var resultNames = [...]string{"ok", "rejected", "internal_error", "panic", "budget_overrun"}

// String names the result in lower case, as spans and logs show it.
func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "unknown"
}

// Outcome is how an invocation or a module ended: its result, the error it returned (nil
// for a panic still unwinding and for success) and how long it ran.
type Outcome struct {
	Result   Result
	Err      error
	Duration time.Duration
}

func classify(ctx context.Context, err error) Result {
	if err == nil {
		return ResultOK
	}
	if _, ok := err.(*PanicError); ok {
		return ResultPanic
	}
	if _, ok := AsRejection(err); ok {
		return ResultRejected
	}
	var p *PanicError
	if errors.As(err, &p) {
		return ResultPanic
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ResultBudgetOverrun
	}
	return ResultInternalError
}

// Observe returns middleware that reports each invocation, and each module given a name
// with [Named] within it, to o. A nil o observes nothing. In [RouterConfig] Middleware it
// runs inside the router's Recover and Budget, so that o sees panics and budget
// overruns as such.
func Observe(o Observer) Middleware {
	if o == nil {
		return nil
	}
	return observeMiddleware(&layer{observer: o})
}

// layer is one Observe middleware's part of an invocation: an [Observer], or the
// router's metrics.
type layer struct {
	observer Observer
	metrics  *metrics
}

func observeMiddleware(l *layer) Middleware {
	return func(next Next) Next {
		return func(ctx context.Context, e Event) error {
			// Within another Observe middleware's invocation, this layer joins it rather
			// than making a context of its own: one allocation per invocation in all.
			// Only the layer that makes the invocation reads the wall clock, for its
			// start; every other time is an offset from that start on the monotonic
			// clock, one reading where time.Now makes two.
			inv, _ := ctx.Value(invocationKey{}).(*invocation)
			var run context.Context = ctx
			var start time.Duration
			if inv == nil || !inv.join(l) {
				inv = &invocation{Context: ctx, start: time.Now()}
				inv.join(l)
				run = inv
			} else {
				start = time.Since(inv.start)
			}
			if l.observer != nil {
				run = l.observer.StartInvocation(run, e)
			}
			err := callRecovered(run, next, e)
			end := time.Since(inv.start)
			o := Outcome{Result: classify(run, err), Err: err, Duration: end - start}
			l.endInvocation(run, inv, e, o, inv.start.Add(end))
			return err
		}
	}
}

// callRecovered runs next, turning a panic into a [*PanicError] as [Recover] does, so
// that the outcome is reported once the stack has unwound. Reporting from a deferred
// function instead would run at the deepest point of the invocation's stack, which
// would have to grow on the chain's worker goroutine.
func callRecovered(ctx context.Context, next Next, e Event) (err error) {
	defer recoverTo(&err)
	return next(ctx, e)
}

//go:noinline
func (l *layer) endInvocation(run context.Context, inv *invocation, e Event, o Outcome, end time.Time) {
	if l.observer != nil {
		l.observer.EndInvocation(run, e, o)
	}
	if l.metrics != nil {
		l.metrics.emit(inv, e, o, end)
	}
}

type invocationKey struct{}

// invocation is the context an observed invocation runs with. It carries what the
// layers record during the invocation, in the same allocation as the context itself.
type invocation struct {
	context.Context
	start   time.Time // the wall and monotonic clock, read once, when the invocation was made
	layers  [maxLayers]*layer
	nlayers int

	mu      sync.Mutex
	modules []moduleRecord
	inline  [8]moduleRecord
	counts  []customCount
}

// moduleRecord is what the metrics write of a named module: its error is not kept, so
// that the records of eight modules fit in the invocation's allocation.
type moduleRecord struct {
	name     string
	result   Result
	duration time.Duration
}

type customCount struct {
	name  string
	value float64
}

// Value returns the invocation itself for invocationKey and asks the parent otherwise.
func (inv *invocation) Value(key any) any {
	if key == (invocationKey{}) {
		return inv
	}
	return inv.Context.Value(key)
}

// join adds l to the layers the invocation's named modules report to, unless it has as
// many as it can hold.
func (inv *invocation) join(l *layer) bool {
	if inv.nlayers == maxLayers {
		return false
	}
	inv.layers[inv.nlayers] = l
	inv.nlayers++
	return true
}

func (inv *invocation) record(name string, o Outcome) {
	inv.mu.Lock()
	if inv.modules == nil {
		inv.modules = inv.inline[:0]
	}
	inv.modules = append(inv.modules, moduleRecord{name: name, result: o.Result, duration: o.Duration})
	inv.mu.Unlock()
}

// maxLayers bounds how many nested Observe middlewares share one invocation; more than
// a router's metrics and a tracer are not expected, and a further one makes its own.
const maxLayers = 4

// Named gives module m a name under which observers see it: the router's metrics count
// its invocations, rejections, errors, panics, budget overruns and duration with a
// Module dimension, and a tracer opens a span for it. Name modules with short, fixed
// names such as "DenyDomains" (never anything taken from an event, which would make
// every user a metric of their own). The wrapping happens once, here; when nothing
// observes the invocation, the named module costs one context lookup per call.
//
// It panics when name is empty or m is nil, as the router does on a nil handler: both
// are mistakes in the code that builds the chain.
func Named[E any, P interface {
	*E
	Event
}](name string, m Handler[E]) Handler[E] {
	if name == "" {
		panic("triggers: Named with an empty name")
	}
	if m == nil {
		panic("triggers: Named(" + name + ") with a nil module")
	}
	return func(ctx context.Context, e *E) error {
		inv, _ := ctx.Value(invocationKey{}).(*invocation)
		if inv == nil {
			return m(ctx, e)
		}
		return runNamed(ctx, inv, name, m, e, P(e))
	}
}

func runNamed[E any](ctx context.Context, inv *invocation, name string, m Handler[E], e *E, ev Event) error {
	var ctxs [maxLayers]context.Context
	layers := inv.layers[:inv.nlayers]
	run := ctx
	for i, l := range layers {
		if l.observer != nil {
			run = l.observer.StartModule(run, ev, name)
		}
		ctxs[i] = run
	}
	// Offsets from the invocation's start: the monotonic clock alone, twice.
	start := time.Since(inv.start)
	err := callModule(run, m, e)
	o := Outcome{Result: classify(run, err), Err: err, Duration: time.Since(inv.start) - start}
	recorded := false
	for i := len(layers) - 1; i >= 0; i-- {
		if l := layers[i]; l.observer != nil {
			l.observer.EndModule(ctxs[i], ev, name, o)
		} else if l.metrics != nil && !recorded {
			inv.record(name, o)
			recorded = true
		}
	}
	return err
}

// callModule is [callRecovered] for a module: its panic becomes its [*PanicError].
func callModule[E any](ctx context.Context, m Handler[E], e *E) (err error) {
	defer recoverTo(&err)
	return m(ctx, e)
}
