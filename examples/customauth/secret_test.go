package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestKeyFromParameterStore runs the program with OTP_HMAC_KEY naming a SecureString
// parameter: it starts without reading it, reads it when a challenge is created, and
// fails that invocation with the generic text when the parameter does not exist.
func TestKeyFromParameterStore(t *testing.T) {
	t.Parallel()
	const key = "key-from-parameter-store-0123456789abcdef"
	srv, reads := exampletest.SSMStandIn(t, "/cognito/otp-key", key)
	env := func(ref string) []string {
		return []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=" + ref, "AWS_ENDPOINT_URL_SSM=" + srv.URL,
			"AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=example-secret", "AWS_REGION=eu-west-1"}
	}
	// Define issues no code: the key is not read.
	exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), triggertest.Payload(triggers.DefineAuthChallengeAuthentication)).
		RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	if n := reads.Load(); n != 0 {
		t.Fatalf("%d reads before a code was needed", n)
	}
	// A user Cognito did not find gets a challenge that looks like a sent code, made with the key.
	create := triggertest.Payload(triggers.CreateAuthChallengeAuthentication, triggertest.Set("request.userNotFound", true))
	var e triggers.CreateAuthChallengeEvent
	res := exampletest.RunEvent(t, env("ssm:/cognito/otp-key"), create)
	res.RequireOK(t, &e)
	if e.Response.ChallengeMetadata == "" || reads.Load() != 1 {
		t.Errorf("challenge %+v after %d reads, want one made after 1 read", e.Response, reads.Load())
	}
	failed := exampletest.RunEvent(t, env("ssm:/cognito/missing"), create)
	failed.RequireFailure(t, "CreateAuthChallenge failed with error "+triggers.DefaultErrorMessage)
	if !strings.Contains(failed.Stderr, "ParameterNotFound") || strings.Contains(res.Stderr+failed.Stderr, key) {
		t.Errorf("log does not name the missing parameter, or shows the key:\n%s", failed.Stderr)
	}
}

func TestSecretReferenceErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "customauth: ", triggertest.Payload(triggers.DefineAuthChallengeAuthentication), []exampletest.StartupError{
		{Name: "no name", Env: []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=ssm:"}, Want: `OTP_HMAC_KEY: secrets: "ssm:" names no parameter or secret`},
		{Name: "member of a parameter", Env: []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=ssm:/a#b"}, Want: "OTP_HMAC_KEY: secrets:"},
	})
}
