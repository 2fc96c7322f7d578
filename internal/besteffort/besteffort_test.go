package besteffort_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lambda-triggers/cognito/internal/besteffort"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

type event = triggers.PostAuthenticationEvent

const failure = "test module failed"

func newEvent() *event {
	e := &event{}
	e.TriggerSource = triggers.PostAuthenticationAuthentication
	e.UserPoolID = "eu-west-1_pool"
	e.UserName = "ana"
	return e
}

func failing(err error) triggers.Handler[event] {
	return func(context.Context, *event) error { return err }
}

func panicking(v any) triggers.Handler[event] {
	return func(context.Context, *event) error { panic(v) }
}

func counting(n *atomic.Int32) triggers.Handler[event] {
	return func(context.Context, *event) error { n.Add(1); return nil }
}

// A failure and a panic are both logged once, at error level, under the module's name
// with the event's header, and swallowed; the modules after them still run.
func TestBestEffortLogsAndSwallows(t *testing.T) {
	t.Parallel()
	for _, combine := range []struct {
		name string
		f    func(string, []triggers.Handler[event]) triggers.Handler[event]
	}{
		{"Sequence", besteffort.Sequence[event]},
		{"Parallel", besteffort.Parallel[event]},
	} {
		t.Run(combine.name, func(t *testing.T) {
			t.Parallel()
			var logs triggertest.Logs
			var ran atomic.Int32
			h := combine.f(failure, []triggers.Handler[event]{
				besteffort.Named("store", failing(errors.New("table gone"))),
				nil,
				besteffort.Named("boom", panicking("kaput")),
				counting(&ran),
			})
			ctx := triggers.ContextWithLogger(context.Background(), logs.Logger())
			if err := h(ctx, newEvent()); err != nil {
				t.Fatalf("best-effort chain returned %v", err)
			}
			if ran.Load() != 1 {
				t.Errorf("the module after the failures ran %d times, want 1", ran.Load())
			}
			lines := logs.Find(t, failure)
			if len(lines) != 2 {
				t.Fatalf("%d failure lines, want 2:\n%s", len(lines), logs.String())
			}
			byModule := map[string]map[string]any{}
			for _, l := range lines {
				byModule[l["module"].(string)] = l
				if l["level"] != "ERROR" || l["triggerSource"] != string(triggers.PostAuthenticationAuthentication) ||
					l["userPoolId"] != "eu-west-1_pool" || l["userName"] != "ana" {
					t.Errorf("failure line without level or header: %v", l)
				}
			}
			if l := byModule["store"]; l == nil || !strings.Contains(l["error"].(string), "table gone") || l["stack"] != nil {
				t.Errorf("error line: %v", l)
			}
			if l := byModule["boom"]; l == nil || !strings.Contains(l["error"].(string), "kaput") ||
				!strings.Contains(l["stack"].(string), "panicking") {
				t.Errorf("panic line (want the value and a stack naming the module): %v", l)
			}
		})
	}
}

// A critical module's failure, or panic, is returned wrapped in triggers.ErrCritical,
// is not logged as swallowed, and stops a chain.
func TestCriticalIsReturned(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		m    triggers.Handler[event]
		want string
	}{
		{"error", failing(errors.New("audit write refused")), "audit write refused"},
		{"panic", panicking("audit exploded"), "audit exploded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs triggertest.Logs
			var after atomic.Int32
			h := besteffort.Sequence(failure, []triggers.Handler[event]{besteffort.Critical(tt.m), counting(&after)})
			err := h(triggers.ContextWithLogger(context.Background(), logs.Logger()), newEvent())
			if !errors.Is(err, triggers.ErrCritical) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a critical error with %q", err, tt.want)
			}
			if tt.name == "panic" {
				var p *triggers.PanicError
				if !errors.As(err, &p) || p.Value != "audit exploded" {
					t.Errorf("panic not carried as a PanicError: %#v", err)
				}
			}
			if after.Load() != 0 {
				t.Error("the chain went on after a critical failure")
			}
			if n := len(logs.Find(t, failure)); n != 0 {
				t.Errorf("critical failure also logged as swallowed (%d lines)", n)
			}
		})
	}
	if besteffort.Critical[event](nil) != nil || besteffort.Named[event]("x", nil) != nil {
		t.Error("a nil module did not stay nil")
	}
	if err := besteffort.Critical(counting(new(atomic.Int32)))(context.Background(), newEvent()); err != nil {
		t.Errorf("critical module that succeeds: %v", err)
	}
}

// Named carries the name in a ModuleError, once, also around a panic.
func TestNamed(t *testing.T) {
	t.Parallel()
	cause := errors.New("no table")
	err := besteffort.Named("outer", besteffort.Named("outer", failing(cause)))(context.Background(), newEvent())
	var me *besteffort.ModuleError
	if !errors.As(err, &me) || me.Module != "outer" || !errors.Is(err, cause) || err.Error() != "outer: no table" {
		t.Fatalf("got %v, want one ModuleError named outer around the cause", err)
	}
	err = besteffort.Named("inner", panicking(42))(context.Background(), newEvent())
	var p *triggers.PanicError
	if !errors.As(err, &me) || me.Module != "inner" || !errors.As(err, &p) || p.Value != 42 {
		t.Fatalf("panic: got %#v", err)
	}
	if err := besteffort.Named("ok", counting(new(atomic.Int32)))(context.Background(), newEvent()); err != nil {
		t.Errorf("succeeding module: %v", err)
	}
}

func helperModule(context.Context, *event) error { return nil }

func TestFuncName(t *testing.T) {
	t.Parallel()
	if got := besteffort.FuncName[event](helperModule); got != "besteffort_test.helperModule" {
		t.Errorf("FuncName = %q", got)
	}
}
