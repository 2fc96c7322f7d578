package main

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

var localAWS = localaws.New(awslocal.Config{KMS: true, SES: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }

const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "customsender: ", triggertest.Payload(triggers.CustomEmailSenderSignUp), []exampletest.StartupError{
		{Name: "nothing configured", Want: "missing environment variables: set KEY_ARN and CUSTOM_EMAIL_FROM"},
		{Name: "email without a key", Env: []string{"CUSTOM_EMAIL_FROM=no-reply@example.com"}, Want: "missing environment variable KEY_ARN"},
		{Name: "SMS without a key", Env: []string{"CUSTOM_SMS=true"}, Want: "missing environment variable KEY_ARN"},
		{Name: "key without a sender", Env: []string{"KEY_ARN=" + key}, Want: "KEY_ARN is set but no sender is"},
		{Name: "alias for a key", Env: []string{"KEY_ARN=alias/cognito", "CUSTOM_SMS=true"}, Want: "KEY_ARN: KMS decrypter:"},
		{Name: "bad sender", Env: []string{"KEY_ARN=" + key, "CUSTOM_EMAIL_FROM=nobody"}, Want: "CUSTOM_EMAIL_FROM: customsender.Email:"},
		{Name: "bad SMS flag", Env: []string{"KEY_ARN=" + key, "CUSTOM_SMS=yes"}, Want: "CUSTOM_SMS"},
		{Name: "bad sender ID", Env: []string{"KEY_ARN=" + key, "CUSTOM_SMS=true", "SMS_SENDER_ID=far-too-long-id"}, Want: "SMS_SENDER_ID"},
	})
}

// TestIntegrationSendsCode runs the program as Lambda would, on events whose codes were
// encrypted as Cognito encrypts them, against a local KMS and SES.
func TestIntegrationSendsCode(t *testing.T) {
	t.Parallel()
	srv := localAWS.Servers(t)
	poolKey := srv.CreateKMSKey(t)
	env := append(srv.Env(), "KEY_ARN="+poolKey, "CUSTOM_EMAIL_FROM=no-reply@example.com", "CUSTOM_SMS=true")
	to := awslocal.UniqueName("user") + "@example.com"
	event := triggertest.Payload(triggers.CustomEmailSenderForgotPassword,
		triggertest.WithEncryptedCode(srv.CodeEncrypter(t, poolKey), "731902"), triggertest.WithAttribute("email", to))
	exampletest.RunEvent(t, env, event).RequireNoOp(t, event)
	var got []awslocal.Email
	for _, m := range srv.Emails(t) {
		if len(m.To) == 1 && m.To[0] == to {
			got = append(got, m)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0].Text, "731902") || got[0].Subject != "Reset your password" {
		t.Fatalf("emails to %s: %+v", to, got)
	}

	other := srv.CreateKMSKey(t)
	wrong := triggertest.Payload(triggers.CustomEmailSenderSignUp,
		triggertest.WithEncryptedCode(srv.CodeEncrypter(t, other), "731903"), triggertest.WithAttribute("email", to))
	res := exampletest.RunEvent(t, env, wrong)
	res.RequireFailure(t, "CustomEmailSender failed with error")
	if strings.Contains(res.Stderr, "731903") {
		t.Errorf("the code appears in the output: %s", res.Stderr)
	}
}
