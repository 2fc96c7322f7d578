package triggers

import (
	"context"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Metric names the router writes with [RouterConfig] Metrics. The counts are disjoint: each
// invocation, and each named module, adds 1 to Invocations and to at most one of the
// others.
const (
	MetricInvocations    = "Invocations"
	MetricRejections     = "Rejections"     // a [RejectError]: a deliberate denial
	MetricInternalErrors = "InternalErrors" // any other error
	MetricPanics         = "Panics"
	MetricBudgetOverruns = "BudgetOverruns" // an error once the budget was spent
	MetricDuration       = "Duration"       // milliseconds
	MetricColdStart      = "ColdStart"      // 1 on the first invocation of the process
)

// DefaultMetricsNamespace is the CloudWatch namespace when neither
// [MetricsConfig].Namespace nor POWERTOOLS_METRICS_NAMESPACE names one.
const DefaultMetricsNamespace = "CognitoTriggers"

// MetricsConfig configures the router's metrics ([RouterConfig] Metrics). The zero
// value is the usual configuration.
//
// With metrics on, the router writes CloudWatch metrics in the embedded metric format
// (EMF): after each invocation, one JSON line on standard output for the trigger, with the
// dimension sets [Service, Trigger] and [Service, Trigger, TriggerSource], and one for
// each module given a name with [Named] that ran, with the dimensions [Service, Trigger,
// Module]. Each line has Invocations, Rejections, InternalErrors, Panics, BudgetOverruns
// and Duration (see the Metric constants); the first invocation of the process adds
// ColdStart, and modules add counts of their own with [AddCount]. No AWS call is made:
// Lambda's log capture hands the lines to CloudWatch. Dimension values are the service,
// the trigger, a trigger source Cognito documents (others as "<Trigger>_Other") and
// module names, never anything about a user, so the number of metrics stays bounded.
//
// The metrics run as the innermost middleware, inside [RouterConfig] Middleware. Each
// invocation returns once its lines are written, so that they are out before Lambda
// freezes the process.
type MetricsConfig struct {
	// Namespace is the CloudWatch namespace; empty means POWERTOOLS_METRICS_NAMESPACE,
	// or DefaultMetricsNamespace when that is not set.
	Namespace string
	// Service is the value of the Service dimension; empty means POWERTOOLS_SERVICE_NAME,
	// or else AWS_LAMBDA_FUNCTION_NAME, or else "service_undefined".
	Service string
	// Output is where the metric lines go; nil means standard output, which Lambda sends
	// to CloudWatch Logs, where the embedded metric format becomes metrics.
	Output io.Writer
}

// AddCount adds value to the count name in the line of the current invocation, with the
// dimension set [Service, Trigger]: a welcome email sent, a rate limit hit. Several
// calls with the same name in one invocation add up. It does nothing when the router
// writes no metrics. name is a fixed word of letters, digits, '.', '_' or '-', at most
// 64 bytes, and not one of the router's own metric names; a name that is not, and more
// than 20 names in one invocation, are dropped, so that a mistake cannot flood
// CloudWatch with metrics.
func AddCount(ctx context.Context, name string, value float64) {
	inv, _ := ctx.Value(invocationKey{}).(*invocation)
	if inv == nil || !inv.hasMetrics() || !validCountName(name) {
		return
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for i := range inv.counts {
		if inv.counts[i].name == name {
			inv.counts[i].value += value
			return
		}
	}
	if len(inv.counts) < maxCustomCounts {
		inv.counts = append(inv.counts, customCount{name: name, value: value})
	}
}

const maxCustomCounts = 20

func (inv *invocation) hasMetrics() bool {
	for _, l := range inv.layers[:inv.nlayers] {
		if l.metrics != nil {
			return true
		}
	}
	return false
}

func validCountName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	switch name {
	case MetricInvocations, MetricRejections, MetricInternalErrors, MetricPanics, MetricBudgetOverruns,
		MetricDuration, MetricColdStart, "Service", "Trigger", "TriggerSource", "Module", "_aws":
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// coldStart is set by the first invocation that writes metrics in this process.
var coldStart atomic.Bool

type metrics struct {
	out io.Writer
	mu  sync.Mutex // serialises encoding and writing, so that lines from concurrent invocations do not mix
	buf []byte     // the lines of one invocation, reused under mu

	// Each line is built from fixed pieces, composed once here, and the few values that
	// change: the timestamp, the trigger, source and module, the counts and the duration.
	invocationHead []byte // up to the end of the metric declarations
	moduleHead     []byte // a module line up to "Timestamp":
	service        []byte // ,"Service":"..." with the value escaped
	sources        map[TriggerSource]bool
}

const countDecls = `{"Name":"Invocations","Unit":"Count"},{"Name":"Rejections","Unit":"Count"},` +
	`{"Name":"InternalErrors","Unit":"Count"},{"Name":"Panics","Unit":"Count"},` +
	`{"Name":"BudgetOverruns","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}`

// resultCounts are the five counts for each [Result], as they follow the dimensions.
var resultCounts = [...]string{
	ResultOK:            `,"Invocations":1,"Rejections":0,"InternalErrors":0,"Panics":0,"BudgetOverruns":0,"Duration":`,
	ResultRejected:      `,"Invocations":1,"Rejections":1,"InternalErrors":0,"Panics":0,"BudgetOverruns":0,"Duration":`,
	ResultInternalError: `,"Invocations":1,"Rejections":0,"InternalErrors":1,"Panics":0,"BudgetOverruns":0,"Duration":`,
	ResultPanic:         `,"Invocations":1,"Rejections":0,"InternalErrors":0,"Panics":1,"BudgetOverruns":0,"Duration":`,
	ResultBudgetOverrun: `,"Invocations":1,"Rejections":0,"InternalErrors":0,"Panics":0,"BudgetOverruns":1,"Duration":`,
}

func newMetrics(cfg MetricsConfig, getenv func(string) string) *metrics {
	ns := cfg.Namespace
	if ns == "" {
		ns = getenv("POWERTOOLS_METRICS_NAMESPACE")
	}
	if ns == "" {
		ns = DefaultMetricsNamespace
	}
	service := cfg.Service
	for _, v := range []string{"POWERTOOLS_SERVICE_NAME", "AWS_LAMBDA_FUNCTION_NAME"} {
		if service == "" {
			service = getenv(v)
		}
	}
	if service == "" {
		service = "service_undefined"
	}
	m := &metrics{out: cfg.Output, sources: make(map[TriggerSource]bool, len(TriggerSources))}
	if m.out == nil {
		m.out = os.Stdout
	}
	for _, s := range TriggerSources {
		m.sources[s] = true
	}
	directive := func(dims string) []byte {
		b := append([]byte(`{"_aws":{"CloudWatchMetrics":[{"Namespace":`), appendString(nil, ns)...)
		b = append(b, `,"Dimensions":`...)
		b = append(b, dims...)
		b = append(b, `,"Metrics":[`...)
		return append(b, countDecls...)
	}
	m.invocationHead = directive(`[["Service","Trigger"],["Service","Trigger","TriggerSource"]]`)
	m.moduleHead = append(directive(`[["Service","Trigger","Module"]]`), `]}],"Timestamp":`...)
	m.service = appendString([]byte(`,"Service":`), service)
	return m
}

// emit writes the lines of one finished invocation and returns once they are written.
// It encodes on the invocation's own goroutine: the router's chains run on long-lived
// workers whose stacks are grown already.
func (m *metrics) emit(inv *invocation, e Event, o Outcome, end time.Time) {
	m.mu.Lock()
	m.write(inv, e, o, end.UnixMilli())
	m.mu.Unlock()
}

// write encodes and writes the lines, stamped ts (Unix milliseconds); emit holds mu.
func (m *metrics) write(inv *invocation, e Event, o Outcome, ts int64) {
	trigger := e.Trigger()
	source := e.EventHeader().TriggerSource
	if !m.sources[source] {
		source = TriggerSource(string(trigger) + "_Other")
	}
	inv.mu.Lock()
	b := append(m.buf[:0], m.invocationHead...)
	cold := coldStart.CompareAndSwap(false, true)
	if cold {
		b = append(b, `,{"Name":"ColdStart","Unit":"Count"}`...)
	}
	if len(inv.counts) > 0 {
		b = appendCountNames(b, inv.counts)
	}
	b = append(b, `]}],"Timestamp":`...)
	b = appendDimensions(b, ts, m.service, trigger, source)
	b = append(b, '"')
	b = appendOutcome(b, o.Result, o.Duration)
	if cold {
		b = append(b, `,"ColdStart":1`...)
	}
	if len(inv.counts) > 0 {
		b = appendCountValues(b, inv.counts)
	}
	b = append(b, '}', '\n')
	for _, r := range inv.modules {
		b = append(b, m.moduleHead...)
		b = appendDimensions(b, ts, m.service, trigger, source)
		b = append(b, `","Module":`...)
		b = appendString(b, r.name)
		b = appendOutcome(b, r.result, r.duration)
		b = append(b, '}', '\n')
	}
	inv.mu.Unlock()
	_, _ = m.out.Write(b)
	m.buf = b
}

func appendCountNames(b []byte, counts []customCount) []byte {
	for _, c := range counts {
		b = append(b, `,{"Name":"`...)
		b = append(b, c.name...)
		b = append(b, `","Unit":"Count"}`...)
	}
	return b
}

func appendCountValues(b []byte, counts []customCount) []byte {
	for _, c := range counts {
		b = append(b, ',', '"')
		b = append(b, c.name...)
		b = append(b, '"', ':')
		b = strconv.AppendFloat(b, c.value, 'g', -1, 64)
	}
	return b
}

// appendDimensions appends the timestamp, the end of the _aws member, and the service,
// trigger and source, leaving the source's string open.
func appendDimensions(b []byte, ts int64, service []byte, trigger Trigger, source TriggerSource) []byte {
	b = appendInt(b, ts)
	b = append(b, '}')
	b = append(b, service...)
	b = append(b, `,"Trigger":"`...)
	b = append(b, trigger...)
	b = append(b, `","TriggerSource":"`...)
	return append(b, source...)
}

// appendInt appends a non-negative v in decimal, without strconv's buffer on the stack.
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		v = 0
	}
	start := len(b)
	for {
		b = append(b, byte('0'+v%10))
		if v /= 10; v == 0 {
			break
		}
	}
	for i, j := start, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// appendOutcome appends the counts and the duration in milliseconds, to the microsecond.
func appendOutcome(b []byte, r Result, d time.Duration) []byte {
	if int(r) >= len(resultCounts) {
		r = ResultInternalError
	}
	b = append(b, resultCounts[r]...)
	us := d.Microseconds()
	b = appendInt(b, us/1000)
	b = append(b, '.')
	frac := us % 1000
	b = append(b, byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}
