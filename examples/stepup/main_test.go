package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const testKey = "OTP_HMAC_KEY=test-key-of-at-least-thirty-two-bytes-0123456789"

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "stepup: ", triggertest.Payload(triggers.DefineAuthChallengeAuthentication), []exampletest.StartupError{
		{Name: "no code step", Env: nil, Want: "missing environment variable OTP_FROM"},
		{Name: "two code steps", Env: []string{"OTP_FROM=s@example.com", "SMS_OTP=true", testKey}, Want: "OTP_FROM and SMS_OTP are both set"},
		{Name: "http issuer", Env: []string{"OTP_FROM=s@example.com", testKey, "STEP_UP_ISSUER_BASE=http://issuer.example"}, Want: "STEP_UP_ISSUER_BASE, STEP_UP_MAX_AGE:"},
		{Name: "bad age", Env: []string{"OTP_FROM=s@example.com", testKey, "STEP_UP_MAX_AGE=long"}, Want: "STEP_UP_MAX_AGE: want a duration"},
		{Name: "no key", Env: []string{"SMS_OTP=true"}, Want: "missing environment variable OTP_HMAC_KEY"},
	})
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// TestIntegrationStepUp runs the program with the pool's JWKS served over HTTPS by the
// test (its certificate trusted through SSL_CERT_FILE) and SES local: without a token, or
// with one of another user, no code is sent; with the user's access token the code
// arrives and signs in.
func TestIntegrationStepUp(t *testing.T) {
	srv := localAWS.Servers(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/us-east-1_EXAMPLE/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}})
	}))
	t.Cleanup(jwks.Close)
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: jwks.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), "OTP_FROM=sign-in@example.com", testKey, "STEP_UP_ISSUER_BASE="+jwks.URL, "SSL_CERT_FILE="+certFile)
	name := awslocal.UniqueName("ana")
	email := name + "@example.com"
	user := triggertest.AuthUser{UserName: name, Attributes: map[string]string{"sub": "s-" + name, "email": email, "email_verified": "true"}}
	token := func(username string) string {
		now := time.Now().Unix()
		enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
		signing := enc(map[string]string{"alg": "RS256", "kid": "k1"}) + "." + enc(map[string]any{
			"iss": jwks.URL + "/us-east-1_EXAMPLE", "client_id": "exampleclientid", "token_use": "access",
			"exp": now + 600, "iat": now - 10, "auth_time": now - 10, "username": username, "sub": "s-" + name})
		digest := sha256.Sum256([]byte(signing))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	codes := func() []string {
		var out []string
		for _, m := range srv.Emails(t) {
			if slices.Contains(m.To, email) {
				out = append(out, codePattern.FindString(m.Text))
			}
		}
		return out
	}
	flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})

	if step := flow.Start(); step.Public["step"] != "STEP_UP" {
		t.Fatalf("first step %+v, want the step-up check", step)
	}
	if step := flow.Answer("go"); step.Public["step"] != "STEP_UP" || len(codes()) != 0 {
		t.Fatalf("without a token: %+v, %d codes; want the check again and no code", step, len(codes()))
	}
	if step := flow.AnswerWithMetadata("go", map[string]string{"accessToken": token("someone-else")}); step.Public["step"] != "STEP_UP" || len(codes()) != 0 {
		t.Fatalf("another user's token: %+v, %d codes; want the check again and no code", step, len(codes()))
	}
	flow.Start()
	if step := flow.AnswerWithMetadata("go", map[string]string{"accessToken": token(name)}); step.Public["step"] != "EMAIL_OTP" {
		t.Fatalf("the user's token: %+v, want the code step", step)
	}
	got := codes()
	if len(got) != 1 {
		t.Fatalf("%d codes, want 1", len(got))
	}
	if step := flow.Answer(got[0]); !step.Tokens {
		t.Fatalf("the code: %+v, want tokens", step)
	}
}

var localAWS = localaws.New(awslocal.Config{SES: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
