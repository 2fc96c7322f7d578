package triggers_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
)

const federationPayload = `{"version":"1","triggerSource":"InboundFederation_ExternalProvider","region":"us-east-1",
"userPoolId":"us-east-1_EXAMPLE","userName":"Okta_u1","callerContext":{"awsSdkVersion":"x","clientId":"c"},
"request":{"providerName":"Okta","providerType":"OIDC","attributes":{
 "tokenResponse":{"access_token":"at-secret","expires_in":3600},
 "idToken":{"sub":"u1","groups":["staff", "sso", 7, null],"email_verified":false,"looks":"[\"not\",\"a list\"]","n":null},
 "userInfo":{"address":{"locality":"Berlin","geo":{"lat":52.5}},"updated_at":1.7e9},
 "samlResponse":{"role":["admin","dev"],"mail":"a@example.com"}}},
"response":{"userAttributesToMap":{}}}`

func federationEvent(t *testing.T) *triggers.InboundFederationEvent {
	t.Helper()
	var e triggers.InboundFederationEvent
	if err := json.Unmarshal([]byte(federationPayload), &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func TestProviderValues(t *testing.T) {
	t.Parallel()
	a := federationEvent(t).Request.Attributes
	id, info, saml := a.IDTokenValues(), a.UserInfoValues(), a.SAMLValues()

	if got := id.Strings("groups"); !reflect.DeepEqual(got, []string{"staff", "sso", "7"}) {
		t.Errorf("groups %q", got)
	}
	if got := id.Strings("looks"); !reflect.DeepEqual(got, []string{`["not","a list"]`}) {
		t.Errorf("a string that looks like a list reads as %q", got)
	}
	if got := id.Strings("missing"); got != nil {
		t.Errorf("missing claim reads as %q", got)
	}
	if v, ok := id.Value("email_verified"); v != false || !ok {
		t.Errorf("email_verified %#v", v)
	}
	if v, _ := id.Value("sub"); v != "u1" {
		t.Errorf("sub %#v", v)
	}
	if _, ok := id.Value("n"); ok {
		t.Error("a null claim is present")
	}
	if v, ok := info.Lookup("address", "locality"); v != "Berlin" || !ok {
		t.Errorf("address.locality %#v", v)
	}
	if v, _ := info.Lookup("address", "geo", "lat"); v != json.Number("52.5") {
		t.Errorf("address.geo.lat %#v", v)
	}
	for _, path := range [][]string{{"address", "street"}, {"updated_at", "x"}, {"nothing"}, {}} {
		if v, ok := info.Lookup(path...); ok {
			t.Errorf("Lookup(%q) = %#v, want nothing", path, v)
		}
	}
	if got := saml.Strings("role"); !reflect.DeepEqual(got, []string{"admin", "dev"}) {
		t.Errorf("SAML role %q", got)
	}
	if got := saml.Strings("mail"); !reflect.DeepEqual(got, []string{"a@example.com"}) {
		t.Errorf("SAML mail %q", got)
	}
	if raw, _ := id.Raw("groups"); string(raw) != `["staff","sso",7,null]` {
		t.Errorf("raw groups %s", raw)
	}
	if raw, _ := id.Raw("looks"); string(raw) != `"[\"not\",\"a list\"]"` {
		t.Errorf("raw string %s", raw)
	}
	// The maps keep the lenient text as before.
	if a.IDToken["groups"] != `["staff","sso",7,null]` || a.IDToken["email_verified"] != "false" {
		t.Errorf("maps %v", a.IDToken)
	}

	// A module that replaces a value makes it a string.
	a.IDToken["groups"] = "replaced"
	if got := a.IDTokenValues().Strings("groups"); !reflect.DeepEqual(got, []string{"replaced"}) {
		t.Errorf("replaced groups %q", got)
	}
}

// The request is written back with the provider's shapes, and reads the same again.
func TestFederationRequestRoundTrip(t *testing.T) {
	t.Parallel()
	e := federationEvent(t)
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"groups":["staff","sso",7,null]`, `"email_verified":false`, `"expires_in":3600`,
		`"address":{"locality":"Berlin","geo":{"lat":52.5}}`, `"looks":"[\"not\",\"a list\"]"`, `"role":["admin","dev"]`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("encoded request lacks %s:\n%s", want, out)
		}
	}
	var back triggers.InboundFederationEvent
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Request, e.Request) {
		t.Errorf("round trip changed the request\n got %+v\nwant %+v", back.Request, e.Request)
	}

	// A value changed by a module, or a Raw entry that is not JSON, is written as a string.
	e.Request.Attributes.IDToken["groups"] = "x"
	e.Request.Attributes.Raw.UserInfo["updated_at"] = "not json"
	e.Request.Attributes.UserInfo["updated_at"] = "not json"
	out, _ = json.Marshal(e)
	if !strings.Contains(string(out), `"groups":"x"`) || !strings.Contains(string(out), `"updated_at":"not json"`) || !json.Valid(out) {
		t.Errorf("changed values written as %s", out)
	}

	// FederationAttributes alone uses the same codec.
	var attrs triggers.FederationAttributes
	if err := json.Unmarshal([]byte(`{"idToken":{"groups":["a"]}}`), &attrs); err != nil {
		t.Fatal(err)
	}
	if got := attrs.IDTokenValues().Strings("groups"); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("groups %q", got)
	}
	if err := json.Unmarshal([]byte(`{"idToken":[1]}`), &attrs); err == nil {
		t.Error("an array for idToken decoded")
	}
}
