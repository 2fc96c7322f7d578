package pretoken_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

// Every claim Cognito does not let a function change must fail when the chain is built,
// with an error that names it, and never reach a sign-in.
func TestReservedClaimsRejectedAtBuild(t *testing.T) {
	t.Parallel()
	type verdict struct{ add, suppress bool } // true: allowed
	const (
		id     = pretoken.IDToken
		access = pretoken.AccessToken
	)
	tests := []struct {
		claim  string
		tokens pretoken.Token
		want   verdict
	}{
		{"sub", pretoken.BothTokens, verdict{}},
		{"cognito:username", pretoken.BothTokens, verdict{}},
		{"cognito:user_status", pretoken.BothTokens, verdict{}},
		{"cognito:mfa_enabled", pretoken.BothTokens, verdict{}},
		{"cognito:anything", pretoken.BothTokens, verdict{}},
		{"aud", id, verdict{}},
		{"aud", access, verdict{}}, // only per event, with the session's client ID
		{"iss", pretoken.BothTokens, verdict{}},
		{"exp", pretoken.BothTokens, verdict{}},
		{"iat", pretoken.BothTokens, verdict{}},
		{"auth_time", pretoken.BothTokens, verdict{}},
		{"token_use", pretoken.BothTokens, verdict{}},
		{"jti", pretoken.BothTokens, verdict{}},
		{"nonce", pretoken.BothTokens, verdict{}},
		{"origin_jti", pretoken.BothTokens, verdict{}},
		{"identities", pretoken.BothTokens, verdict{}},
		{"client_id", pretoken.BothTokens, verdict{}},
		{"event_id", pretoken.BothTokens, verdict{}},
		{"username", pretoken.BothTokens, verdict{}},
		{"version", pretoken.BothTokens, verdict{}},
		{"acr", pretoken.BothTokens, verdict{}},
		{"amr", pretoken.BothTokens, verdict{}},
		{"at_hash", pretoken.BothTokens, verdict{}},
		{"azp", pretoken.BothTokens, verdict{}},
		{"nbf", pretoken.BothTokens, verdict{}},
		{"device_key", pretoken.BothTokens, verdict{}},
		{"", pretoken.BothTokens, verdict{}},
		{"dev:legacy", pretoken.BothTokens, verdict{suppress: true}},
		{"cognito:groups", pretoken.BothTokens, verdict{suppress: true}},
		{"cognito:roles", pretoken.BothTokens, verdict{suppress: true}},
		{"cognito:preferred_role", pretoken.BothTokens, verdict{suppress: true}},
		{"scope", access, verdict{}},
		{"scope", id, verdict{add: true, suppress: true}},
		{"email", pretoken.BothTokens, verdict{add: true, suppress: true}},
		{"custom:tenant_id", pretoken.BothTokens, verdict{add: true, suppress: true}},
		{"tenant", pretoken.BothTokens, verdict{add: true, suppress: true}},
	}
	check := func(t *testing.T, what string, err error, allowed bool, claim string) {
		t.Helper()
		switch {
		case allowed && err != nil:
			t.Errorf("%s: %v, want it allowed", what, err)
		case !allowed && err == nil:
			t.Errorf("%s: no error, want the claim refused", what)
		case !allowed:
			if !errors.Is(err, pretoken.ErrInvalidClaim) {
				t.Errorf("%s: %v does not wrap ErrInvalidClaim", what, err)
			}
			var ce *pretoken.ClaimError
			if !errors.As(err, &ce) || ce.Claim != claim {
				t.Errorf("%s: %v, want a *ClaimError for %q", what, err, claim)
			}
			if !strings.Contains(err.Error(), `"`+claim+`"`) {
				t.Errorf("%s: %q does not name the claim", what, err)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.claim+"/"+tt.tokens.String(), func(t *testing.T) {
			t.Parallel()
			opt := pretoken.InTokens(tt.tokens)
			_, err := pretoken.OverrideClaims(map[string]any{tt.claim: "x"}, nil, opt)
			check(t, "OverrideClaims add", err, tt.want.add, tt.claim)
			_, err = pretoken.OverrideClaims(nil, []string{tt.claim}, opt)
			check(t, "OverrideClaims suppress", err, tt.want.suppress, tt.claim)
			_, err = pretoken.ClaimsFromAttributes(map[string]string{"custom:x": tt.claim}, opt)
			check(t, "ClaimsFromAttributes", err, tt.want.add, tt.claim)
			_, err = pretoken.ClaimsFromDynamoDB(&fakeDB{}, "t", "pk", map[string]string{"x": tt.claim}, opt)
			check(t, "ClaimsFromDynamoDB", err, tt.want.add, tt.claim)
			_, err = pretoken.ClaimsFromDynamoDB(&fakeDB{}, "t", "pk", map[string]string{"x": "fine"}, opt,
				pretoken.OnMissingDefault(map[string]any{tt.claim: "x"}))
			check(t, "ClaimsFromDynamoDB default", err, tt.want.add, tt.claim)

			// The helpers modules call per event apply the same rules.
			e := newEvent(t, "v2_authentication.json")
			check(t, "AddClaim", pretoken.AddClaim(e, tt.tokens, tt.claim, "x"), tt.want.add, tt.claim)
			check(t, "SuppressClaim", pretoken.SuppressClaim(e, tt.tokens, tt.claim), tt.want.suppress, tt.claim)
		})
	}
}

func TestAudienceInAccessTokenOnlyWithClientID(t *testing.T) {
	t.Parallel()
	e := newEvent(t, "v2_authentication.json")
	if err := pretoken.AddClaim(e, pretoken.AccessToken, "aud", "someone-else"); !errors.Is(err, pretoken.ErrInvalidClaim) {
		t.Errorf("aud = another client: %v, want ErrInvalidClaim", err)
	}
	if err := pretoken.AddClaim(e, pretoken.BothTokens, "aud", e.CallerContext.ClientID); !errors.Is(err, pretoken.ErrInvalidClaim) {
		t.Errorf("aud in both tokens: %v, want ErrInvalidClaim (the ID token's aud is Cognito's)", err)
	}
	if err := pretoken.AddClaim(e, pretoken.AccessToken, "aud", e.CallerContext.ClientID); err != nil {
		t.Fatalf("aud = the session's client ID: %v", err)
	}
	got := e.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride["aud"]
	if got != e.CallerContext.ClientID {
		t.Errorf("access token aud = %v, want %q", got, e.CallerContext.ClientID)
	}
}

func TestScopesWithWhiteSpaceRejected(t *testing.T) {
	t.Parallel()
	for _, scope := range []string{"", "read write", "api/read\t", "\napi", "api/\u00a0read"} {
		if _, err := pretoken.OverrideScopes([]string{scope}, nil); !errors.Is(err, pretoken.ErrInvalidScope) {
			t.Errorf("OverrideScopes(add %q) = %v, want ErrInvalidScope", scope, err)
		}
		if _, err := pretoken.OverrideScopes(nil, []string{scope}); !errors.Is(err, pretoken.ErrInvalidScope) {
			t.Errorf("OverrideScopes(suppress %q) = %v, want ErrInvalidScope", scope, err)
		}
		e := newEvent(t, "v2_authentication.json")
		if err := pretoken.AddScope(e, "api/ok", scope); !errors.Is(err, pretoken.ErrInvalidScope) {
			t.Errorf("AddScope(%q) = %v, want ErrInvalidScope", scope, err)
		}
		if e.Response.ClaimsAndScopeOverrideDetails != nil {
			t.Errorf("AddScope(%q) wrote %+v before failing", scope, e.Response.ClaimsAndScopeOverrideDetails)
		}
	}
	if _, err := pretoken.OverrideScopes([]string{"api/read"}, []string{"api/read"}); !errors.Is(err, pretoken.ErrInvalidScope) {
		t.Errorf("scope both added and suppressed: %v, want ErrInvalidScope", err)
	}
	if _, err := pretoken.OverrideScopes(nil, nil); err == nil {
		t.Error("OverrideScopes with nothing to do: no error")
	}
}

func TestBadConfigurationRejected(t *testing.T) {
	t.Parallel()
	tests := map[string]func() (pretoken.Handler, error){
		"claims: nothing": func() (pretoken.Handler, error) { return pretoken.OverrideClaims(nil, nil) },
		"claims: added+suppressed": func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(map[string]any{"a": "1"}, []string{"a"})
		},
		"claims: null value": func() (pretoken.Handler, error) { return pretoken.OverrideClaims(map[string]any{"a": nil}, nil) },
		"claims: NaN":        func() (pretoken.Handler, error) { return pretoken.OverrideClaims(map[string]any{"a": math.NaN()}, nil) },
		"claims: func value": func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(map[string]any{"a": func() {}}, nil)
		},
		"claims: secret value": func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(map[string]any{"a": triggers.Secret("pw")}, nil)
		},
		"claims: no tokens": func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(map[string]any{"a": "1"}, nil, pretoken.InTokens(0))
		},
		"claims: unknown token": func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(map[string]any{"a": "1"}, nil, pretoken.InTokens(8))
		},
		"attributes: empty": func() (pretoken.Handler, error) { return pretoken.ClaimsFromAttributes(nil) },
		"attributes: empty name": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromAttributes(map[string]string{"": "x"})
		},
		"groups: nothing": func() (pretoken.Handler, error) { return pretoken.OverrideGroups(pretoken.GroupOverride{}) },
		"groups: empty name": func() (pretoken.Handler, error) {
			return pretoken.OverrideGroups(pretoken.GroupOverride{Groups: []string{"a", " "}})
		},
		"groups: empty role": func() (pretoken.Handler, error) {
			return pretoken.OverrideGroups(pretoken.GroupOverride{IAMRoles: []string{""}})
		},
		"dynamodb: no table": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "", "pk", map[string]string{"a": "a"})
		},
		"dynamodb: no key": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "", map[string]string{"a": "a"})
		},
		"dynamodb: no mapping": func() (pretoken.Handler, error) { return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", nil) },
		"dynamodb: empty attribute": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"": "a"})
		},
		"dynamodb: sort key = partition key": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.WithSortKey("pk", "x"))
		},
		"dynamodb: empty reject message": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.OnMissingReject(" "))
		},
		"dynamodb: negative TTL": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.WithCacheTTL(-time.Second))
		},
		"dynamodb: zero size": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.WithCacheSize(0))
		},
		"dynamodb: nil clock": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.WithClock(nil))
		},
		"dynamodb: empty key attribute": func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromDynamoDB(nil, "t", "pk", map[string]string{"a": "a"}, pretoken.KeyFromAttribute(""))
		},
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, err := build()
			if err == nil || h != nil {
				t.Fatalf("got handler %v, error %v; want only an error", h != nil, err)
			}
			if !strings.HasPrefix(err.Error(), "pretoken: ") {
				t.Errorf("error %q does not say where it comes from", err)
			}
		})
	}
}

func TestMustPanicsOnConfigurationError(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(error).Error(), `"sub"`) {
			t.Errorf("recovered %v, want the error about sub", v)
		}
	}()
	pretoken.Must(pretoken.OverrideClaims(map[string]any{"sub": "x"}, nil))
}

// Version 1 claims are strings: other values go as their JSON text, the same on every
// run, so that tokens do not change between sign-ins.
func TestV1ValuesBecomeText(t *testing.T) {
	t.Parallel()
	type point struct {
		X int `json:"x"`
		Y int `json:"y"`
	}
	tests := []struct {
		value any
		v1    string
		v2    string // JSON in the version 2 response
	}{
		{"plain", "plain", `"plain"`},
		{"", "", `""`},
		{true, "true", `true`},
		{42, "42", `42`},
		{int64(1) << 60, "1152921504606846976", `1152921504606846976`},
		{2.5, "2.5", `2.5`},
		{[]string{"read", "write"}, `["read","write"]`, `["read","write"]`},
		{map[string]any{"b": 1, "a": []int{2}}, `{"a":[2],"b":1}`, `{"a":[2],"b":1}`},
		{point{1, 2}, `{"x":1,"y":2}`, `{"x":1,"y":2}`},
		{time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), "2030-01-02T03:04:05Z", `"2030-01-02T03:04:05Z"`},
		{[]byte("hi"), "aGk=", `"aGk="`},
	}
	for _, tt := range tests {
		t.Run(tt.v1, func(t *testing.T) {
			t.Parallel()
			h := pretoken.Must(pretoken.OverrideClaims(map[string]any{"c": tt.value}, nil))
			got := at(response(t, h, "v1_authentication.json"), "claimsOverrideDetails", "claimsToAddOrOverride", "c")
			if got != tt.v1 {
				t.Errorf("v1 claim = %#v, want %q", got, tt.v1)
			}
			got = at(response(t, h, "v2_authentication.json"), "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride", "c")
			if s := jsonText(t, got); s != tt.v2 {
				t.Errorf("v2 claim = %s, want %s", s, tt.v2)
			}
		})
	}
}

// Several modules writing the same response merge their changes, and a suppression
// wins over an addition whichever comes first.
func TestHelpersMergeAndSuppressionWins(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"v1_authentication.json", "v2_authentication.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEvent(t, name)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(pretoken.AddClaim(e, pretoken.IDToken, "a", "1"))
			must(pretoken.AddClaim(e, pretoken.IDToken, "b", "2"))
			must(pretoken.SuppressClaim(e, pretoken.IDToken, "b")) // suppress after add
			must(pretoken.SuppressClaim(e, pretoken.IDToken, "c"))
			must(pretoken.AddClaim(e, pretoken.IDToken, "c", "3")) // add after suppress
			must(pretoken.AddClaim(e, pretoken.IDToken, "a", "1b"))
			must(pretoken.SuppressClaim(e, pretoken.IDToken, "c"))

			var added map[string]any
			var suppressed []string
			if d := e.Response.ClaimsOverrideDetails; d != nil {
				added = map[string]any{}
				for k, v := range d.ClaimsToAddOrOverride {
					added[k] = v
				}
				suppressed = d.ClaimsToSuppress
			} else {
				g := e.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration
				added, suppressed = g.ClaimsToAddOrOverride, g.ClaimsToSuppress
			}
			if jsonText(t, added) != `{"a":"1b"}` {
				t.Errorf("added = %s, want only a, overridden", jsonText(t, added))
			}
			if jsonText(t, suppressed) != `["b","c"]` {
				t.Errorf("suppressed = %s, want [b c] once each", jsonText(t, suppressed))
			}
		})
	}
}

func TestScopeHelpers(t *testing.T) {
	t.Parallel()
	e := newEvent(t, "v2_authentication.json")
	if err := pretoken.AddScope(e, "api/read", "api/write", "api/read"); err != nil {
		t.Fatal(err)
	}
	if err := pretoken.SuppressScope(e, "api/write", "aws.cognito.signin.user.admin"); err != nil {
		t.Fatal(err)
	}
	if err := pretoken.AddScope(e, "api/write", "api/admin"); err != nil {
		t.Fatal(err)
	}
	g := e.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
	if got := jsonText(t, g.ScopesToAdd); got != `["api/read","api/admin"]` {
		t.Errorf("scopesToAdd = %s", got)
	}
	if got := jsonText(t, g.ScopesToSuppress); got != `["api/write","aws.cognito.signin.user.admin"]` {
		t.Errorf("scopesToSuppress = %s", got)
	}
	if e.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration != nil {
		t.Error("scopes allocated an ID token section")
	}

	v1 := newEvent(t, "v1_authentication.json")
	if err := pretoken.AddScope(v1, "api/read"); err != nil {
		t.Fatal(err)
	}
	if v1.Response != (pretoken.Event{}).Response {
		t.Errorf("a version 1 event cannot change scopes, response = %+v", v1.Response)
	}
}

func TestTokensPerEvent(t *testing.T) {
	t.Parallel()
	tests := map[string]pretoken.Token{
		"v0_cognito_local.json":      pretoken.IDToken,
		"v1_authentication.json":     pretoken.IDToken,
		"v2_authentication.json":     pretoken.BothTokens,
		"v3_refresh_tokens.json":     pretoken.BothTokens,
		"v3_client_credentials.json": pretoken.AccessToken,
	}
	for name, want := range tests {
		if got := pretoken.Tokens(newEvent(t, name)); got != want {
			t.Errorf("Tokens(%s) = %s, want %s", name, got, want)
		}
	}
}
