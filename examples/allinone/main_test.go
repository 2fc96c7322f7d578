package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestRegistered checks that the function serves every trigger it can be attached to
// without further pool settings, configured or not.
func TestRegistered(t *testing.T) {
	t.Parallel()
	r, err := newRouter(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := []triggers.Trigger{triggers.TriggerPreSignUp, triggers.TriggerPostConfirmation, triggers.TriggerPreAuthentication,
		triggers.TriggerPostAuthentication, triggers.TriggerDefineAuthChallenge, triggers.TriggerCreateAuthChallenge,
		triggers.TriggerVerifyAuthChallenge, triggers.TriggerPreTokenGeneration, triggers.TriggerUserMigration,
		triggers.TriggerCustomMessage, triggers.TriggerInboundFederation}
	got := r.Registered()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("registered %v, want %v", got, want)
	}
}

// TestPassThrough runs the unconfigured function on every fixture of the triggers it
// serves: each is answered exactly as Cognito sent it.
func TestPassThrough(t *testing.T) {
	t.Parallel()
	r, err := newRouter(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for name, event := range triggertest.Fixtures(r.Registered()...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			triggertest.Invoke(t, r, event).RequireNoOp(t)
		})
	}
}

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{"DOMAINDENYLIST=tempmail.test", "AUTO_CONFIRM=true", `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`,
		"BLOCKED_STATUSES=suspended"}
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "eve@tempmail.test"))).
			RequireFailure(t, "PreSignUp failed with error Invalid email domain: tempmail.test.")
	})
	t.Run("confirmed", func(t *testing.T) {
		t.Parallel()
		var e triggers.PreSignUpEvent
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.PreSignUpSignUp)).RequireOK(t, &e)
		if !e.Response.AutoConfirmUser {
			t.Error("user not confirmed")
		}
	})
	t.Run("claims", func(t *testing.T) {
		t.Parallel()
		var e triggers.PreTokenGenerationEvent
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.TokenGenerationAuthentication)).RequireOK(t, &e)
		if d := e.Response.ClaimsOverrideDetails; d == nil || d.ClaimsToAddOrOverride["plan"] != "free" ||
			d.GroupOverrideDetails == nil || !reflect.DeepEqual(*d.GroupOverrideDetails, e.Request.GroupConfiguration) {
			t.Errorf("claims %+v, want plan=free and the request's groups sent back", d)
		}
	})
	t.Run("suspended user", func(t *testing.T) {
		t.Parallel()
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.PreAuthenticationAuthentication,
			triggertest.WithAttribute("custom:status", "suspended"))).
			RequireFailure(t, "PreAuthentication failed with error "+preauth.DefaultBlockedMessage+".")
		event := triggertest.Payload(triggers.PreAuthenticationAuthentication)
		exampletest.RunEvent(t, env, event).RequireNoOp(t, event)
	})
	t.Run("pass-through", func(t *testing.T) {
		t.Parallel()
		event := triggertest.Payload(triggers.CustomMessageSignUp)
		exampletest.RunEvent(t, env, event).RequireNoOp(t, event)
	})
}

// TestStartupErrors checks that every configuration error is reported at once.
func TestStartupErrors(t *testing.T) {
	t.Parallel()
	res := exampletest.RunEvent(t, []string{"RATE_LIMIT_TABLE=limits", "RATE_LIMIT=many", "WELCOME_FROM=hello@example.com",
		`CLAIMS_TO_ADD_OR_OVERRIDE=[]`, "CONFIRM_URL=https://confirm.example.com/", "OTP_FROM=sign-in@example.com",
		"CUSTOM_AUTH_PASSWORD=true", "LEGACY_USERS_TABLE=legacy", "LEGACY_ATTRIBUTES=email", "RESTRICTED_ROLES=admin",
		"NEW_DEVICE_FROM=security@example.com", "FEDERATION_OVER_LIMIT=truncate"},
		triggertest.Payload(triggers.PreSignUpSignUp))
	for _, want := range []string{"allinone: RATE_LIMIT: want a whole number", "missing environment variable WELCOME_TABLE",
		"CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object", "missing environment variable REDIRECTURL",
		"missing environment variable OTP_HMAC_KEY", "LEGACY_ATTRIBUTES: want comma-separated",
		"RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS", "missing environment variable NEW_DEVICE_TABLE",
		"FEDERATION_OVER_LIMIT: want drop or refuse"} {
		if res.Code != 1 || !strings.Contains(res.Stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", res.Code, want, res.Stderr)
		}
	}
	res = exampletest.RunEvent(t, []string{"CUSTOM_AUTH_PASSWORD=true"}, triggertest.Payload(triggers.DefineAuthChallengeAuthentication))
	if res.Code != 1 || !strings.Contains(res.Stderr, "allinone: CUSTOM_AUTH_PASSWORD needs a custom step") {
		t.Errorf("password without a step: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }

// TestCustomSenders checks that the custom senders are registered only when configured,
// since a pass-through there would drop the pool's messages, and that a sender without
// its key stops the function at start-up.
func TestCustomSenders(t *testing.T) {
	t.Parallel()
	const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tt := range []struct {
		name    string
		env     map[string]string
		want    []triggers.Trigger
		wantErr string
	}{
		{name: "off", env: map[string]string{}},
		{name: "email", env: map[string]string{"KEY_ARN": key, "CUSTOM_EMAIL_FROM": "no-reply@example.com"},
			want: []triggers.Trigger{triggers.TriggerCustomEmailSender}},
		{name: "both", env: map[string]string{"KEY_ARN": key, "CUSTOM_EMAIL_FROM": "no-reply@example.com", "CUSTOM_SMS": "true"},
			want: []triggers.Trigger{triggers.TriggerCustomEmailSender, triggers.TriggerCustomSMSSender}},
		{name: "no key", env: map[string]string{"CUSTOM_SMS": "true"}, wantErr: "missing environment variable KEY_ARN"},
	} {
		r, err := newRouter(func(k string) string { return tt.env[k] })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []triggers.Trigger
		for _, tr := range r.Registered() {
			if tr == triggers.TriggerCustomEmailSender || tr == triggers.TriggerCustomSMSSender {
				got = append(got, tr)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: custom senders %v, want %v", tt.name, got, tt.want)
		}
	}
}
