package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// hang returns a module that ignores its context and blocks until release is closed, as a
// module calling a library without context support would.
func hang[E any](release <-chan struct{}) triggers.Handler[E] {
	return func(context.Context, *E) error {
		<-release
		return nil
	}
}

// waitForCtx returns a module that honours its context and never finishes on its own.
func waitForCtx[E any]() triggers.Handler[E] {
	return func(ctx context.Context, _ *E) error {
		<-ctx.Done()
		return ctx.Err()
	}
}

func TestBudgetOutcomes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	const budget = 50 * time.Millisecond
	tests := []struct {
		name     string
		router   *triggers.Router
		payload  string
		wantType string // "" when the trigger must succeed
	}{
		{"pre sign-up module ignores ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PreSignUp(hang[triggers.PreSignUpEvent](release)),
			preSignUp, triggers.ErrorTypeInternal},
		{"pre sign-up module honours ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PreSignUp(waitForCtx[triggers.PreSignUpEvent]()),
			preSignUp, triggers.ErrorTypeInternal},
		{"post confirmation module ignores ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PostConfirmation(hang[triggers.PostConfirmationEvent](release)),
			postConfirmation, ""},
		{"post confirmation module honours ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PostConfirmation(waitForCtx[triggers.PostConfirmationEvent]()),
			postConfirmation, ""},
		{"post authentication module ignores ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PostAuthentication(hang[triggers.PostAuthenticationEvent](release)),
			postAuthentication, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			out, ierr := tt.router.Handle(context.Background(), []byte(tt.payload))
			// The exact figure is a benchmark's business (BenchmarkBudget); this bound only
			// proves the invocation did not wait for the hanging module.
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Fatalf("returned after %v, budget %v", elapsed, budget)
			}
			if tt.wantType != "" {
				if ierr == nil || ierr.Type != tt.wantType || ierr.Message != triggers.DefaultErrorMessage {
					t.Fatalf("got %v %s, want %s with the generic text", ierr, out, tt.wantType)
				}
				return
			}
			if ierr != nil {
				t.Fatalf("a best-effort trigger failed: %v", ierr.Message)
			}
			var resp struct{ Response json.RawMessage }
			if err := json.Unmarshal(out, &resp); err != nil || string(resp.Response) != "{}" {
				t.Fatalf("response %s (%v), want Cognito's own empty response", out, err)
			}
		})
	}
}

func TestBudgetOffRunsToTheEnd(t *testing.T) {
	t.Parallel()
	r := quietRouter(triggers.RouterConfig{Budget: triggers.NoBudget}).PreSignUp(func(ctx context.Context, e *triggers.PreSignUpEvent) error {
		if _, ok := ctx.Deadline(); ok {
			t.Error("a zero budget still set a deadline")
		}
		time.Sleep(10 * time.Millisecond)
		e.Response.AutoConfirmUser = true
		return nil
	})
	if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr != nil {
		t.Fatal(ierr.Message)
	}
}

// BenchmarkBudget reports how long an invocation whose module hangs takes to answer:
// the budget plus at most the grace period (target: budget + 50 ms).
//
//	go test -run '^$' -bench BenchmarkBudget -benchtime 10x ./triggers/
func BenchmarkBudget(b *testing.B) {
	const budget = 200 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	for _, bm := range []struct {
		name    string
		router  *triggers.Router
		payload string
	}{
		{"ignores-ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PreSignUp(hang[triggers.PreSignUpEvent](release)), preSignUp},
		{"honours-ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PreSignUp(waitForCtx[triggers.PreSignUpEvent]()), preSignUp},
		{"postconfirm-ignores-ctx", quietRouter(triggers.RouterConfig{Budget: budget}).PostConfirmation(hang[triggers.PostConfirmationEvent](release)), postConfirmation},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var worst time.Duration
			for b.Loop() {
				start := time.Now()
				bm.router.Handle(context.Background(), []byte(bm.payload))
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(float64(worst-budget)/float64(time.Millisecond), "ms-over-budget-max")
		})
	}
}

// TestWorkersEnd checks that the goroutines the router runs chains on do not pile up:
// after many invocations, concurrent ones and an abandoned one among them, every worker
// ends once it is idle and the garbage collector has dropped it, and the abandoned one
// once its chain returns.
func TestWorkersEnd(t *testing.T) {
	settle := func(want int) int {
		deadline := time.Now().Add(5 * time.Second)
		for {
			runtime.GC()
			n := runtime.NumGoroutine()
			if n <= want || time.Now().After(deadline) {
				return n
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for range 5 { // let workers earlier tests left idle end first
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	base := runtime.NumGoroutine()

	r := quietRouter().PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error {
		runtime.Gosched()
		return nil
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr != nil {
					t.Error(ierr.Message)
					return
				}
			}
		})
	}
	wg.Wait()

	release := make(chan struct{})
	hung := quietRouter(triggers.RouterConfig{Budget: time.Millisecond}).PreSignUp(hang[triggers.PreSignUpEvent](release))
	if _, ierr := hung.Handle(context.Background(), []byte(preSignUp)); ierr == nil {
		t.Fatal("a chain past its budget succeeded")
	}
	if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr != nil {
		t.Fatal(ierr.Message)
	}
	close(release)

	if n := settle(base); n > base {
		t.Errorf("%d goroutines after the invocations, %d before", n, base)
	}
}

// TestBudgetMiddleware checks the Budget middleware outside a router: a handler that
// ignores its context is abandoned with ErrAbandoned, and a panic on the worker comes
// back as a *PanicError rather than ending the process.
func TestBudgetMiddleware(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	h := triggers.Wrap(hang[triggers.PreSignUpEvent](release), triggers.Budget(10*time.Millisecond))
	if err := h(context.Background(), &triggers.PreSignUpEvent{}); !errors.Is(err, triggers.ErrAbandoned) {
		t.Fatalf("hanging handler returned %v, want ErrAbandoned", err)
	}
	h = triggers.Wrap(func(context.Context, *triggers.PreSignUpEvent) error { panic("bug") }, triggers.Budget(time.Second))
	var p *triggers.PanicError
	if err := h(context.Background(), &triggers.PreSignUpEvent{}); !errors.As(err, &p) || p.Value != "bug" {
		t.Fatalf("panicking handler returned %v, want a *PanicError", err)
	}
}

// TestAbandonedChainIsLogged checks that the router's Log reports an abandoned chain at
// error level, with its trigger source and the budget, although the chain never returned.
func TestAbandonedChainIsLogged(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	var logs triggertest.Logs
	r := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger(), Budget: 10 * time.Millisecond}).
		PreSignUp(hang[triggers.PreSignUpEvent](release))
	if _, ierr := r.Handle(context.Background(), []byte(preSignUp)); ierr == nil {
		t.Fatal("an abandoned chain succeeded")
	}
	lines := logs.Find(t, "trigger failed")
	if len(lines) != 1 {
		t.Fatalf("%d failure lines, want 1:\n%s", len(lines), logs.String())
	}
	l := lines[0]
	if l["level"] != "ERROR" || l["triggerSource"] != "PreSignUp_SignUp" ||
		!strings.Contains(l["error"].(string), "abandoned") || !strings.Contains(l["error"].(string), "10ms") {
		t.Errorf("failure line %v", l)
	}
}
