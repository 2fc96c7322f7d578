package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestKeyFromParameterStore runs the program with OTP_HMAC_KEY naming a SecureString
// parameter: it starts without reading it, reads it when a challenge is created (the
// number made up for a user Cognito did not find is derived with it), and fails that
// invocation with the generic text when the parameter does not exist. A Secrets Manager
// reference is accepted too.
func TestKeyFromParameterStore(t *testing.T) {
	t.Parallel()
	const key = "key-from-parameter-store-0123456789abcdef"
	srv, reads := exampletest.SSMStandIn(t, "/cognito/otp-key", key)
	env := func(ref string) []string {
		return []string{"OTP_HMAC_KEY=" + ref, "AWS_ENDPOINT_URL_SSM=" + srv.URL,
			"AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=example-secret", "AWS_REGION=eu-west-1"}
	}
	define := triggertest.Payload(triggers.DefineAuthChallengeAuthentication)
	exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), define).RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	exampletest.RunEvent(t, env("secretsmanager:prod/keys#otp"), define).RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	if n := reads.Load(); n != 0 {
		t.Fatalf("%d reads before a code was needed", n)
	}
	create := triggertest.Payload(triggers.CreateAuthChallengeAuthentication,
		triggertest.Set("request.session", []any{}), triggertest.Set("request.userNotFound", true))
	var fromSSM, direct triggers.CreateAuthChallengeEvent
	res := exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), create)
	res.RequireOK(t, &fromSSM)
	exampletest.RunEvent(t, []string{"OTP_HMAC_KEY=" + key}, create).RequireOK(t, &direct)
	if got, want := fromSSM.Response.PublicChallengeParameters["phone"], direct.Response.PublicChallengeParameters["phone"]; got == "" || got != want || reads.Load() != 1 {
		t.Errorf("made-up number %q after %d reads, want %q (the key given directly) after 1", got, reads.Load(), want)
	}
	failed := exampletest.RunEvent(t, env("ssm:/cognito/missing"), create)
	failed.RequireFailure(t, "CreateAuthChallenge failed with error "+triggers.DefaultErrorMessage)
	if !strings.Contains(failed.Stderr, "ParameterNotFound") || strings.Contains(res.Stderr+failed.Stderr, key) {
		t.Errorf("log does not name the missing parameter, or shows the key:\n%s", failed.Stderr)
	}
}
