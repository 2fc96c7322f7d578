package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/smithy-go"
)

// ErrUnsupported is wrapped by the error a fake returns for a request that the real
// service would accept but the fake does not implement, such as a nested document path
// or a secondary index. The fake never answers such a request as if it had succeeded:
// test it against the local servers of package awslocal instead.
var ErrUnsupported = errors.New("not supported by the fake")

// unsupportedf returns an error wrapping [ErrUnsupported].
func unsupportedf(format string, args ...any) error {
	return fmt.Errorf("fakeaws: %w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// validationf returns the error a service returns for a request it refuses as invalid.
// Such errors have no type of their own in the SDK; they are API errors with the code
// ValidationException, as the real clients return them.
func validationf(format string, args ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}

// opError wraps err as the SDK clients wrap every failure of an operation, so that the
// error reads "operation error DynamoDB: PutItem, ..." and errors.As still finds the
// typed error inside.
func opError(service, operation string, err error) error {
	if err == nil {
		return nil
	}
	return &smithy.OperationError{ServiceID: service, OperationName: operation, Err: err}
}

// calls counts a fake's operations and runs the faults a test injected.
type calls struct {
	mu    sync.Mutex
	count map[string]int
	fail  map[string][]error
	hook  func(ctx context.Context, operation string) error
}

// begin records a call of operation and returns the error it must fail with instead of
// running, if any: the context's, an injected one, or the hook's.
func (c *calls) begin(ctx context.Context, operation string) error {
	c.mu.Lock()
	if c.count == nil {
		c.count = map[string]int{}
	}
	c.count[operation]++
	var injected error
	if q := c.fail[operation]; len(q) > 0 {
		injected, c.fail[operation] = q[0], q[1:]
	}
	hook := c.hook
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if injected != nil {
		return injected
	}
	if hook != nil {
		return hook(ctx, operation)
	}
	return nil
}

func (c *calls) calls(operation string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if operation == "" {
		n := 0
		for _, v := range c.count {
			n += v
		}
		return n
	}
	return c.count[operation]
}

func (c *calls) failNext(operation string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail == nil {
		c.fail = map[string][]error{}
	}
	c.fail[operation] = append(c.fail[operation], err)
}

func (c *calls) setHook(hook func(ctx context.Context, operation string) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hook = hook
}
