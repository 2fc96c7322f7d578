package deploy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSecretReferences checks that the template lets the function read exactly the
// secret references it can resolve: for each service whose reader examples/allinone
// links, one statement that allows reading, scoped to the prefix the stack is given and
// present only when that prefix is set, and the secret parameters saying how to name one.
func TestSecretReferences(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../allinone").Output()
	if err != nil {
		t.Fatalf("go list ../allinone: %v", err)
	}
	linked := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		linked[p] = true
	}
	services := []struct {
		reader, action, resource, syntax string
	}{
		{"github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager", "secretsmanager:GetSecretValue",
			"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretNamePrefix}*", "secretsmanager:"},
		{"github.com/lambda-triggers/cognito/triggers/secrets/parameterstore", "ssm:GetParameter",
			"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${SecretParameterPath}*", "ssm:"},
	}

	tmpl, _ := loadTemplate(t)
	roleName, _ := strings.CutSuffix(tmpl.get("Resources", function, "Properties", "Role").str(), ".Arn")
	role := tmpl.get("Resources", roleName)
	var secretParams []string
	params := tmpl.get("Parameters")
	for _, name := range params.Keys {
		if params.get(name, "NoEcho").str() == "true" {
			secretParams = append(secretParams, name)
		}
	}
	if len(secretParams) == 0 {
		t.Fatal("the template has no NoEcho parameter")
	}

	for _, svc := range services {
		var found []*node
		var conditions []string
		for _, policy := range role.get("Properties", "Policies").List {
			for _, s := range policy.get("PolicyDocument", "Statement").List {
				cond := ""
				if s.Tag == "!If" {
					cond, s = s.List[0].str(), s.List[1]
				}
				for _, a := range s.get("Action").List {
					if a.str() == svc.action {
						found = append(found, s)
						conditions = append(conditions, cond)
					}
				}
			}
		}
		if !linked[svc.reader] {
			if len(found) > 0 {
				t.Errorf("the template allows %s, but the function links no reader of those references", svc.action)
			}
			continue
		}
		if len(found) != 1 {
			t.Errorf("the function reads %s references; the template has %d statements allowing %s, want 1", svc.syntax, len(found), svc.action)
			continue
		}
		s := found[0]
		if len(s.get("Action").List) != 1 {
			t.Errorf("statement %s allows more than %s", s.get("Sid").str(), svc.action)
		}
		if r := s.get("Resource"); r == nil || r.Tag != "!Sub" || r.str() != svc.resource {
			t.Errorf("statement %s applies to %v, want !Sub %s", s.get("Sid").str(), r, svc.resource)
		}
		cond := tmpl.get("Conditions", conditions[0])
		if conditions[0] == "" || cond == nil || !strings.Contains(flatten(cond), "SecretNamePrefix") && !strings.Contains(flatten(cond), "SecretParameterPath") {
			t.Errorf("statement %s holds without the stack naming where its secrets are (condition %q)", s.get("Sid").str(), conditions[0])
		}
		for _, name := range secretParams {
			if !strings.Contains(params.get(name, "Description").str(), svc.syntax) {
				t.Errorf("parameter %s does not say that it may name a secret (%sNAME)", name, svc.syntax)
			}
		}
	}
}

// flatten joins every scalar below n.
func flatten(n *node) string {
	var b strings.Builder
	n.walk(func(n *node) {
		if n.kind == 's' {
			b.WriteString(n.Scalar)
			b.WriteByte(' ')
		}
	})
	return b.String()
}
