package postconfirm_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
)

const testSecret = triggers.Secret("whsec-0123456789abcdef-never-log")

// newWebhookServer returns a server that answers 204 to every delivery whose
// signature verifies, calling onRequest for each, and 401 to others.
func newWebhookServer(t *testing.T, onRequest func()) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := postconfirm.VerifySignature(testSecret, r.Header.Get(postconfirm.TimestampHeader),
			r.Header.Get(postconfirm.SignatureHeader), body, time.Minute)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		onRequest()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// delivery is one request a recording server received.
type delivery struct {
	method string
	path   string
	header http.Header
	body   []byte
}

func recordingServer(t *testing.T, status int) (*httptest.Server, func() []delivery) {
	var mu sync.Mutex
	var got []delivery
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, delivery{r.Method, r.URL.Path, r.Header.Clone(), body})
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []delivery {
		mu.Lock()
		defer mu.Unlock()
		return append([]delivery(nil), got...)
	}
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	srv, deliveries := recordingServer(t, http.StatusOK)
	hook := must(postconfirm.Webhook(postconfirm.WebhookConfig{
		Endpoint:   srv.URL + "/hooks/signup",
		Secret:     testSecret,
		Attributes: []string{"sub", "email", "given_name", "phone_number"},
	}))
	before := time.Now().Unix()
	if err := hook(t.Context(), event(t, signUpEvent)); err != nil {
		t.Fatal(err)
	}
	got := deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	d := got[0]
	if d.method != http.MethodPost || d.path != "/hooks/signup" || d.header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s (%s)", d.method, d.path, d.header.Get("Content-Type"))
	}

	// Verify the recipe by hand, independently of VerifySignature.
	ts := d.header.Get(postconfirm.TimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < before || sec > time.Now().Unix() {
		t.Errorf("timestamp header %q is not the time of sending", ts)
	}
	mac := hmac.New(sha256.New, []byte(testSecret.Reveal()))
	mac.Write([]byte(ts + "." + string(d.body)))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); d.header.Get(postconfirm.SignatureHeader) != want {
		t.Errorf("signature %q, want %q", d.header.Get(postconfirm.SignatureHeader), want)
	}
	if err := postconfirm.VerifySignature(testSecret, ts, d.header.Get(postconfirm.SignatureHeader), d.body, time.Minute); err != nil {
		t.Errorf("VerifySignature: %v", err)
	}

	var p postconfirm.WebhookPayload
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	want := postconfirm.WebhookPayload{
		TriggerSource: triggers.PostConfirmationConfirmSignUp, Region: "us-east-1",
		UserPoolID: "us-east-1_TestPool", UserName: testSub,
		UserAttributes: map[string]string{"sub": testSub, "email": "ana@example.com", "given_name": "Ana"},
	}
	if p.TriggerSource != want.TriggerSource || p.Region != want.Region || p.UserPoolID != want.UserPoolID ||
		p.UserName != want.UserName || len(p.UserAttributes) != 3 ||
		p.UserAttributes["given_name"] != "Ana" || p.UserAttributes["sub"] != testSub {
		t.Errorf("payload %+v, want %+v", p, want)
	}
	for _, leak := range []string{"client-token-never-logged", "custom:role", testSecret.Reveal()} {
		if strings.Contains(string(d.body), leak) {
			t.Errorf("payload %s carries %q", d.body, leak)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"userName":"ana"}`)
	sign := func(secret triggers.Secret, ts string, body []byte) string {
		mac := hmac.New(sha256.New, []byte(secret.Reveal()))
		mac.Write([]byte(ts + "." + string(body)))
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	old := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	future := strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10)
	tests := []struct {
		name      string
		ts, sig   string
		body      []byte
		wantError error
	}{
		{"valid", now, sign(testSecret, now, body), body, nil},
		{"upper-case hex", now, "sha256=" + strings.ToUpper(strings.TrimPrefix(sign(testSecret, now, body), "sha256=")), body, nil},
		{"body changed", now, sign(testSecret, now, body), []byte(`{"userName":"eve"}`), postconfirm.ErrSignatureMismatch},
		{"other secret", now, sign("another-secret-0123456789", now, body), body, postconfirm.ErrSignatureMismatch},
		{"timestamp changed", now, sign(testSecret, old, body), body, postconfirm.ErrSignatureMismatch},
		{"replayed old delivery", old, sign(testSecret, old, body), body, postconfirm.ErrSignatureExpired},
		{"future timestamp", future, sign(testSecret, future, body), body, postconfirm.ErrSignatureExpired},
		{"no prefix", now, strings.TrimPrefix(sign(testSecret, now, body), "sha256="), body, postconfirm.ErrSignatureMismatch},
		{"not hex", now, "sha256=zz", body, postconfirm.ErrSignatureMismatch},
		{"empty", "", "", body, postconfirm.ErrSignatureExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := postconfirm.VerifySignature(testSecret, tt.ts, tt.sig, tt.body, 5*time.Minute)
			if tt.wantError == nil && err != nil || tt.wantError != nil && !errors.Is(err, tt.wantError) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.wantError)
			}
		})
	}
}

func TestWebhookFailures(t *testing.T) {
	t.Parallel()
	redirect := httptest.NewServer(http.RedirectHandler("https://elsewhere.example/", http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	tests := []struct {
		name   string
		status int
	}{
		{"server error", http.StatusInternalServerError},
		{"rejected", http.StatusUnauthorized},
		{"no content is success", http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := recordingServer(t, tt.status)
			err := must(postconfirm.Webhook(postconfirm.WebhookConfig{
				Endpoint: srv.URL,
				Secret:   testSecret,
			}))(t.Context(), event(t, signUpEvent))
			if ok := tt.status < 300; ok != (err == nil) {
				t.Errorf("status %d: error %v", tt.status, err)
			}
			if err != nil && !strings.Contains(err.Error(), strconv.Itoa(tt.status)) {
				t.Errorf("error %q does not name the status", err)
			}
		})
	}
	t.Run("redirect is not followed", func(t *testing.T) {
		t.Parallel()
		err := must(postconfirm.Webhook(postconfirm.WebhookConfig{
			Endpoint: redirect.URL,
			Secret:   testSecret,
		}))(t.Context(), event(t, signUpEvent))
		if err == nil || !strings.Contains(err.Error(), "307") {
			t.Errorf("error %v, want the redirect status", err)
		}
	})
}

// TestWebhookTimeout checks that a hanging receiver costs no more than the configured
// timeout or what is left of the trigger's budget, whichever is shorter. The bounds
// are far from the expected durations, so a slow machine does not make it fail.
func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server watches for the client going away only once the body is read.
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(hang.Close)
	tests := []struct {
		name    string
		timeout time.Duration
		budget  time.Duration
	}{
		{"configured timeout shorter", 50 * time.Millisecond, time.Minute},
		{"context deadline shorter", time.Minute, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hook := must(postconfirm.Webhook(postconfirm.WebhookConfig{
				Endpoint: hang.URL,
				Secret:   testSecret,
				Timeout:  tt.timeout,
			}))
			ctx, cancel := context.WithTimeout(t.Context(), tt.budget)
			defer cancel()
			start := time.Now()
			err := hook(ctx, event(t, signUpEvent))
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v, want a deadline error", err)
			}
		})
	}
}

// TestWebhookSecretNeverLogged drives failing deliveries through a router at debug level
// and checks that neither the secret nor the credential in the URL's path and query
// appears in any log line or error.
func TestWebhookSecretNeverLogged(t *testing.T) {
	t.Parallel()
	const pathToken = "T0KEN-IN-PATH-never-log"
	const queryToken = "QUERY-TOKEN-never-log"
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusBadGateway)
	}))
	t.Cleanup(fail.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, base := range []string{fail.URL, closed.URL} {
		url := base + "/services/" + pathToken + "?token=" + queryToken
		for _, critical := range []bool{false, true} {
			hook := must(postconfirm.Webhook(postconfirm.WebhookConfig{
				Endpoint: url,
				Secret:   testSecret,
				Timeout:  2 * time.Second,
			}))
			if critical {
				hook = postconfirm.Critical(hook)
			}
			router, logs := newRouter(postconfirm.BestEffort(hook), triggers.RouterConfig{ExposeInternalErrors: true})
			_, ierr := router.Handle(t.Context(), payload(t, signUpEvent))
			if critical != (ierr != nil) {
				t.Fatalf("critical %v: Handle error %v", critical, ierr)
			}
			text := logs.String()
			if ierr != nil {
				text += ierr.Text()
			}
			if !strings.Contains(text, "Webhook") {
				t.Errorf("the failure was not logged:\n%s", text)
			}
			for _, secret := range []string{testSecret.Reveal(), pathToken, queryToken} {
				if strings.Contains(text, secret) {
					t.Errorf("%q appears in logs or error:\n%s", secret, text)
				}
			}
		}
	}
}

func TestWebhookConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		url    string
		secret triggers.Secret
		edit   func(*postconfirm.WebhookConfig)
		ok     bool
	}{
		{"https", "https://hooks.example.com/x", testSecret, nil, true},
		{"http to loopback", "http://127.0.0.1:8080/x", testSecret, nil, true},
		{"http to localhost", "http://localhost:8080/x", testSecret, nil, true},
		{"http to a remote host", "http://hooks.example.com/x", testSecret, nil, false},
		{"other scheme", "ftp://hooks.example.com/x", testSecret, nil, false},
		{"relative", "/hooks", testSecret, nil, false},
		{"unparsable", "https://exa mple.com/%zz", testSecret, nil, false},
		{"short secret", "https://hooks.example.com/x", "s3cr3t", nil, false},
		{"no endpoint", "", testSecret, nil, false},
		{"no secret", "https://hooks.example.com/x", "", nil, false},
		{"secret and source", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) {
			c.SecretSource = func(context.Context) (triggers.Secret, error) { return testSecret, nil }
		}, false},
		{"source alone", "https://hooks.example.com/x", "", func(c *postconfirm.WebhookConfig) {
			c.SecretSource = func(context.Context) (triggers.Secret, error) { return testSecret, nil }
		}, true},
		{"zero timeout is the default", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) { c.Timeout = 0 }, true},
		{"negative timeout", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) { c.Timeout = -time.Second }, false},
		{"empty attribute", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) { c.Attributes = []string{"sub", ""} }, false},
		{"nil client is the default", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) { c.HTTPClient = nil }, true},
		{"source of another trigger", "https://hooks.example.com/x", testSecret, func(c *postconfirm.WebhookConfig) {
			c.Sources = triggers.Sources{triggers.PostAuthenticationAuthentication}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := postconfirm.WebhookConfig{Endpoint: tt.url, Secret: tt.secret}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			_, err := postconfirm.Webhook(cfg)
			if tt.ok != (err == nil) {
				t.Errorf("Webhook(%q) error %v, want ok %v", tt.url, err, tt.ok)
			}
			if err != nil && tt.secret != "" && strings.Contains(err.Error(), tt.secret.Reveal()) {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}
