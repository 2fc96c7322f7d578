package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/lambda-triggers/cognito/triggers"
)

// emfLine is one metric line as CloudWatch reads it.
type emfLine struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
	Values map[string]any `json:"-"`
}

// lockedBuffer collects metric lines from concurrent invocations.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines parses every line written so far, checking each against the embedded metric
// format: one directive, every declared metric and dimension present as a member.
func (l *lockedBuffer) lines(t *testing.T) []emfLine {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []emfLine
	for _, s := range strings.Split(strings.TrimSuffix(l.b.String(), "\n"), "\n") {
		if s == "" {
			continue
		}
		var line emfLine
		if err := json.Unmarshal([]byte(s), &line); err != nil {
			t.Fatalf("metric line is not JSON: %v\n%s", err, s)
		}
		if err := json.Unmarshal([]byte(s), &line.Values); err != nil {
			t.Fatal(err)
		}
		if len(line.AWS.CloudWatchMetrics) != 1 || line.AWS.Timestamp == 0 {
			t.Fatalf("line without one directive and a timestamp: %s", s)
		}
		d := line.AWS.CloudWatchMetrics[0]
		for _, set := range d.Dimensions {
			for _, dim := range set {
				if _, ok := line.Values[dim].(string); !ok {
					t.Errorf("dimension %s has no string value: %s", dim, s)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := line.Values[m.Name].(float64); !ok {
				t.Errorf("metric %s has no number: %s", m.Name, s)
			}
			if m.Unit != "Count" && m.Unit != "Milliseconds" {
				t.Errorf("metric %s unit %q", m.Name, m.Unit)
			}
		}
		out = append(out, line)
	}
	return out
}

func (l emfLine) num(name string) float64 { v, _ := l.Values[name].(float64); return v }
func (l emfLine) str(name string) string  { v, _ := l.Values[name].(string); return v }

func (l emfLine) counts() [5]float64 {
	return [5]float64{l.num("Invocations"), l.num("Rejections"), l.num("InternalErrors"), l.num("Panics"), l.num("BudgetOverruns")}
}

func namedPreSignUp(name string, m triggers.Handler[triggers.PreSignUpEvent]) triggers.Handler[triggers.PreSignUpEvent] {
	return triggers.Named(name, m)
}

// TestMetricsThroughTheRouter invokes a router through its Lambda boundary and checks the
// lines it writes: their shape, their dimensions, and which count each outcome adds to,
// for the trigger and for each named module.
func TestMetricsThroughTheRouter(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, *triggers.PreSignUpEvent) error { return nil }
	reject := func(context.Context, *triggers.PreSignUpEvent) error { return triggers.Reject("no") }
	fail := func(context.Context, *triggers.PreSignUpEvent) error { return errors.New("table gone") }
	boom := func(context.Context, *triggers.PreSignUpEvent) error { panic("boom") }
	// slow keeps how long it waited for the budget: on a busy machine its worker may start
	// it well after the budget did.
	var waited atomic.Int64
	slow := func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		start := time.Now()
		<-ctx.Done()
		waited.Store(int64(time.Since(start)))
		return ctx.Err()
	}

	tests := []struct {
		name      string
		chain     triggers.Handler[triggers.PreSignUpEvent]
		errorType string
		trigger   [5]float64            // Invocations, Rejections, InternalErrors, Panics, BudgetOverruns
		modules   map[string][5]float64 // by module name; only named modules have a line
	}{
		{"ok", triggers.Chain(namedPreSignUp("First", ok), ok, namedPreSignUp("Last", ok)), "",
			[5]float64{1, 0, 0, 0, 0}, map[string][5]float64{"First": {1, 0, 0, 0, 0}, "Last": {1, 0, 0, 0, 0}}},
		{"rejected", triggers.Chain(namedPreSignUp("First", ok), namedPreSignUp("Deny", reject), namedPreSignUp("Never", ok)),
			triggers.ErrorTypeRejected, [5]float64{1, 1, 0, 0, 0},
			map[string][5]float64{"First": {1, 0, 0, 0, 0}, "Deny": {1, 1, 0, 0, 0}}},
		{"internal error", triggers.Chain(namedPreSignUp("Store", fail)), triggers.ErrorTypeInternal,
			[5]float64{1, 0, 1, 0, 0}, map[string][5]float64{"Store": {1, 0, 1, 0, 0}}},
		{"panic", triggers.Chain(ok, namedPreSignUp("Boom", boom)), triggers.ErrorTypeInternal,
			[5]float64{1, 0, 0, 1, 0}, map[string][5]float64{"Boom": {1, 0, 0, 1, 0}}},
		{"budget overrun", triggers.Chain(namedPreSignUp("Slow", slow)), triggers.ErrorTypeInternal,
			[5]float64{1, 0, 0, 0, 1}, map[string][5]float64{"Slow": {1, 0, 0, 0, 1}}},
		{"unnamed modules only", triggers.Chain(ok, reject), triggers.ErrorTypeRejected, [5]float64{1, 1, 0, 0, 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out lockedBuffer
			r := quietRouter(triggers.RouterConfig{Budget: 30 * time.Millisecond,
				Metrics: &triggers.MetricsConfig{Namespace: "Auth", Service: "signup", Output: &out}}).
				PreSignUp(tt.chain)
			_, err := r.Invoke(t.Context(), []byte(preSignUp))
			if got := errorTypeOf(err); got != tt.errorType {
				t.Fatalf("errorType %q (%v), want %q", got, err, tt.errorType)
			}
			lines := out.lines(t)
			if len(lines) != 1+len(tt.modules) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), 1+len(tt.modules), out.b.String())
			}
			inv := lines[0]
			d := inv.AWS.CloudWatchMetrics[0]
			if d.Namespace != "Auth" {
				t.Errorf("namespace %q", d.Namespace)
			}
			wantDims := [][]string{{"Service", "Trigger"}, {"Service", "Trigger", "TriggerSource"}}
			if !slices.EqualFunc(d.Dimensions, wantDims, slices.Equal) {
				t.Errorf("trigger line dimensions %q, want %q", d.Dimensions, wantDims)
			}
			if inv.str("Service") != "signup" || inv.str("Trigger") != "PreSignUp" || inv.str("TriggerSource") != "PreSignUp_SignUp" {
				t.Errorf("trigger line dimensions values %v", inv.Values)
			}
			if got := inv.counts(); got != tt.trigger {
				t.Errorf("trigger counts %v, want %v", got, tt.trigger)
			}
			for _, l := range lines[1:] {
				dims := l.AWS.CloudWatchMetrics[0].Dimensions
				if !slices.EqualFunc(dims, [][]string{{"Service", "Trigger", "Module"}}, slices.Equal) {
					t.Errorf("module line dimensions %q", dims)
				}
				want, ok := tt.modules[l.str("Module")]
				if !ok {
					t.Errorf("line for module %q, which did not run", l.str("Module"))
					continue
				}
				if got := l.counts(); got != want {
					t.Errorf("module %s counts %v, want %v", l.str("Module"), got, want)
				}
				if l.num("Duration") > inv.num("Duration") {
					t.Errorf("module %s took %vms, longer than its invocation's %vms", l.str("Module"), l.num("Duration"), inv.num("Duration"))
				}
			}
			if w := float64(waited.Load()) / float64(time.Millisecond); tt.name == "budget overrun" && inv.num("Duration") < w {
				t.Errorf("duration %vms, want at least the %vms the module waited for the budget", inv.num("Duration"), w)
			}
		})
	}
}

func errorTypeOf(err error) string {
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return ie.Type
	}
	if err != nil {
		return "not a Lambda error: " + err.Error()
	}
	return ""
}

// TestMetricsColdStartAndCounts checks that only the first invocation of the process
// carries ColdStart, that AddCount adds up within an invocation and starts again in the
// next, that bad names are dropped, and that an undocumented trigger source does not
// become a dimension value of its own. It resets the process's cold start, so it does
// not run in parallel.
func TestMetricsColdStartAndCounts(t *testing.T) {
	triggers.ResetColdStart()
	var out lockedBuffer
	count := func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		triggers.AddCount(ctx, "WelcomeSent", 1)
		triggers.AddCount(ctx, "WelcomeSent", 2)
		triggers.AddCount(ctx, "user:jane@example.com", 1) // not a fixed word: dropped
		triggers.AddCount(ctx, "Invocations", 5)           // the router's own: dropped
		return nil
	}
	r := quietRouter(triggers.RouterConfig{Metrics: &triggers.MetricsConfig{Output: &out}}).PreSignUp(triggers.Named("Count", count))
	other := strings.Replace(preSignUp, "PreSignUp_SignUp", "PreSignUp_SomethingNew", 1)
	for _, p := range []string{preSignUp, other} {
		if _, err := r.Invoke(t.Context(), []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	lines := out.lines(t)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	first, second := lines[0], lines[2]
	if first.num("ColdStart") != 1 || second.Values["ColdStart"] != nil {
		t.Errorf("ColdStart %v then %v, want 1 then none", first.Values["ColdStart"], second.Values["ColdStart"])
	}
	for i, l := range []emfLine{first, second} {
		if l.num("WelcomeSent") != 3 || l.num("Invocations") != 1 || len(l.Values) != len(first.Values)-i {
			t.Errorf("invocation %d: %v", i, l.Values)
		}
	}
	if s := second.str("TriggerSource"); s != "PreSignUp_Other" {
		t.Errorf("undocumented source as %q, want PreSignUp_Other", s)
	}
	if strings.Contains(out.b.String(), "jane") {
		t.Error("a user's address reached the metrics")
	}
	// Outside an observed invocation, AddCount does nothing and does not panic.
	triggers.AddCount(context.Background(), "WelcomeSent", 1)
}

func TestMetricsNamesFromEnvironment(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name          string
		cfg           triggers.MetricsConfig
		getenv        func(string) string
		wantNamespace string
		wantService   string
	}{
		{"defaults", triggers.MetricsConfig{}, env(), triggers.DefaultMetricsNamespace, "service_undefined"},
		{"powertools variables", triggers.MetricsConfig{}, env("POWERTOOLS_METRICS_NAMESPACE", "Shop", "POWERTOOLS_SERVICE_NAME", "auth",
			"AWS_LAMBDA_FUNCTION_NAME", "fn"), "Shop", "auth"},
		{"function name", triggers.MetricsConfig{}, env("AWS_LAMBDA_FUNCTION_NAME", "fn"), triggers.DefaultMetricsNamespace, "fn"},
		{"configuration wins", triggers.MetricsConfig{Namespace: "A", Service: `s"1`},
			env("POWERTOOLS_METRICS_NAMESPACE", "Shop", "POWERTOOLS_SERVICE_NAME", "auth"), "A", `s\"1`},
	}
	for _, tt := range tests {
		head, service := triggers.MetricsNames(tt.cfg, tt.getenv)
		if !strings.Contains(head, `"Namespace":"`+tt.wantNamespace+`"`) {
			t.Errorf("%s: head %s, want namespace %s", tt.name, head, tt.wantNamespace)
		}
		if service != `,"Service":"`+tt.wantService+`"` {
			t.Errorf("%s: service %s, want %s", tt.name, service, tt.wantService)
		}
	}
}

// TestMetricsPostConfirmation checks that a post confirmation module's failure, which the
// trigger swallows, is still counted for the module, while the trigger counts a success.
func TestMetricsPostConfirmation(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	fail := triggers.Named("Hook", func(context.Context, *triggers.PostConfirmationEvent) error { return errors.New("down") })
	swallow := func(ctx context.Context, e *triggers.PostConfirmationEvent) error { _ = fail(ctx, e); return nil }
	r := quietRouter(triggers.RouterConfig{Metrics: &triggers.MetricsConfig{Output: &out}}).PostConfirmation(swallow)
	if _, err := r.Invoke(t.Context(), []byte(postConfirmation)); err != nil {
		t.Fatal(err)
	}
	lines := out.lines(t)
	if len(lines) != 2 || lines[0].counts() != [5]float64{1, 0, 0, 0, 0} || lines[1].counts() != [5]float64{1, 0, 1, 0, 0} {
		t.Fatalf("lines %v", lines)
	}
}
