package triggertest_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

var discard = slog.New(slog.DiscardHandler)

func TestResponseDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sent, got string
		want      string // a substring of the difference; "" when Cognito reads both alike
	}{
		{"identical", `{"response":{"autoConfirmUser":false}}`, `{"response":{"autoConfirmUser":false}}`, ""},
		{"null is missing", `{"response":{"claimsOverrideDetails":null}}`, `{"response":{}}`, ""},
		{"missing response is empty", `{"request":{}}`, `{"response":{}}`, ""},
		{"null response is empty", `{"response":null}`, `{"response":{"smsMessage":null}}`, ""},
		{"false is null", `{"response":{"issueTokens":null,"challengeName":null}}`,
			`{"response":{"issueTokens":false,"failAuthentication":false}}`, ""},
		{"request ignored", `{"request":{"a":1},"response":{}}`, `{"request":{"a":2},"response":{}}`, ""},
		{"empty group override removes groups",
			`{"response":{"claimsAndScopeOverrideDetails":null}}`,
			`{"response":{"claimsAndScopeOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":null,"iamRolesToOverride":null,"preferredRole":null}}}}`,
			"response.claimsAndScopeOverrideDetails: sent nothing, got {"},
		{"empty group list", `{"response":{"claimsOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":["a"]}}}}`,
			`{"response":{"claimsOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":[]}}}}`,
			`response.claimsOverrideDetails.groupOverrideDetails.groupsToOverride: sent ["a"], got []`},
		{"empty custom message", `{"response":{"smsMessage":null,"emailMessage":null}}`,
			`{"response":{"smsMessage":null,"emailMessage":""}}`, `response.emailMessage: sent nothing, got ""`},
		{"empty migration status", `{"response":{"finalUserStatus":null}}`,
			`{"response":{"finalUserStatus":""}}`, `response.finalUserStatus: sent nothing, got ""`},
		{"flag set", `{"response":{"answerCorrect":null}}`, `{"response":{"answerCorrect":true}}`,
			"response.answerCorrect: sent nothing, got true"},
		{"flag cleared", `{"response":{"autoConfirmUser":true}}`, `{"response":{"autoConfirmUser":false}}`,
			"response.autoConfirmUser: sent true, got nothing"},
		{"empty map", `{"response":{"userAttributesToMap":{}}}`, `{"response":{"userAttributesToMap":null}}`,
			"response.userAttributesToMap: sent {}, got nothing"},
		{"bad JSON", `{"response":{}}`, `{"response":`, "returned event: invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := triggertest.ResponseDiff([]byte(tt.sent), []byte(tt.got))
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("ResponseDiff = %q, want %q", got, tt.want)
			}
		})
	}
}
