package preauth_test

import (
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// With PreventUserExistenceErrors, Cognito calls the trigger for unknown users with
// userNotFound true. Every module must answer that event exactly as the same event
// without the flag, a real user's: same outcome, same text, same error type, and, for
// the block list, the same DynamoDB lookups.
func TestUserNotFoundAnswersAsARealUser(t *testing.T) {
	t.Parallel()
	db := blockTable(t)
	putBlock(t, db, "blocked", anaSub, "", now.Add(time.Hour))
	putBlock(t, db, "blocked", "nobody", "", nil)
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	modules := []struct {
		name string
		h    preauth.Handler
	}{
		{"BlockAttribute", must(t)(preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: "custom:status",
			Values:    []string{"suspended"},
		}))},
		{"Block", must(t)(preauth.Block(preauth.BlockConfig{
			When: func(e *preauth.Event) bool { return e.Request.ValidationData["risk"] == "high" },
		}))},
		{"BlockList by sub", must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked", Now: clock}))},
		{"BlockList by user name", must(t)(preauth.BlockList(preauth.BlockListConfig{
			Client:        db,
			Table:         "blocked",
			KeyByUserName: true,
			Now:           clock,
		}))},
		{"RestrictClients", must(t)(preauth.RestrictClients(preauth.RestrictClientsConfig{Who: admins, ClientIDs: []string{"console"}}))},
		{"AllowNetworks", must(t)(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}}))},
		{"DenyNetworks", must(t)(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}}))},
		{"RequireVerifiedEmail", must(t)(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{}))},
		{"RequireVerifiedPhone", must(t)(preauth.RequireVerifiedPhone(preauth.VerifiedConfig{}))},
		{"RequireVerifiedEmailOrPhone", must(t)(preauth.RequireVerifiedEmailOrPhone(preauth.VerifiedConfig{}))},
	}
	noAttributes := triggertest.Set("request.userAttributes", map[string]any{})
	inputs := []struct {
		name string
		opts []triggertest.Option
	}{
		{"fixture", nil},
		{"no attributes, typed user name", []triggertest.Option{noAttributes, triggertest.WithUserName("nobody")}},
		{"no attributes, other user name", []triggertest.Option{noAttributes, triggertest.WithUserName("someone")}},
		{"suspended admin", []triggertest.Option{triggertest.WithAttribute("custom:status", "suspended"),
			triggertest.WithAttribute("custom:role", "admin")}},
		{"admin through the console", []triggertest.Option{triggertest.WithAttribute("custom:role", "admin"), triggertest.WithClientID("console")}},
		{"address inside", []triggertest.Option{noAttributes, triggertest.WithValidationData("ipAddress", "10.1.1.1")}},
		{"address outside, risky", []triggertest.Option{triggertest.WithValidationData("ipAddress", "192.0.2.1"),
			triggertest.WithValidationData("risk", "high")}},
		{"nothing verified", []triggertest.Option{triggertest.WithAttribute("email_verified", "false")}},
	}
	for _, m := range modules {
		for _, in := range inputs {
			t.Run(m.name+"/"+in.name, func(t *testing.T) {
				t.Parallel()
				var logs triggertest.Logs
				real := triggertest.InvokeHandler(t, m.h, signIn(in.opts...))
				ghost := triggertest.InvokeHandler(t, m.h, signIn(append(in.opts, triggertest.Set("request.userNotFound", true))...),
					triggers.RouterConfig{Logger: logs.Logger()})
				if got, want := outcome(ghost), outcome(real); got != want {
					t.Errorf("unknown user: %q, real user with the same inputs: %q", got, want)
				}
				if ghost.ErrorType != real.ErrorType || ghost.ErrorMessage != real.ErrorMessage {
					t.Errorf("unknown user error %s %q, real user %s %q", ghost.ErrorType, ghost.ErrorMessage, real.ErrorType, real.ErrorMessage)
				}
			})
		}
	}
}

// The block list looks an unknown user up as it looks up a real one: one GetItem each.
func TestUserNotFoundBlockListLooksUp(t *testing.T) {
	t.Parallel()
	for _, byUserName := range []bool{false, true} {
		db := blockTable(t)
		h := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked", KeyByUserName: byUserName}))
		triggertest.InvokeHandler(t, h, signIn()).RequireOK(t)
		if n := db.Calls("GetItem"); n != 1 {
			t.Fatalf("%d lookups for a real user, want 1", n)
		}
		triggertest.InvokeHandler(t, h, unknown()).RequireOK(t)
		if n := db.Calls("GetItem"); n != 2 {
			t.Errorf("%d lookups after an unknown user, want 2: the unknown user was not looked up", n)
		}
	}
}

// What an unknown user, with no attributes, gets from each module, as the package
// documentation states it.
func TestUserNotFoundOutcomes(t *testing.T) {
	t.Parallel()
	db := blockTable(t)
	putBlock(t, db, "blocked", "nobody", "", nil)
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    preauth.Handler
		want string
	}{
		{"BlockAttribute: no attribute, passes", must(t)(preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: "custom:status",
			Values:    []string{"suspended"},
		})), ""},
		{"BlockList by sub: no sub, passes", must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked"})), ""},
		{"BlockList by user name: the typed name is listed", must(t)(preauth.BlockList(preauth.BlockListConfig{
			Client:        db,
			Table:         "blocked",
			KeyByUserName: true,
		})),
			rejected(preauth.DefaultBlockedMessage)},
		{"RestrictClients: not selected, passes", must(t)(preauth.RestrictClients(preauth.RestrictClientsConfig{
			Who:       admins,
			ClientIDs: []string{"console"},
		})), ""},
		{"RequireVerifiedEmail: nothing verified", must(t)(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{})), rejected(preauth.DefaultUnverifiedMessage)},
		{"AllowNetworks: address decides", must(t)(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"192.0.2.0/24"}})), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := outcome(triggertest.InvokeHandler(t, tt.h, unknown(triggertest.WithValidationData("ipAddress", "192.0.2.1"))))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	db := blockTable(t)
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	modules := map[string]preauth.Handler{
		"BlockAttribute": must(t)(preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: "custom:status",
			Values:    []string{"suspended"},
		})),
		"Block": must(t)(preauth.Block(preauth.BlockConfig{
			When: func(e *preauth.Event) bool { return e.Request.UserNotFound },
		})),
		"BlockList": must(t)(preauth.BlockList(preauth.BlockListConfig{Client: db, Table: "blocked"})),
		"BlockList by user name": must(t)(preauth.BlockList(preauth.BlockListConfig{
			Client:        db,
			Table:         "blocked",
			KeyByUserName: true,
		})),
		"RestrictClients": must(t)(preauth.RestrictClients(preauth.RestrictClientsConfig{
			Who:       admins,
			ClientIDs: []string{"console"},
		})),
		"AllowNetworks":               must(t)(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}})),
		"DenyNetworks":                must(t)(preauth.DenyNetworks(preauth.NetworksConfig{Networks: []string{"10.0.0.0/8"}})),
		"RequireVerifiedEmail":        must(t)(preauth.RequireVerifiedEmail(preauth.VerifiedConfig{})),
		"RequireVerifiedPhone":        must(t)(preauth.RequireVerifiedPhone(preauth.VerifiedConfig{})),
		"RequireVerifiedEmailOrPhone": must(t)(preauth.RequireVerifiedEmailOrPhone(preauth.VerifiedConfig{})),
	}
	for name, h := range modules {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			triggertest.RunModuleTests(t, h, triggertest.RunConfig{Sources: triggers.Sources{preauth.Authentication}})
		})
	}
}

// A module outside its trigger source does nothing: the router refuses another
// trigger's event, which has no chain registered, before any module runs.
func TestOtherSources(t *testing.T) {
	t.Parallel()
	h := must(t)(preauth.RequireVerifiedPhone(preauth.VerifiedConfig{}))
	triggertest.InvokeHandlerPayload(t, h, triggertest.Payload(triggers.PreSignUpSignUp)).RequireConfigurationError(t)
}
