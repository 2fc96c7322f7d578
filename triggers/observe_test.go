package triggers_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// durations is an Observer that keeps the durations it is told.
type durations struct {
	mu          sync.Mutex
	invocations []time.Duration
	modules     map[string]time.Duration
}

func (d *durations) StartInvocation(ctx context.Context, _ triggers.Event) context.Context {
	return ctx
}
func (d *durations) StartModule(ctx context.Context, _ triggers.Event, _ string) context.Context {
	return ctx
}

func (d *durations) EndInvocation(_ context.Context, _ triggers.Event, o triggers.Outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.invocations = append(d.invocations, o.Duration)
}

func (d *durations) EndModule(_ context.Context, _ triggers.Event, module string, o triggers.Outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.modules == nil {
		d.modules = map[string]time.Duration{}
	}
	d.modules[module] = o.Duration
}

// TestObservedDurations checks the durations observers are told when several observe
// one invocation, the metrics among them: each is the time its own part ran, for the
// layers of the router's middleware as for one wrapped around a part of the chain.
func TestObservedDurations(t *testing.T) {
	t.Parallel()
	outer, inner, part := &durations{}, &durations{}, &durations{}
	sleep := func(d time.Duration) triggers.Handler[triggers.PreSignUpEvent] {
		return func(context.Context, *triggers.PreSignUpEvent) error { time.Sleep(d); return nil }
	}
	r := quietRouter(triggers.RouterConfig{
		Middleware: []triggers.Middleware{triggers.Observe(outer), triggers.Observe(inner)},
		Metrics:    &triggers.MetricsConfig{Output: io.Discard},
	}).PreSignUp(triggers.Chain(
		sleep(15*time.Millisecond),
		triggers.Wrap(triggers.Named("Slow", sleep(20*time.Millisecond)), triggers.Observe(part)),
	))
	start := time.Now()
	if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr != nil {
		t.Fatal(ierr.Message)
	}
	took := time.Since(start)
	for name, o := range map[string]*durations{"outer": outer, "inner": inner, "part": part} {
		if len(o.invocations) != 1 {
			t.Fatalf("%s observer saw %d invocations", name, len(o.invocations))
		}
	}
	if d := outer.invocations[0]; d < 35*time.Millisecond || d > took {
		t.Errorf("outer observer: invocation took %v, want between 35ms and %v", d, took)
	}
	if d := inner.invocations[0]; d < 35*time.Millisecond || d > outer.invocations[0] {
		t.Errorf("inner observer: invocation took %v, want between 35ms and the outer's %v", d, outer.invocations[0])
	}
	if d := part.invocations[0]; d < 20*time.Millisecond || d > inner.invocations[0]-15*time.Millisecond {
		t.Errorf("observer of a part: %v of the invocation's %v, want at least 20ms and not the 15ms before it",
			d, inner.invocations[0])
	}
	for name, o := range map[string]*durations{"outer": outer, "inner": inner, "part": part} {
		if d := o.modules["Slow"]; d < 20*time.Millisecond || d > part.invocations[0] {
			t.Errorf("%s observer: module took %v, want between 20ms and its part's %v", name, d, part.invocations[0])
		}
	}
}
