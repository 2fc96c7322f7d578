package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestSecretReferences checks which references this function reads: a Secrets Manager
// secret is accepted at start-up (and read when first needed), a Parameter Store one,
// whose client this function does not link, stops it with a message saying so.
func TestSecretReferences(t *testing.T) {
	t.Parallel()
	define := triggertest.Payload(triggers.DefineAuthChallengeAuthentication)
	exampletest.RunEvent(t, []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=secretsmanager:prod/otp-key"}, define).
		RequireOK(t, &triggers.DefineAuthChallengeEvent{})
	res := exampletest.RunEvent(t, []string{"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=ssm:/cognito/otp-key"}, define)
	if res.Code != 1 || !strings.Contains(res.Stderr, "OTP_HMAC_KEY: secrets: ssm:/cognito/otp-key: this function does not read ssm: references") {
		t.Errorf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}
