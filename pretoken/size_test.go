package pretoken_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// Claims travel in HTTP headers: a chain that adds more than the limit is reported at
// error level by claim name, and either refuses the sign-in or drops the additions.
func TestClaimsSizeGuard(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("p", pretoken.DefaultClaimsLimit) // past the limit once encoded
	small := pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"plan": "pro"}}))
	huge := pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"permissions": big}, Suppress: []string{"email"}}))
	tests := []struct {
		name     string
		chain    pretoken.Handler
		version  string
		refused  bool
		dropped  bool // the response carries no added claims, the suppression stays
		errorLog bool
	}{
		{"small claims pass", pretoken.Chain(small), "2", false, false, false},
		{"v2 refused by default", pretoken.Chain(small, huge), "2", true, false, true},
		{"v1 refused by default", pretoken.Chain(huge), "1", true, false, true},
		{"v2 additions dropped", pretoken.ClaimsLimit{DropAdditions: true}.Chain(small, huge), "2", false, true, true},
		{"v1 additions dropped", pretoken.ClaimsLimit{DropAdditions: true}.Chain(huge), "1", false, true, true},
		{"a higher limit", pretoken.ClaimsLimit{Bytes: 3 * pretoken.DefaultClaimsLimit}.Chain(huge), "2", false, false, false},
		{"guard off", pretoken.ClaimsLimit{Bytes: -1}.Chain(huge), "2", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs triggertest.Logs
			router := triggers.NewRouter(triggers.RouterConfig{Logger: logs.Logger()}).PreTokenGeneration(tt.chain)
			res := triggertest.Invoke(t, router, triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, tt.version))
			if tt.refused {
				res.RequireInternalError(t)
			} else {
				e := triggertest.EventAs[triggers.PreTokenGenerationEvent](res.RequireOK(t))
				var added map[string]any
				var suppressed []string
				if d := e.Response.ClaimsOverrideDetails; d != nil {
					for k, v := range d.ClaimsToAddOrOverride {
						if added == nil {
							added = map[string]any{}
						}
						added[k] = v
					}
					suppressed = d.ClaimsToSuppress
				}
				if d := e.Response.ClaimsAndScopeOverrideDetails; d != nil && d.IDTokenGeneration != nil {
					added = d.IDTokenGeneration.ClaimsToAddOrOverride
					suppressed = d.IDTokenGeneration.ClaimsToSuppress
				}
				if tt.dropped && (len(added) != 0 || len(suppressed) != 1) {
					t.Errorf("added %v, suppressed %v; want no additions and the suppression kept", added, suppressed)
				}
				if !tt.dropped && len(added) == 0 {
					t.Errorf("claims dropped under the limit")
				}
			}
			var found bool
			for _, line := range logs.Lines(t) {
				text := strings.Join([]string{line["msg"].(string), stringOf(line["error"]), stringOf(line["claims"])}, " ")
				if line["level"] == "ERROR" && strings.Contains(text, "permissions") {
					found = true
				}
				if strings.Contains(logs.String(), big) {
					t.Errorf("a claim value reached the log")
				}
			}
			if found != tt.errorLog {
				t.Errorf("error-level line naming the claim: %v, want %v\n%s", found, tt.errorLog, logs.String())
			}
		})
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func TestClaimsSizeErrorIsTyped(t *testing.T) {
	t.Parallel()
	e := newEvent(t, "v2_authentication.json")
	err := pretoken.Chain(func(_ context.Context, e *pretoken.Event) error {
		return pretoken.AddClaim(e, pretoken.BothTokens, "blob", strings.Repeat("b", 2*pretoken.DefaultClaimsLimit))
	})(context.Background(), e)
	if !errors.Is(err, pretoken.ErrClaimsTooLarge) || !strings.Contains(err.Error(), `"blob"`) {
		t.Errorf("err = %v, want ErrClaimsTooLarge naming the claim", err)
	}
}
