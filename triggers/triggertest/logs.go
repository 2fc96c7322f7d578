package triggertest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
)

// Logs captures log lines, safe for concurrent writers, for tests of what an operator
// would see: that a failure is logged with its cause, or that no secret is. The zero
// value is ready to use.
//
//	var logs triggertest.Logs
//	router := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()})
//	...
//	if len(logs.Find(t, "module failed")) != 1 { ... }
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a logger that writes JSON lines into l at debug level and above.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Write appends p, so that any handler can write into l.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines decodes every line written so far; a line that is not a JSON object fails t.
func (l *Logs) Lines(t TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(l.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line %q is not a JSON object: %v", line, err)
			t.FailNow()
			return nil
		}
		out = append(out, m)
	}
	return out
}

// Find returns the lines whose message is msg.
func (l *Logs) Find(t TB, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range l.Lines(t) {
		if m[slog.MessageKey] == msg {
			out = append(out, m)
		}
	}
	return out
}

// Messages returns the message of every line, in order.
func (l *Logs) Messages(t TB) []string {
	t.Helper()
	var out []string
	for _, m := range l.Lines(t) {
		msg, _ := m[slog.MessageKey].(string)
		out = append(out, msg)
	}
	return out
}
