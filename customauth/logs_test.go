package customauth_test

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestAuthFlowNoSecretsInDebugLogs runs every flow at debug level, where the router logs
// each event and response, and checks that no code, answer, token, secret or key shows.
func TestAuthFlowNoSecretsInDebugLogs(t *testing.T) {
	t.Parallel()
	logs := &triggertest.Logs{}

	// Email OTP, with wrong answers, a right one, a retry and a missing user.
	otp := newOTP(t, customauth.EmailOTPConfig{}, true)
	otp.logs = logs
	otpRouter := router(customauth.Must(customauth.EmailOTP(customauth.EmailOTPConfig{
		From: "sign-in@example.com", Key: testKey, Client: otp.mail, Store: otp.store, Now: otp.clock.Now,
	})), logs)
	var numbers []string // codes and wrong answers
	sim := triggertest.NewAuthFlow(t, otpRouter, triggertest.AuthFlowConfig{User: alice, Retries: 1})
	sim.Start()
	code := otp.mail.lastCode(t)
	numbers = append(numbers, code, wrongCode(code))
	sim.Answer(wrongCode(code))
	if out := sim.Answer(code); !out.Tokens {
		t.Fatalf("email OTP: %+v", out)
	}
	ghostSim := triggertest.NewAuthFlow(t, otpRouter, triggertest.AuthFlowConfig{User: ghost})
	ghostSim.Start()
	ghostSim.Answer("246813")
	numbers = append(numbers, "246813")

	// CAPTCHA after the password.
	srv := newSiteverify(t)
	captchaRouter := router(customauth.Must(customauth.PasswordThenCaptcha(customauth.CaptchaConfig{
		Secret: captchaSecret, VerifyURL: srv.URL})), logs)
	csim := triggertest.NewAuthFlow(t, captchaRouter, triggertest.AuthFlowConfig{User: alice})
	csim.StartWithPassword(true)
	csim.Answer("bad")
	if out := csim.Answer("good"); !out.Tokens {
		t.Fatalf("captcha: %+v", out)
	}

	// Static answer.
	staticRouter := router(customauth.Must(customauth.StaticAnswer(customauth.StaticAnswerConfig{Answer: "xyzzy-plugh"})), logs)
	ssim := triggertest.NewAuthFlow(t, staticRouter, triggertest.AuthFlowConfig{User: alice})
	ssim.Start()
	ssim.Answer("frobozz-wrong")
	ssim.Answer("xyzzy-plugh")

	out := logs.String()
	if !strings.Contains(out, `"level":"DEBUG"`) || !strings.Contains(out, "challengeAnswer") {
		t.Fatalf("no debug logging of events happened:\n%s", out)
	}
	for _, n := range numbers {
		if containsCode(out, n) {
			t.Errorf("logs show the code or answer %s", n)
		}
	}
	for _, s := range []string{string(testKey), captchaSecret, `"good"`, `"bad"`, "xyzzy-plugh", "frobozz-wrong"} {
		if strings.Contains(out, s) {
			t.Errorf("logs show %q", s)
		}
	}
}
