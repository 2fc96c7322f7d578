package federation_test

import (
	"context"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const (
	samlEmail  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	samlGiven  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
	samlGroups = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
)

func samlPayload(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/saml.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// oidc is the kit's fixture (a Google sign-in) with the values an OIDC provider adds:
// a groups array and a nested address.
func oidc(opts ...triggertest.Option) *federation.Event {
	return triggertest.InboundFederation(append([]triggertest.Option{
		triggertest.Set("request.attributes.idToken.groups", []any{"staff", "sso"}),
		triggertest.Set("request.attributes.userInfo.address", map[string]any{"country": "ES", "locality": "Sevilla"}),
	}, opts...)...)
}

func mapped(t *testing.T, h federation.Handler, event any) triggers.Attributes {
	t.Helper()
	var res triggertest.Result
	switch e := event.(type) {
	case []byte:
		res = triggertest.InvokeHandlerPayload(t, h, e)
	case *federation.Event:
		res = triggertest.InvokeHandler(t, h, e)
	default:
		t.Fatalf("event of type %T", event)
	}
	return triggertest.EventAs[triggers.InboundFederationEvent](res.RequireOK(t)).Response.UserAttributesToMap
}

func TestMapAttributes(t *testing.T) {
	t.Parallel()
	pool := map[string]string{"email": "email", "given_name": "given_name", "name": "name"}
	tests := []struct {
		name    string
		pool    map[string]string
		mapping federation.Mapping
		cfg     federation.MapConfig // PoolMapping and Mapping come from pool and mapping
		event   any
		want    triggers.Attributes
	}{
		{"list and nested value on top of the pool's mapping", pool, federation.Mapping{
			"custom:groups":  federation.Claim("groups"),
			"custom:city":    federation.From(federation.UserInfo, "address", "locality"),
			"custom:iat":     federation.From(federation.IDToken, "iat"),
			"email_verified": federation.Claim("email_verified"),
		}, federation.MapConfig{}, oidc(), triggers.Attributes{
			"email": "maria.garcia@gmail.example", "given_name": "María", "name": "María García",
			"custom:groups": "staff,sso", "custom:city": "Sevilla", "custom:iat": "1717171717", "email_verified": "true",
		}},
		{"lists as JSON, object as JSON", nil, federation.Mapping{
			"custom:groups": federation.Claim("groups"),
			"address":       federation.Claim("address"),
		}, federation.MapConfig{ListsAsJSON: true}, oidc(), triggers.Attributes{
			"custom:groups": `["staff","sso"]`, "address": `{"country":"ES","locality":"Sevilla"}`,
		}},
		{"a string that looks like a list stays as it is", nil, federation.Mapping{"custom:groups": federation.Claim("groups")},
			federation.MapConfig{Separator: ";"},
			oidc(triggertest.Set("request.attributes.idToken.groups", `["a","b"]`)),
			triggers.Attributes{"custom:groups": `["a","b"]`}},
		{"a missing source keeps the pool's value", pool, federation.Mapping{"name": federation.Claim("nickname")}, federation.MapConfig{}, oidc(),
			triggers.Attributes{"email": "maria.garcia@gmail.example", "given_name": "María", "name": "María García"}},
		{"suppressed", pool, nil, federation.MapConfig{Suppress: []string{"name"}}, oidc(),
			triggers.Attributes{"email": "maria.garcia@gmail.example", "given_name": "María"}},
		{"an earlier answer is kept and extended", pool, federation.Mapping{"custom:groups": federation.Claim("groups")}, federation.MapConfig{},
			oidc(triggertest.Set("response.userAttributesToMap", map[string]any{"email": "set@example.com"})),
			triggers.Attributes{"email": "set@example.com", "custom:groups": "staff,sso"}},
		{"nothing found leaves Cognito's mapping", nil, federation.Mapping{"custom:x": federation.Claim("absent")}, federation.MapConfig{}, oidc(),
			triggers.Attributes{}},
		{"SAML multi-valued and single-element lists", map[string]string{"email": samlEmail, "given_name": samlGiven},
			federation.Mapping{
				"custom:groups":     federation.From(federation.SAML, samlGroups),
				"custom:department": federation.From(federation.SAML, "department"),
				"custom:employee":   federation.From(federation.SAML, "employeeNumber"),
			}, federation.MapConfig{}, samlPayload, triggers.Attributes{
				"email": "jdoe@corp.example", "given_name": "Jane", "custom:groups": "engineering,on-call,vpn-users",
				"custom:department": "R&D", "custom:employee": "4711",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.PoolMapping, cfg.Mapping = tt.pool, tt.mapping
			h := federation.Must(federation.MapAttributes(cfg))
			event := tt.event
			if f, ok := event.(func(*testing.T) []byte); ok {
				event = f(t)
			}
			got := mapped(t, h, event)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestMapAttributesLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("g", federation.MaxValueLength)
	event := oidc(triggertest.Set("request.attributes.idToken.groups", []any{long, "x"}),
		triggertest.Set("request.attributes.idToken.fits", strings.Repeat("é", federation.MaxValueLength)))
	mapping := federation.Mapping{"custom:groups": federation.Claim("groups"), "custom:fits": federation.Claim("fits")}

	var logs triggertest.Logs
	drop := federation.Must(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": "email"}, Mapping: mapping}))
	got := triggertest.EventAs[triggers.InboundFederationEvent](triggertest.InvokeHandler(t, drop, event, triggers.RouterConfig{Logger: logs.Logger()}).RequireOK(t)).Response.UserAttributesToMap
	if _, ok := got["custom:groups"]; ok || got["email"] == "" || len([]rune(got["custom:fits"])) != federation.MaxValueLength {
		t.Errorf("answer %v: want the long value dropped, the rest kept", got)
	}
	lines := logs.Find(t, "attributes over the length limit left out")
	if len(lines) != 1 || !strings.Contains(logs.String(), "custom:groups") || strings.Contains(logs.String(), long) {
		t.Errorf("drop logged as %s", logs.String())
	}

	refuse := federation.Must(federation.MapAttributes(federation.MapConfig{Mapping: mapping, OverLimit: federation.RefuseOverLimit}))
	triggertest.InvokeHandler(t, refuse, event).RequireRejected(t, federation.DefaultOverLimitMessage)

	// EnforceLimits checks what a module of the user's wrote.
	own := func(_ context.Context, e *federation.Event) error {
		e.Response.UserAttributesToMap = triggers.Attributes{"custom:token": long + "x", "email": "a@example.com"}
		return nil
	}
	limits := federation.Must(federation.EnforceLimits(federation.LimitsConfig{}))
	if got := mapped(t, federation.Chain(own, limits), oidc()); !reflect.DeepEqual(got, triggers.Attributes{"email": "a@example.com"}) {
		t.Errorf("EnforceLimits left %v", got)
	}
	strict := federation.Must(federation.EnforceLimits(federation.LimitsConfig{OverLimit: federation.RefuseOverLimit, Message: "Profile too large"}))
	triggertest.InvokeHandler(t, federation.Chain(own, strict), oidc()).RequireRejected(t, "Profile too large")
}

// Suppression that empties the answer cannot keep the attribute out, since Cognito maps
// every attribute on an empty answer: that is logged, by attribute name.
func TestSuppressEmptiesAnswer(t *testing.T) {
	t.Parallel()
	var logs triggertest.Logs
	h := federation.Must(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": "email"}, Suppress: []string{"email"}}))
	got := triggertest.EventAs[triggers.InboundFederationEvent](triggertest.InvokeHandler(t, h, oidc(), triggers.RouterConfig{Logger: logs.Logger()}).RequireOK(t)).Response.UserAttributesToMap
	if len(got) != 0 {
		t.Fatalf("answer %v", got)
	}
	lines := logs.Find(t, "suppressed attributes left the answer empty: Cognito maps them anyway")
	if len(lines) != 1 || lines[0]["level"] != "WARN" || !strings.Contains(logs.String(), `"attributes":["email"]`) ||
		strings.Contains(logs.String(), "maria.garcia") {
		t.Errorf("logged %s", logs.String())
	}
	// With another attribute left, suppression works and nothing is logged.
	var quiet triggertest.Logs
	h = federation.Must(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": "email", "name": "name"}, Suppress: []string{"email"}}))
	got = triggertest.EventAs[triggers.InboundFederationEvent](triggertest.InvokeHandler(t, h, oidc(), triggers.RouterConfig{Logger: quiet.Logger()}).RequireOK(t)).Response.UserAttributesToMap
	if _, ok := got["email"]; ok || got["name"] == "" || len(quiet.Find(t, "suppressed attributes left the answer empty: Cognito maps them anyway")) != 0 {
		t.Errorf("answer %v, logs %s", got, quiet.String())
	}
}

func TestRequireVerifiedEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    federation.VerifiedEmailConfig
		event  *federation.Event
		reject bool
	}{
		{"verified", federation.VerifiedEmailConfig{}, oidc(), false},
		{"not verified", federation.VerifiedEmailConfig{}, oidc(triggertest.Set("request.attributes.idToken.email_verified", false),
			triggertest.Set("request.attributes.userInfo.email_verified", false)), true},
		{"not verified as a string", federation.VerifiedEmailConfig{}, oidc(triggertest.Set("request.attributes.idToken.email_verified", "false")), true},
		{"garbage counts as not verified", federation.VerifiedEmailConfig{}, oidc(triggertest.Set("request.attributes.idToken.email_verified", "maybe")), true},
		{"unstated passes", federation.VerifiedEmailConfig{}, oidc(triggertest.Unset("request.attributes.idToken.email_verified"),
			triggertest.Unset("request.attributes.userInfo.email_verified")), false},
		{"unstated refused", federation.VerifiedEmailConfig{RefuseUnstated: true}, oidc(
			triggertest.Unset("request.attributes.idToken.email_verified"),
			triggertest.Unset("request.attributes.userInfo.email_verified")), true},
		{"userInfo decides when the ID token is silent", federation.VerifiedEmailConfig{}, oidc(
			triggertest.Unset("request.attributes.idToken.email_verified"),
			triggertest.Set("request.attributes.userInfo.email_verified", false)), true},
		{"SAML attribute", federation.VerifiedEmailConfig{VerifiedFrom: []federation.Source{federation.From(federation.SAML, "emailVerified")}},
			oidc(triggertest.Set("request.attributes.samlResponse", map[string]any{"emailVerified": "false"})), true},
		{"SAML attribute as a list of one value", federation.VerifiedEmailConfig{VerifiedFrom: []federation.Source{federation.From(federation.SAML, "emailVerified")}},
			oidc(triggertest.Set("request.attributes.samlResponse", map[string]any{"emailVerified": []any{"true"}})), false},
		{"SAML list of one false value", federation.VerifiedEmailConfig{VerifiedFrom: []federation.Source{federation.From(federation.SAML, "emailVerified")}},
			oidc(triggertest.Set("request.attributes.samlResponse", map[string]any{"emailVerified": []any{"false"}})), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Message = "Verify your email first"
			h := federation.Must(federation.RequireVerifiedEmail(cfg))
			res := triggertest.InvokeHandler(t, h, tt.event)
			if tt.reject {
				res.RequireRejected(t, "Verify your email first")
			} else {
				res.RequireOK(t).RequireNoOp(t)
			}
		})
	}
}

func TestAllowProviders(t *testing.T) {
	t.Parallel()
	h := federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Google", "CorporateSAML"}}))
	triggertest.InvokeHandler(t, h, oidc()).RequireOK(t).RequireNoOp(t)
	triggertest.InvokeHandlerPayload(t, h, samlPayload(t)).RequireOK(t)
	triggertest.InvokeHandler(t, h, oidc(triggertest.Set("request.providerName", "google"))).
		RequireRejected(t, federation.DefaultProviderMessage)
	triggertest.InvokeHandler(t, h, oidc(triggertest.Set("request.providerName", "Facebook"))).
		RequireRejected(t, federation.DefaultProviderMessage)
}

func TestConstructorsRefuseBadConfiguration(t *testing.T) {
	t.Parallel()
	errOf := func(_ federation.Handler, err error) error { return err }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nothing to map", errOf(federation.MapAttributes(federation.MapConfig{})), "no attribute"},
		{"unknown attribute", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"groups": federation.Claim("groups")}})), "neither a standard"},
		{"custom name too long", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"custom:" + strings.Repeat("x", 21): federation.Claim("g")}})), "1 to 20"},
		{"custom name with a space", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"custom:a b": federation.Claim("g")}})), "white space"},
		{"empty custom name", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"custom:": federation.Claim("g")}})), "1 to 20"},
		{"empty path", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": federation.Claim()}})), "empty source"},
		{"empty path element", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": federation.Claim("a", "")}})), "empty source"},
		{"zero source", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": {}}})), "empty source"},
		{"bad pool attribute", errOf(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"mail": "email"}})), "PoolMapping"},
		{"empty pool source", errOf(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": ""}})), "no provider attribute"},
		{"bad over-limit mode", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": federation.Claim("e")}, OverLimit: 7})), "OverLimit: unknown mode"},
		{"bad suppress", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": federation.Claim("e")}, Suppress: []string{"x y"}})), "Suppress"},
		{"blank over-limit message", errOf(federation.MapAttributes(federation.MapConfig{Mapping: federation.Mapping{"email": federation.Claim("e")}, Message: " "})), "federation.MapAttributes: Message is blank"},
		{"bad limits mode", errOf(federation.EnforceLimits(federation.LimitsConfig{OverLimit: 9})), "unknown mode"},
		{"no providers", errOf(federation.AllowProviders(federation.ProvidersConfig{})), "federation.AllowProviders: Providers is empty"},
		{"empty provider", errOf(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{""}})), "empty name"},
		{"empty message", errOf(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{Message: " "})), "federation.RequireVerifiedEmail: Message is blank"},
		{"empty verified source", errOf(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{VerifiedFrom: []federation.Source{{}}})), "VerifiedFrom has an empty source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", tt.err, tt.want)
			}
		})
	}
}

// Provider tokens never reach a log line, at debug level, whatever the modules do, nor
// do the values of the provider's claims; their names do.
func TestTokensNeverLogged(t *testing.T) {
	t.Parallel()
	var logs triggertest.Logs
	debug := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chain := federation.Chain(
		federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Google"}})),
		federation.Must(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{})),
		federation.Must(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": "email"},
			Mapping: federation.Mapping{"custom:groups": federation.Claim("groups")}})),
	)
	event := oidc()
	triggertest.InvokeHandler(t, chain, event, triggers.RouterConfig{Logger: debug}).RequireOK(t)
	refused := oidc(triggertest.Set("request.providerName", "Other"))
	triggertest.InvokeHandler(t, chain, refused, triggers.RouterConfig{Logger: debug}).RequireRejected(t, federation.DefaultProviderMessage)
	out := logs.String()
	if !strings.Contains(out, `"access_token"`) || !strings.Contains(out, "userAttributesToMap") {
		t.Fatalf("debug log does not show the event:\n%s", out)
	}
	for name, v := range event.Request.Attributes.TokenResponse {
		if len(v) > 8 && strings.Contains(out, v) {
			t.Errorf("token %s logged:\n%s", name, out)
		}
	}
	// The provider's claims show by name only; the answer, which Cognito stores as user
	// attributes, shows as user attributes do.
	if !strings.Contains(out, `"idToken":{"aud":"[REDACTED]","email":"[REDACTED]"`) {
		t.Errorf("claim values logged:\n%s", out)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	mods := map[string]federation.Handler{
		"MapAttributes": federation.Must(federation.MapAttributes(federation.MapConfig{PoolMapping: map[string]string{"email": "email"},
			Mapping: federation.Mapping{"custom:groups": federation.Claim("groups")}})),
		"RequireVerifiedEmail": federation.Must(federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{RefuseUnstated: true})),
		"AllowProviders":       federation.Must(federation.AllowProviders(federation.ProvidersConfig{Providers: []string{"Okta"}})),
		"EnforceLimits":        federation.Must(federation.EnforceLimits(federation.LimitsConfig{OverLimit: federation.RefuseOverLimit})),
	}
	for name, m := range mods {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			triggertest.RunModuleTests(t, m, triggertest.RunConfig{Sources: triggers.Sources{triggers.InboundFederationExternalProvider}})
		})
	}
}
