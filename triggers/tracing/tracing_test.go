package tracing_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/tracing"
)

// recorder is an in-memory tracer provider: it keeps every span it starts, with its
// parent, attributes, errors and status, as an SDK would hand them to an exporter.
type recorder struct {
	embedded.TracerProvider
	mu    sync.Mutex
	spans []*span
	next  byte
}

type recTracer struct {
	embedded.Tracer
	r     *recorder
	scope string
}

type span struct {
	embedded.Span
	r      *recorder
	name   string
	scope  string
	sc     trace.SpanContext
	parent *span
	kind   trace.SpanKind
	attrs  map[attribute.Key]string
	errs   []error
	status codes.Code
	desc   string
	ended  bool
}

func (r *recorder) Tracer(name string, _ ...trace.TracerOption) trace.Tracer {
	return &recTracer{r: r, scope: name}
}

func (t *recTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	cfg := trace.NewSpanStartConfig(opts...)
	t.r.mu.Lock()
	t.r.next++
	s := &span{r: t.r, name: name, scope: t.scope, kind: cfg.SpanKind(), attrs: map[attribute.Key]string{},
		sc: trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{t.r.next}})}
	if p, ok := trace.SpanFromContext(ctx).(*span); ok {
		s.parent = p
	}
	t.r.spans = append(t.r.spans, s)
	t.r.mu.Unlock()
	s.SetAttributes(cfg.Attributes()...)
	return trace.ContextWithSpan(ctx, s), s
}

func (s *span) End(...trace.SpanEndOption)            { s.r.mu.Lock(); s.ended = true; s.r.mu.Unlock() }
func (s *span) AddEvent(string, ...trace.EventOption) {}
func (s *span) AddLink(trace.Link)                    {}
func (s *span) IsRecording() bool                     { return true }
func (s *span) RecordError(err error, _ ...trace.EventOption) {
	s.r.mu.Lock()
	s.errs = append(s.errs, err)
	s.r.mu.Unlock()
}
func (s *span) SpanContext() trace.SpanContext { return s.sc }
func (s *span) SetStatus(c codes.Code, d string) {
	s.r.mu.Lock()
	s.status, s.desc = c, d
	s.r.mu.Unlock()
}
func (s *span) SetName(n string) { s.name = n }
func (s *span) SetAttributes(kv ...attribute.KeyValue) {
	s.r.mu.Lock()
	for _, a := range kv {
		s.attrs[a.Key] = a.Value.String()
	}
	s.r.mu.Unlock()
}
func (s *span) TracerProvider() trace.TracerProvider { return s.r }

func (r *recorder) find(t *testing.T, name string) *span {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.spans {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no span %q", name)
	return nil
}

const preSignUp = `{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"jane","callerContext":{"awsSdkVersion":"x","clientId":"client1"},
"request":{"userAttributes":{"email":"jane@example.com"}},"response":{}}`

// childSpanCall stands in for an instrumented AWS SDK call: it opens a span from the
// context the module was given, as the SDK's OpenTelemetry middleware does.
func childSpanCall(ctx context.Context, name string) {
	_, s := trace.SpanFromContext(ctx).TracerProvider().Tracer("aws-sdk").Start(ctx, name)
	s.End()
}

// TestSpans invokes a router through its Lambda boundary and checks the spans: one per
// invocation and one per named module under it, their attributes and results, the
// errors recorded, and that a call inside a module becomes the module span's child.
func TestSpans(t *testing.T) {
	t.Parallel()
	ok := func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		childSpanCall(ctx, "DynamoDB.GetItem")
		return nil
	}
	reject := func(context.Context, *triggers.PreSignUpEvent) error { return triggers.Reject("no") }
	fail := func(context.Context, *triggers.PreSignUpEvent) error { return errors.New("table gone") }
	boom := func(context.Context, *triggers.PreSignUpEvent) error { panic("boom") }
	slow := func(ctx context.Context, _ *triggers.PreSignUpEvent) error { <-ctx.Done(); return ctx.Err() }

	tests := []struct {
		name       string
		last       triggers.Handler[triggers.PreSignUpEvent]
		wantResult string
		wantStatus codes.Code
		wantErr    string // in the recorded error of the module and the invocation
	}{
		{"ok", ok, "ok", codes.Unset, ""},
		{"rejected", reject, "rejected", codes.Unset, ""},
		{"internal error", fail, "internal_error", codes.Error, "table gone"},
		{"panic", boom, "panic", codes.Error, ""},
		{"budget overrun", slow, "budget_overrun", codes.Error, "context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			r := triggers.NewRouter(triggers.RouterConfig{Logger: discard, Budget: 30 * time.Millisecond, Middleware: []triggers.Middleware{
				tracing.Middleware(rec)}}).
				PreSignUp(triggers.Chain(triggers.Named("First", ok), triggers.Named("Last", tt.last)))
			_, _ = r.Invoke(t.Context(), []byte(preSignUp))

			inv, first, last := rec.find(t, "PreSignUp"), rec.find(t, "First"), rec.find(t, "Last")
			if inv.parent != nil || first.parent != inv || last.parent != inv {
				t.Errorf("parents: invocation %v, First %v, Last %v; want none, invocation, invocation", inv.parent, first.parent, last.parent)
			}
			if call := rec.find(t, "DynamoDB.GetItem"); call.parent != first {
				t.Errorf("the module's call is a child of %q, want First", call.parent.name)
			}
			for _, s := range []*span{inv, first, last} {
				if !s.ended || s.scope != tracing.ScopeName || s.kind != trace.SpanKindInternal {
					t.Errorf("span %s: ended %v, scope %q, kind %v", s.name, s.ended, s.scope, s.kind)
				}
				if s.attrs[tracing.AttrTriggerSource] != "PreSignUp_SignUp" || s.attrs[tracing.AttrTrigger] != "PreSignUp" ||
					s.attrs[tracing.AttrUserPoolID] != "us-east-1_EXAMPLE" {
					t.Errorf("span %s attributes %v", s.name, s.attrs)
				}
				for _, v := range s.attrs {
					if strings.Contains(v, "jane") {
						t.Errorf("span %s carries the user: %v", s.name, s.attrs)
					}
				}
			}
			if first.attrs[tracing.AttrModule] != "First" || last.attrs[tracing.AttrModule] != "Last" || inv.attrs[tracing.AttrModule] != "" {
				t.Errorf("module attributes %q, %q, %q", inv.attrs[tracing.AttrModule], first.attrs[tracing.AttrModule], last.attrs[tracing.AttrModule])
			}
			if first.attrs[tracing.AttrResult] != "ok" || first.status != codes.Unset {
				t.Errorf("First: result %q status %v", first.attrs[tracing.AttrResult], first.status)
			}
			for _, s := range []*span{inv, last} {
				if s.attrs[tracing.AttrResult] != tt.wantResult || s.status != tt.wantStatus {
					t.Errorf("span %s: result %q status %v, want %q %v", s.name, s.attrs[tracing.AttrResult], s.status, tt.wantResult, tt.wantStatus)
				}
				if tt.wantErr != "" && (len(s.errs) != 1 || !strings.Contains(s.errs[0].Error(), tt.wantErr)) {
					t.Errorf("span %s errors %v, want %q", s.name, s.errs, tt.wantErr)
				}
				if tt.wantStatus == codes.Unset && len(s.errs) > 0 {
					t.Errorf("span %s recorded %v for a %s", s.name, s.errs, tt.wantResult)
				}
			}
		})
	}
}

// TestUnnamedModulesHaveNoSpan checks that modules without a name run inside the
// invocation's span without spans of their own, and that a nil provider traces nothing.
func TestUnnamedModulesHaveNoSpan(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var inner trace.Span
	h := func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		inner = trace.SpanFromContext(ctx)
		return nil
	}
	r := triggers.NewRouter(triggers.RouterConfig{Logger: discard, Middleware: []triggers.Middleware{tracing.Middleware(rec)}}).
		PreSignUp(triggers.Chain(h, h))
	if _, err := r.Invoke(t.Context(), []byte(preSignUp)); err != nil {
		t.Fatal(err)
	}
	if len(rec.spans) != 1 || inner != trace.Span(rec.spans[0]) {
		t.Errorf("%d spans, module saw %v; want the invocation's span only", len(rec.spans), inner)
	}
	if tracing.Middleware(nil) != nil {
		t.Error("a nil provider gave middleware")
	}
}

// TestFunctionsThatDoNotTraceLinkNoOpenTelemetry checks with the go command that the
// core, the trigger packages and an example that does not trace import no
// OpenTelemetry package, so their binaries carry none of it.
func TestFunctionsThatDoNotTraceLinkNoOpenTelemetry(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	pkgs := []string{"github.com/lambda-triggers/cognito/triggers", "github.com/lambda-triggers/cognito/presignup",
		"github.com/lambda-triggers/cognito/postconfirm", "github.com/lambda-triggers/cognito/customauth",
		"github.com/lambda-triggers/cognito/examples/allinone", "github.com/lambda-triggers/cognito/examples/domainfilter"}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(out), "github.com/lambda-triggers/cognito/triggers\n") {
		t.Fatalf("go list printed no dependencies:\n%s", out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "go.opentelemetry.io/") || dep == tracing.ScopeName {
			t.Errorf("%s is linked by a function that does not trace", dep)
		}
	}
	own, err := exec.Command("go", "list", "-deps", tracing.ScopeName).Output()
	if err != nil || !strings.Contains(string(own), "go.opentelemetry.io/otel/trace\n") {
		t.Errorf("the tracing package does not list the trace API (%v): the check above proves nothing", err)
	}
}
