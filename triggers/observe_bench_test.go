package triggers_test

import (
	"context"
	"io"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/tracing"
)

// benchFiveNamedModules is benchFiveModules with every module named, so that metrics
// and tracing see each one.
func benchFiveNamedModules() triggers.Handler[triggers.PreSignUpEvent] {
	noop := codecNoop[triggers.PreSignUpEvent]
	return triggers.Chain(triggers.Named("DenyList", benchDenyList), triggers.Named("Noop1", noop),
		triggers.Named("Noop2", noop), triggers.Named("Noop3", noop), triggers.Named("Noop4", noop))
}

// benchObserved is the chain-5 router with metrics written to io.Discard and, with
// traced, spans from OpenTelemetry's no-op tracer, whose only cost is the context that
// carries each span: what the instrumentation itself costs, an exporter's work aside.
func benchObserved(h triggers.Handler[triggers.PreSignUpEvent], traced bool) *triggers.Router {
	cfg := triggers.RouterConfig{Logger: codecDiscardLogger(), Metrics: &triggers.MetricsConfig{Output: io.Discard}}
	if traced {
		cfg.Middleware = []triggers.Middleware{tracing.Middleware(noop.NewTracerProvider())}
	}
	return triggers.NewRouter(cfg).PreSignUp(h)
}

// TestObservedAllocations holds the allocation budget of observation: named modules
// allocate nothing when nothing observes them, metrics add one allocation per
// invocation whatever the number of named modules, and tracing with a tracer that
// allocates nothing of its own adds what OpenTelemetry's context does, one per span.
func TestObservedAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not exact under the race detector")
	}
	payload := benchPayload(t)
	ctx := context.Background()
	allocs := func(r *triggers.Router) float64 {
		if _, ierr := r.Handle(ctx, payload); ierr != nil {
			t.Fatal(ierr)
		}
		return testing.AllocsPerRun(200, func() {
			if _, ierr := r.Handle(ctx, payload); ierr != nil {
				panic(ierr)
			}
		})
	}
	plain := allocs(triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(benchFiveModules()))
	tests := []struct {
		name   string
		router *triggers.Router
		extra  float64
	}{
		{"named, unobserved", triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(benchFiveNamedModules()), 0},
		{"metrics", benchObserved(benchFiveModules(), false), 1},
		{"named, metrics", benchObserved(benchFiveNamedModules(), false), 1},
		{"metrics, tracing", benchObserved(benchFiveModules(), true), 2},
		{"named, metrics, tracing", benchObserved(benchFiveNamedModules(), true), 7},
	}
	for _, tt := range tests {
		if got := allocs(tt.router) - plain; got != tt.extra {
			t.Errorf("%s: %v allocations more than the plain chain's %v, want %v", tt.name, got, plain, tt.extra)
		}
	}
}
