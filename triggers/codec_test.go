package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// ---- helpers shared by codec_test.go, fuzz_test.go and bench_test.go

// codecFixtures returns the realistic payloads in testdata/codec by file name.
func codecFixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/codec/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func codecFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/codec", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// codecTriggerOf reads the trigger of a payload with encoding/json, independently of the
// codec under test.
func codecTriggerOf(tb testing.TB, payload []byte) triggers.Trigger {
	tb.Helper()
	var h struct{ TriggerSource triggers.TriggerSource }
	if err := json.Unmarshal(payload, &h); err != nil {
		tb.Fatal(err)
	}
	return h.TriggerSource.Trigger()
}

// codecNewEvent returns a new, empty event of the trigger's type.
func codecNewEvent(tb testing.TB, trigger triggers.Trigger) triggers.Event {
	tb.Helper()
	e := triggers.NewEvent(trigger)
	if e == nil {
		tb.Fatalf("no event type for trigger %q", trigger)
	}
	return e
}

// codecDecode decodes payload through encoding/json, which calls the events'
// UnmarshalJSON and so the codec.
func codecDecode(tb testing.TB, trigger triggers.Trigger, payload []byte) triggers.Event {
	tb.Helper()
	e := codecNewEvent(tb, trigger)
	if err := json.Unmarshal(payload, e); err != nil {
		tb.Fatalf("decode: %v\n%s", err, payload)
	}
	return e
}

// codecWireView clears what the wire format deliberately does not carry, so that events
// can be compared by what Cognito reads: the override details of the other pre token
// version; and it adds what the codec adds on purpose: override details without a group
// override carry a copy of the request's groups.
func codecWireView(e triggers.Event) triggers.Event {
	if p, ok := e.(*triggers.PreTokenGenerationEvent); ok {
		c := *p
		groups := &c.Request.GroupConfiguration
		if c.TriggerSource == triggers.TokenGenerationClientCredentials ||
			groups.GroupsToOverride == nil && groups.IAMRolesToOverride == nil && groups.PreferredRole == nil {
			groups = nil
		} else if groups.PreferredRole == nil {
			// The copy's null preferredRole reads back as a pointer to "".
			g := *groups
			g.PreferredRole = new(string)
			groups = &g
		}
		if c.IsV1() {
			c.Response.ClaimsAndScopeOverrideDetails = nil
			if d := c.Response.ClaimsOverrideDetails; d != nil && d.GroupOverrideDetails == nil {
				dc := *d
				dc.GroupOverrideDetails = groups
				c.Response.ClaimsOverrideDetails = &dc
			}
		} else {
			c.Response.ClaimsOverrideDetails = nil
			if d := c.Response.ClaimsAndScopeOverrideDetails; d != nil && d.GroupOverrideDetails == nil {
				dc := *d
				dc.GroupOverrideDetails = groups
				c.Response.ClaimsAndScopeOverrideDetails = &dc
			}
		}
		return &c
	}
	return e
}

// codecSameContent compares decoded events with nil and empty maps and slices alike:
// the types' omitempty members cannot tell them apart on the wire.
func codecSameContent(a, b any) bool {
	return codecEqualValues(reflect.ValueOf(a), reflect.ValueOf(b))
}

func codecEqualValues(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !codecEqualValues(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !codecEqualValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return codecEqualValues(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !codecEqualValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// codecNoopRouter has a chain with no modules for every trigger.
func codecNoopRouter() *triggers.Router {
	return codecEveryTrigger(triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()})).
		PreSignUp(triggers.Chain[triggers.PreSignUpEvent]())
}

// codecRun sends payload through a router whose only module for the trigger is mod.
func codecRun[E any](t *testing.T, register func(*triggers.Router, triggers.Handler[E]) *triggers.Router,
	payload []byte, mod func(*E)) ([]byte, *triggers.InvokeError) {
	t.Helper()
	r := register(triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}), func(_ context.Context, e *E) error {
		if mod != nil {
			mod(e)
		}
		return nil
	})
	return r.Handle(context.Background(), payload)
}

// codecMember returns the JSON text of a top-level member of out, as the codec wrote it.
func codecMember(t *testing.T, out []byte, name string) string {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	raw, ok := top[name]
	if !ok {
		return "<absent>"
	}
	return string(raw)
}

// codecEncodeStd encodes v with encoding/json as the codec writes: no HTML escaping.
func codecEncodeStd(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// ---- round trips on realistic payloads

func TestCodecRoundTrip(t *testing.T) {
	t.Parallel()
	router := codecNoopRouter()
	for name, payload := range codecFixtures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			trigger := codecTriggerOf(t, payload)
			first := codecDecode(t, trigger, payload)
			encoded, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			second := codecDecode(t, trigger, encoded)
			if !codecSameContent(codecWireView(first), second) {
				t.Errorf("decode -> encode -> decode changed the event\nfirst  %#v\nsecond %#v", first, second)
			}
			// The router's answer to a no-op chain is the same document, and a fixed
			// point: decoding and encoding it again changes no byte.
			out, ierr := router.Handle(context.Background(), payload)
			if ierr != nil {
				t.Fatal(ierr)
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON: %s", out)
			}
			again, ierr := router.Handle(context.Background(), out)
			if ierr != nil {
				t.Fatal(ierr)
			}
			if !bytes.Equal(out, again) {
				t.Errorf("not a fixed point:\n%s\n%s", out, again)
			}
			if std := codecEncodeStd(t, first); std != string(out) {
				t.Errorf("json.Marshal and the router disagree:\n%s\n%s", std, out)
			}
		})
	}
}

// What the fixtures hold decodes to what a module expects to read.
func TestCodecDecodesFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		check func(t *testing.T, e triggers.Event)
	}{
		{"presignup_signup.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreSignUpEvent)
			if len(e.Request.UserAttributes) != 8 || e.Request.UserAttributes["email_verified"] != "true" ||
				e.Request.UserAttributes["custom:plan"] != "pro" {
				t.Errorf("user attributes %v", e.Request.UserAttributes)
			}
			if e.Request.ValidationData["invitationCode"] != "INV-2024-0042" || e.Request.ClientMetadata["campaign"] != "spring-launch" {
				t.Errorf("validation data %v, client metadata %v", e.Request.ValidationData, e.Request.ClientMetadata)
			}
			if e.Version != "1" || e.TriggerSource != triggers.PreSignUpSignUp || e.CallerContext.ClientID != "5k3j2h1g0f9e8d7c6b5a4z3y2x" {
				t.Errorf("header %+v", e.Header)
			}
		}},
		{"presignup_external.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreSignUpEvent)
			if e.Request.UserAttributes["name"] != "José García" || e.Request.ClientMetadata != nil ||
				e.Request.ValidationData == nil {
				t.Errorf("request %+v", e.Request)
			}
		}},
		{"defineauthchallenge.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.DefineAuthChallengeEvent)
			want := []triggers.ChallengeResult{
				{ChallengeName: "SRP_A", ChallengeResult: true},
				{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true},
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "EMAIL_OTP_1"},
			}
			if !reflect.DeepEqual(e.Request.Session, want) {
				t.Errorf("session %+v", e.Request.Session)
			}
		}},
		{"verifyauthchallenge.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.VerifyAuthChallengeEvent)
			if e.Request.ChallengeAnswer.Reveal() != "482913" || e.Request.PrivateChallengeParameters["answer"] != "482913" {
				t.Errorf("request %+v", e.Request)
			}
		}},
		{"pretoken_v1.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreTokenGenerationEvent)
			g := e.Request.GroupConfiguration
			if !e.IsV1() || !reflect.DeepEqual(g.GroupsToOverride, []string{"admins", "editors"}) ||
				g.PreferredRole == nil || *g.PreferredRole != "arn:aws:iam::123456789012:role/admins" {
				t.Errorf("groups %+v", g)
			}
		}},
		{"pretoken_v2.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreTokenGenerationEvent)
			g := e.Request.GroupConfiguration
			if e.IsV1() || g.PreferredRole != nil || g.IAMRolesToOverride == nil || len(g.IAMRolesToOverride) != 0 ||
				len(e.Request.Scopes) != 3 {
				t.Errorf("request %+v", e.Request)
			}
		}},
		{"pretoken_v3.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreTokenGenerationEvent)
			id := e.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride
			want := map[string]any{
				"tenant": "acme", "roles": []any{"admin", "billing"}, "seats": json.Number("25"),
				"ratio": json.Number("0.75"), "beta": true,
				"limits": map[string]any{"api": json.Number("1000"), "burst": nil},
			}
			if !reflect.DeepEqual(id, want) {
				t.Errorf("claims %#v", id)
			}
		}},
		{"pretoken_v3_clientcredentials.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.PreTokenGenerationEvent)
			if e.Request.UserAttributes != nil || e.Version != "3" || e.TriggerSource != triggers.TokenGenerationClientCredentials ||
				!reflect.DeepEqual(e.Request.Scopes, []string{"reports-api/read", "reports-api/write"}) {
				t.Errorf("event %+v", e)
			}
		}},
		{"migrate_authentication.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.UserMigrationEvent)
			if e.Request.Password.Reveal() != `correct horse "battery" staple` || e.Request.ClientMetadata != nil {
				t.Errorf("request %+v", e.Request)
			}
			if !reflect.DeepEqual(e.Response, triggers.UserMigrationResponse{}) {
				t.Errorf("response %+v", e.Response)
			}
		}},
		{"custommessage_signup.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.CustomMessageEvent)
			if e.Request.CodeParameter != "{####}" || e.Request.LinkParameter != "{##Click Here##}" ||
				e.Request.UsernameParameter != "" || e.Request.UserAttributes["email_verified"] != "false" {
				t.Errorf("request %+v", e.Request)
			}
		}},
		{"customsmssender.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.CustomSMSSenderEvent)
			if e.Request.Type != "customSmsSenderRequestV1" || !strings.HasPrefix(e.Request.Code.Reveal(), "AYADeJ8") ||
				e.Request.UserAttributes["phone_number_verified"] != "true" {
				t.Errorf("request %+v", e.Request)
			}
		}},
		{"inboundfederation_oidc.json", func(t *testing.T, ev triggers.Event) {
			e := ev.(*triggers.InboundFederationEvent)
			a := e.Request.Attributes
			if a.TokenResponse["expires_in"] != "3600" || a.IDToken["groups"] != `["staff","sso"]` ||
				a.IDToken["iat"] != "1717171717" || a.UserInfo["address"] != `{"country":"DE","locality":"Berlin"}` ||
				a.SAMLResponse != nil || e.Response.UserAttributesToMap != nil {
				t.Errorf("request %+v", e.Request)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			payload := codecFixture(t, tt.file)
			tt.check(t, codecDecode(t, codecTriggerOf(t, payload), payload))
		})
	}
}

// ---- faithful encoding

func TestCodecFaithfulEncoding(t *testing.T) {
	t.Parallel()
	preToken := func(file string, mod func(*triggers.PreTokenGenerationEvent)) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			out, ierr := codecRun(t, (*triggers.Router).PreTokenGeneration, codecFixture(t, file), mod)
			if ierr != nil {
				t.Fatal(ierr)
			}
			return out
		}
	}
	v1Claims := &triggers.ClaimsOverrideDetails{ClaimsToAddOrOverride: map[string]string{"tenant": "acme"}, ClaimsToSuppress: []string{"email"}}
	v2Claims := &triggers.ClaimsAndScopeOverrideDetails{IDTokenGeneration: &triggers.IDTokenGeneration{
		ClaimsToAddOrOverride: map[string]any{"tenant": "acme"}}}
	tests := []struct {
		name   string
		run    func(*testing.T) []byte
		member string
		want   string
	}{
		{"pre token V1 no-op keeps the groups", preToken("pretoken_v1.json", nil), "response", `{}`},
		{"pre token V1 claims carry the request's groups", preToken("pretoken_v1.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsOverrideDetails = v1Claims
		}), "response", `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"acme"},"claimsToSuppress":["email"],"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins","arn:aws:iam::123456789012:role/editors"],"preferredRole":"arn:aws:iam::123456789012:role/admins"}}}`},
		{"pre token V1 answers in V1 details only", preToken("pretoken_v1.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsOverrideDetails = v1Claims
			e.Response.ClaimsAndScopeOverrideDetails = v2Claims
		}), "response", `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"acme"},"claimsToSuppress":["email"],"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins","arn:aws:iam::123456789012:role/editors"],"preferredRole":"arn:aws:iam::123456789012:role/admins"}}}`},
		{"pre token V1 explicit group override", preToken("pretoken_v1.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{GroupOverrideDetails: &triggers.GroupConfiguration{
				GroupsToOverride: []string{"readers"}, IAMRolesToOverride: []string{}}}
		}), "response", `{"claimsOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":["readers"],"iamRolesToOverride":[]}}}`},
		{"pre token V2 no-op", preToken("pretoken_v2.json", nil), "response", `{}`},
		{"pre token V2 ignores V1 details", preToken("pretoken_v2.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsOverrideDetails = v1Claims
		}), "response", `{}`},
		{"pre token V2 answers in V2 details only", preToken("pretoken_v2.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsOverrideDetails = v1Claims
			e.Response.ClaimsAndScopeOverrideDetails = v2Claims
		}), "response", `{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"tenant":"acme"}},"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":null}}}`},
		{"pre token V2 empty details", preToken("pretoken_v2.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				IDTokenGeneration: &triggers.IDTokenGeneration{}, AccessTokenGeneration: &triggers.AccessTokenGeneration{}}
		}), "response", `{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{},"accessTokenGeneration":{},"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":null}}}`},
		{"pre token V3 echoes what Cognito sent", preToken("pretoken_v3.json", nil), "response",
			`{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"beta":true,"limits":{"api":1000,"burst":null},"ratio":0.75,"roles":["admin","billing"],"seats":25,"tenant":"acme"},"claimsToSuppress":["phone_number"]},"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"acme"},"scopesToAdd":["billing/read"],"scopesToSuppress":["profile"]},"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":[],"preferredRole":null}}}`},
		{"pre token V3 client credentials scopes", preToken("pretoken_v3_clientcredentials.json", func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				AccessTokenGeneration: &triggers.AccessTokenGeneration{ScopesToAdd: []string{"reports-api/admin"}}}
		}), "response", `{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"scopesToAdd":["reports-api/admin"]}}}`},
		{"pre token V3 client credentials request", preToken("pretoken_v3_clientcredentials.json", nil), "request",
			`{"userAttributes":null,"groupConfiguration":{"groupsToOverride":null,"iamRolesToOverride":null,"preferredRole":null},"scopes":["reports-api/read","reports-api/write"],"clientMetadata":{"caller":"nightly-export"}}`},
		{"custom message no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomMessage, codecFixture(t, "custommessage_signup.json"), nil)
			return out
		}, "response", `{}`},
		{"custom message email only", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomMessage, codecFixture(t, "custommessage_signup.json"), func(e *triggers.CustomMessageEvent) {
				e.Response.EmailMessage = "Confirm: " + e.Request.LinkParameter
			})
			return out
		}, "response", `{"emailMessage":"Confirm: {##Click Here##}"}`},
		{"custom message all fields", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomMessage, codecFixture(t, "custommessage_admincreateuser.json"), func(e *triggers.CustomMessageEvent) {
				e.Response = triggers.CustomMessageResponse{SMSMessage: "Code {####}", EmailMessage: "<p>Hi {username}, {####}</p>", EmailSubject: "Welcome"}
			})
			return out
		}, "response", `{"smsMessage":"Code {####}","emailMessage":"<p>Hi {username}, {####}</p>","emailSubject":"Welcome"}`},
		{"custom message request echo", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomMessage, codecFixture(t, "custommessage_signup.json"), nil)
			return out
		}, "request", `{"userAttributes":{"cognito:user_status":"UNCONFIRMED","email":"jane@example.com","email_verified":"false","locale":"de","sub":"4b2e6f1a-93c4-4d5e-8f7a-2c1d0e9b8a76"},"codeParameter":"{####}","linkParameter":"{##Click Here##}","usernameParameter":"","clientMetadata":{"brand":"acme"}}`},
		{"migration no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).UserMigration, codecFixture(t, "migrate_authentication.json"), nil)
			return out
		}, "response", `{}`},
		{"migration with SMS MFA", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).UserMigration, codecFixture(t, "migrate_authentication.json"), func(e *triggers.UserMigrationEvent) {
				e.Response = triggers.UserMigrationResponse{
					UserAttributes:         triggers.Attributes{"email": "legacy.user@example.com", "email_verified": "true", "phone_number": "+12065550100"},
					FinalUserStatus:        "CONFIRMED",
					MessageAction:          "SUPPRESS",
					DesiredDeliveryMediums: []string{"EMAIL", "SMS"},
					ForceAliasCreation:     true,
					EnableSMSMFA:           true,
				}
			})
			return out
		}, "response", `{"userAttributes":{"email":"legacy.user@example.com","email_verified":"true","phone_number":"+12065550100"},"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS","desiredDeliveryMediums":["EMAIL","SMS"],"forceAliasCreation":true,"enableSMSMFA":true}`},
		{"migration sends the real password back", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).UserMigration, codecFixture(t, "migrate_authentication.json"), nil)
			return out
		}, "request", `{"password":"correct horse \"battery\" staple","validationData":{"source":"legacy-login"},"clientMetadata":null}`},
		{"inbound federation nil map is {}", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).InboundFederation, codecFixture(t, "inboundfederation_oidc.json"), nil)
			return out
		}, "response", `{"userAttributesToMap":{}}`},
		{"inbound federation echoes the map", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).InboundFederation, codecFixture(t, "inboundfederation_saml.json"), nil)
			return out
		}, "response", `{"userAttributesToMap":{"email":"testuser@example.com","family_name":"User","given_name":"Test"}}`},
		{"inbound federation empty map", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).InboundFederation, codecFixture(t, "inboundfederation_saml.json"), func(e *triggers.InboundFederationEvent) {
				e.Response.UserAttributesToMap = triggers.Attributes{}
			})
			return out
		}, "response", `{"userAttributesToMap":{}}`},
		{"pre sign-up no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PreSignUp, codecFixture(t, "presignup_signup.json"), nil)
			return out
		}, "response", `{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}`},
		{"pre sign-up confirm", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PreSignUp, codecFixture(t, "presignup_signup.json"), func(e *triggers.PreSignUpEvent) {
				e.Response.AutoConfirmUser, e.Response.AutoVerifyEmail = true, true
			})
			return out
		}, "response", `{"autoConfirmUser":true,"autoVerifyEmail":true,"autoVerifyPhone":false}`},
		{"pre sign-up nil maps are null", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PreSignUp, codecFixture(t, "presignup_admincreateuser.json"), nil)
			return out
		}, "request", `{"userAttributes":{"custom:department":"Finance","email":"new.hire@example.com","email_verified":"true"},"validationData":null,"clientMetadata":null}`},
		{"define auth challenge no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).DefineAuthChallenge, codecFixture(t, "defineauthchallenge.json"), nil)
			return out
		}, "response", `{"issueTokens":false,"failAuthentication":false}`},
		{"define auth challenge next", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).DefineAuthChallenge, codecFixture(t, "defineauthchallenge.json"), func(e *triggers.DefineAuthChallengeEvent) {
				e.Response.ChallengeName = "CUSTOM_CHALLENGE"
			})
			return out
		}, "response", `{"challengeName":"CUSTOM_CHALLENGE","issueTokens":false,"failAuthentication":false}`},
		{"define auth challenge session echo", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).DefineAuthChallenge, codecFixture(t, "defineauthchallenge.json"), nil)
			return out
		}, "request", `{"userAttributes":{"cognito:phone_number_alias":"+12223334455","cognito:user_status":"CONFIRMED","email":"jane@example.com","phone_number":"+12223334455","phone_number_verified":"true","sub":"a36036a8-9061-424d-a737-56d57dae7bc6"},"session":[{"challengeName":"SRP_A","challengeResult":true},{"challengeName":"PASSWORD_VERIFIER","challengeResult":true},{"challengeName":"CUSTOM_CHALLENGE","challengeResult":false,"challengeMetadata":"EMAIL_OTP_1"}],"userNotFound":false}`},
		{"create auth challenge no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CreateAuthChallenge, codecFixture(t, "createauthchallenge.json"), nil)
			return out
		}, "response", `{}`},
		{"create auth challenge", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CreateAuthChallenge, codecFixture(t, "createauthchallenge.json"), func(e *triggers.CreateAuthChallengeEvent) {
				e.Response = triggers.CreateAuthChallengeResponse{
					PublicChallengeParameters:  map[string]string{"email": "j***@example.com"},
					PrivateChallengeParameters: map[string]string{"answer": "482913"},
					ChallengeMetadata:          "EMAIL_OTP_1",
				}
			})
			return out
		}, "response", `{"publicChallengeParameters":{"email":"j***@example.com"},"privateChallengeParameters":{"answer":"482913"},"challengeMetadata":"EMAIL_OTP_1"}`},
		{"verify auth challenge no-op", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).VerifyAuthChallenge, codecFixture(t, "verifyauthchallenge.json"), nil)
			return out
		}, "response", `{"answerCorrect":false}`},
		{"post confirmation", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PostConfirmation, codecFixture(t, "postconfirmation_confirmsignup.json"), nil)
			return out
		}, "response", `{}`},
		{"pre authentication", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PreAuthentication, codecFixture(t, "preauthentication.json"), nil)
			return out
		}, "response", `{}`},
		{"post authentication", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).PostAuthentication, codecFixture(t, "postauthentication.json"), nil)
			return out
		}, "response", `{}`},
		{"custom email sender sends the real code back", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomEmailSender, codecFixture(t, "customemailsender.json"), nil)
			return out
		}, "request", `{"type":"customEmailSenderRequestV1","code":"AYADeBgAxcZIcbg+kDbHgWMH2fQAXwABABVhd3MtY3J5cHRvLXB1YmxpYy1rZXkAREF4Tk1qZz09","clientMetadata":{"brand":"acme"},"userAttributes":{"cognito:user_status":"CONFIRMED","email":"jane@example.com","email_verified":"true","sub":"a36036a8-9061-424d-a737-56d57dae7bc6"}}`},
		{"custom SMS sender", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomSMSSender, codecFixture(t, "customsmssender.json"), nil)
			return out
		}, "response", `{}`},
		{"header", func(t *testing.T) []byte {
			out, _ := codecRun(t, (*triggers.Router).CustomSMSSender, codecFixture(t, "customsmssender.json"), nil)
			return out
		}, "callerContext", `{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"1example23456789"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := tt.run(t)
			if out == nil {
				t.Fatal("no output")
			}
			if got := codecMember(t, out, tt.member); got != tt.want {
				t.Errorf("%s\n got %s\nwant %s", tt.member, got, tt.want)
			}
		})
	}
}

// Whenever a pre token response carries override details, it carries the user's groups
// too: a copy of the request's groupConfiguration unless a module set the override on
// purpose, since Cognito reads an empty or missing override as "no groups". A response
// without override details sends none, and an override Cognito sent as {} comes back as {}.
func TestCodecPreTokenKeepsGroups(t *testing.T) {
	t.Parallel()
	addClaim := func(e *triggers.PreTokenGenerationEvent) {
		if e.IsV1() {
			e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{
				ClaimsToAddOrOverride: map[string]string{"tenant": "t1"}}
		} else {
			e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				IDTokenGeneration: &triggers.IDTokenGeneration{ClaimsToAddOrOverride: map[string]any{"tenant": "t1"}}}
		}
	}
	emptyOverride := func(e *triggers.PreTokenGenerationEvent) {
		if e.IsV1() {
			e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{
				GroupOverrideDetails: &triggers.GroupConfiguration{GroupsToOverride: []string{}}}
		} else {
			e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				GroupOverrideDetails: &triggers.GroupConfiguration{GroupsToOverride: []string{}}}
		}
	}
	withResponse := func(file, response string) []byte {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(codecFixture(t, file), &doc); err != nil {
			t.Fatal(err)
		}
		doc["response"] = json.RawMessage(response)
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tt := range []struct {
		name, file string
		payload    []byte
		mod        func(*triggers.PreTokenGenerationEvent)
		want       string // the response member, as written
	}{
		{name: "v1 claim added", file: "pretoken_v1.json", mod: addClaim,
			want: `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"t1"},"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins","arn:aws:iam::123456789012:role/editors"],"preferredRole":"arn:aws:iam::123456789012:role/admins"}}}`},
		{name: "v2 claim added", file: "pretoken_v2.json", mod: addClaim,
			want: `{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"tenant":"t1"}},"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":null}}}`},
		{name: "v1 groups removed on purpose", file: "pretoken_v1.json", mod: emptyOverride,
			want: `{"claimsOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":[]}}}`},
		{name: "v2 groups removed on purpose", file: "pretoken_v2.json", mod: emptyOverride,
			want: `{"claimsAndScopeOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":[]}}}`},
		{name: "v1 no module", file: "pretoken_v1.json", want: `{}`},
		{name: "v2 no module", file: "pretoken_v2.json", want: `{}`},
		{name: "client credentials, no user", file: "pretoken_v3_clientcredentials.json", mod: addClaim,
			want: `{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"tenant":"t1"}}}}`},
		{name: "v1 empty override kept as sent",
			payload: withResponse("pretoken_v1.json", `{"claimsOverrideDetails":{"groupOverrideDetails":{}}}`),
			want:    `{"claimsOverrideDetails":{"groupOverrideDetails":{}}}`},
		{name: "v2 empty override kept as sent",
			payload: withResponse("pretoken_v2.json", `{"claimsAndScopeOverrideDetails":{"groupOverrideDetails":{}}}`),
			want:    `{"claimsAndScopeOverrideDetails":{"groupOverrideDetails":{}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := tt.payload
			if payload == nil {
				payload = codecFixture(t, tt.file)
			}
			out, ierr := codecRun(t, (*triggers.Router).PreTokenGeneration, payload, tt.mod)
			if ierr != nil {
				t.Fatal(ierr)
			}
			if got := codecMember(t, out, "response"); got != tt.want {
				t.Errorf("response\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// ---- claim values of type any

type codecMarshaler struct{ v string }

func (m codecMarshaler) MarshalJSON() ([]byte, error) { return json.Marshal("m:" + m.v) }

type codecPanicker struct{}

func (codecPanicker) MarshalJSON() ([]byte, error) { panic("boom") }

func TestCodecClaimValues(t *testing.T) {
	t.Parallel()
	payload := codecFixture(t, "pretoken_v2.json")
	encode := func(t *testing.T, v any) ([]byte, *triggers.InvokeError) {
		return codecRun(t, (*triggers.Router).PreTokenGeneration, payload, func(e *triggers.PreTokenGenerationEvent) {
			e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				IDTokenGeneration: &triggers.IDTokenGeneration{ClaimsToAddOrOverride: map[string]any{"v": v}}}
		})
	}
	when := time.Date(2024, 5, 31, 12, 0, 0, 0, time.UTC)
	good := []struct {
		name string
		v    any
		want string // "" means: whatever encoding/json writes
	}{
		{"string", "acme", `"acme"`},
		{"html and separators", "<a>&\u2028\u2029", `"<a>&\u2028\u2029"`},
		{"control characters", "\x00\x1f\b\f\n\r\t\"\\/", ""},
		{"invalid UTF-8", "bad\xffbyte\xed\xa0\x80", `"bad\ufffdbyte\ufffd\ufffd\ufffd"`},
		{"emoji", "😀", `"😀"`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"nil", nil, `null`},
		{"int", 42, `42`},
		{"int8", int8(-8), `-8`},
		{"int16", int16(-16), `-16`},
		{"int32", int32(1 << 30), ``},
		{"int64", int64(math.MinInt64), `-9223372036854775808`},
		{"uint", uint(7), `7`},
		{"uint8", uint8(255), `255`},
		{"uint16", uint16(65535), `65535`},
		{"uint32", uint32(1 << 31), ``},
		{"uint64", uint64(math.MaxUint64), `18446744073709551615`},
		{"float", 1.5, `1.5`},
		{"float integral", 100.0, `100`},
		{"float large", 1e21, `1e+21`},
		{"float small", 1e-7, `1e-7`},
		{"float negative zero", math.Copysign(0, -1), `-0`},
		{"float32", float32(0.1), `0.1`},
		{"float32 small", float32(1e-7), ``},
		{"json.Number", json.Number("1.50"), `1.50`},
		{"json.Number empty", json.Number(""), `0`},
		{"json.RawMessage", json.RawMessage(` { "a" : [1, 2] } `), `{"a":[1,2]}`},
		{"json.RawMessage nil", json.RawMessage(nil), `null`},
		{"[]any", []any{1, "a", nil, []any{}, map[string]any{}}, `[1,"a",null,[],{}]`},
		{"[]any nil", []any(nil), `null`},
		{"[]string", []string{"a", "b"}, `["a","b"]`},
		{"[]string nil", []string(nil), `null`},
		{"map sorted", map[string]any{"b": 1, "a": map[string]any{"z": true, "y": []string{}}}, `{"a":{"y":[],"z":true},"b":1}`},
		{"map nil", map[string]any(nil), `null`},
		{"struct through encoding/json", struct {
			X int `json:"x"`
		}{1}, `{"x":1}`},
		{"time through encoding/json", when, `"2024-05-31T12:00:00Z"`},
		{"map[string]int through encoding/json", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{"Marshaler", codecMarshaler{"x"}, `"m:x"`},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, ierr := encode(t, tt.v)
			if ierr != nil {
				t.Fatal(ierr)
			}
			resp := codecMember(t, out, "response")
			got := strings.TrimSuffix(strings.TrimPrefix(resp,
				`{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"v":`), `}},"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":null}}}`)
			std := codecEncodeStd(t, tt.v)
			want := tt.want
			if want == "" {
				want = std
			}
			if got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			if got != std {
				t.Errorf("encoding/json writes %s, the codec %s", std, got)
			}
		})
	}

	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	deep := any("leaf")
	for range 2000 {
		deep = []any{deep}
	}
	bad := []struct {
		name string
		v    any
	}{
		{"NaN", math.NaN()},
		{"infinity", math.Inf(1)},
		{"float32 infinity", float32(math.Inf(-1))},
		{"channel", make(chan int)},
		{"func", func() {}},
		{"cyclic map", cyclic},
		{"too deep", deep},
		{"bad json.Number", json.Number("12abc")},
		{"bad json.RawMessage", json.RawMessage(`{"a":`)},
		{"empty json.RawMessage", json.RawMessage{}},
		{"two values in a json.RawMessage", json.RawMessage(`1 2`)},
		{"panicking Marshaler", codecPanicker{}},
		{"nested bad value", map[string]any{"list": []any{1, math.NaN()}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, ierr := encode(t, tt.v)
			if out != nil {
				t.Errorf("a failed encoding returned a response: %s", out)
			}
			if ierr == nil || ierr.Type != triggers.ErrorTypeInternal || ierr.Message != triggers.DefaultErrorMessage {
				t.Errorf("got %+v, want the generic internal error", ierr)
			}
			e := codecDecode(t, triggers.TriggerPreTokenGeneration, payload)
			e.(*triggers.PreTokenGenerationEvent).Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
				AccessTokenGeneration: &triggers.AccessTokenGeneration{ClaimsToAddOrOverride: map[string]any{"v": tt.v}}}
			if b, err := json.Marshal(e); err == nil {
				t.Errorf("json.Marshal succeeded: %s", b)
			} else if !strings.Contains(err.Error(), "accessTokenGeneration.claimsToAddOrOverride.v") {
				t.Errorf("error does not name the claim: %v", err)
			}
		})
	}
}

// ---- lenient decoding

// codecPreSignUp builds a pre sign-up payload around a request member.
func codecPreSignUp(request string) []byte {
	return []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":"us-east-1_X",` +
		`"userName":"u","callerContext":{"awsSdkVersion":"s","clientId":"c"},"request":` + request +
		`,"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}`)
}

func TestCodecLenientDecoding(t *testing.T) {
	t.Parallel()
	base := `{"version":"1","triggerSource":"TokenGeneration_Authentication","region":"us-east-1","userPoolId":"p","userName":"u",` +
		`"callerContext":{"awsSdkVersion":"s","clientId":"c"},"request":{"userAttributes":{"email":"a@b.c"},` +
		`"groupConfiguration":{"groupsToOverride":["g"],"iamRolesToOverride":[],"preferredRole":null}},"response":{"claimsOverrideDetails":null}}`
	baseline := codecDecode(t, triggers.TriggerPreTokenGeneration, []byte(base))
	tests := []struct {
		name    string
		trigger triggers.Trigger
		payload string
		check   func(t *testing.T, e triggers.Event)
	}{
		{"unknown members at every depth", triggers.TriggerPreTokenGeneration,
			`{"extra":{"deep":[{"x":[1,{"y":null}]}]},"version":"1","triggerSource":"TokenGeneration_Authentication","region":"us-east-1",` +
				`"userPoolId":"p","userName":"u","callerContext":{"awsSdkVersion":"s","clientId":"c","newField":true},` +
				`"request":{"userAttributes":{"email":"a@b.c"},"future":[1,2,3],"groupConfiguration":{"groupsToOverride":["g"],` +
				`"iamRolesToOverride":[],"preferredRole":null,"unknown":{"a":"b"}}},"response":{"claimsOverrideDetails":null,"other":"x"},"tail":-1.5e-3}`,
			func(t *testing.T, e triggers.Event) {
				// Outside responses they are dropped; in a response they are kept to
				// be sent back.
				want := *baseline.(*triggers.PreTokenGenerationEvent)
				want.Response.Unknown = `"other":"x"`
				if !reflect.DeepEqual(e, &want) {
					t.Errorf("got %+v, want %+v", e, want)
				}
			}},
		{"whitespace everywhere", triggers.TriggerPreTokenGeneration,
			" \t\r\n" + strings.NewReplacer(",", " ,\n ", ":", "\t:\r", "{", "{ ", "}", " }", "[", "[ ", "]", " ]").Replace(base) + "\n",
			func(t *testing.T, e triggers.Event) {
				if !reflect.DeepEqual(e, baseline) {
					t.Errorf("got %+v, want %+v", e, baseline)
				}
			}},
		{"null for objects, lists, strings and booleans", triggers.TriggerDefineAuthChallenge,
			`{"version":null,"triggerSource":"DefineAuthChallenge_Authentication","region":null,"userPoolId":null,"userName":null,` +
				`"callerContext":null,"request":{"userAttributes":null,"session":[{"challengeName":null,"challengeResult":null,"challengeMetadata":null},null],` +
				`"clientMetadata":null,"userNotFound":null},"response":null}`,
			func(t *testing.T, ev triggers.Event) {
				e := ev.(*triggers.DefineAuthChallengeEvent)
				want := triggers.DefineAuthChallengeEvent{Header: triggers.Header{TriggerSource: triggers.DefineAuthChallengeAuthentication}}
				want.Request.Session = []triggers.ChallengeResult{{}, {}}
				if !reflect.DeepEqual(*e, want) {
					t.Errorf("got %+v", *e)
				}
			}},
		{"null request", triggers.TriggerPreSignUp, string(codecPreSignUp(`null`)),
			func(t *testing.T, ev triggers.Event) {
				if r := ev.(*triggers.PreSignUpEvent).Request; !reflect.DeepEqual(r, triggers.PreSignUpRequest{}) {
					t.Errorf("request %+v", r)
				}
			}},
		{"attribute values of every JSON type", triggers.TriggerPreSignUp,
			string(codecPreSignUp(`{"userAttributes":{"s":"x","t":true,"f":false,"i":42,"n":-0.5,"e":1.5e3,"z":null,` +
				`"o":{ "a" : [ 1 , "b\u00e9" ] , "c" : {} },"l":[ true, null ],"empty":""}}`)),
			func(t *testing.T, ev triggers.Event) {
				want := triggers.Attributes{"s": "x", "t": "true", "f": "false", "i": "42", "n": "-0.5", "e": "1.5e3",
					"o": `{"a":[1,"b\u00e9"],"c":{}}`, "l": `[true,null]`, "empty": ""}
				if got := ev.(*triggers.PreSignUpEvent).Request.UserAttributes; !reflect.DeepEqual(got, want) {
					t.Errorf("got %#v\nwant %#v", got, want)
				}
			}},
		{"lenient maps everywhere", triggers.TriggerInboundFederation,
			`{"version":"1","triggerSource":"InboundFederation_ExternalProvider","request":{"providerName":"p","providerType":"OIDC",` +
				`"attributes":{"tokenResponse":{"expires_in":3600},"idToken":{"email_verified":true},"userInfo":{"updated_at":1.7e9},"samlResponse":{"x":null}}},` +
				`"response":{"userAttributesToMap":{"email_verified":false}}}`,
			func(t *testing.T, ev triggers.Event) {
				e := ev.(*triggers.InboundFederationEvent)
				a := e.Request.Attributes
				if a.TokenResponse["expires_in"] != "3600" || a.IDToken["email_verified"] != "true" || a.UserInfo["updated_at"] != "1.7e9" ||
					a.SAMLResponse == nil || len(a.SAMLResponse) != 0 || e.Response.UserAttributesToMap["email_verified"] != "false" {
					t.Errorf("got %+v", e)
				}
			}},
		{"version as a number", triggers.TriggerPreTokenGeneration,
			`{"version":2,"triggerSource":"TokenGeneration_Authentication","response":{"claimsOverrideDetails":{"claimsToSuppress":["x"]},` +
				`"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToSuppress":["y"]}}}}`,
			func(t *testing.T, ev triggers.Event) {
				e := ev.(*triggers.PreTokenGenerationEvent)
				if e.Version != "2" || e.IsV1() {
					t.Fatalf("version %q", e.Version)
				}
				out, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				if want := `"response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToSuppress":["y"]}}}`; !strings.Contains(string(out), want) {
					t.Errorf("%s does not contain %s", out, want)
				}
				if !strings.HasPrefix(string(out), `{"version":"2",`) {
					t.Errorf("version not sent as a string: %s", out)
				}
			}},
		{"version as a string", triggers.TriggerPreSignUp, `{"version":"1","triggerSource":"PreSignUp_SignUp"}`,
			func(t *testing.T, ev triggers.Event) {
				if v := ev.EventHeader().Version; v != "1" {
					t.Errorf("version %q", v)
				}
			}},
		{"duplicate keys: last wins", triggers.TriggerPreSignUp,
			`{"userName":"first","triggerSource":"PreSignUp_AdminCreateUser","userName":"last","triggerSource":"PreSignUp_SignUp",` +
				`"request":{"userAttributes":{"a":"1","b":"2"},"userAttributes":{"a":"3","a":"4","c":"x","c":null}},` +
				`"response":{"autoConfirmUser":true},"response":{"autoVerifyEmail":true}}`,
			func(t *testing.T, ev triggers.Event) {
				e := ev.(*triggers.PreSignUpEvent)
				if e.UserName != "last" || e.TriggerSource != triggers.PreSignUpSignUp {
					t.Errorf("header %+v", e.Header)
				}
				if want := (triggers.Attributes{"a": "4"}); !reflect.DeepEqual(e.Request.UserAttributes, want) {
					t.Errorf("attributes %v", e.Request.UserAttributes)
				}
				if want := (triggers.PreSignUpResponse{AutoVerifyEmail: true}); e.Response != want {
					t.Errorf("response %+v", e.Response)
				}
			}},
		{"string escapes", triggers.TriggerPreSignUp,
			string(codecPreSignUp(`{"userAttributes":{"q":"\"\\\/\b\f\n\r\t","e":"caf\u00e9","pair":"\ud83d\ude00","lone":"a\ud800b",` +
				`"reversed":"\udc00\ud800","high then letter":"\ud800\u0041","nul":"\u0000","k\u00e9y":"v","sep":"\u2028"}}`)),
			func(t *testing.T, ev triggers.Event) {
				want := triggers.Attributes{"q": "\"\\/\b\f\n\r\t", "e": "café", "pair": "😀", "lone": "a\uFFFDb",
					"reversed": "\uFFFD\uFFFD", "high then letter": "\uFFFDA", "nul": "\x00", "kéy": "v", "sep": "\u2028"}
				if got := ev.(*triggers.PreSignUpEvent).Request.UserAttributes; !reflect.DeepEqual(got, want) {
					t.Errorf("got %#v", got)
				}
			}},
		{"invalid UTF-8 becomes U+FFFD", triggers.TriggerPreSignUp,
			`{"triggerSource":"PreSignUp_SignUp","userName":"a` + "\xff" + `b","request":{"userAttributes":{"k` + "\xc0" +
				`":"v` + "\xed\xa0\x80" + `","n":{"x":"` + "\xfe" + `"}}}}`,
			func(t *testing.T, ev triggers.Event) {
				e := ev.(*triggers.PreSignUpEvent)
				want := triggers.Attributes{"k\uFFFD": "v\uFFFD\uFFFD\uFFFD", "n": "{\"x\":\"\uFFFD\"}"}
				if e.UserName != "a\uFFFDb" || !reflect.DeepEqual(e.Request.UserAttributes, want) {
					t.Errorf("userName %q, attributes %#v", e.UserName, e.Request.UserAttributes)
				}
			}},
		{"session entries", triggers.TriggerCreateAuthChallenge,
			`{"triggerSource":"CreateAuthChallenge_Authentication","request":{"challengeName":"CUSTOM_CHALLENGE","session":[` +
				`{"challengeName":"SRP_A","challengeResult":true,"extra":1},{"challengeResult":false,"challengeMetadata":"m"}]}}`,
			func(t *testing.T, ev triggers.Event) {
				want := []triggers.ChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeMetadata: "m"}}
				if got := ev.(*triggers.CreateAuthChallengeEvent).Request.Session; !reflect.DeepEqual(got, want) {
					t.Errorf("session %+v", got)
				}
			}},
		{"claims of every JSON type", triggers.TriggerPreTokenGeneration,
			`{"version":"3","triggerSource":"TokenGeneration_ClientCredentials","response":{"claimsAndScopeOverrideDetails":{` +
				`"accessTokenGeneration":{"claimsToAddOrOverride":{"s":"x","n":12345678901234567890,"f":-1.5E+3,"b":false,"z":null,` +
				`"l":[1,[2],{}],"o":{"k":"v","k":"w"}},"scopesToAdd":null}}}}`,
			func(t *testing.T, ev triggers.Event) {
				got := ev.(*triggers.PreTokenGenerationEvent).Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
				want := map[string]any{"s": "x", "n": json.Number("12345678901234567890"), "f": json.Number("-1.5E+3"), "b": false, "z": nil,
					"l": []any{json.Number("1"), []any{json.Number("2")}, map[string]any{}}, "o": map[string]any{"k": "w"}}
				if !reflect.DeepEqual(got.ClaimsToAddOrOverride, want) || got.ScopesToAdd != nil {
					t.Errorf("got %#v", got)
				}
			}},
		{"group override null keeps groups", triggers.TriggerPreTokenGeneration,
			`{"version":"1","triggerSource":"TokenGeneration_Authentication","response":{"claimsOverrideDetails":{"groupOverrideDetails":null,` +
				`"claimsToAddOrOverride":{"n":7,"b":true}}}}`,
			func(t *testing.T, ev triggers.Event) {
				c := ev.(*triggers.PreTokenGenerationEvent).Response.ClaimsOverrideDetails
				if c == nil || c.GroupOverrideDetails != nil || !reflect.DeepEqual(c.ClaimsToAddOrOverride, map[string]string{"n": "7", "b": "true"}) {
					t.Errorf("got %+v", c)
				}
			}},
		{"older verify trigger source spelling", triggers.TriggerVerifyAuthChallenge,
			`{"triggerSource":"VerifyAuthChallenge_Authentication","request":{"challengeAnswer":"42"}}`,
			func(t *testing.T, ev triggers.Event) {
				if a := ev.(*triggers.VerifyAuthChallengeEvent).Request.ChallengeAnswer; a.Reveal() != "42" {
					t.Errorf("answer %q", a.Reveal())
				}
			}},
	}
	router := codecNoopRouter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Decoded as the router decodes it...
			out, ierr := router.Handle(context.Background(), []byte(tt.payload))
			if ierr != nil {
				t.Fatalf("router refused the event: %v", ierr)
			}
			e := codecDecode(t, tt.trigger, []byte(tt.payload))
			tt.check(t, e)
			// ...and what the router sent back reads the same.
			if again := codecDecode(t, tt.trigger, out); !codecSameContent(codecWireView(e), again) {
				t.Errorf("the response reads differently:\n%+v\n%+v", e, again)
			}
		})
	}
}

func TestCodecAttributesUnmarshalJSON(t *testing.T) {
	t.Parallel()
	var got struct {
		A triggers.Attributes `json:"a"`
		N triggers.Attributes `json:"n"`
	}
	in := `{"a":{"s":"x","b":true,"n":1.5e3,"z":null,"o":{ "k" : [1, 2] }},"n":null}`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if want := (triggers.Attributes{"s": "x", "b": "true", "n": "1.5e3", "o": `{"k":[1,2]}`}); !reflect.DeepEqual(got.A, want) || got.N != nil {
		t.Errorf("got %#v", got)
	}
	var a triggers.Attributes
	err := json.Unmarshal([]byte(`{"password":["hunter2-secret"]}`), &a)
	if err != nil {
		t.Fatalf("a nested array is kept as text: %v", err)
	}
	err = json.Unmarshal([]byte(`["hunter2-secret"]`), &a)
	var de *triggers.DecodeError
	if !errors.As(err, &de) || de.Error() != "invalid event: expected object, found array at byte 0" {
		t.Errorf("got %v", err)
	}
}

// ---- JSON methods

func TestCodecJSONMethods(t *testing.T) {
	t.Parallel()
	payload := codecFixture(t, "presignup_signup.json")
	var e triggers.PreSignUpEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		t.Fatal(err)
	}
	byValue, err1 := json.Marshal(e)
	byPointer, err2 := json.Marshal(&e)
	if err1 != nil || err2 != nil || !bytes.Equal(byValue, byPointer) {
		t.Fatalf("value %s (%v), pointer %s (%v)", byValue, err1, byPointer, err2)
	}

	// Inside other values: a struct member, a slice, a claim value.
	wrapped := struct {
		Event triggers.PreSignUpEvent `json:"event"`
	}{Event: e}
	b, err := json.Marshal(wrapped)
	if err != nil || !strings.HasPrefix(string(b), `{"event":{"version":"1","triggerSource":"PreSignUp_SignUp"`) {
		t.Fatalf("%s %v", b, err)
	}
	var back struct {
		Event triggers.PreSignUpEvent `json:"event"`
	}
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Event, e) {
		t.Fatalf("%+v %v", back.Event, err)
	}

	// null leaves the event as it was, as encoding/json's convention asks.
	keep := e
	if err := json.Unmarshal([]byte(`null`), &keep); err != nil || !reflect.DeepEqual(keep, e) {
		t.Errorf("null changed the event: %v", err)
	}
	// Decoding replaces the whole event.
	if err := json.Unmarshal([]byte(`{"triggerSource":"PreSignUp_SignUp"}`), &keep); err != nil {
		t.Fatal(err)
	}
	if keep.UserName != "" || keep.Request.UserAttributes != nil {
		t.Errorf("old values survived: %+v", keep)
	}
	// An event of another trigger is refused.
	err = json.Unmarshal(codecFixture(t, "custommessage_signup.json"), &keep)
	var de *triggers.DecodeError
	if !errors.As(err, &de) || de.Reason != "triggerSource of trigger CustomMessage where PreSignUp was expected" ||
		de.Trigger != triggers.TriggerPreSignUp {
		t.Errorf("got %v", err)
	}

	// An event as a claim value goes through its MarshalJSON.
	tok := triggers.PreTokenGenerationEvent{Header: triggers.Header{Version: "2", TriggerSource: triggers.TokenGenerationAuthentication}}
	tok.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
		IDTokenGeneration: &triggers.IDTokenGeneration{ClaimsToAddOrOverride: map[string]any{"event": e}}}
	b, err = json.Marshal(tok)
	if err != nil || !strings.Contains(string(b), `"claimsToAddOrOverride":{"event":`+string(byValue)+`}`) {
		t.Errorf("%s %v", b, err)
	}
}

// ---- bad input

func TestCodecBadInput(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-secret"
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	fine := strings.Repeat("[", 990) + strings.Repeat("]", 990)
	// deepError is the error for deep inside a value whose path has the given segments
	// and which sits inside open containers: the path is cut after 16 segments.
	deepError := func(payload, path string, segments, open int) string {
		at := strings.Index(payload, "[[") + 1000 - open
		return fmt.Sprintf("invalid event: %s%s...: nesting deeper than 1000 levels at byte %d",
			path, strings.Repeat("[0]", 16-segments), at)
	}
	deepUnknown := `{"triggerSource":"PreSignUp_SignUp","x":` + deep + `}`
	deepFirst := `{"x":` + deep + `,"triggerSource":"PreSignUp_SignUp"}`
	deepAttribute := string(codecPreSignUp(`{"userAttributes":{"a":` + deep + `}}`))
	deepClaim := `{"version":"2","triggerSource":"TokenGeneration_HostedAuth","response":{"claimsAndScopeOverrideDetails":` +
		`{"idTokenGeneration":{"claimsToAddOrOverride":{"c":` + deep + `}}}}}`
	unterminated := `{"triggerSource":"UserMigration_Authentication","request":{"password":"` + secret
	tests := []struct {
		name    string
		payload string
		at      string // the offset in want is where this first occurs; "" for the end
		want    string // with %d for the offset when at is set
	}{
		{"empty", ``, "", "invalid event: malformed JSON at byte 0: unexpected end of input"},
		{"whitespace", " \n", "", "invalid event: malformed JSON at byte 2: unexpected end of input"},
		{"array", ` [{"triggerSource":"PreSignUp_SignUp"}]`, "[", "invalid event: expected a JSON object, found array at byte %d"},
		{"string", `"PreSignUp_SignUp"`, `"`, "invalid event: expected a JSON object, found string at byte %d"},
		{"number", `42`, `4`, "invalid event: expected a JSON object, found number at byte %d"},
		{"null", `null`, `n`, "invalid event: expected a JSON object, found null at byte %d"},
		{"not JSON", `not json`, `n`, "invalid event: malformed JSON at byte %d: invalid literal"},
		{"unterminated object", `{"triggerSource":"PreSignUp_SignUp"`, "", "invalid event: malformed JSON at byte 35: unexpected end of input"},
		{"missing triggerSource", `{"version":"1","request":{}}`, "", "invalid event: missing triggerSource"},
		{"null triggerSource", `{"version":"1","triggerSource":null}`, "", "invalid event: missing triggerSource"},
		{"unknown triggerSource", `{"triggerSource":"Nope_Nope"}`, "", `invalid event: unknown triggerSource "Nope_Nope"`},
		{"triggerSource holding something else", `{"triggerSource":"` + secret + ` is my password"}`, "",
			"invalid event: unknown triggerSource (not a trigger source name)"},
		{"triggerSource not a string", `{"triggerSource":["PreSignUp_SignUp"]}`, "[", "invalid event: triggerSource: expected string, found array at byte %d"},
		{"attributes as a list", string(codecPreSignUp(`{"userAttributes":["` + secret + `"]}`)), `["`,
			"invalid event: request.userAttributes: expected object, found array at byte %d"},
		{"attributes as a number", string(codecPreSignUp(`{"validationData":1}`)), `1}`,
			"invalid event: request.validationData: expected object, found number at byte %d"},
		{"request as a string", string(codecPreSignUp(`"` + secret + `"`)), `"` + secret,
			"invalid event: request: expected object, found string at byte %d"},
		{"response as a list", `{"triggerSource":"PreSignUp_SignUp","response":[]}`, `[`,
			"invalid event: response: expected object, found array at byte %d"},
		{"boolean as a string", `{"triggerSource":"PreSignUp_SignUp","response":{"autoConfirmUser":"true"}}`, `"true"`,
			"invalid event: response.autoConfirmUser: expected boolean, found string at byte %d"},
		{"string as a number", `{"triggerSource":"PreSignUp_SignUp","userName":12}`, `12`,
			"invalid event: userName: expected string, found number at byte %d"},
		{"version as a boolean", `{"triggerSource":"PreSignUp_SignUp","version":true}`, `true`,
			"invalid event: version: expected string or number, found boolean at byte %d"},
		{"session entry of the wrong shape", `{"triggerSource":"DefineAuthChallenge_Authentication","request":{"session":[{},{"challengeResult":"yes"}]}}`,
			`"yes"`, "invalid event: request.session[1].challengeResult: expected boolean, found string at byte %d"},
		{"session as an object", `{"triggerSource":"DefineAuthChallenge_Authentication","request":{"session":{}}}`,
			`{}}`, "invalid event: request.session: expected array, found object at byte %d"},
		{"list of numbers", `{"triggerSource":"TokenGeneration_HostedAuth","request":{"scopes":["a",2]}}`,
			`2]`, "invalid event: request.scopes[1]: expected string, found number at byte %d"},
		{"claims as a list", `{"version":"2","triggerSource":"TokenGeneration_HostedAuth","response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":[]}}}}`,
			`[]`, "invalid event: response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride: expected object, found array at byte %d"},
		{"password as an object", `{"triggerSource":"UserMigration_Authentication","request":{"password":{"` + secret + `":true}}}`,
			`{"` + secret, "invalid event: request.password: expected string, found object at byte %d"},
		{"password as a number", `{"triggerSource":"UserMigration_Authentication","request":{"password":1234567}}`,
			`1234567`, "invalid event: request.password: expected string, found number at byte %d"},
		{"unterminated password", unterminated, "",
			fmt.Sprintf("invalid event: malformed JSON at byte %d in request.password: unexpected end of input", len(unterminated))},
		{"bad escape in a password", `{"triggerSource":"UserMigration_Authentication","request":{"password":"` + secret + `\x"}}`,
			`\x`, "invalid event: malformed JSON at byte %d in request.password: invalid escape in string"},
		{"short unicode escape", `{"triggerSource":"UserMigration_Authentication","request":{"password":"\u12"}}`,
			`\u12`, "invalid event: malformed JSON at byte %d in request.password: invalid escape in string"},
		{"control character in a string", "{\"triggerSource\":\"UserMigration_Authentication\",\"request\":{\"password\":\"" + secret + "\n\"}}",
			"\n", "invalid event: malformed JSON at byte %d in request.password: control character in string"},
		{"bad literal in an attribute", string(codecPreSignUp(`{"userAttributes":{"email_verified":tru}}`)), `tru}`,
			"invalid event: malformed JSON at byte %d in request.userAttributes.email_verified: invalid literal"},
		{"bad number in an attribute", string(codecPreSignUp(`{"userAttributes":{"n":-}}`)), `}}`,
			"invalid event: malformed JSON at byte %d in request.userAttributes.n: invalid number"},
		{"truncated literal", `{"triggerSource":"PreSignUp_SignUp","response":{"autoConfirmUser":tr`, "",
			"invalid event: malformed JSON at byte 68 in response.autoConfirmUser: unexpected end of input"},
		{"leading zero", string(codecPreSignUp(`{"userAttributes":{"n":012}}`)), `12}`,
			"invalid event: malformed JSON at byte %d in request.userAttributes: expected ',' or '}' after object member"},
		{"odd key in the path", string(codecPreSignUp(`{"userAttributes":{"a b.c":[1,}}`)), `}}`,
			`invalid event: malformed JSON at byte %d in request.userAttributes."a b.c"[1]: unexpected '}'`},
		{"missing colon", `{"triggerSource" "PreSignUp_SignUp"}`, `"PreSignUp`,
			"invalid event: malformed JSON at byte %d: expected ':' after object key"},
		{"missing comma", `{"triggerSource":"PreSignUp_SignUp" "version":"1"}`, `"version`,
			"invalid event: malformed JSON at byte %d: expected ',' or '}' after object member"},
		{"trailing comma", `{"triggerSource":"PreSignUp_SignUp",}`, `}`,
			"invalid event: malformed JSON at byte %d: unexpected '}'"},
		{"key not a string", `{"triggerSource":"PreSignUp_SignUp",1:2}`, `1:`,
			"invalid event: malformed JSON at byte %d: expected a string as object key"},
		{"trailing data", `{"triggerSource":"PreSignUp_SignUp"} {}`, `{}`,
			"invalid event: malformed JSON at byte %d: unexpected data after the top-level value"},
		{"trigger sources disagree", `{"version":"1","triggerSource":"PreSignUp_SignUp","triggerSource":"CustomMessage_SignUp"}`, "",
			"invalid event: triggerSource of trigger CustomMessage where PreSignUp was expected"},
		{"deep nesting in an unknown member", deepUnknown, "", deepError(deepUnknown, "x", 1, 1)},
		{"deep nesting ahead of the trigger source", deepFirst, "", deepError(deepFirst, "x", 1, 1)},
		{"deep nesting in an attribute", deepAttribute, "", deepError(deepAttribute, "request.userAttributes.a", 3, 3)},
		{"deep nesting in a claim", deepClaim, "", deepError(deepClaim,
			"response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride.c", 5, 5)},
	}
	router := codecNoopRouter()
	router2 := triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}).PreSignUp(triggers.Chain[triggers.PreSignUpEvent]())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := router
			if strings.HasPrefix(tt.name, "unregistered") {
				r = router2
			}
			want := tt.want
			if tt.at != "" {
				want = fmt.Sprintf(want, strings.Index(tt.payload, tt.at))
			}
			out, ierr := r.Handle(context.Background(), []byte(tt.payload))
			if out != nil {
				t.Errorf("a refused event returned a response: %s", out)
			}
			if ierr == nil {
				t.Fatal("accepted")
			}
			if ierr.Type != triggers.ErrorTypeInvalidEvent || ierr.Message != want {
				t.Errorf("got %s %q\nwant %s %q", ierr.Type, ierr.Message, triggers.ErrorTypeInvalidEvent, want)
			}
			if strings.Contains(ierr.Message, secret) {
				t.Errorf("the error reveals a value: %q", ierr.Message)
			}
		})
	}
	t.Run("deep nesting within the bound", func(t *testing.T) {
		t.Parallel()
		_, ierr := router.Handle(context.Background(), codecPreSignUp(`{"userAttributes":{"a":`+fine+`}}`))
		if ierr != nil {
			t.Fatal(ierr)
		}
	})
}

// Every truncation of every fixture is refused with a DecodeError; none is half-read.
func TestCodecTruncatedInput(t *testing.T) {
	t.Parallel()
	router := codecNoopRouter()
	for name, payload := range codecFixtures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			end := bytes.LastIndexByte(payload, '}')
			for n := range end + 1 {
				out, ierr := router.Handle(context.Background(), payload[:n])
				if ierr == nil || out != nil || ierr.Type != triggers.ErrorTypeInvalidEvent ||
					!strings.HasPrefix(ierr.Message, "invalid event: ") {
					t.Fatalf("prefix of %d bytes: %s, %+v", n, out, ierr)
				}
				e := codecNewEvent(t, codecTriggerOf(t, payload))
				if err := e.(json.Unmarshaler).UnmarshalJSON(payload[:n]); err == nil && n > 0 {
					t.Fatalf("UnmarshalJSON accepted a prefix of %d bytes", n)
				}
			}
		})
	}
}

// ---- differential: the same structs through encoding/json's reflection

// Method-less copies of the event types: encoding/json handles them by reflection.
type (
	plainPreSignUp           triggers.PreSignUpEvent
	plainPostConfirmation    triggers.PostConfirmationEvent
	plainPreAuthentication   triggers.PreAuthenticationEvent
	plainPostAuthentication  triggers.PostAuthenticationEvent
	plainDefineAuthChallenge triggers.DefineAuthChallengeEvent
	plainCreateAuthChallenge triggers.CreateAuthChallengeEvent
	plainVerifyAuthChallenge triggers.VerifyAuthChallengeEvent
	plainPreTokenGeneration  triggers.PreTokenGenerationEvent
	plainUserMigration       triggers.UserMigrationEvent
	plainCustomMessage       triggers.CustomMessageEvent
	plainCustomEmailSender   triggers.CustomEmailSenderEvent
	plainCustomSMSSender     triggers.CustomSMSSenderEvent
	plainInboundFederation   triggers.InboundFederationEvent
)

// codecPlain returns a new method-less value for the trigger, and a function turning it
// into the event type.
func codecPlain(trigger triggers.Trigger) (any, func(any) triggers.Event) {
	switch trigger {
	case triggers.TriggerPreSignUp:
		return new(plainPreSignUp), func(v any) triggers.Event { return (*triggers.PreSignUpEvent)(v.(*plainPreSignUp)) }
	case triggers.TriggerPostConfirmation:
		return new(plainPostConfirmation), func(v any) triggers.Event { return (*triggers.PostConfirmationEvent)(v.(*plainPostConfirmation)) }
	case triggers.TriggerPreAuthentication:
		return new(plainPreAuthentication), func(v any) triggers.Event { return (*triggers.PreAuthenticationEvent)(v.(*plainPreAuthentication)) }
	case triggers.TriggerPostAuthentication:
		return new(plainPostAuthentication), func(v any) triggers.Event { return (*triggers.PostAuthenticationEvent)(v.(*plainPostAuthentication)) }
	case triggers.TriggerDefineAuthChallenge:
		return new(plainDefineAuthChallenge), func(v any) triggers.Event {
			return (*triggers.DefineAuthChallengeEvent)(v.(*plainDefineAuthChallenge))
		}
	case triggers.TriggerCreateAuthChallenge:
		return new(plainCreateAuthChallenge), func(v any) triggers.Event {
			return (*triggers.CreateAuthChallengeEvent)(v.(*plainCreateAuthChallenge))
		}
	case triggers.TriggerVerifyAuthChallenge:
		return new(plainVerifyAuthChallenge), func(v any) triggers.Event {
			return (*triggers.VerifyAuthChallengeEvent)(v.(*plainVerifyAuthChallenge))
		}
	case triggers.TriggerPreTokenGeneration:
		return new(plainPreTokenGeneration), func(v any) triggers.Event {
			return (*triggers.PreTokenGenerationEvent)(v.(*plainPreTokenGeneration))
		}
	case triggers.TriggerUserMigration:
		return new(plainUserMigration), func(v any) triggers.Event { return (*triggers.UserMigrationEvent)(v.(*plainUserMigration)) }
	case triggers.TriggerCustomMessage:
		return new(plainCustomMessage), func(v any) triggers.Event { return (*triggers.CustomMessageEvent)(v.(*plainCustomMessage)) }
	case triggers.TriggerCustomEmailSender:
		return new(plainCustomEmailSender), func(v any) triggers.Event { return (*triggers.CustomEmailSenderEvent)(v.(*plainCustomEmailSender)) }
	case triggers.TriggerCustomSMSSender:
		return new(plainCustomSMSSender), func(v any) triggers.Event { return (*triggers.CustomSMSSenderEvent)(v.(*plainCustomSMSSender)) }
	case triggers.TriggerInboundFederation:
		return new(plainInboundFederation), func(v any) triggers.Event { return (*triggers.InboundFederationEvent)(v.(*plainInboundFederation)) }
	}
	panic("unknown trigger " + string(trigger))
}

// codecWithoutSecrets returns a copy of e whose secrets are empty: encoding/json writes
// a Secret as "[REDACTED]" on purpose, the codec writes its value.
func codecWithoutSecrets(e triggers.Event) triggers.Event {
	switch e := e.(type) {
	case *triggers.UserMigrationEvent:
		c := *e
		c.Request.Password = ""
		return &c
	case *triggers.VerifyAuthChallengeEvent:
		c := *e
		c.Request.ChallengeAnswer = ""
		return &c
	case *triggers.CustomEmailSenderEvent:
		c := *e
		c.Request.Code = ""
		return &c
	case *triggers.CustomSMSSenderEvent:
		c := *e
		c.Request.Code = ""
		return &c
	}
	return e
}

// codecToPlain copies an event into its method-less type, with the two documented wire
// differences applied: a pre token event carries only its version's details, and inbound
// federation sends a nil userAttributesToMap as {}.
func codecToPlain(e triggers.Event) any {
	switch e := codecWireView(e).(type) {
	case *triggers.PreSignUpEvent:
		return (*plainPreSignUp)(e)
	case *triggers.PostConfirmationEvent:
		return (*plainPostConfirmation)(e)
	case *triggers.PreAuthenticationEvent:
		return (*plainPreAuthentication)(e)
	case *triggers.PostAuthenticationEvent:
		return (*plainPostAuthentication)(e)
	case *triggers.DefineAuthChallengeEvent:
		return (*plainDefineAuthChallenge)(e)
	case *triggers.CreateAuthChallengeEvent:
		return (*plainCreateAuthChallenge)(e)
	case *triggers.VerifyAuthChallengeEvent:
		return (*plainVerifyAuthChallenge)(e)
	case *triggers.PreTokenGenerationEvent:
		return (*plainPreTokenGeneration)(e)
	case *triggers.UserMigrationEvent:
		return (*plainUserMigration)(e)
	case *triggers.CustomMessageEvent:
		return (*plainCustomMessage)(e)
	case *triggers.CustomEmailSenderEvent:
		return (*plainCustomEmailSender)(e)
	case *triggers.CustomSMSSenderEvent:
		return (*plainCustomSMSSender)(e)
	case *triggers.InboundFederationEvent:
		c := *e
		if c.Response.UserAttributesToMap == nil {
			c.Response.UserAttributesToMap = triggers.Attributes{}
		}
		return (*plainInboundFederation)(&c)
	}
	panic(fmt.Sprintf("unknown event %T", e))
}

// The codec decodes and encodes the fixtures exactly as encoding/json does by reflection
// on the same structs (with json.Number for claim values), apart from the documented
// differences.
func TestCodecDifferential(t *testing.T) {
	t.Parallel()
	for name, payload := range codecFixtures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			trigger := codecTriggerOf(t, payload)
			ours := codecDecode(t, trigger, payload)
			plain, toEvent := codecPlain(trigger)
			dec := json.NewDecoder(bytes.NewReader(payload))
			dec.UseNumber()
			if err := dec.Decode(plain); err != nil {
				t.Fatal(err)
			}
			if theirs := toEvent(plain); !reflect.DeepEqual(ours, theirs) {
				t.Errorf("decoded differently\nours   %#v\ntheirs %#v", ours, theirs)
			}
			bare := codecWithoutSecrets(ours)
			out, std := codecEncodeStd(t, bare), codecEncodeStd(t, codecToPlain(bare))
			if trigger == triggers.TriggerPreTokenGeneration {
				// A group override leaves out the members that are not set, where
				// encoding/json writes null: the same to Cognito, compared as such.
				out, std = codecOverrideNullsDropped(t, out), codecOverrideNullsDropped(t, std)
			}
			if out != std {
				t.Errorf("encoded differently\nours   %s\ntheirs %s", out, std)
			}
		})
	}
}

// codecOverrideNullsDropped re-encodes a pre token event with the null members of its
// group overrides removed, and a preferredRole of "", which the codec writes as null.
func codecOverrideNullsDropped(t *testing.T, s string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if resp, ok := doc["response"].(map[string]any); ok {
		for _, d := range resp {
			if d, ok := d.(map[string]any); ok {
				if g, ok := d["groupOverrideDetails"].(map[string]any); ok {
					for k, v := range g {
						if v == nil || k == "preferredRole" && v == "" {
							delete(g, k)
						}
					}
				}
			}
		}
	}
	return codecEncodeStd(t, doc)
}

// Strings of every kind encode as encoding/json encodes them, and decode back as
// encoding/json decodes its own output.
func TestCodecStringsDifferential(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for b := range 256 {
		all.WriteByte(byte(b))
	}
	values := []string{
		"", "plain", all.String(), "\u2028\u2029", "<script>&amp;</script>", "😀 José 東京",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "trailing\xe2\x82", "\\\"\\u0041",
		strings.Repeat("long ascii run ", 40) + "\x01",
	}
	for i, v := range values {
		e := &triggers.UserMigrationEvent{Header: triggers.Header{Version: v, TriggerSource: triggers.UserMigrationAuthentication,
			UserName: v, CallerContext: triggers.CallerContext{ClientID: v}}}
		e.Request.ValidationData = triggers.Attributes{v: v, "k": v}
		e.Response = triggers.UserMigrationResponse{UserAttributes: triggers.Attributes{"email": v}, FinalUserStatus: v,
			MessageAction: v, DesiredDeliveryMediums: []string{v, v}}
		ours := codecEncodeStd(t, e)
		if std := codecEncodeStd(t, (*plainUserMigration)(e)); std != ours {
			t.Errorf("value %d: encoded differently\nours   %s\ntheirs %s", i, ours, std)
		}
		e.Request.Password = triggers.Secret(v)
		if withSecret, want := codecEncodeStd(t, e), `"password":`+codecEncodeStd(t, v)+`,`; !strings.Contains(withSecret, want) {
			t.Errorf("value %d: the password is not sent as encoding/json writes strings:\n%s", i, withSecret)
		}
		var back triggers.UserMigrationEvent
		var theirs plainUserMigration
		if err := json.Unmarshal([]byte(ours), &back); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(ours), &theirs); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, triggers.UserMigrationEvent(theirs)) || back.Request.Password != "" {
			t.Errorf("value %d: decoded differently\nours   %+v\ntheirs %+v", i, back, theirs)
		}
	}
}

// Events decode leniently and encode faithfully through encoding/json too: a boolean
// attribute reads as "true", and a version 1 event answers in claimsOverrideDetails only,
// with the user's groups copied from the request, so that Cognito keeps them.
func ExamplePreTokenGenerationEvent_MarshalJSON() {
	var e triggers.PreTokenGenerationEvent
	err := json.Unmarshal([]byte(`{"version":"1","triggerSource":"TokenGeneration_Authentication",
		"request":{"userAttributes":{"email_verified":true},"groupConfiguration":{"groupsToOverride":["admins"]}},
		"response":{"claimsOverrideDetails":null}}`), &e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Request.UserAttributes["email_verified"])

	e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{
		ClaimsToAddOrOverride: map[string]string{"tenant": "acme"}}
	out, err := json.Marshal(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	var wire struct{ Response json.RawMessage }
	_ = json.Unmarshal(out, &wire)
	fmt.Println(string(wire.Response))
	// Output:
	// true
	// {"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"acme"},"groupOverrideDetails":{"groupsToOverride":["admins"],"iamRolesToOverride":null,"preferredRole":null}}}
}

// Members Cognito may add to a response in future are sent back verbatim, so that a
// function built today does not undo what a newer Cognito asks for: at the top of every
// response object and inside the pre token override details.
func TestCodecKeepsUnknownResponseMembers(t *testing.T) {
	t.Parallel()
	const future = `{"list":[1,true,null,"x\u00e9"],"n":1.50}`
	router := codecNoopRouter()
	inject := func(t *testing.T, payload []byte, path []string) []byte {
		t.Helper()
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		obj := doc
		for _, k := range path {
			next, _ := obj[k].(map[string]any)
			if next == nil {
				next = map[string]any{}
				obj[k] = next
			}
			obj = next
		}
		obj["futureMember"] = json.RawMessage(future)
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	member := func(t *testing.T, out []byte, path []string) string {
		t.Helper()
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(out, &obj); err != nil {
			t.Fatal(err)
		}
		for _, k := range path {
			raw := obj[k]
			obj = nil
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("%s: %v in %s", k, err, out)
			}
		}
		return string(obj["futureMember"])
	}
	type place struct {
		file string
		path []string
	}
	var places []place
	for name, payload := range codecFixtures(t) {
		if strings.HasPrefix(name, "bench") {
			continue
		}
		places = append(places, place{name, []string{"response"}})
		if codecTriggerOf(t, payload) == triggers.TriggerPreTokenGeneration && !strings.Contains(name, "clientcredentials") {
			if strings.Contains(name, "v1") {
				places = append(places, place{name, []string{"response", "claimsOverrideDetails"}})
			} else {
				places = append(places,
					place{name, []string{"response", "claimsAndScopeOverrideDetails"}},
					place{name, []string{"response", "claimsAndScopeOverrideDetails", "idTokenGeneration"}},
					place{name, []string{"response", "claimsAndScopeOverrideDetails", "accessTokenGeneration"}})
			}
		}
	}
	for _, p := range places {
		t.Run(p.file+"/"+strings.Join(p.path, "."), func(t *testing.T) {
			t.Parallel()
			in := inject(t, codecFixture(t, p.file), p.path)
			out, ierr := router.Handle(context.Background(), in)
			if ierr != nil {
				t.Fatal(ierr)
			}
			if got := member(t, out, p.path); got != future {
				t.Errorf("futureMember = %s, want %s\n in %s\nout %s", got, future, in, out)
			}
			again, ierr := router.Handle(context.Background(), out)
			if ierr != nil || !bytes.Equal(again, out) {
				t.Errorf("not a fixed point: %v\n%s\n%s", ierr, out, again)
			}
		})
	}
}

func TestPeekSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		payload string
		want    triggers.TriggerSource
		wantErr bool
	}{
		{`{"version":"1","triggerSource":"PreSignUp_SignUp","request":{}}`, triggers.PreSignUpSignUp, false},
		{`{"request":{"userAttributes":{"email":"a@example.com"}},"triggerSource":"CustomMessage_SignUp"}`, triggers.CustomMessageSignUp, false},
		{`{"version":"1"}`, "", true},
		{`[1,2]`, "", true},
		{`{"triggerSource":`, "", true},
		{``, "", true},
	}
	for _, tt := range tests {
		got, err := triggers.PeekSource([]byte(tt.payload))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("PeekSource(%s) = %q, %v; want %q, error %v", tt.payload, got, err, tt.want, tt.wantErr)
		}
		var de *triggers.DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Errorf("PeekSource(%s): error %T, want a *DecodeError", tt.payload, err)
		}
	}
}
