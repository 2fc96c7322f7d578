package pretoken_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

// compact re-encodes a JSON text with sorted keys, to compare it with decoded output.
func compact(t testing.TB, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expectation %s: %v", s, err)
	}
	return jsonText(t, v)
}

var allFixtures = []string{
	"v0_cognito_local.json", "v1_authentication.json", "v2_authentication.json",
	"v3_refresh_tokens.json", "v3_client_credentials.json",
}

// A chain that changes nothing must answer so that Cognito issues the tokens it would
// have issued without the trigger: no override at all, and above all no empty group
// override, which would strip the user's groups.
func TestNoOpChainLeavesResponseEmpty(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, *pretoken.Event) error { return nil }
	for _, name := range allFixtures {
		for label, h := range map[string]pretoken.Handler{"empty chain": pretoken.Chain(), "no-op module": noop} {
			if got := jsonText(t, response(t, h, name)); got != `{}` {
				t.Errorf("%s, %s: response = %s, want {}", name, label, got)
			}
		}
	}
}

// Changing a claim must not touch the groups: the response carries them as the request
// did, since Cognito reads override details with no group override as "no groups"
// under one reading of its documentation. The machine-to-machine event has no groups.
func TestUnrelatedClaimKeepsGroups(t *testing.T) {
	t.Parallel()
	h := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro"}, Suppress: []string{"email"}})),
		pretoken.Must(pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"api/read"}})),
	)
	for _, name := range allFixtures {
		resp, request := fullResponse(t, h, name)
		details := "claimsAndScopeOverrideDetails"
		if _, ok := resp[details]; !ok {
			details = "claimsOverrideDetails"
		}
		got := at(resp, details, "groupOverrideDetails")
		none := `{"groupsToOverride":null,"iamRolesToOverride":null,"preferredRole":null}`
		if name == "v3_client_credentials.json" || jsonText(t, request["groupConfiguration"]) == none {
			if has(resp, details, "groupOverrideDetails") {
				t.Errorf("%s: group override %s on an event without groups", name, jsonText(t, got))
			}
			continue
		}
		if want := request["groupConfiguration"]; jsonText(t, got) != jsonText(t, want) {
			t.Errorf("%s: %s.groupOverrideDetails = %s, want the request's %s", name, details, jsonText(t, got), jsonText(t, want))
		}
	}
}

func TestVersion1Response(t *testing.T) {
	t.Parallel()
	h := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro", "seats": 5, "beta": true}, Suppress: []string{"email"}})),
		pretoken.Must(pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:tenant_id": "tenant", "custom:missing": "gone"}})),
		pretoken.Must(pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"api/read"}})),
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"access_only": "x"}, Tokens: pretoken.AccessToken})),
	)
	want := compact(t, `{"claimsOverrideDetails": {
		"claimsToAddOrOverride": {"plan": "pro", "seats": "5", "beta": "true", "tenant": "acme"},
		"claimsToSuppress": ["email"]}}`)
	for _, name := range []string{"v1_authentication.json", "v0_cognito_local.json"} {
		if got := jsonText(t, response(t, h, name)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func TestVersion2And3Response(t *testing.T) {
	t.Parallel()
	h := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro", "seats": 5, "features": []string{"sso", "audit"}}, Suppress: []string{"email"}})),
		pretoken.Must(pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:tenant_id": "tenant"}, Tokens: pretoken.AccessToken})),
		pretoken.Must(pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"api/read"}, Suppress: []string{"aws.cognito.signin.user.admin"}})),
	)
	want := compact(t, `{"claimsAndScopeOverrideDetails": {
		"idTokenGeneration": {
			"claimsToAddOrOverride": {"plan": "pro", "seats": 5, "features": ["sso", "audit"]},
			"claimsToSuppress": ["email"]},
		"accessTokenGeneration": {
			"claimsToAddOrOverride": {"plan": "pro", "seats": 5, "features": ["sso", "audit"], "tenant": "acme"},
			"claimsToSuppress": ["email"],
			"scopesToAdd": ["api/read"],
			"scopesToSuppress": ["aws.cognito.signin.user.admin"]}}}`)
	for _, name := range []string{"v2_authentication.json", "v3_refresh_tokens.json"} {
		if got := jsonText(t, response(t, h, name)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

// The machine-to-machine event has no user and no ID token: static claims and scopes go
// to the access token, and modules that need a user do nothing.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	h := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"tier": "partner", "quota": 1000}, Suppress: []string{"legacy"}})),
		pretoken.Must(pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:tenant_id": "tenant"}})),
		pretoken.Must(pretoken.OverrideGroups(pretoken.GroupsConfig{Groups: []string{"machines"}})),
		pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: &fakeDB{}, Table: "users", KeyAttribute: "pk", Claims: map[string]string{"perms": "perms"}, MissingMessage: "no account"})),
		pretoken.Must(pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"orders-api/admin"}, Suppress: []string{"orders-api/write"}})),
		func(_ context.Context, e *pretoken.Event) error {
			pretoken.SetGroups(e, nil)
			pretoken.SetPreferredRole(e, "arn:aws:iam::123456789012:role/x")
			return pretoken.AddClaim(e, pretoken.IDToken, "id_only", "x")
		},
	)
	want := compact(t, `{"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
		"claimsToAddOrOverride": {"tier": "partner", "quota": 1000},
		"claimsToSuppress": ["legacy"],
		"scopesToAdd": ["orders-api/admin"],
		"scopesToSuppress": ["orders-api/write"]}}}`)
	if got := jsonText(t, response(t, h, "v3_client_credentials.json")); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestOverrideGroups(t *testing.T) {
	t.Parallel()
	role := "arn:aws:iam::123456789012:role/readers"
	none := ""
	tests := []struct {
		name     string
		override pretoken.GroupsConfig
		want     string // the group override, for both versions
	}{
		{"groups only keeps roles", pretoken.GroupsConfig{Groups: []string{"readers"}},
			`{"groupsToOverride":["readers"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins"],"preferredRole":"arn:aws:iam::123456789012:role/admins"}`},
		{"no groups on purpose", pretoken.GroupsConfig{Groups: []string{}},
			`{"groupsToOverride":[],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins"],"preferredRole":"arn:aws:iam::123456789012:role/admins"}`},
		{"roles and preferred role", pretoken.GroupsConfig{IAMRoles: []string{role}, PreferredRole: &role},
			`{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["` + role + `"],"preferredRole":"` + role + `"}`},
		{"remove preferred role", pretoken.GroupsConfig{PreferredRole: &none},
			`{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/admins"],"preferredRole":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := pretoken.Must(pretoken.OverrideGroups(tt.override))
			want := compact(t, tt.want)
			v1 := at(response(t, h, "v1_authentication.json"), "claimsOverrideDetails", "groupOverrideDetails")
			if got := jsonText(t, v1); got != want {
				t.Errorf("v1 group override:\n got %s\nwant %s", got, want)
			}
			v2 := response(t, h, "v2_authentication.json")
			if got := jsonText(t, at(v2, "claimsAndScopeOverrideDetails", "groupOverrideDetails")); got != want {
				t.Errorf("v2 group override:\n got %s\nwant %s", got, want)
			}
			if has(v2, "claimsAndScopeOverrideDetails", "idTokenGeneration") || has(v2, "claimsAndScopeOverrideDetails", "accessTokenGeneration") {
				t.Errorf("v2: a group override allocated token sections: %s", jsonText(t, v2))
			}
		})
	}
}

// Modules that add and remove groups compose: each sees the groups the one before left.
func TestGroupHelpersCompose(t *testing.T) {
	t.Parallel()
	h := pretoken.Chain(
		func(_ context.Context, e *pretoken.Event) error { pretoken.AddGroups(e, "beta", "admins"); return nil },
		func(_ context.Context, e *pretoken.Event) error { pretoken.RemoveGroups(e, "editors"); return nil },
		func(_ context.Context, e *pretoken.Event) error {
			if got := jsonText(t, pretoken.Groups(e)); got != `["admins","beta"]` {
				t.Errorf("Groups = %s, want the groups so far", got)
			}
			return nil
		},
	)
	resp := response(t, h, "v2_authentication.json")
	if got := jsonText(t, at(resp, "claimsAndScopeOverrideDetails", "groupOverrideDetails", "groupsToOverride")); got != `["admins","beta"]` {
		t.Errorf("groups = %s", got)
	}
	e := newEvent(t, "v2_authentication.json")
	if got := jsonText(t, pretoken.Groups(e)); got != `["admins","editors"]` {
		t.Errorf("Groups before any override = %s, want the request's", got)
	}
	pretoken.RemoveGroups(e, "admins", "editors")
	if got := jsonText(t, e.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails.GroupsToOverride); got != `[]` {
		t.Errorf("removing every group = %s, want [] (no groups, on purpose)", got)
	}
}

// Whatever the order of modules, a claim one module suppresses stays out of the token.
func TestSuppressionWinsAcrossModules(t *testing.T) {
	t.Parallel()
	add := pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"email": "other@example.com", "plan": "pro"}}))
	suppress := pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Suppress: []string{"email"}}))
	for _, order := range [][]pretoken.Handler{{add, suppress}, {suppress, add}} {
		resp := response(t, pretoken.Chain(order...), "v2_authentication.json")
		for _, tok := range []string{"idTokenGeneration", "accessTokenGeneration"} {
			got := jsonText(t, at(resp, "claimsAndScopeOverrideDetails", tok))
			if want := `{"claimsToAddOrOverride":{"plan":"pro"},"claimsToSuppress":["email"]}`; got != want {
				t.Errorf("%s = %s, want %s", tok, got, want)
			}
		}
		resp = response(t, pretoken.Chain(order...), "v1_authentication.json")
		if got, want := jsonText(t, resp), `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"plan":"pro"},"claimsToSuppress":["email"]}}`; got != want {
			t.Errorf("v1 = %s, want %s", got, want)
		}
	}
}

// A helper error in a custom module fails the trigger with the generic text: the
// mistake is the operator's, not the user's.
func TestHelperErrorFailsTrigger(t *testing.T) {
	t.Parallel()
	h := func(_ context.Context, e *pretoken.Event) error {
		return pretoken.AddClaim(e, pretoken.IDToken, "sub", "x")
	}
	_, ierr := handle(t, h, "v2_authentication.json")
	if ierr == nil || ierr.Type != "InternalError" {
		t.Fatalf("error = %v, want an internal error", ierr)
	}
}

// The cost of a typical chain per invocation, JSON decoding and encoding included:
//
//	go test -run ^$ -bench PreTokenChain -cpu 1 ./pretoken/
func BenchmarkPreTokenChain(b *testing.B) {
	db := &fakeDB{}
	db.put("5f2c9b1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f", map[string]types.AttributeValue{
		"perms": &types.AttributeValueMemberSS{Value: []string{"orders:read", "orders:write"}},
	})
	h := pretoken.Chain(
		pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro", "seats": 5}, Suppress: []string{"email"}})),
		pretoken.Must(pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: map[string]string{"custom:tenant_id": "tenant"}})),
		pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"perms": "permissions"}})), // cached after the first call
		pretoken.Must(pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"orders-api/read"}})),
	)
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).PreTokenGeneration(h)
	for _, name := range []string{"v1_authentication.json", "v2_authentication.json"} {
		payload := fixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ierr := router.Handle(context.Background(), payload); ierr != nil {
					b.Fatal(ierr.Text())
				}
			}
		})
	}
}
