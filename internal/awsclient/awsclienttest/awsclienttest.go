// Package awsclienttest holds what the lazy client packages' tests share: a stand-in AWS
// endpoint that records the operations it is asked for, an environment in which the
// process-wide configuration either fails to load or loads with that endpoint, and
// [RequireLazy], the check of the lifecycle every lazy client promises.
package awsclienttest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// Server is a stand-in for one AWS service that answers every request with the same
// body and records which operation each request asks for.
type Server struct {
	*httptest.Server
	mu  sync.Mutex
	ops []string
}

// NewServer starts a Server, closed when t ends. op names a request's operation: the
// X-Amz-Target header for JSON services, the method and path for REST ones.
func NewServer(t *testing.T, op func(*http.Request) string, body string) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ops = append(s.ops, op(r))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// Target names a request by its X-Amz-Target header.
func Target(r *http.Request) string { return r.Header.Get("X-Amz-Target") }

// MethodAndPath names a request by its method and path.
func MethodAndPath(r *http.Request) string { return r.Method + " " + r.URL.Path }

// Requests returns the operations asked for so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ops...)
}

// SetEnv makes the configuration fail to load (endpoint "") or load with endpoint as the
// service's endpoint, named by endpointVar (such as AWS_ENDPOINT_URL_DYNAMODB), in this
// build and in the lambda.norpc one.
func SetEnv(t *testing.T, endpointVar, endpoint string) {
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv(endpointVar, endpoint)
	if endpoint == "" {
		t.Setenv("AWS_PROFILE", "no-such-profile")
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		return
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
}

// Service describes a lazy client package to [RequireLazy].
type Service struct {
	EndpointVar string                      // the endpoint variable, such as AWS_ENDPOINT_URL_DYNAMODB
	Name        func(*http.Request) string  // how a request names its operation: Target or MethodAndPath
	Body        string                      // what the stand-in answers every request with
	Default     func(context.Context) error // the package's Default, its client dropped
}

// Call is one method of a lazy client: Do calls it, and Request is the operation it asks
// the service for, as Service.Name names it.
type Call struct {
	Request string
	Do      func(context.Context) error
}

// RequireLazy checks the lifecycle of a lazy client package: without a usable
// configuration, Default and every call fail; the first use that finds one creates the
// process-wide client, and every call then asks that client's endpoint for its operation,
// even once the endpoint variable names another. It changes the process environment, so
// the test that calls it must not run in parallel.
func RequireLazy(t *testing.T, s Service, calls []Call) {
	t.Helper()
	ctx := t.Context()
	SetEnv(t, s.EndpointVar, "")
	if err := s.Default(ctx); err == nil {
		t.Fatal("Default: no error without a usable configuration")
	}
	for _, c := range calls {
		if err := c.Do(ctx); err == nil {
			t.Errorf("%s: no error without a usable configuration", c.Request)
		}
	}

	first := NewServer(t, s.Name, s.Body)
	SetEnv(t, s.EndpointVar, first.URL)
	if err := s.Default(ctx); err != nil {
		t.Fatalf("Default: %v", err)
	}
	// The client exists now: a later change of endpoint does not make another one.
	second := NewServer(t, s.Name, s.Body)
	SetEnv(t, s.EndpointVar, second.URL)
	var want []string
	for _, c := range calls {
		want = append(want, c.Request)
		if err := c.Do(ctx); err != nil {
			t.Errorf("%s: %v", c.Request, err)
		}
	}
	if got := first.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if got := second.Requests(); len(got) > 0 {
		t.Errorf("requests %q to the endpoint set after the client was created", got)
	}
}
