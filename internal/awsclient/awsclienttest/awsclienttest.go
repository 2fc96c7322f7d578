// Package awsclienttest holds what the lazy client packages' tests share: a stand-in AWS
// endpoint that records the operations it is asked for, and an environment in which the
// process-wide configuration either fails to load or loads with that endpoint.
package awsclienttest

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
