// Package localaws shares one set of local AWS servers among the tests of a package:
// started by the first test that needs them, stopped by [Main] after the last.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// Shared is the local AWS servers that the tests of one package share. Starting them
// takes seconds, so they start once, on first use. Each test creates its own tables, pools
// and names (awslocal.UniqueName), so that tests do not depend on each other's data.
type Shared struct {
	config  func() (awslocal.Config, error)
	once    sync.Once
	servers *awslocal.Servers
	err     error
}

// New returns the package's shared servers, to start with cfg.
func New(cfg awslocal.Config) *Shared {
	return NewFunc(func() (awslocal.Config, error) { return cfg, nil })
}

// NewFunc is [New] for a config known only when the servers start, such as one with the
// address at which cognito-local calls the function under test.
func NewFunc(config func() (awslocal.Config, error)) *Shared {
	return &Shared{config: config}
}

// Servers returns the servers, started on first use. Where they cannot run (no Node.js),
// it skips t, or fails it when awslocal.RequireCI; it fails t when they do not start.
func (s *Shared) Servers(t testing.TB) *awslocal.Servers {
	t.Helper()
	s.once.Do(func() {
		var cfg awslocal.Config
		if cfg, s.err = s.config(); s.err == nil {
			s.servers, s.err = awslocal.StartServers(context.Background(), cfg)
		}
	})
	if errors.Is(s.err, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("awslocal: %v", s.err)
	}
	if s.err != nil {
		t.Fatalf("awslocal: %v", s.err)
	}
	return s.servers
}

// Close stops the servers if they were started.
func (s *Shared) Close() error {
	if s.servers == nil {
		return nil
	}
	return s.servers.Close()
}

// Main is a package's TestMain: it runs the tests, then stops every shared set of servers.
// A server that fails to stop fails the run, as it fails a test that used awslocal.Start.
func Main(m *testing.M, shared ...*Shared) {
	os.Exit(Run(m, shared...))
}

// Run runs the tests, then stops every shared set of servers, and returns the exit code:
// for a TestMain that has more to do before it exits.
func Run(m *testing.M, shared ...*Shared) int {
	code := m.Run()
	for _, s := range shared {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}
