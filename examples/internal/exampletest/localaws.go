package exampletest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// LocalAWS is the local AWS servers that the integration tests of one example package
// share: started on first use, which takes seconds, and stopped by [Main] after the last
// test. Each test creates its own tables, pools and names (awslocal.UniqueName), so that
// tests do not depend on each other's data.
type LocalAWS struct {
	options func() ([]awslocal.Option, error)
	once    sync.Once
	servers *awslocal.Servers
	err     error
}

// NewLocalAWS returns the package's local servers, to start with opts.
func NewLocalAWS(opts ...awslocal.Option) *LocalAWS {
	return NewLocalAWSFunc(func() ([]awslocal.Option, error) { return opts, nil })
}

// NewLocalAWSFunc is [NewLocalAWS] for options known only when the servers start, such as
// the address at which cognito-local calls the function under test.
func NewLocalAWSFunc(options func() ([]awslocal.Option, error)) *LocalAWS {
	return &LocalAWS{options: options}
}

// Servers returns the servers, started on first use. Where they cannot run (no Node.js),
// it skips t, or fails it when awslocal.RequireCI; it fails t when they do not start.
func (l *LocalAWS) Servers(t testing.TB) *awslocal.Servers {
	t.Helper()
	l.once.Do(func() {
		var opts []awslocal.Option
		if opts, l.err = l.options(); l.err == nil {
			l.servers, l.err = awslocal.StartServers(context.Background(), opts...)
		}
	})
	if errors.Is(l.err, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("awslocal: %v", l.err)
	}
	if l.err != nil {
		t.Fatalf("awslocal: %v", l.err)
	}
	return l.servers
}

func (l *LocalAWS) close() {
	if l.servers != nil {
		if err := l.servers.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
		}
	}
}
