package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

var env = []string{"FEDERATION_PROVIDERS=Google,CorporateSAML", "FEDERATION_REQUIRE_VERIFIED_EMAIL=true",
	"FEDERATION_POOL_MAPPING=email=email,given_name=given_name",
	"FEDERATION_MAPPING=custom:groups=groups,custom:city=address.locality"}

func TestEvent(t *testing.T) {
	t.Parallel()
	t.Run("mapped", func(t *testing.T) {
		t.Parallel()
		event := triggertest.Payload(triggers.InboundFederationExternalProvider,
			triggertest.Set("request.attributes.idToken.groups", []string{"staff", "sso"}),
			triggertest.Set("request.attributes.userInfo.address", map[string]string{"locality": "Sevilla"}))
		var e triggers.InboundFederationEvent
		exampletest.RunEvent(t, env, event).RequireOK(t, &e)
		want := triggers.Attributes{"email": "maria.garcia@gmail.example", "given_name": "María",
			"custom:groups": "staff,sso", "custom:city": "Sevilla"}
		if got := e.Response.UserAttributesToMap; !reflect.DeepEqual(got, want) {
			t.Errorf("answer %v, want %v", got, want)
		}
	})
	t.Run("provider not allowed", func(t *testing.T) {
		t.Parallel()
		exampletest.RunEvent(t, env, triggertest.Payload(triggers.InboundFederationExternalProvider,
			triggertest.Set("request.providerName", "Facebook"))).
			RequireFailure(t, "InboundFederation failed with error Sign-in with this identity provider is not allowed.")
	})
	t.Run("unverified email", func(t *testing.T) {
		t.Parallel()
		// At debug level the router logs the event, so the log is where a token would show.
		res := exampletest.RunEvent(t, append(env, "LOG_LEVEL=debug"), triggertest.Payload(triggers.InboundFederationExternalProvider,
			triggertest.Set("request.attributes.idToken.email_verified", false),
			triggertest.Set("request.attributes.userInfo.email_verified", false)))
		res.RequireFailure(t, "InboundFederation failed with error Your identity provider has not verified your email address.")
		if !strings.Contains(res.Stderr, "access_token") {
			t.Fatalf("the debug log does not show the event:\n%s", res.Stderr)
		}
		if strings.Contains(res.Stderr, "ya29.") {
			t.Errorf("a provider token reached the log:\n%s", res.Stderr)
		}
	})
	t.Run("value over the limit refused", func(t *testing.T) {
		t.Parallel()
		exampletest.RunEvent(t, append(env, "FEDERATION_OVER_LIMIT=refuse"), triggertest.Payload(triggers.InboundFederationExternalProvider,
			triggertest.Set("request.attributes.idToken.groups", []string{strings.Repeat("g", 2049)}))).
			RequireFailure(t, "too long to store")
	})
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "federation: ", triggertest.Payload(triggers.InboundFederationExternalProvider), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set FEDERATION_PROVIDERS"},
		{Name: "bad boolean", Env: []string{"FEDERATION_REQUIRE_VERIFIED_EMAIL=yes please"}, Want: "FEDERATION_REQUIRE_VERIFIED_EMAIL: want true or false"},
		{Name: "bad pairs", Env: []string{"FEDERATION_MAPPING=custom:groups"}, Want: "FEDERATION_MAPPING: want comma-separated name=value pairs"},
		{Name: "bad attribute", Env: []string{"FEDERATION_MAPPING=groups=groups"}, Want: "FEDERATION_POOL_MAPPING, FEDERATION_MAPPING:"},
		{Name: "bad mode", Env: []string{"FEDERATION_OVER_LIMIT=truncate"}, Want: "FEDERATION_OVER_LIMIT: want drop or refuse"},
	})
}

func TestMain(m *testing.M) { exampletest.Main(m, main) }
