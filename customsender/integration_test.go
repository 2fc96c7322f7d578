package customsender_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationDecryptAndSend runs the email module as Cognito's custom email sender
// would meet it: codes encrypted by another implementation (the AWS Encryption SDK for
// JavaScript, as Cognito encrypts them) under a key in a local KMS, decrypted by the Go
// module through the JSON boundary, and sent through a local SES. It changes the process
// environment for the process-wide AWS configuration, so it does not run in parallel.
func TestIntegrationDecryptAndSend(t *testing.T) {
	srv := awslocal.Start(t, awslocal.Config{KMS: true, SES: true, DynamoDB: true})
	awsclienttest.SetEnv(t, "AWS_ENDPOINT_URL_KMS", srv.KMSEndpoint)
	poolKey, otherKey := srv.CreateKMSKey(t), srv.CreateKMSKey(t)
	const otherPool = "eu-west-1_Other0000"
	cts, err := srv.EncryptCodes(t.Context(), []awslocal.CodeToEncrypt{
		{KeyARN: poolKey, UserPoolID: fixturePool, Code: "482913"},      // 0: good
		{KeyARN: otherKey, UserPoolID: fixturePool, Code: "111111"},     // 1: another key
		{KeyARN: poolKey, UserPoolID: otherPool, Code: "222222"},        // 2: another pool
		{KeyARN: poolKey, UserPoolID: fixturePool, Code: "333333"},      // 3: to tamper with
		{KeyARN: poolKey, UserPoolID: fixturePool, Code: "Tmp#Pa55<w>"}, // 4: temporary password
		{KeyARN: poolKey, UserPoolID: fixturePool, Code: "505050"},      // 5: replayed
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(cts[3])
	raw[len(raw)/2] ^= 0x01
	tampered := base64.StdEncoding.EncodeToString(raw)

	dec, err := customsender.KMSDecrypter(poolKey)
	if err != nil {
		t.Fatal(err)
	}
	table := srv.CreateTable(t, awslocal.UniqueName("sent-codes"), "pk", "")
	email, err := customsender.Email(customsender.EmailConfig{Decrypter: dec, Sender: srv.SES,
		From: "no-reply@example.com", Table: table, Markers: srv.DynamoDB})
	if err != nil {
		t.Fatal(err)
	}
	var logs triggertest.Logs
	router := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).CustomEmailSender(email)
	event := func(src triggers.TriggerSource, code string, opts ...triggertest.Option) []byte {
		return triggertest.Payload(src, append([]triggertest.Option{triggertest.WithCode(code),
			triggertest.WithAttribute("email", "ana@example.com")}, opts...)...)
	}

	t.Run("decrypts and sends", func(t *testing.T) {
		srv.ClearEmails(t)
		triggertest.Invoke(t, router, event(triggers.CustomEmailSenderSignUp, cts[0])).RequireOK(t).RequireNoOp(t)
		sent := srv.Emails(t)
		if len(sent) != 1 || !strings.Contains(sent[0].Text, "482913") || !strings.Contains(sent[0].HTML, "482913") ||
			len(sent[0].To) != 1 || sent[0].To[0] != "ana@example.com" {
			t.Fatalf("emails %+v", sent)
		}
	})
	t.Run("temporary password is HTML-escaped", func(t *testing.T) {
		srv.ClearEmails(t)
		triggertest.Invoke(t, router, event(triggers.CustomEmailSenderAdminCreateUser, cts[4])).RequireOK(t)
		sent := srv.Emails(t)
		if len(sent) != 1 || !strings.Contains(sent[0].Text, "Tmp#Pa55<w>") || !strings.Contains(sent[0].HTML, "Tmp#Pa55&lt;w&gt;") {
			t.Fatalf("emails %+v", sent)
		}
	})
	t.Run("replayed event is sent once", func(t *testing.T) {
		srv.ClearEmails(t)
		payload := event(triggers.CustomEmailSenderForgotPassword, cts[5])
		errs := awslocal.ReplayConcurrent(t.Context(), 3, func(ctx context.Context) error {
			return triggertest.Invoke(t, router, payload).Err
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if sent := srv.Emails(t); len(sent) != 1 {
			t.Fatalf("%d emails for three deliveries, want 1", len(sent))
		}
	})
	for _, tt := range []struct {
		name, code string
		want       error
	}{
		{"wrong key", cts[1], customsender.ErrUndecryptable},
		{"another user pool", cts[2], customsender.ErrWrongUserPool},
		{"tampered", tampered, customsender.ErrUndecryptable},
		{"not base64", "not*base64", customsender.ErrNotBase64},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv.ClearEmails(t)
			before := len(logs.String())
			res := triggertest.Invoke(t, router, event(triggers.CustomEmailSenderSignUp, tt.code)).RequireInternalError(t)
			if logged := logs.String()[before:]; !strings.Contains(logged, tt.want.Error()) {
				t.Errorf("error %v; the operator's log lacks %q: %s", res.Err, tt.want, logged)
			}
			if sent := srv.Emails(t); len(sent) != 0 {
				t.Errorf("%d emails sent", len(sent))
			}
		})
	}
	t.Run("rotated keys", func(t *testing.T) {
		both, err := customsender.KMSDecrypter(otherKey, poolKey)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range map[int]string{0: "482913", 1: "111111"} {
			got, err := both.Decrypt(t.Context(), fixturePool, triggers.Secret(cts[i]))
			if err != nil || got.Reveal() != want {
				t.Errorf("ciphertext %d: %v", i, err)
			}
		}
	})
	t.Run("no code in the logs", func(t *testing.T) {
		debug := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).CustomEmailSender(email) // a debug-level logger: every event is logged
		srv.ClearEmails(t)
		triggertest.Invoke(t, debug, event(triggers.CustomEmailSenderSignUp, cts[0], triggertest.WithClientID("debug-run"))).RequireOK(t)
		out := logs.String()
		if !strings.Contains(out, "debug-run") {
			t.Fatalf("the debug log does not show the event: %s", out)
		}
		for _, secret := range []string{"482913", "111111", "222222", "Tmp#Pa55", "505050", cts[0][20:60]} {
			if strings.Contains(out, secret) {
				t.Errorf("logs contain %q", secret)
			}
		}
	})
}
