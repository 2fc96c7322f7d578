package triggers_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

type ev = triggers.PreSignUpEvent

// record returns a module that appends name to the event's user name, so that tests see
// the order modules ran in and that each saw the writes of the ones before it.
func record(name string) triggers.Handler[ev] {
	return func(_ context.Context, e *ev) error {
		e.UserName += name
		return nil
	}
}

func fail(err error) triggers.Handler[ev] {
	return func(context.Context, *ev) error { return err }
}

func TestChain(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name    string
		mods    []triggers.Handler[ev]
		want    string
		wantErr error
	}{
		{"empty", nil, "", nil},
		{"nil modules skipped", []triggers.Handler[ev]{nil, record("a"), nil}, "a", nil},
		{"in order", []triggers.Handler[ev]{record("a"), record("b"), record("c")}, "abc", nil},
		{"stops at first error", []triggers.Handler[ev]{record("a"), fail(boom), record("c")}, "a", boom},
		{"rejection stops too", []triggers.Handler[ev]{triggers.Chain(record("a"), fail(triggers.Reject("no"))), record("c")}, "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e ev
			err := triggers.Chain(tt.mods...)(context.Background(), &e)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.name == "rejection stops too" {
				if r, ok := triggers.AsRejection(err); !ok || r.Message != "no" {
					t.Fatalf("err = %v, want rejection", err)
				}
			} else if tt.wantErr == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if e.UserName != tt.want {
				t.Fatalf("ran %q, want %q", e.UserName, tt.want)
			}
		})
	}
}

func TestParallelRunsAllAndJoinsErrors(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	count := func(err error) triggers.Handler[ev] {
		return func(context.Context, *ev) error { ran.Add(1); return err }
	}
	errA, errB := errors.New("a failed"), errors.New("b failed")
	h := triggers.Parallel(count(errA), count(nil), count(errB), func(context.Context, *ev) error {
		ran.Add(1)
		panic("module bug")
	}, count(triggers.Reject("denied")))
	err := h(context.Background(), &ev{})
	if got := ran.Load(); got != 5 {
		t.Fatalf("%d modules ran, want 5", got)
	}
	for _, want := range []error{errA, errB} {
		if !errors.Is(err, want) {
			t.Errorf("joined error %v lacks %v", err, want)
		}
	}
	var p *triggers.PanicError
	if !errors.As(err, &p) || p.Value != "module bug" {
		t.Errorf("joined error %v lacks the panic", err)
	}
	if r, ok := triggers.AsRejection(err); !ok || r.Message != "denied" {
		t.Errorf("joined error %v lacks the rejection", err)
	}
}

func TestParallelOverlaps(t *testing.T) {
	t.Parallel()
	// Each module waits until all three have started; run one after another they would
	// never all start, and the test would time out via the context.
	var started atomic.Int32
	all := make(chan struct{})
	wait := func(ctx context.Context, _ *ev) error {
		if started.Add(1) == 3 {
			close(all)
		}
		select {
		case <-all:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := triggers.Parallel(wait, wait, wait)(ctx, &ev{}); err != nil {
		t.Fatalf("modules did not run concurrently: %v", err)
	}
}

func TestWrapOrder(t *testing.T) {
	t.Parallel()
	var trace []string
	mw := func(name string) triggers.Middleware {
		return func(next triggers.Next) triggers.Next {
			return func(ctx context.Context, e triggers.Event) error {
				trace = append(trace, name+">")
				err := next(ctx, e)
				trace = append(trace, "<"+name)
				return err
			}
		}
	}
	h := triggers.Wrap(func(context.Context, *ev) error { trace = append(trace, "h"); return nil }, mw("a"), nil, mw("b"))
	if err := h(context.Background(), &ev{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(trace, " "); got != "a> b> h <b <a" {
		t.Fatalf("order %q, want a outermost", got)
	}
}

func TestRecoverAndBudget(t *testing.T) {
	t.Parallel()
	h := triggers.Wrap(func(context.Context, *ev) error { panic("bad") }, triggers.Recover())
	var p *triggers.PanicError
	if err := h(context.Background(), &ev{}); !errors.As(err, &p) {
		t.Fatalf("panic became %v, want *PanicError", err)
	}

	var deadline time.Time
	h = triggers.Wrap(func(ctx context.Context, _ *ev) error {
		deadline, _ = ctx.Deadline()
		return nil
	}, triggers.Budget(2*time.Second))
	start := time.Now()
	if err := h(context.Background(), &ev{}); err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	if deadline.Before(start.Add(2*time.Second)) || deadline.After(end.Add(2*time.Second)) {
		t.Fatalf("deadline %v after start, want the 2s budget", deadline.Sub(start))
	}
}

func TestCritical(t *testing.T) {
	t.Parallel()
	base := errors.New("db down")
	err := triggers.MarkCritical(base)
	if !errors.Is(err, triggers.ErrCritical) || !errors.Is(err, base) || err.Error() != "db down" {
		t.Fatalf("MarkCritical(%v) = %v", base, err)
	}
	if triggers.MarkCritical(nil) != nil {
		t.Fatal("MarkCritical(nil) must be nil")
	}
}
