package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestSecretFromParameterStore runs the program with RECAPTCHASECRET naming a
// SecureString parameter: it starts without reading it, reads it on the first check (a
// token the verify endpoint accepts only with that secret is then right), and fails the
// invocation with the generic text when the parameter does not exist.
func TestSecretFromParameterStore(t *testing.T) {
	t.Parallel()
	srv, reads := exampletest.SSMStandIn(t, "/cognito/recaptcha", "site-secret")
	env := func(ref string) []string {
		return []string{"MODULES=captcha-verify", "RECAPTCHASECRET=" + ref, "RECAPTCHA_VERIFY_URL=" + captchaServer(t),
			"AWS_ENDPOINT_URL_SSM=" + srv.URL, "AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=example-secret", "AWS_REGION=eu-west-1"}
	}
	verify := func(answer string) []byte {
		return triggertest.Payload(triggers.VerifyAuthChallengeResponseAuthentication,
			triggertest.WithChallengeAnswer(answer), triggertest.Set("request.privateChallengeParameters", map[string]string{"step": challengeStep}))
	}
	for _, tt := range []struct {
		answer string
		want   bool
	}{{"human", true}, {"robot", false}} {
		var e triggers.VerifyAuthChallengeEvent
		exampletest.RunEvent(t, env("ssm:/cognito/recaptcha"), verify(tt.answer)).RequireOK(t, &e)
		if e.Response.AnswerCorrect != tt.want {
			t.Errorf("answer %q: answerCorrect %v, want %v", tt.answer, e.Response.AnswerCorrect, tt.want)
		}
	}
	if n := reads.Load(); n != 2 { // one per process
		t.Errorf("%d reads of the secret, want 2", n)
	}
	failed := exampletest.RunEvent(t, env("ssm:/cognito/missing"), verify("human"))
	failed.RequireFailure(t, "VerifyAuthChallengeResponse failed with error "+triggers.DefaultErrorMessage)
	if !strings.Contains(failed.Stderr, "ParameterNotFound") || strings.Contains(failed.Stderr, "site-secret") {
		t.Errorf("log does not name the missing parameter, or shows the secret:\n%s", failed.Stderr)
	}
	res := exampletest.RunEvent(t, []string{"MODULES=captcha-verify", "RECAPTCHASECRET=secretsmanager:"}, verify("human"))
	if res.Code != 1 || !strings.Contains(res.Stderr, `captcha-verify: RECAPTCHASECRET: secrets: "secretsmanager:" names no parameter or secret`) {
		t.Errorf("empty reference: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}
