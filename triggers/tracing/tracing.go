// Package tracing opens an OpenTelemetry span for each invocation of a trigger and for
// each module given a name with [triggers.Named], over the OpenTelemetry trace API
// only: the function brings its own tracer provider and exporter (the AWS Distro for
// OpenTelemetry layer, an OTLP exporter, X-Ray through the collector). It is a package
// of its own so that functions that do not trace do not link OpenTelemetry.
//
//	tp := sdktrace.NewTracerProvider(...) // the application's own provider
//	router := triggers.NewRouter(triggers.RouterConfig{Middleware: []triggers.Middleware{tracing.Middleware(tp)}}).
//		PreSignUp(presignup.Chain(
//			triggers.Named("DenyDomains", deny),
//			triggers.Named("RateLimit", limit),
//		))
//
// The invocation's span is named after the trigger ("PreSignUp") and each module's after
// the module ("RateLimit"), a child of the invocation's. Both carry the trigger source and
// the user pool; a module's carries its name; neither carries anything about the user.
// A span ends with the invocation's or module's result (cognito.result: ok, rejected,
// internal_error, panic, budget_overrun); all but ok and rejected record the error and
// set the span's status to Error. A rejection is a deliberate answer, not a failure.
//
// A module runs with its span in its context, so AWS SDK calls it makes become child
// spans once the SDK is instrumented as OpenTelemetry's aws-sdk-go-v2 instrumentation
// documents (its middleware appended to the aws.Config's APIOptions).
package tracing

import (
	"context"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambda-triggers/cognito/triggers"
)

// ScopeName is the instrumentation scope the spans are created under.
const ScopeName = "github.com/lambda-triggers/cognito/triggers/tracing"

// Span attribute keys.
const (
	AttrTrigger       = attribute.Key("cognito.trigger")
	AttrTriggerSource = attribute.Key("cognito.trigger_source")
	AttrUserPoolID    = attribute.Key("cognito.user_pool_id")
	AttrModule        = attribute.Key("cognito.module")
	AttrResult        = attribute.Key("cognito.result")
)

// Middleware returns middleware that traces every invocation it wraps, and the named
// modules inside it, with tracers from tp. Add it to [triggers.RouterConfig] Middleware, or
// around a chain with [triggers.Wrap]. A nil tp traces nothing.
func Middleware(tp trace.TracerProvider) triggers.Middleware {
	if tp == nil {
		return nil
	}
	return triggers.Observe(&observer{tracer: tp.Tracer(ScopeName)})
}

// observer implements [triggers.Observer]. Span start options are built once per trigger
// source and module and kept, so that a span costs no allocation of this package's own.
type observer struct {
	tracer trace.Tracer

	// invocation holds the options of the last invocation span started, so that a
	// function serving one trigger source of one user pool, the usual case, finds them
	// without the lock and the map.
	invocation atomic.Pointer[cachedOptions]

	mu      sync.RWMutex
	options map[optionKey]*cachedOptions
}

type cachedOptions struct {
	key  optionKey
	opts []trace.SpanStartOption
}

type optionKey struct {
	source     triggers.TriggerSource
	userPoolID string
	module     string
}

// maxCachedOptions bounds the cache, should a function see many user pools.
const maxCachedOptions = 1024

var resultAttrs = func() (out [5][]attribute.KeyValue) {
	for r := range out {
		out[r] = []attribute.KeyValue{AttrResult.String(triggers.Result(r).String())}
	}
	return out
}()

func (o *observer) startOptions(e triggers.Event, module string) []trace.SpanStartOption {
	h := e.EventHeader()
	key := optionKey{source: h.TriggerSource, userPoolID: h.UserPoolID, module: module}
	if module == "" {
		if c := o.invocation.Load(); c != nil && c.key == key {
			return c.opts
		}
	}
	o.mu.RLock()
	c, ok := o.options[key]
	o.mu.RUnlock()
	if !ok {
		attrs := []attribute.KeyValue{
			AttrTrigger.String(string(e.Trigger())),
			AttrTriggerSource.String(string(h.TriggerSource)),
			AttrUserPoolID.String(h.UserPoolID),
		}
		if module != "" {
			attrs = append(attrs, AttrModule.String(module))
		}
		c = &cachedOptions{key: key, opts: []trace.SpanStartOption{
			trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...)}}
		o.mu.Lock()
		if o.options == nil {
			o.options = make(map[optionKey]*cachedOptions)
		}
		if len(o.options) < maxCachedOptions {
			o.options[key] = c
		}
		o.mu.Unlock()
	}
	if module == "" {
		o.invocation.Store(c)
	}
	return c.opts
}

// StartInvocation implements [triggers.Observer].
func (o *observer) StartInvocation(ctx context.Context, e triggers.Event) context.Context {
	ctx, _ = o.tracer.Start(ctx, string(e.Trigger()), o.startOptions(e, "")...)
	return ctx
}

// EndInvocation implements [triggers.Observer].
func (o *observer) EndInvocation(ctx context.Context, _ triggers.Event, out triggers.Outcome) {
	end(trace.SpanFromContext(ctx), out)
}

// StartModule implements [triggers.Observer].
func (o *observer) StartModule(ctx context.Context, e triggers.Event, module string) context.Context {
	ctx, _ = o.tracer.Start(ctx, module, o.startOptions(e, module)...)
	return ctx
}

// EndModule implements [triggers.Observer].
func (o *observer) EndModule(ctx context.Context, _ triggers.Event, _ string, out triggers.Outcome) {
	end(trace.SpanFromContext(ctx), out)
}

func end(span trace.Span, out triggers.Outcome) {
	if int(out.Result) < len(resultAttrs) {
		span.SetAttributes(resultAttrs[out.Result]...)
	}
	switch out.Result {
	case triggers.ResultOK, triggers.ResultRejected:
	default:
		if out.Err != nil {
			span.RecordError(out.Err)
		}
		span.SetStatus(codes.Error, out.Result.String())
	}
	span.End()
}
