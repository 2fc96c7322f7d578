package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestKeyFromParameterStore runs the program with OTP_HMAC_KEY naming a SecureString
// parameter: it starts without reading it, reads it when the code step creates its
// challenge (after the token check; here for a user Cognito did not find, whose address
// is made up with the key), and fails that invocation with the generic text when the
// parameter does not exist. A Secrets Manager reference is accepted too, with the code
// by SMS.
func TestKeyFromParameterStore(t *testing.T) {
	t.Parallel()
	const key = "key-from-parameter-store-0123456789abcdef"
	srv, reads := exampletest.SSMStandIn(t, "/cognito/otp-key", key)
	env := func(ref string) []string {
		return []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=" + ref, "AWS_ENDPOINT_URL_SSM=" + srv.URL,
			"AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=example-secret", "AWS_REGION=eu-west-1"}
	}
	define := triggertest.Payload(triggers.DefineAuthChallengeAuthentication)
	exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), define).RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	exampletest.RunEvent(t, []string{"SMS_OTP=true", "OTP_HMAC_KEY=secretsmanager:prod/keys#otp"}, define).
		RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	if n := reads.Load(); n != 0 {
		t.Fatalf("%d reads before a code was needed", n)
	}
	create := triggertest.Payload(triggers.CreateAuthChallengeAuthentication, triggertest.Set("request.userNotFound", true),
		triggertest.Set("request.session", []any{map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "STEP_UP"}}))
	var e triggers.CreateAuthChallengeEvent
	res := exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), create)
	res.RequireOK(t, &e)
	if e.Response.PublicChallengeParameters["step"] != "EMAIL_OTP" || e.Response.ChallengeMetadata == "" || reads.Load() != 1 {
		t.Errorf("challenge %+v after %d reads, want the code step's, made after 1 read", e.Response, reads.Load())
	}
	failed := exampletest.RunEvent(t, env("ssm:/cognito/missing"), create)
	failed.RequireFailure(t, "CreateAuthChallenge failed with error "+triggers.DefaultErrorMessage)
	if !strings.Contains(failed.Stderr, "ParameterNotFound") || strings.Contains(res.Stderr+failed.Stderr, key) {
		t.Errorf("log does not name the missing parameter, or shows the key:\n%s", failed.Stderr)
	}
	exampletest.RequireStartupErrors(t, "stepup: ", define, []exampletest.StartupError{
		{Name: "no name", Env: []string{"OTP_FROM=s@example.com", "OTP_HMAC_KEY=ssm:"}, Want: `OTP_HMAC_KEY: secrets: "ssm:" names no parameter or secret`},
	})
}
