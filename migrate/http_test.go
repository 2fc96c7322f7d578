package migrate_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

// legacyEndpoint is the legacy service of HTTPStore's contract: it knows ada with
// adaPassword, and checks the API key header.
func legacyEndpoint(t testing.TB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s with Content-Type %q, want a JSON POST", r.Method, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("X-Api-Key") != "k3y" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		if strings.Contains(r.URL.String(), adaPassword) {
			t.Errorf("password in the URL %s", r.URL)
		}
		var req struct{ Action, Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("body: %v", err)
		}
		switch {
		case req.Username == "broken@example.com":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"echo":"`+req.Password+`"}`)
		case req.Username == "garbage@example.com":
			_, _ = io.WriteString(w, `<html>maintenance</html>`)
		case req.Username == "huge@example.com":
			_, _ = io.WriteString(w, `{"attributes":{"x":"`+strings.Repeat("a", 70<<10)+`"}}`)
		case req.Username != "ada@example.com":
			w.WriteHeader(http.StatusNotFound)
		case req.Action == "lookup" && req.Password == "":
			_, _ = io.WriteString(w, `{"attributes":{"email":"ada@example.com","email_verified":true}}`)
		case req.Action == "authenticate" && req.Password == adaPassword:
			_, _ = io.WriteString(w, `{"attributes":{"email":"ada@example.com","email_verified":"true","custom:plan":"pro"},"resetPassword":true}`)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
}

// newHTTPStore returns a store for srv, with cfg's settings and the endpoint, client and
// API key header the test server expects.
func newHTTPStore(t testing.TB, srv *httptest.Server, cfg migrate.HTTPStoreConfig) *migrate.HTTPStore {
	t.Helper()
	cfg.Endpoint, cfg.HTTPClient, cfg.Header = srv.URL+"/legacy/users", srv.Client(), http.Header{"X-Api-Key": {"k3y"}}
	store, err := migrate.NewHTTPStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func TestHTTPStore(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(legacyEndpoint(t))
	t.Cleanup(srv.Close)
	store := newHTTPStore(t, srv, migrate.HTTPStoreConfig{})
	ctx := context.Background()

	user, err := store.Authenticate(ctx, "ada@example.com", adaPassword)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonText(t, user); got != `{"Attributes":{"custom:plan":"pro","email":"ada@example.com","email_verified":"true"},"ResetPassword":true}` {
		t.Errorf("user = %s", got)
	}
	user, err = store.Lookup(ctx, "ada@example.com")
	if err != nil || user.Attributes["email_verified"] != "true" || user.ResetPassword {
		t.Errorf("Lookup = %+v, %v; want the user with the boolean taken as text", user, err)
	}

	tests := []struct {
		name     string
		call     func() (*migrate.User, error)
		want     error // nil: any error that is not a credentials error
		contains string
	}{
		{"wrong password", func() (*migrate.User, error) { return store.Authenticate(ctx, "ada@example.com", "nope") }, migrate.ErrWrongPassword, ""},
		{"unknown user", func() (*migrate.User, error) { return store.Authenticate(ctx, "nobody@example.com", adaPassword) }, migrate.ErrUnknownUser, ""},
		{"unknown user lookup", func() (*migrate.User, error) { return store.Lookup(ctx, "nobody@example.com") }, migrate.ErrUnknownUser, ""},
		{"non-2xx", func() (*migrate.User, error) { return store.Authenticate(ctx, "broken@example.com", adaPassword) }, nil, "502 Bad Gateway"},
		{"not JSON", func() (*migrate.User, error) { return store.Authenticate(ctx, "garbage@example.com", adaPassword) }, nil, "not the expected JSON"},
		{"too large", func() (*migrate.User, error) { return store.Authenticate(ctx, "huge@example.com", adaPassword) }, nil, "larger than"},
		{"no API key", func() (*migrate.User, error) {
			s, _ := migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: srv.URL, HTTPClient: srv.Client()})
			return s.Authenticate(ctx, "ada@example.com", adaPassword)
		}, migrate.ErrWrongPassword, ""},
	}
	for _, tt := range tests {
		user, err := tt.call()
		switch {
		case user != nil || err == nil:
			t.Errorf("%s: user %+v, error %v; want an error", tt.name, user, err)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		case tt.want == nil && (errors.Is(err, migrate.ErrWrongPassword) || errors.Is(err, migrate.ErrUnknownUser)):
			t.Errorf("%s: %v; a failing endpoint must not look like bad credentials", tt.name, err)
		case !strings.Contains(err.Error(), tt.contains):
			t.Errorf("%s: %q does not say %q", tt.name, err, tt.contains)
		case strings.Contains(err.Error(), adaPassword):
			t.Errorf("%s: error %q contains the password", tt.name, err)
		}
	}
}

func TestHTTPStoreTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	store := newHTTPStore(t, srv, migrate.HTTPStoreConfig{Timeout: 100 * time.Millisecond})

	began := time.Now()
	_, err := store.Authenticate(context.Background(), "ada@example.com", adaPassword)
	took := time.Since(began)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	if took > 2*time.Second {
		t.Errorf("gave up after %s, want about the 100ms timeout", took)
	}

	// The router's budget bounds the call too, when it is the shorter.
	h, err := migrate.Migrate(migrate.Config{Store: newHTTPStore(t, srv, migrate.HTTPStoreConfig{})})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter(triggers.RouterConfig{Budget: 150 * time.Millisecond, Logger: discardLogger()}).UserMigration(h)
	began = time.Now()
	_, ierr := r.Handle(context.Background(), signIn(t, "ada@example.com", adaPassword))
	if ierr == nil || ierr.Type != triggers.ErrorTypeInternal {
		t.Errorf("error = %v, want an internal error", ierr)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("trigger answered after %s, want within the 150ms budget", took)
	}
}

// A redirect would re-post the password elsewhere, maybe over plain HTTP: refused.
func TestHTTPStoreRefusesRedirects(t *testing.T) {
	t.Parallel()
	var stolen atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	t.Cleanup(elsewhere.Close)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	_, err := newHTTPStore(t, srv, migrate.HTTPStoreConfig{}).Authenticate(context.Background(), "ada@example.com", adaPassword)
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("err = %v, want the redirect status as a failure", err)
	}
	if stolen.Load() != 0 {
		t.Error("the request followed the redirect")
	}
}

func TestNewHTTPStoreRejectsUnsafeEndpoints(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{
		"http://legacy.example.com/users",
		"https://admin:hunter2@legacy.example.com/users",
		"legacy.example.com/users",
		"ftp://legacy.example.com",
		"https://",
		"://bad",
	} {
		if st, err := migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: endpoint}); err == nil || st != nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: store %v, error %v; want it refused without echoing credentials", endpoint, st != nil, err)
		}
	}
	if _, err := migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: "http://127.0.0.1:8080/users", AllowInsecureHTTP: true}); err != nil {
		t.Errorf("http with AllowInsecureHTTP: %v", err)
	}
	for name, tt := range map[string]struct {
		cfg  migrate.HTTPStoreConfig
		want string
	}{
		"no endpoint":      {migrate.HTTPStoreConfig{}, "migrate.NewHTTPStore: Endpoint is empty"},
		"negative timeout": {migrate.HTTPStoreConfig{Endpoint: "https://legacy.example.com", Timeout: -time.Second}, "migrate.NewHTTPStore: Timeout"},
		"empty header":     {migrate.HTTPStoreConfig{Endpoint: "https://legacy.example.com", Header: http.Header{"": {"x"}}}, "migrate.NewHTTPStore: Header"},
	} {
		if _, err := migrate.NewHTTPStore(tt.cfg); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", name, err, tt.want)
		}
	}
}
