package customauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const captchaSecret = "captcha-secret-6Lc0000000000"

// siteverify is a fake verify endpoint: it answers each token with the JSON in replies
// ("" for HTTP 500, "slow" to hang until the client gives up), and records requests.
type siteverify struct {
	*httptest.Server
	mu       sync.Mutex
	requests []verifyRequest
	release  chan struct{}
}

type verifyRequest struct {
	method, contentType, rawQuery, secret, response string
}

var replies = map[string]string{
	"good":      `{"success":true,"challenge_ts":"2025-03-01T09:00:00Z","hostname":"app.example.com"}`,
	"v3-good":   `{"success":true,"score":0.9,"action":"login","hostname":"app.example.com"}`,
	"v3-low":    `{"success":true,"score":0.3,"action":"login","hostname":"app.example.com"}`,
	"v3-action": `{"success":true,"score":0.9,"action":"signup","hostname":"app.example.com"}`,
	"v3-host":   `{"success":true,"score":0.9,"action":"login","hostname":"evil.example.net"}`,
	"bad":       `{"success":false,"error-codes":["invalid-input-response"]}`,
	"garbage":   `<html>not json</html>`,
	"error":     "",
	"slow":      "slow",
}

func newSiteverify(t *testing.T) *siteverify {
	t.Helper()
	s := &siteverify{release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		s.mu.Lock()
		s.requests = append(s.requests, verifyRequest{
			method: r.Method, contentType: r.Header.Get("Content-Type"), rawQuery: r.URL.RawQuery,
			secret: r.PostForm.Get("secret"), response: r.PostForm.Get("response"),
		})
		s.mu.Unlock()
		if r.PostForm.Get("secret") != captchaSecret {
			_, _ = w.Write([]byte(`{"success":false,"error-codes":["invalid-input-secret"]}`))
			return
		}
		switch reply := replies[r.PostForm.Get("response")]; reply {
		case "":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-s.release:
			}
		default:
			_, _ = w.Write([]byte(reply))
		}
	}))
	t.Cleanup(func() {
		close(s.release)
		s.Close()
	})
	return s
}

func (s *siteverify) calls() []verifyRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]verifyRequest(nil), s.requests...)
}

// verifyCaptcha sends one verify event with token through a router with cfg's flow and
// reports answerCorrect.
func verifyCaptcha(t *testing.T, cfg customauth.CaptchaConfig, token string, rc ...triggers.RouterConfig) bool {
	t.Helper()
	r := router(customauth.Must(customauth.Captcha(cfg)), &triggertest.Logs{}, rc...)
	res := triggertest.InvokeEvent(t, r, triggertest.VerifyAuthChallenge(
		triggertest.WithChallengeAnswer(token), triggertest.WithPrivateChallengeParameter("step", "CAPTCHA")))
	res.RequireOK(t)
	return triggertest.EventAs[triggers.VerifyAuthChallengeEvent](res).Response.AnswerCorrect
}

func TestCaptchaVerify(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	v2 := customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL + "/siteverify"}
	v3 := v2
	v3.MinScore, v3.Action, v3.Hostnames = 0.5, "login", []string{"app.example.com", "www.example.com"}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	tests := []struct {
		name  string
		cfg   customauth.CaptchaConfig
		token string
		want  bool
	}{
		{"success", v2, "good", true},
		{"failure", v2, "bad", false},
		{"v3 success", v3, "v3-good", true},
		{"v3 low score", v3, "v3-low", false},
		{"v3 wrong action", v3, "v3-action", false},
		{"v3 wrong hostname", v3, "v3-host", false},
		{"v2 token where a score is required", v3, "good", false},
		{"low score accepted without a minimum", v2, "v3-low", true},
		{"server error", v2, "error", false},
		{"undecodable reply", v2, "garbage", false},
		{"wrong secret", customauth.CaptchaConfig{Secret: "other", VerifyURL: v2.VerifyURL}, "good", false},
		{"server down", customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: down.URL}, "good", false},
		{"empty token", v2, "", false},
		{"blank token", v2, "   ", false},
		{"oversized token", v2, "good" + strings.Repeat("x", 20000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := verifyCaptcha(t, tt.cfg, tt.token); got != tt.want {
				t.Errorf("answerCorrect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCaptchaRequest(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	logs := &triggertest.Logs{}
	cfg := customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL + "/siteverify?v=1"}
	r := router(customauth.Must(customauth.Captcha(cfg)), logs)
	for _, token := range []string{"good", "bad", "token-never-seen"} {
		triggertest.InvokeEvent(t, r, triggertest.VerifyAuthChallenge(
			triggertest.WithChallengeAnswer(token), triggertest.WithPrivateChallengeParameter("step", "CAPTCHA"))).RequireOK(t)
	}
	calls := srv.calls()
	if len(calls) != 3 {
		t.Fatalf("%d verify requests, want 3", len(calls))
	}
	for _, c := range calls {
		if c.method != http.MethodPost || c.contentType != "application/x-www-form-urlencoded" {
			t.Errorf("request %s %s, want a form POST", c.method, c.contentType)
		}
		if c.rawQuery != "v=1" || strings.Contains(c.rawQuery, captchaSecret) {
			t.Errorf("URL query %q carries more than configured", c.rawQuery)
		}
		if c.secret != captchaSecret {
			t.Errorf("secret in the body = %q", c.secret)
		}
	}
	if calls[2].response != "token-never-seen" {
		t.Errorf("token sent = %q", calls[2].response)
	}
	if l := logs.String(); strings.Contains(l, captchaSecret) || strings.Contains(l, "token-never-seen") {
		t.Errorf("logs show the secret or a token:\n%s", l)
	}
	if !strings.Contains(logs.String(), "captcha rejected") {
		t.Error("rejections are not logged")
	}
}

// TestCaptchaSlowServer checks that a verify endpoint that never answers costs no more
// than the trigger's budget: the answer is wrong, and Cognito hears back in time. The
// bounds are generous on purpose; the point is that nothing waits for the server.
func TestCaptchaSlowServer(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	tests := []struct {
		name   string
		cfg    customauth.CaptchaConfig
		router []triggers.RouterConfig
		limit  time.Duration
	}{
		{"router budget", customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL, Timeout: time.Hour},
			[]triggers.RouterConfig{triggers.RouterConfig{Budget: 300 * time.Millisecond}}, 3 * time.Second},
		{"captcha timeout", customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL, Timeout: 200 * time.Millisecond},
			[]triggers.RouterConfig{triggers.RouterConfig{Budget: triggers.NoBudget}}, 3 * time.Second},
		{"default timeout inside the default budget", customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL},
			nil, triggers.DefaultBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			if verifyCaptcha(t, tt.cfg, "slow", tt.router...) {
				t.Error("a verification that timed out was accepted")
			}
			took := time.Since(start)
			if took > tt.limit {
				t.Errorf("verification took %s, want under %s", took, tt.limit)
			}
			t.Logf("gave up after %s", took.Round(time.Millisecond))
		})
	}
}

func TestCaptchaConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  customauth.CaptchaConfig
		env  string
		want string
	}{
		{"no secret", customauth.CaptchaConfig{}, "", "secret"},
		{"not a URL", customauth.CaptchaConfig{Secret: "s", VerifyURL: "::"}, "", "not an http(s) URL"},
		{"not http", customauth.CaptchaConfig{Secret: "s", VerifyURL: "ftp://example.com/x"}, "", "not an http(s) URL"},
		{"secret in URL", customauth.CaptchaConfig{Secret: "s", VerifyURL: "https://example.com/v?secret=s"}, "", "body"},
		{"score above 1", customauth.CaptchaConfig{Secret: "s", MinScore: 1.5}, "", "customauth.Captcha: MinScore"},
		{"negative score", customauth.CaptchaConfig{Secret: "s", MinScore: -0.1}, "", "customauth.Captcha: MinScore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(customauth.CaptchaSecretEnv, tt.env)
			_, err := customauth.Captcha(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Captcha() error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("secret from env", func(t *testing.T) {
		srv := newSiteverify(t)
		t.Setenv(customauth.CaptchaSecretEnv, captchaSecret)
		if !verifyCaptcha(t, customauth.CaptchaConfig{VerifyURL: srv.URL}, "good") {
			t.Error("the secret from RECAPTCHASECRET was not used")
		}
	})
}

func TestAuthFlowPasswordThenCaptcha(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	flow := customauth.Must(customauth.PasswordThenCaptcha(customauth.CaptchaConfig{
		Secret: captchaSecret, VerifyURL: srv.URL, SiteKey: "6Lc-site-key"}))
	r := router(flow, &triggertest.Logs{})

	sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
	step := sim.StartWithPassword(true)
	if step.Public["step"] != "CAPTCHA" || step.Public["siteKey"] != "6Lc-site-key" {
		t.Fatalf("after the password: %+v, want the CAPTCHA challenge with the site key", step)
	}
	if out := sim.Answer("bad"); out.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("failed CAPTCHA: %+v, want another try", out)
	}
	if out := sim.Answer("good"); !out.Tokens {
		t.Fatalf("solved CAPTCHA: %+v, want tokens", out)
	}

	calls := len(srv.calls())
	if out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice}).StartWithPassword(false); !out.Failed {
		t.Fatalf("wrong password: %+v, want failure", out)
	}
	if len(srv.calls()) != calls {
		t.Error("a CAPTCHA was verified after a wrong password")
	}
	if out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice}).Start(); !out.Failed {
		t.Fatalf("sign-in without SRP: %+v, want failure", out)
	}

	sim = triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
	sim.StartWithPassword(true)
	var out triggertest.AuthStep
	for range 3 {
		out = sim.Answer("v3-low")
	}
	if !out.Failed {
		t.Fatalf("three failed CAPTCHAs: %+v, want failure", out)
	}
}

func TestAuthFlowCaptchaAlone(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	flow := customauth.Must(customauth.Captcha(customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL}))
	r := router(flow, &triggertest.Logs{})

	sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice})
	if step := sim.Start(); step.Public["step"] != "CAPTCHA" {
		t.Fatalf("Start() = %+v", step)
	}
	if out := sim.Answer("good"); !out.Tokens {
		t.Fatalf("solved CAPTCHA: %+v, want tokens", out)
	}
	if out := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: alice}).StartWithPassword(true); !out.Failed {
		t.Fatalf("SRP start on a CAPTCHA-only flow: %+v, want failure", out)
	}
	nobody := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "nobody", NotFound: true}})
	nobody.Start()
	var out triggertest.AuthStep
	for range 3 {
		out = nobody.Answer("good")
	}
	if !out.Failed {
		t.Fatalf("missing user with solved CAPTCHAs: %+v, want failure", out)
	}
}

func TestAuthFlowCaptchaThenOTPUserNotFound(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	captcha, err := customauth.CaptchaStep(customauth.CaptchaConfig{Secret: captchaSecret, VerifyURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	mail := &mailbox{}
	otp, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "sign-in@example.com", Key: testKey, Client: mail})
	if err != nil {
		t.Fatal(err)
	}
	r := router(customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{captcha, otp}})), &triggertest.Logs{})
	play := func(user triggertest.AuthUser) []string {
		sim := triggertest.NewAuthFlow(t, r, triggertest.AuthFlowConfig{User: user})
		sim.Start()
		out := sim.Answer("good")
		if out.Public["step"] != "EMAIL_OTP" {
			t.Fatalf("%s after a solved CAPTCHA: %+v, want the code challenge", user.UserName, out)
		}
		for out.ChallengeName != "" {
			out = sim.Answer("000000")
		}
		return sim.Trace()
	}
	real, missing := play(alice), play(ghost)
	if strings.Join(real, "\n") != strings.Join(missing, "\n") {
		t.Errorf("sequences differ:\nexisting %v\nmissing  %v", real, missing)
	}
	if mail.count() != 1 {
		t.Errorf("%d emails, want 1 (for the existing user)", mail.count())
	}
}
