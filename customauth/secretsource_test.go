package customauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	"github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	"github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestAuthFlowEmailOTPKeyFromParameterStore signs in with a code hashed under a key kept
// in Parameter Store: the key is read once, when the first code is issued, not when the
// flow is built, and a key that cannot be read fails the step instead of signing anyone in.
func TestAuthFlowEmailOTPKeyFromParameterStore(t *testing.T) {
	t.Parallel()
	params := fakeaws.NewSSM()
	params.Put("/cognito/otp-key", string(testKey), true)
	key := secrets.MustParse(secrets.Config{Value: "ssm:/cognito/otp-key", Reader: parameterstore.Reader(params)})
	env := newOTP(t, customauth.EmailOTPConfig{Key: []byte{}, KeySource: key.Get}, false)
	if params.Calls("") != 0 {
		t.Fatal("the key was read when the flow was built")
	}
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
		t.Fatalf("right code: %+v, want tokens", out)
	}
	if n := params.Calls("GetParameter"); n != 1 {
		t.Errorf("%d reads of the key over a sign-in, want 1", n)
	}

	missing := secrets.MustParse(secrets.Config{Value: "ssm:/cognito/missing", Reader: parameterstore.Reader(params)})
	env = newOTP(t, customauth.EmailOTPConfig{Key: []byte{}, KeySource: missing.Get}, false)
	out := env.sim(t, triggertest.AuthFlowConfig{User: alice}).Start()
	if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || env.mail.count() != 0 {
		t.Fatalf("missing key: %+v with %d emails, want the trigger to fail and no email", out, env.mail.count())
	}
	short := func(context.Context) (triggers.Secret, error) { return "too-short", nil }
	env = newOTP(t, customauth.EmailOTPConfig{Key: []byte{}, KeySource: short}, false)
	if out := env.sim(t, triggertest.AuthFlowConfig{User: alice}).Start(); !out.Failed {
		t.Fatalf("short key: %+v, want the trigger to fail", out)
	}
	if strings.Contains(env.logs.String(), "too-short") {
		t.Error("the key reached a log line")
	}
	if _, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{From: "a@example.com", Key: testKey, KeySource: short}); err == nil {
		t.Error("Key and KeySource together accepted")
	}
}

// TestCaptchaSecretFromSecretsManager checks the CAPTCHA secret read from Secrets Manager
// at each check, a rotated secret used once the TTL has passed, and a secret that cannot
// be read failing the check as an internal error.
func TestCaptchaSecretFromSecretsManager(t *testing.T) {
	t.Parallel()
	srv := newSiteverify(t)
	sm := fakeaws.NewSecretsManager()
	sm.Put("prod/keys", `{"captcha":"wrong-at-first"}`)
	now := time.Unix(1_700_000_000, 0)
	secret := secrets.MustParse(secrets.Config{Value: "secretsmanager:prod/keys#captcha", Reader: secretsmanager.Reader(sm),
		TTL: time.Minute, Now: func() time.Time { return now }})
	cfg := customauth.CaptchaConfig{SecretSource: secret.Get, VerifyURL: srv.URL}
	if verifyCaptcha(t, cfg, "good") {
		t.Fatal("accepted with the wrong secret")
	}
	sm.Put("prod/keys", `{"captcha":"`+captchaSecret+`"}`)
	if verifyCaptcha(t, cfg, "good") {
		t.Error("the rotated secret was used before the TTL passed")
	}
	now = now.Add(2 * time.Minute)
	if !verifyCaptcha(t, cfg, "good") {
		t.Error("rejected with the rotated secret")
	}
	for _, c := range srv.calls() {
		if c.secret == "" {
			t.Error("a check sent no secret")
		}
	}

	failing := func(context.Context) (triggers.Secret, error) { return "", errors.New("access denied") }
	r := router(customauth.Must(customauth.Captcha(customauth.CaptchaConfig{SecretSource: failing, VerifyURL: srv.URL})), &triggertest.Logs{})
	triggertest.InvokeEvent(t, r, triggertest.VerifyAuthChallenge(triggertest.WithChallengeAnswer("good"),
		triggertest.WithPrivateChallengeParameter("step", "CAPTCHA"))).RequireInternalError(t)
	if _, err := customauth.CaptchaStep(customauth.CaptchaConfig{Secret: "s", SecretSource: failing}); err == nil {
		t.Error("Secret and SecretSource together accepted")
	}
}
