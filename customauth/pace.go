package customauth

import (
	"context"
	"sync"
	"time"
)

// Bounds and starting value of the wait that stands in for a delivery that is not made
// (a user Cognito did not find, or one who may not get a message), so that such a
// request takes about as long as a real one.
const (
	minDecoyWait     = 20 * time.Millisecond
	maxDecoyWait     = time.Second
	defaultDecoyWait = 100 * time.Millisecond // before the first real delivery
	paceWeight       = 8                      // a new duration moves the estimate by 1/paceWeight of the gap
)

// deliveryPace is a moving estimate of how long recent real deliveries of one step took,
// kept within [minDecoyWait, maxDecoyWait].
type deliveryPace struct {
	mu  sync.Mutex
	est time.Duration // 0 until the first delivery
}

func clampWait(d time.Duration) time.Duration { return min(max(d, minDecoyWait), maxDecoyWait) }

// observe adds the duration of a real delivery: the first replaces the default, later
// ones move the estimate by a fraction of the gap.
func (p *deliveryPace) observe(d time.Duration) {
	d = clampWait(d)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.est == 0 {
		p.est = d
		return
	}
	p.est += (d - p.est) / paceWeight
}

// estimate is how long a delivery takes, as far as this process has seen.
func (p *deliveryPace) estimate() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.est == 0 {
		return defaultDecoyWait
	}
	return p.est
}

// paces holds one estimate per step kind, for the whole process: every flow built with
// the same kind of step (and so, usually, the same delivery service) shares it.
var paces sync.Map // string → *deliveryPace

func paceOf(name string) *deliveryPace {
	p, _ := paces.LoadOrStore(name, new(deliveryPace))
	return p.(*deliveryPace)
}

// pacer times real deliveries and waits as long where a decoy makes none.
type pacer struct {
	pace  *deliveryPace
	now   func() time.Time // measures deliveries; time.Now, whose readings are monotonic
	sleep func(ctx context.Context, d time.Duration) error
}

func newPacer(name string) pacer {
	return pacer{pace: paceOf(name), now: time.Now, sleep: sleepContext}
}

// start starts timing a delivery, or the time that stands in for one.
func (p pacer) start() paceTimer { return paceTimer{p: p, start: p.now()} }

type paceTimer struct {
	p     pacer
	start time.Time
}

// delivered records the time since start as a real delivery's.
func (t paceTimer) delivered() { t.p.pace.observe(t.p.now().Sub(t.start)) }

// wait stands in for a delivery: it returns once the estimated time has passed since
// start, or with ctx's error when ctx is done first, as a delivery would.
func (t paceTimer) wait(ctx context.Context) error {
	rest := t.p.pace.estimate() - t.p.now().Sub(t.start)
	if rest <= 0 {
		return ctx.Err()
	}
	return t.p.sleep(ctx, rest)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
