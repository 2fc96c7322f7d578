package awsclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

// getter stands in for a module's narrow client interface.
type getter interface{ get() string }

type named string

func (n *named) get() string { return string(*n) }

func TestLazy(t *testing.T) {
	t.Parallel()
	given, resolved := named("given"), named("resolved")
	var nilClient *named
	tests := []struct {
		name   string
		client getter
		want   string
		calls  int // resolutions over three Gets
	}{
		{"client given", &given, "given", 0},
		{"no client", nil, "resolved", 1},
		{"nil pointer as client", nilClient, "resolved", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			l := awsclient.NewLazy(tt.client, func(context.Context) (getter, error) {
				calls++
				return &resolved, nil
			})
			for range 3 {
				c, err := l.Get(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if got := c.get(); got != tt.want {
					t.Errorf("client %q, want %q", got, tt.want)
				}
			}
			if calls != tt.calls {
				t.Errorf("resolved %d times, want %d", calls, tt.calls)
			}
		})
	}
}

// TestLazyRetries checks that a failed resolution is reported and tried again.
func TestLazyRetries(t *testing.T) {
	t.Parallel()
	resolved := named("resolved")
	fail := true
	l := awsclient.NewLazy[getter](nil, func(context.Context) (getter, error) {
		if fail {
			return nil, errors.New("no region")
		}
		return &resolved, nil
	})
	if _, err := l.Get(t.Context()); err == nil || !strings.Contains(err.Error(), "default AWS client: no region") {
		t.Fatalf("error %v, want the resolution's error", err)
	}
	fail = false
	c, err := l.Get(t.Context())
	if err != nil || c.get() != "resolved" {
		t.Fatalf("after a failure: %v, %v", c, err)
	}
}
