package triggertest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// wire is the part of a fixture every test below reads, decoded without the library's
// own types so that a fault in them cannot hide a fault in a fixture.
type wire struct {
	Version       *string `json:"version"`
	TriggerSource string  `json:"triggerSource"`
	Region        string  `json:"region"`
	UserPoolID    string  `json:"userPoolId"`
	UserName      *string `json:"userName"`
	CallerContext *struct {
		AWSSDKVersion string `json:"awsSdkVersion"`
		ClientID      string `json:"clientId"`
	} `json:"callerContext"`
	Request  map[string]json.RawMessage `json:"request"`
	Response map[string]json.RawMessage `json:"response"`
}

func readWire(t *testing.T, data []byte) wire {
	t.Helper()
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatalf("fixture is not valid JSON: %v", err)
	}
	return w
}

var userTokenSources = []triggers.TriggerSource{
	triggers.TokenGenerationHostedAuth, triggers.TokenGenerationAuthentication,
	triggers.TokenGenerationNewPasswordChallenge, triggers.TokenGenerationAuthenticateDevice,
	triggers.TokenGenerationRefreshTokens,
}

func TestEveryTriggerSourceHasAFixture(t *testing.T) {
	t.Parallel()
	for _, src := range triggers.TriggerSources {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			w := readWire(t, triggertest.Fixture(src))
			if w.TriggerSource != string(src) {
				t.Errorf("triggerSource %q", w.TriggerSource)
			}
			wantVersion := "1"
			if src == triggers.TokenGenerationClientCredentials {
				wantVersion = "3"
			}
			if w.Version == nil || *w.Version != wantVersion {
				t.Errorf("version %v, want %q", w.Version, wantVersion)
			}
			if w.UserName == nil || w.CallerContext == nil || w.CallerContext.ClientID == "" {
				t.Error("header lacks userName or callerContext.clientId")
			}
			if !strings.HasPrefix(w.UserPoolID, w.Region+"_") {
				t.Errorf("userPoolId %q is not in region %q", w.UserPoolID, w.Region)
			}
			if w.Request == nil || w.Response == nil {
				t.Error("request or response missing: Cognito always sends both objects")
			}
			if e := triggertest.NewEvent(src); e.EventHeader().TriggerSource != src {
				t.Errorf("decoded triggerSource %q", e.EventHeader().TriggerSource)
			}
		})
	}
}

func TestPreTokenGenerationFixtureVersions(t *testing.T) {
	t.Parallel()
	for _, src := range userTokenSources {
		for _, v := range []string{"1", "2", "3"} {
			t.Run(fmt.Sprintf("%s/v%s", src, v), func(t *testing.T) {
				t.Parallel()
				w := readWire(t, triggertest.FixtureVersion(src, v))
				if *w.Version != v || w.TriggerSource != string(src) {
					t.Fatalf("fixture is %s version %s", w.TriggerSource, *w.Version)
				}
				_, hasScopes := w.Request["scopes"]
				_, v1Resp := w.Response["claimsOverrideDetails"]
				_, v2Resp := w.Response["claimsAndScopeOverrideDetails"]
				if v == "1" && (hasScopes || !v1Resp || v2Resp) {
					t.Errorf("version 1 event: scopes %v, claimsOverrideDetails %v, claimsAndScopeOverrideDetails %v",
						hasScopes, v1Resp, v2Resp)
				}
				if v != "1" && (!hasScopes || v1Resp || !v2Resp) {
					t.Errorf("version %s event: scopes %v, claimsOverrideDetails %v, claimsAndScopeOverrideDetails %v",
						v, hasScopes, v1Resp, v2Resp)
				}
				for _, resp := range w.Response {
					if string(resp) != "null" {
						t.Errorf("response %s, want null as Cognito sends it", resp)
					}
				}
				if _, ok := w.Request["groupConfiguration"]; !ok {
					t.Error("request lacks groupConfiguration")
				}
			})
		}
	}
	cc := readWire(t, triggertest.Fixture(triggers.TokenGenerationClientCredentials))
	if string(cc.Request["groupConfiguration"]) != "null" || string(cc.Request["userAttributes"]) != "{}" {
		t.Errorf("client credentials event has a user: %s, %s", cc.Request["userAttributes"], cc.Request["groupConfiguration"])
	}
}

func TestFixturesHaveCognitosQuirks(t *testing.T) {
	t.Parallel()
	// Each quirk is something a decoder must survive; a fixture set without them would
	// let a strict decoder pass.
	quirks := map[string]func(w wire, raw string) bool{
		"boolean attribute": func(_ wire, raw string) bool { return strings.Contains(raw, `"email_verified": true`) },
		"number attribute":  func(_ wire, raw string) bool { return strings.Contains(raw, `"custom:login_count": 41`) },
		"null validation data": func(w wire, _ string) bool {
			return string(w.Request["validationData"]) == "null"
		},
		"null client metadata": func(w wire, _ string) bool { return string(w.Request["clientMetadata"]) == "null" },
		"missing client metadata": func(w wire, _ string) bool {
			_, ok := w.Request["clientMetadata"]
			return !ok
		},
		"admin call without app client": func(w wire, _ string) bool {
			return w.CallerContext.ClientID == "CLIENT_ID_NOT_APPLICABLE"
		},
		"null custom messages": func(w wire, _ string) bool { return string(w.Response["emailMessage"]) == "null" },
		"null migration response": func(w wire, _ string) bool {
			return string(w.Response["finalUserStatus"]) == "null" && string(w.Response["enableSMSMFA"]) == "null"
		},
		"linkParameter": func(w wire, _ string) bool { return strings.Contains(string(w.Request["linkParameter"]), "##") },
		"null code":     func(w wire, _ string) bool { return string(w.Request["code"]) == "null" },
		"null password": func(w wire, _ string) bool { return string(w.Request["password"]) == "null" },
		"groups": func(w wire, _ string) bool {
			return strings.Contains(string(w.Request["groupConfiguration"]), "admins")
		},
		"sms type spelt": func(w wire, _ string) bool { return string(w.Request["type"]) == `"customSmsSenderRequestV1"` },
		"null define response": func(w wire, _ string) bool {
			return string(w.Response["issueTokens"]) == "null"
		},
	}
	found := map[string][]string{}
	for name, data := range triggertest.Fixtures() {
		w := readWire(t, data)
		for quirk, has := range quirks {
			if has(w, string(data)) {
				found[quirk] = append(found[quirk], name)
			}
		}
	}
	for quirk := range quirks {
		if len(found[quirk]) == 0 {
			t.Errorf("no fixture has the quirk %q", quirk)
		}
	}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	var all []string
	for name := range triggertest.Fixtures() {
		all = append(all, name)
	}
	// One per source, plus versions 2 and 3 of the five user pre token sources.
	if want := len(triggers.TriggerSources) + 2*len(userTokenSources); len(all) != want {
		t.Errorf("%d fixtures, want %d", len(all), want)
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(all)))); n != len(all) {
		t.Errorf("fixture names are not unique: %v", all)
	}

	var tokens []string
	for name := range triggertest.Fixtures(triggers.TriggerPreTokenGeneration) {
		tokens = append(tokens, name)
	}
	for _, want := range []string{"TokenGeneration_HostedAuth", "TokenGeneration_HostedAuth/v2",
		"TokenGeneration_RefreshTokens/v3", "TokenGeneration_ClientCredentials"} {
		if !slices.Contains(tokens, want) {
			t.Errorf("pre token fixtures %v lack %s", tokens, want)
		}
	}
	if len(tokens) != 16 {
		t.Errorf("%d pre token fixtures, want 16", len(tokens))
	}

	var two []string
	for name := range triggertest.Fixtures(triggers.TriggerPreSignUp, triggers.TriggerPostConfirmation) {
		two = append(two, name)
	}
	if len(two) != 5 {
		t.Errorf("pre sign-up and post confirmation fixtures: %v", two)
	}
}

func TestFixtureReturnsACopy(t *testing.T) {
	t.Parallel()
	a := triggertest.Fixture(triggers.PreSignUpSignUp)
	clear(a)
	if b := triggertest.Fixture(triggers.PreSignUpSignUp); b[0] != '{' {
		t.Fatal("changing a fixture changed the next caller's copy")
	}
}

func TestFixturePanicsOnUnknownSource(t *testing.T) {
	t.Parallel()
	for _, call := range []func(){
		func() { triggertest.Fixture("PreSignUp_Unknown") },
		func() { triggertest.FixtureVersion(triggers.TokenGenerationClientCredentials, "1") },
		func() { triggertest.FixtureVersion(triggers.PreSignUpSignUp, "2") },
	} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "no fixture") {
					t.Errorf("recovered %v, want a no fixture panic", v)
				}
			}()
			call()
		}()
	}
}
