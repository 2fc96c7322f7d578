package pretoken_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestClaimsFromClientMetadata(t *testing.T) {
	t.Parallel()
	h, err := pretoken.ClaimsFromClientMetadata(pretoken.ClientMetadataConfig{Keys: []string{"stepUpTransaction", "tenant", "tenant"}, MaxLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	logs := &triggertest.Logs{}
	r := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).PreTokenGeneration(h)
	tests := []struct {
		name    string
		version string
		src     triggers.TriggerSource
		want    map[string]string // claim -> value in the ID token; "" absent
		access  bool              // whether the access token gets them too
	}{
		{"version 1", "1", triggers.TokenGenerationAuthentication,
			map[string]string{"stepUpTransaction": "tx-42", "tenant": "", "role": "", "long": ""}, false},
		{"version 2", "2", triggers.TokenGenerationAuthentication,
			map[string]string{"stepUpTransaction": "tx-42", "tenant": "", "role": "", "long": ""}, true},
		{"refresh", "3", triggers.TokenGenerationRefreshTokens,
			map[string]string{"stepUpTransaction": "tx-42", "tenant": "", "role": "", "long": ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := triggertest.Payload(tt.src, triggertest.WithVersion(tt.version),
				triggertest.WithClientMetadata("stepUpTransaction", "tx-42"),
				triggertest.WithClientMetadata("tenant", strings.Repeat("t", 17)), // one byte too long
				triggertest.WithClientMetadata("role", "admin"))                   // not on the list
			out, ierr := r.Handle(t.Context(), payload)
			if ierr != nil {
				t.Fatal(ierr)
			}
			var e triggers.PreTokenGenerationEvent
			if err := json.Unmarshal(out, &e); err != nil {
				t.Fatal(err)
			}
			id, access := map[string]string{}, map[string]string{}
			if d := e.Response.ClaimsOverrideDetails; d != nil {
				id = d.ClaimsToAddOrOverride
			}
			if d := e.Response.ClaimsAndScopeOverrideDetails; d != nil {
				for k, v := range d.IDTokenGeneration.ClaimsToAddOrOverride {
					id[k] = fmt.Sprint(v)
				}
				for k, v := range accessClaims(&e) {
					access[k] = fmt.Sprint(v)
				}
			}
			for claim, want := range tt.want {
				if got := id[claim]; got != want {
					t.Errorf("ID token claim %s = %q, want %q", claim, got, want)
				}
				if got := access[claim]; tt.access && got != want {
					t.Errorf("access token claim %s = %q, want %q", claim, got, want)
				}
			}
		})
	}
	if logs := logs.String(); strings.Contains(logs, "tttt") || !strings.Contains(logs, "tenant") {
		t.Errorf("the too long value is not logged by key alone:\n%s", logs)
	}
}

func TestClaimsFromClientMetadataErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		keys   []string
		maxLen int
		tokens pretoken.Token
		want   string
	}{
		{"no keys", nil, 10, 0, "pretoken.ClaimsFromClientMetadata: Keys is empty"},
		{"zero length", []string{"tx"}, 0, 0, "pretoken.ClaimsFromClientMetadata: MaxLen is 0, want at least 1"},
		{"reserved", []string{"tx", "sub"}, 10, 0, `"sub"`},
		{"cognito claim", []string{"cognito:username"}, 10, 0, "reserves"},
		{"group claim", []string{"cognito:groups"}, 10, 0, "group override"},
		{"empty key", []string{""}, 10, 0, "empty"},
		{"access token scope", []string{"scope"}, 10, pretoken.AccessToken, "scopes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pretoken.ClaimsFromClientMetadata(pretoken.ClientMetadataConfig{Keys: tt.keys, MaxLen: tt.maxLen, Tokens: tt.tokens})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			if tt.maxLen > 0 && len(tt.keys) > 0 && !errors.Is(err, pretoken.ErrInvalidClaim) {
				t.Errorf("error %v does not wrap ErrInvalidClaim", err)
			}
		})
	}
}
