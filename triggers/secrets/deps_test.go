package secrets_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyImportersLinkTheClients checks with the go command which packages link the
// SSM and Secrets Manager clients: not this package, not the modules (which take a
// triggers.SecretSource), not a function that reads no secret, and not the SSM client in
// examples/allinone, which reads Secrets Manager references only.
func TestOnlyImportersLinkTheClients(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	const (
		mod = "github.com/lambda-triggers/cognito/"
		ssm = "github.com/aws/aws-sdk-go-v2/service/ssm"
		sm  = "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	)
	tests := []struct {
		pkg       string
		linked    []string
		notLinked []string
	}{
		{mod + "triggers/secrets", nil, []string{ssm, sm}},
		{mod + "customauth", nil, []string{ssm, sm, mod + "triggers/secrets"}},
		{mod + "postconfirm", nil, []string{ssm, sm, mod + "triggers/secrets"}},
		{mod + "migrate", nil, []string{ssm, sm, mod + "triggers/secrets"}},
		{mod + "examples/domainfilter", nil, []string{ssm, sm, mod + "triggers/secrets"}},
		{mod + "examples/allinone", []string{sm}, []string{ssm}},
		{mod + "examples/customauth", []string{ssm, sm}, nil},
		{mod + "triggers/secrets/parameterstore", []string{ssm}, []string{sm}},
		{mod + "triggers/secrets/secretsmanager", []string{sm}, []string{ssm}},
	}
	for _, tt := range tests {
		out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", tt.pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for _, d := range tt.linked {
			if !deps[d] {
				t.Errorf("%s does not link %s", tt.pkg, d)
			}
		}
		for _, d := range tt.notLinked {
			if deps[d] {
				t.Errorf("%s links %s", tt.pkg, d)
			}
		}
	}
}
