package triggers

import (
	"context"
	"fmt"
	"sync"
)

// Handler is one step of a trigger: a module, a chain of modules, or the whole trigger.
// It reads the request and writes the response in place; a non-nil error stops the chain.
type Handler[E any] func(ctx context.Context, e *E) error

// Chain returns a handler that runs mods in order, each seeing the writes of the ones
// before it, and stops at the first error. Nil modules are skipped. The chain is composed
// once, here: running it allocates nothing of its own.
func Chain[E any](mods ...Handler[E]) Handler[E] {
	steps := make([]Handler[E], 0, len(mods))
	for _, m := range mods {
		if m != nil {
			steps = append(steps, m)
		}
	}
	switch len(steps) {
	case 0:
		return func(context.Context, *E) error { return nil }
	case 1:
		return steps[0]
	}
	return func(ctx context.Context, e *E) error {
		for _, step := range steps {
			if err := step(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
}

// Parallel returns a handler that runs mods concurrently over the same event and waits
// for all of them. It is for modules that only do independent I/O (write a profile, add a
// group, send an email): they must not write the same response fields. Every module runs
// to the end; the errors of all that failed are returned together (see [errors.Join]),
// so [errors.As] still finds a [Rejected] among them. A panic in one module becomes
// its error and does not stop the others.
func Parallel[E any](mods ...Handler[E]) Handler[E] {
	steps := make([]Handler[E], 0, len(mods))
	for _, m := range mods {
		if m != nil {
			steps = append(steps, m)
		}
	}
	if len(steps) <= 1 {
		return Chain(steps...)
	}
	return func(ctx context.Context, e *E) error {
		errs := make([]error, len(steps))
		var wg sync.WaitGroup
		for i, step := range steps {
			wg.Go(func() { errs[i] = runRecovered(ctx, step, e) })
		}
		wg.Wait()
		return joinErrors(errs)
	}
}

// runRecovered runs h, turning a panic into a [PanicError].
func runRecovered[E any](ctx context.Context, h Handler[E], e *E) (err error) {
	defer recoverTo(&err)
	return h(ctx, e)
}

// PanicError is the error a panic in a module becomes. Its text is for operators; the end
// user sees the generic error text.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	if err, ok := p.Value.(error); ok {
		return err
	}
	return nil
}
