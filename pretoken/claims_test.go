package pretoken_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
			_, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{tt.claim: "x"}, Tokens: tt.tokens})
			check(t, "OverrideClaims add", err, tt.want.add, tt.claim)
			_, err = pretoken.OverrideClaims(pretoken.ClaimsConfig{Suppress: []string{tt.claim}, Tokens: tt.tokens})
			check(t, "OverrideClaims suppress", err, tt.want.suppress, tt.claim)
			_, err = pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:x": tt.claim}, Tokens: tt.tokens})
			check(t, "ClaimsFromAttributes", err, tt.want.add, tt.claim)
			_, err = pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: &fakeDB{}, Table: "t", KeyAttribute: "pk",
				Claims: map[string]string{"x": tt.claim}, Tokens: tt.tokens})
			check(t, "ClaimsFromDynamoDB", err, tt.want.add, tt.claim)
			_, err = pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: &fakeDB{}, Table: "t", KeyAttribute: "pk",
				Claims: map[string]string{"x": "fine"}, Tokens: tt.tokens, MissingClaims: map[string]any{tt.claim: "x"}})
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
		if _, err := pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{scope}}); !errors.Is(err, pretoken.ErrInvalidScope) {
			t.Errorf("OverrideScopes(add %q) = %v, want ErrInvalidScope", scope, err)
		}
		if _, err := pretoken.OverrideScopes(pretoken.ScopesConfig{Suppress: []string{scope}}); !errors.Is(err, pretoken.ErrInvalidScope) {
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
	if _, err := pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"api/read"}, Suppress: []string{"api/read"}}); !errors.Is(err, pretoken.ErrInvalidScope) {
		t.Errorf("scope both added and suppressed: %v, want ErrInvalidScope", err)
	}
	if _, err := pretoken.OverrideScopes(pretoken.ScopesConfig{}); err == nil {
		t.Error("OverrideScopes with nothing to do: no error")
	}
}

func TestBadConfigurationRejected(t *testing.T) {
	t.Parallel()
	claims := map[string]any{"a": "1"}
	mapping := map[string]string{"a": "a"}
	db := func(cfg pretoken.DynamoDBConfig) func() (pretoken.Handler, error) {
		if cfg.Table == "" && cfg.KeyAttribute == "" {
			cfg.Table, cfg.KeyAttribute = "t", "pk"
		}
		if cfg.Claims == nil {
			cfg.Claims = mapping
		}
		return func() (pretoken.Handler, error) { return pretoken.ClaimsFromDynamoDB(cfg) }
	}
	tests := []struct {
		name  string
		build func() (pretoken.Handler, error)
		want  string // the error's start: package, constructor, field
	}{
		{"claims: nothing", func() (pretoken.Handler, error) { return pretoken.OverrideClaims(pretoken.ClaimsConfig{}) },
			"pretoken.OverrideClaims: Add and Suppress are empty"},
		{"claims: added+suppressed", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: claims, Suppress: []string{"a"}})
		}, `pretoken.OverrideClaims: claim "a" is both added and suppressed`},
		{"claims: null value", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"a": nil}})
		}, "pretoken.OverrideClaims: Add: "},
		{"claims: NaN", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"a": math.NaN()}})
		}, "pretoken.OverrideClaims: Add: "},
		{"claims: func value", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"a": func() {}}})
		}, "pretoken.OverrideClaims: Add: "},
		{"claims: secret value", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"a": triggers.Secret("pw")}})
		}, "pretoken.OverrideClaims: Add: "},
		{"claims: unknown token", func() (pretoken.Handler, error) {
			return pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: claims, Tokens: 8})
		}, "pretoken.OverrideClaims: Tokens is 8"},
		{"attributes: empty", func() (pretoken.Handler, error) { return pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{}) },
			"pretoken.ClaimsFromAttributes: Claims is empty"},
		{"attributes: empty name", func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"": "x"}})
		}, "pretoken.ClaimsFromAttributes: Claims: empty attribute name"},
		{"attributes: unknown token", func() (pretoken.Handler, error) {
			return pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: mapping, Tokens: 4})
		}, "pretoken.ClaimsFromAttributes: Tokens is 4"},
		{"groups: nothing", func() (pretoken.Handler, error) { return pretoken.OverrideGroups(pretoken.GroupsConfig{}) },
			"pretoken.OverrideGroups: Groups, IAMRoles and PreferredRole are nil"},
		{"groups: empty name", func() (pretoken.Handler, error) {
			return pretoken.OverrideGroups(pretoken.GroupsConfig{Groups: []string{"a", " "}})
		}, "pretoken.OverrideGroups: Groups: empty group name"},
		{"groups: empty role", func() (pretoken.Handler, error) {
			return pretoken.OverrideGroups(pretoken.GroupsConfig{IAMRoles: []string{""}})
		}, "pretoken.OverrideGroups: IAMRoles: empty IAM role"},
		{"dynamodb: no table", db(pretoken.DynamoDBConfig{KeyAttribute: "pk"}), "pretoken.ClaimsFromDynamoDB: Table is empty"},
		{"dynamodb: no key", db(pretoken.DynamoDBConfig{Table: "t"}), "pretoken.ClaimsFromDynamoDB: KeyAttribute is empty"},
		{"dynamodb: no mapping", db(pretoken.DynamoDBConfig{Claims: map[string]string{}}), "pretoken.ClaimsFromDynamoDB: Claims is empty"},
		{"dynamodb: empty attribute", db(pretoken.DynamoDBConfig{Claims: map[string]string{"": "a"}}),
			"pretoken.ClaimsFromDynamoDB: Claims: empty item attribute name"},
		{"dynamodb: sort key = partition key", db(pretoken.DynamoDBConfig{SortKeyAttribute: "pk", SortKeyValue: "x"}),
			`pretoken.ClaimsFromDynamoDB: SortKeyAttribute is the partition key attribute "pk"`},
		{"dynamodb: sort key without value", db(pretoken.DynamoDBConfig{SortKeyAttribute: "sk"}),
			"pretoken.ClaimsFromDynamoDB: SortKeyAttribute and SortKeyValue: set both or neither"},
		{"dynamodb: sort key value alone", db(pretoken.DynamoDBConfig{SortKeyValue: "x"}),
			"pretoken.ClaimsFromDynamoDB: SortKeyAttribute and SortKeyValue: set both or neither"},
		{"dynamodb: blank reject message", db(pretoken.DynamoDBConfig{MissingMessage: " "}),
			"pretoken.ClaimsFromDynamoDB: MissingMessage is blank"},
		{"dynamodb: reject and default claims", db(pretoken.DynamoDBConfig{MissingMessage: "no", MissingClaims: claims}),
			"pretoken.ClaimsFromDynamoDB: MissingMessage and MissingClaims are both set"},
		{"dynamodb: negative size", db(pretoken.DynamoDBConfig{CacheSize: -1}), "pretoken.ClaimsFromDynamoDB: CacheSize is -1"},
		{"dynamodb: unknown key source", db(pretoken.DynamoDBConfig{KeyFrom: 7}), "pretoken.ClaimsFromDynamoDB: KeyFrom is 7"},
		{"dynamodb: attribute with another key source", db(pretoken.DynamoDBConfig{KeyFrom: pretoken.KeyFromUsername, UserAttribute: "email"}),
			"pretoken.ClaimsFromDynamoDB: UserAttribute is set, but KeyFrom is not KeyFromAttribute"},
		{"dynamodb: unknown token", db(pretoken.DynamoDBConfig{Tokens: 16}), "pretoken.ClaimsFromDynamoDB: Tokens is 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := tt.build()
			if err == nil || h != nil {
				t.Fatalf("got handler %v, error %v; want only an error", h != nil, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want it to start with %q", err, tt.want)
			}
		})
	}
}

// The zero value of each optional field is its default: both tokens, the sub attribute
// as the key, the default cache and clock.
func TestZeroFieldsAreDefaults(t *testing.T) {
	t.Parallel()
	db := &fakeDB{items: map[string]map[string]types.AttributeValue{
		"sub-1": {"pk": &types.AttributeValueMemberS{Value: "sub-1"}, "plan": &types.AttributeValueMemberS{Value: "pro"}},
	}}
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk",
		Claims: map[string]string{"plan": "plan"}}))
	for range 2 {
		e := newEvent(t, "v2_authentication.json")
		e.Request.UserAttributes["sub"] = "sub-1"
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		d := e.Response.ClaimsAndScopeOverrideDetails
		if d == nil || d.IDTokenGeneration == nil || d.AccessTokenGeneration == nil ||
			d.IDTokenGeneration.ClaimsToAddOrOverride["plan"] != "pro" || d.AccessTokenGeneration.ClaimsToAddOrOverride["plan"] != "pro" {
			t.Fatalf("response %+v, want plan in both tokens", d)
		}
	}
	if n := db.calls(); n != 1 {
		t.Errorf("%d GetItem calls for two sign-ins, want 1: the default cache", n)
	}
}

func TestMustPanicsOnConfigurationError(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(error).Error(), `"sub"`) {
			t.Errorf("recovered %v, want the error about sub", v)
		}
	}()
	pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"sub": "x"}}))
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
			h := pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"c": tt.value}}))
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
