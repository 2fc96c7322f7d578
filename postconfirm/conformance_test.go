package postconfirm_test

import (
	"testing"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestConformance runs the kit's checks on every module, bare and marked critical: no
// panic on Cognito's fixtures or on sparse events, no secret in logs or errors, and no
// effect on the password reset source.
func TestConformance(t *testing.T) {
	t.Parallel()
	srv := newWebhookServer(t, func() {})
	mods := map[string]postconfirm.Handler{
		"AddToGroup": must(postconfirm.AddToGroup(postconfirm.GroupConfig{
			Client: newFakeCognito(),
			Groups: postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins"}, "members"),
		})),
		"CreateProfile": must(postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Client:       newFakeDynamo("id"),
			Table:        "profiles",
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email"},
		})),
		"WelcomeEmail": must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  &fakeSES{},
			Markers: newFakeDynamo("pk"),
			Table:   "markers",
			Email:   testEmail,
		})),
		"Webhook": must(postconfirm.Webhook(postconfirm.WebhookConfig{Endpoint: srv.URL, Secret: testSecret})),
	}
	for name, m := range mods {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("best-effort", func(t *testing.T) {
				triggertest.RunModuleTests(t, m, triggertest.RunConfig{Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}})
			})
			t.Run("critical", func(t *testing.T) {
				triggertest.RunModuleTests(t, postconfirm.Critical(m), triggertest.RunConfig{Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}})
			})
		})
	}
}
