package awslocal

import (
	"context"
	"sync"
)

// Replay calls invoke n times, one after another, and returns each call's
// error in call order. It models a trigger that Cognito or Lambda retries
// with the same event: a test asserts that side effects happened once and
// that every call after the first still succeeded, or failed as designed.
// Calls not made because ctx was done report ctx's error.
func Replay(ctx context.Context, n int, invoke func(ctx context.Context) error) []error {
	errs := make([]error, max(n, 0))
	for i := range errs {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		errs[i] = invoke(ctx)
	}
	return errs
}

// ReplayConcurrent calls invoke n times at once and returns each call's
// error, indexed by call. The calls are released together after all n
// goroutines are running, to make the races between duplicate deliveries,
// such as two conditional writes of the same key, as likely as possible.
func ReplayConcurrent(ctx context.Context, n int, invoke func(ctx context.Context) error) []error {
	n = max(n, 0)
	errs := make([]error, n)
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	for i := range errs {
		done.Go(func() {
			ready.Done()
			<-release
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			errs[i] = invoke(ctx)
		})
	}
	ready.Wait()
	close(release)
	done.Wait()
	return errs
}
