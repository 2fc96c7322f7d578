package customauth_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

var rsaKeys = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	var keys []*rsa.PrivateKey
	for range 2 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
})

// jwksServer serves a pool's key set over https and counts the fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    map[string]*rsa.PrivateKey // by kid
	fetches atomic.Int32
}

func newJWKSServer(t testing.TB, kids ...string) *jwksServer {
	t.Helper()
	keys, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	s := &jwksServer{keys: map[string]*rsa.PrivateKey{}}
	for i, kid := range kids {
		s.keys[kid] = keys[i]
	}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/us-east-1_EXAMPLE/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		var set []map[string]string
		for kid, k := range s.keys {
			set = append(set, map[string]string{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
				"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": set})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) add(kid string, k *rsa.PrivateKey) {
	s.mu.Lock()
	s.keys[kid] = k
	s.mu.Unlock()
}

// jwt signs claims with key under kid, RS256 unless alg says otherwise.
func jwt(t testing.TB, key *rsa.PrivateKey, kid, alg string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"alg": alg, "kid": kid}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

type stepUpEnv struct {
	clock *clock
	jwks  *jwksServer
	mail  *mailbox
	flow  *customauth.Flow
}

// newStepUp is a flow of the step-up check and then an email code.
func newStepUp(t testing.TB, cfg customauth.StepUpConfig) *stepUpEnv {
	t.Helper()
	env := &stepUpEnv{clock: newClock(), jwks: newJWKSServer(t, "key-1"), mail: &mailbox{}}
	cfg.IssuerBase, cfg.HTTPClient, cfg.Now = env.jwks.URL, env.jwks.Client(), env.clock.Now
	stepUp, err := customauth.StepUpStep(cfg)
	if err != nil {
		t.Fatal(err)
	}
	otp, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "s@example.com", Key: testKey, Client: env.mail, Now: env.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	env.flow = customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{stepUp, otp}}))
	return env
}

// claims are those of a valid access token of alice for the simulator's pool and client.
func (e *stepUpEnv) claims() map[string]any {
	now := e.clock.Now().Unix()
	return map[string]any{
		"iss": e.jwks.URL + "/us-east-1_EXAMPLE", "client_id": "exampleclientid", "token_use": "access",
		"exp": now + 3600, "iat": now - 60, "auth_time": now - 60, "username": "alice", "sub": "0001",
		"scope": "aws.cognito.signin.user.admin", "jti": "j-1", "origin_jti": "o-1", "event_id": "e-1", "version": 2,
	}
}

func (e *stepUpEnv) token(t testing.TB, change func(map[string]any)) string {
	c := e.claims()
	if change != nil {
		change(c)
	}
	return jwt(t, e.jwks.keys["key-1"], "key-1", "RS256", c)
}

// try signs in with token in client metadata and reports whether the code step came next.
func (e *stepUpEnv) try(t *testing.T, token string) bool {
	t.Helper()
	sim := triggertest.NewAuthFlow(t, router(e.flow, &triggertest.Logs{}), triggertest.AuthFlowConfig{User: alice, Now: e.clock.Now})
	step := sim.Start()
	if step.Public["step"] != customauth.StepUpStepName || step.Public["clientMetadataKey"] != customauth.StepUpTokenKey {
		t.Fatalf("Start() = %+v, want the step-up challenge", step)
	}
	sent := e.mail.count()
	var md map[string]string
	if token != "" {
		md = map[string]string{customauth.StepUpTokenKey: token}
	}
	step = sim.AnswerWithMetadata("step up", md)
	passed := step.Public["step"] == customauth.EmailOTPStepName
	if !passed && e.mail.count() != sent {
		t.Error("a code went out although the step-up check failed")
	}
	if passed {
		if out := sim.Answer(e.mail.lastCode(t)); !out.Tokens {
			t.Fatalf("the code after the step-up: %+v, want tokens", out)
		}
	}
	return passed
}

func TestAuthFlowStepUp(t *testing.T) {
	t.Parallel()
	keys, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token func(t *testing.T, e *stepUpEnv) string
		want  bool
	}{
		{"valid", func(t *testing.T, e *stepUpEnv) string { return e.token(t, nil) }, true},
		{"no token", func(*testing.T, *stepUpEnv) string { return "" }, false},
		{"garbage", func(*testing.T, *stepUpEnv) string { return "a.b.c" }, false},
		{"two parts", func(*testing.T, *stepUpEnv) string { return "a.b" }, false},
		{"expired", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["exp"] = e.clock.Now().Unix() })
		}, false},
		{"no expiry", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { delete(c, "exp") })
		}, false},
		{"issued in the future", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["iat"] = e.clock.Now().Add(time.Hour).Unix() })
		}, false},
		{"id token", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["token_use"] = "id" })
		}, false},
		{"another client", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["client_id"] = "otherclient" })
		}, false},
		{"another pool", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["iss"] = e.jwks.URL + "/us-east-1_OTHER" })
		}, false},
		{"another issuer", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE" })
		}, false},
		{"another user name", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["username"] = "bob" })
		}, false},
		{"another sub", func(t *testing.T, e *stepUpEnv) string {
			return e.token(t, func(c map[string]any) { c["sub"] = "0002" })
		}, false},
		{"signed by another key", func(t *testing.T, e *stepUpEnv) string { return jwt(t, keys[1], "key-1", "RS256", e.claims()) }, false},
		{"unknown key", func(t *testing.T, e *stepUpEnv) string { return jwt(t, keys[1], "key-2", "RS256", e.claims()) }, false},
		{"alg none", func(t *testing.T, e *stepUpEnv) string {
			tok := e.token(t, nil)
			head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"key-1"}`))
			return head + tok[strings.IndexByte(tok, '.'):]
		}, false},
		{"alg HS256", func(t *testing.T, e *stepUpEnv) string { return jwt(t, keys[0], "key-1", "HS256", e.claims()) }, false},
		{"payload changed", func(t *testing.T, e *stepUpEnv) string {
			parts := strings.Split(e.token(t, nil), ".")
			c := e.claims()
			c["username"] = "alice "
			b, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newStepUp(t, customauth.StepUpConfig{})
			if got := env.try(t, tt.token(t, env)); got != tt.want {
				t.Errorf("passed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthFlowStepUpOptions(t *testing.T) {
	t.Parallel()
	t.Run("client ids", func(t *testing.T) {
		t.Parallel()
		env := newStepUp(t, customauth.StepUpConfig{ClientIDs: []string{"webclient"}})
		if env.try(t, env.token(t, nil)) {
			t.Error("the sign-in's own client passed although not listed")
		}
		if !env.try(t, env.token(t, func(c map[string]any) { c["client_id"] = "webclient" })) {
			t.Error("a listed client did not pass")
		}
	})
	t.Run("max age", func(t *testing.T) {
		t.Parallel()
		env := newStepUp(t, customauth.StepUpConfig{MaxAge: 30 * time.Minute})
		if !env.try(t, env.token(t, nil)) {
			t.Error("a recent sign-in did not pass")
		}
		if env.try(t, env.token(t, func(c map[string]any) { c["auth_time"] = env.clock.Now().Add(-time.Hour).Unix() })) {
			t.Error("a sign-in an hour ago passed")
		}
	})
}

func TestStepUpKeySetCache(t *testing.T) {
	t.Parallel()
	keys, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	env := newStepUp(t, customauth.StepUpConfig{RefreshInterval: time.Minute})
	for range 3 {
		if !env.try(t, env.token(t, nil)) {
			t.Fatal("valid token refused")
		}
	}
	if n := env.jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d key set fetches for three tokens, want 1", n)
	}

	// A rotated key: its first token fetches the set again, once per interval.
	rotated := jwt(t, keys[1], "key-2", "RS256", env.claims())
	env.jwks.add("key-2", keys[1])
	for range 2 {
		if env.try(t, rotated) {
			t.Fatal("a new key was used within the refresh interval of the last fetch")
		}
	}
	if n := env.jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want none within the interval", n)
	}
	env.clock.Advance(time.Minute)
	rotated = jwt(t, keys[1], "key-2", "RS256", env.claims())
	if !env.try(t, rotated) {
		t.Fatal("a token of the rotated key refused after the interval")
	}
	if !env.try(t, jwt(t, keys[1], "key-2", "RS256", env.claims())) || env.jwks.fetches.Load() != 2 {
		t.Fatalf("%d fetches, want 2", env.jwks.fetches.Load())
	}
	// Made-up key ids cost at most one fetch per interval.
	for range 5 {
		env.try(t, jwt(t, keys[1], "made-up", "RS256", env.claims()))
	}
	if n := env.jwks.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after made-up key ids, want 2", n)
	}
}

func TestStepUpKeySetUnavailable(t *testing.T) {
	t.Parallel()
	env := newStepUp(t, customauth.StepUpConfig{})
	tok := env.token(t, nil)
	env.jwks.Close()
	if env.try(t, tok) {
		t.Fatal("passed without a key set")
	}
}

func TestStepUpConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []customauth.StepUpConfig{
		{IssuerBase: "http://cognito-idp.us-east-1.amazonaws.com"},
		{IssuerBase: "not a url"},
		{IssuerBase: "https://x.example/?a=b"},
		{MaxAge: -time.Second},
	} {
		if _, err := customauth.StepUpStep(cfg); err == nil {
			t.Errorf("StepUpStep(%+v) accepted", cfg)
		}
	}
}
