package awsclient

import (
	"context"
	"fmt"
	"reflect"
	"sync"
)

// Lazy is a module's AWS client: the one its caller gave, or else the process-wide one,
// resolved on first use and then kept, so that a module never builds a client per
// invocation. A failed resolution is tried again on the next call.
type Lazy[T comparable] struct {
	mu      sync.Mutex
	client  T
	resolve func(context.Context) (T, error)
}

// NewLazy returns a Lazy of client, or, when client is nil or an interface holding a nil
// pointer (a nil *dynamodb.Client passed as a module's client), of the client that resolve
// returns on first use, such as lazydynamodb.Default.
func NewLazy[T comparable](client T, resolve func(context.Context) (T, error)) *Lazy[T] {
	if v := reflect.ValueOf(client); v.Kind() == reflect.Pointer && v.IsNil() {
		var zero T
		client = zero
	}
	return &Lazy[T]{client: client, resolve: resolve}
}

// Get returns the client, resolving it first if need be. A module calls Get before any
// write that a missing client would leave half done.
func (l *Lazy[T]) Get(ctx context.Context) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var zero T
	if l.client == zero {
		c, err := l.resolve(ctx)
		if err != nil {
			return zero, fmt.Errorf("default AWS client: %w", err)
		}
		l.client = c
	}
	return l.client, nil
}
