package triggers_test

import (
	"io"

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
	opts := []triggers.Option{triggers.WithLogger(codecDiscardLogger()),
		triggers.WithMetrics(triggers.MetricsConfig{Output: io.Discard})}
	if traced {
		opts = append(opts, triggers.WithMiddleware(tracing.Middleware(noop.NewTracerProvider())))
	}
	return triggers.NewRouter(opts...).PreSignUp(h)
}
