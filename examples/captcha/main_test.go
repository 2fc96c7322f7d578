package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// verifyServer is a siteverify endpoint that accepts the token "human" for the secret
// "site-secret".
func verifyServer(t *testing.T) (url string, calls *atomic.Int32) {
	t.Helper()
	calls = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.RawQuery != "" {
			t.Errorf("verify request query %q: the secret and token belong in the body", r.URL.RawQuery)
		}
		ok := r.PostFormValue("secret") == "site-secret" && r.PostFormValue("response") == "human"
		fmt.Fprintf(w, `{"success":%t}`, ok)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, calls
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	url, calls := verifyServer(t)
	env := []string{"RECAPTCHASECRET=site-secret", "RECAPTCHA_VERIFY_URL=" + url, "RECAPTCHA_SITE_KEY=site-key"}
	user := triggertest.AuthUser{UserName: "ana", Attributes: map[string]string{"sub": "ana-sub", "email": "ana@example.com"}}

	t.Run("password then captcha", func(t *testing.T) {
		flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})
		step := flow.StartWithPassword(true)
		if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["siteKey"] != "site-key" {
			t.Fatalf("after the password: %+v, want the CAPTCHA challenge with the site key", step)
		}
		if step = flow.Answer("robot"); step.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("after a failed CAPTCHA: %+v, want another try", step)
		}
		if step = flow.Answer("human"); !step.Tokens {
			t.Fatalf("after a solved CAPTCHA: %+v, want tokens", step)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		before := calls.Load()
		flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})
		if step := flow.StartWithPassword(false); !step.Failed {
			t.Fatalf("after a wrong password: %+v, want the sign-in failed", step)
		}
		if calls.Load() != before {
			t.Error("the CAPTCHA was verified for a wrong password")
		}
	})
	t.Run("captcha without password", func(t *testing.T) {
		flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})
		if step := flow.Start(); !step.Failed {
			t.Fatalf("a sign-in that skipped the password: %+v", step)
		}
	})
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "captcha: ", triggertest.Fixture("DefineAuthChallenge_Authentication"), []exampletest.StartupError{
		{Name: "no secret", Want: "missing environment variable RECAPTCHASECRET"},
		{Name: "bad verify URL", Env: []string{"RECAPTCHASECRET=site-secret", "RECAPTCHA_VERIFY_URL=ftp://example.com/verify"}, Want: "RECAPTCHASECRET, RECAPTCHA_VERIFY_URL:"},
	}, "site-secret")
}

func TestMain(m *testing.M) { exampletest.Main(m, main) }
