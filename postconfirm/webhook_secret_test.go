package postconfirm_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	"github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

// TestWebhookSecretFromSecretsManager signs deliveries with a secret kept in Secrets
// Manager, read at the first delivery, and sends nothing when it cannot be read.
func TestWebhookSecretFromSecretsManager(t *testing.T) {
	t.Parallel()
	var delivered atomic.Int32
	srv := newWebhookServer(t, func() { delivered.Add(1) })
	sm := fakeaws.NewSecretsManager()
	sm.Put("prod/webhook", testSecret.Reveal())
	secret := secrets.MustParse(secrets.Config{Value: "secretsmanager:prod/webhook", Reader: secretsmanager.Reader(sm)})
	hook := must(postconfirm.Webhook(postconfirm.WebhookConfig{Endpoint: srv.URL, SecretSource: secret.Get}))
	if sm.Calls("") != 0 {
		t.Fatal("the secret was read when the module was built")
	}
	for range 2 {
		if err := hook(t.Context(), event(t, signUpEvent)); err != nil {
			t.Fatal(err)
		}
	}
	if delivered.Load() != 2 || sm.Calls("GetSecretValue") != 1 {
		t.Errorf("%d verified deliveries with %d reads, want 2 and 1", delivered.Load(), sm.Calls("GetSecretValue"))
	}

	failing := func(context.Context) (triggers.Secret, error) { return "", errors.New("access denied") }
	short := func(context.Context) (triggers.Secret, error) { return "short", nil }
	for _, src := range []triggers.SecretSource{failing, short} {
		hook := must(postconfirm.Webhook(postconfirm.WebhookConfig{Endpoint: srv.URL, SecretSource: src}))
		if err := hook(t.Context(), event(t, signUpEvent)); err == nil {
			t.Error("delivered without a usable secret")
		}
	}
	if delivered.Load() != 2 {
		t.Errorf("%d deliveries, want no more", delivered.Load())
	}
	if _, err := postconfirm.Webhook(postconfirm.WebhookConfig{
		Endpoint:     srv.URL,
		Secret:       testSecret,
		SecretSource: short,
	}); err == nil {
		t.Error("Secret and SecretSource together accepted")
	}
}
