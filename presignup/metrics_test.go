package presignup_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestModulesHaveMetricNames checks that the package's modules come with their names:
// the router's metrics count a rejection under the module that rejected.
func TestModulesHaveMetricNames(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"tempmail.test"}}))
	confirm := presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{}))
	r := triggers.NewRouter(triggers.RouterConfig{Logger: (&triggertest.Logs{}).Logger(), Metrics: &triggers.MetricsConfig{Output: &out}}).
		PreSignUp(presignup.Chain(deny, confirm))
	triggertest.InvokeEvent(t, r, triggertest.PreSignUp(triggers.PreSignUpSignUp,
		triggertest.WithAttribute("email", "a@tempmail.test"))).RequireRejected(t, "tempmail.test")
	modules := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if name, ok := m["Module"].(string); ok {
			modules[name] = m["Rejections"].(float64)
		}
	}
	if len(modules) != 1 || modules["DenyDomains"] != 1 {
		t.Errorf("module lines %v, want DenyDomains with one rejection and no line for AutoConfirm, which did not run", modules)
	}
}
