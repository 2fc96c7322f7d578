package postconfirm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/postconfirm"
)

// threeModules returns AddToGroup, CreateProfile and WelcomeEmail over fakes whose main
// call (adding to the group, writing the profile, sending the email) waits latency and
// runs hook first. The group exists, so AddToGroup makes one slow call after a fast
// lookup; WelcomeEmail's marker writes are fast.
func threeModules(tb testing.TB, latency time.Duration, hook func()) []postconfirm.Handler {
	tb.Helper()
	cognito := newFakeCognito("members")
	cognito.latency, cognito.hook = latency, hook
	profiles := newFakeDynamo("id")
	profiles.latency, profiles.hook = latency, hook
	ses := &fakeSES{latency: latency, hook: hook}
	return []postconfirm.Handler{
		postconfirm.Critical(must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: cognito,
			Groups: postconfirm.StaticGroups("members"),
		}))),
		postconfirm.Critical(must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       profiles,
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email"},
		}))),
		postconfirm.Critical(must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: newFakeDynamo("pk"),
			Table:   "markers",
			Email:   testEmail,
		}))),
	}
}

// TestParallelOverlaps proves that Parallel runs the three modules' I/O at the same
// time without measuring time: each slow call waits at a barrier until all three have
// started. Run one after another, the first would wait for the others forever, and the
// test fails at its deadline instead.
func TestParallelOverlaps(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		started int
		all     = make(chan struct{})
	)
	barrier := func() {
		mu.Lock()
		started++
		if started == 3 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
		}
	}
	h := postconfirm.Parallel(threeModules(t, 0, barrier)...)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := h(ctx, signUp(verified(nil))); err != nil {
		t.Fatalf("Parallel: %v", err)
	}
	select {
	case <-all:
	default:
		t.Fatal("a module finished before all three had started")
	}
}

// TestBestEffortDoesNotOverlap is the control for TestParallelOverlaps: BestEffort runs modules one
// after another, so its first slow call is alone at the barrier.
func TestBestEffortDoesNotOverlap(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		active int
		peak   int
	)
	hook := func() {
		mu.Lock()
		active++
		peak = max(peak, active)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		active--
		mu.Unlock()
	}
	if err := postconfirm.BestEffort(threeModules(t, 0, hook)...)(t.Context(), signUp(verified(nil))); err != nil {
		t.Fatal(err)
	}
	if peak != 1 {
		t.Errorf("%d modules ran at once in BestEffort, want 1", peak)
	}
}

// BenchmarkParallelLatency measures the three modules, each facing 200 ms of I/O,
// composed with Parallel (target: at most 260 ms) and, for comparison, with BestEffort.
func BenchmarkParallelLatency(b *testing.B) {
	const latency = 200 * time.Millisecond
	for _, c := range []struct {
		name    string
		compose func(...postconfirm.Handler) postconfirm.Handler
	}{{"Parallel", postconfirm.Parallel}, {"BestEffort", postconfirm.BestEffort}} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				n++
				b.StopTimer()
				h := c.compose(threeModules(b, latency, nil)...)
				e := signUp(verified(nil))
				b.StartTimer()
				start := time.Now()
				if err := h(b.Context(), e); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(n), "ms/op")
		})
	}
}
