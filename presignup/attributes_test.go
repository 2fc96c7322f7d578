package presignup_test

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

func TestRequireAttributes(t *testing.T) {
	t.Parallel()
	h := presignup.Must(presignup.RequireAttributes(presignup.AttributesConfig{Rules: []presignup.AttributeRule{
		{Name: "given_name", Required: true},
		{Name: "custom:employee_id", Required: true, Pattern: `^EMP\d{6}$`},
		{Name: "custom:team", Pattern: `[a-z]+`, Message: "Team names are lower-case letters"},
	}}))
	tests := []struct {
		name  string
		attrs map[string]string
		want  string
	}{
		{"all good", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP123456", "custom:team": "core"}, ""},
		{"optional absent", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP123456"}, ""},
		{"optional blank counts as absent", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP123456", "custom:team": " "}, ""},
		{"required missing", map[string]string{"custom:employee_id": "EMP123456"}, "Missing required attribute: given_name"},
		{"required blank", map[string]string{"given_name": "  ", "custom:employee_id": "EMP123456"}, "Missing required attribute: given_name"},
		{"no attributes: first rule wins", nil, "Missing required attribute: given_name"},
		{"pattern too short", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP12345"}, "Invalid value for attribute: custom:employee_id"},
		{"pattern too long", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP1234567"}, "Invalid value for attribute: custom:employee_id"},
		{"pattern with prefix", map[string]string{"given_name": "Ada", "custom:employee_id": "xEMP123456"}, "Invalid value for attribute: custom:employee_id"},
		{"pattern with newline", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP123456\n"}, "Invalid value for attribute: custom:employee_id"},
		{"unanchored pattern matches whole value", map[string]string{"given_name": "Ada", "custom:employee_id": "EMP123456", "custom:team": "core9"}, "Team names are lower-case letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcome(h(t.Context(), event(presignup.SignUp, tt.attrs))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequireAttributesSources(t *testing.T) {
	t.Parallel()
	rules := []presignup.AttributeRule{{Name: "given_name", Required: true}}
	def := presignup.Must(presignup.RequireAttributes(presignup.AttributesConfig{Rules: rules}))
	admin := presignup.Must(presignup.RequireAttributes(presignup.AttributesConfig{Rules: rules, Sources: triggers.Sources{presignup.AdminCreateUser}}))
	if err := def(t.Context(), event(presignup.AdminCreateUser, nil)); err != nil {
		t.Errorf("default sources on AdminCreateUser = %v, want no-op", err)
	}
	if err := def(t.Context(), event(presignup.ExternalProvider, nil)); err != nil {
		t.Errorf("default sources on ExternalProvider = %v, want no-op", err)
	}
	if got := outcome(admin(t.Context(), event(presignup.AdminCreateUser, nil))); got != "Missing required attribute: given_name" {
		t.Errorf("Sources{AdminCreateUser} on AdminCreateUser = %q", got)
	}
	if err := admin(t.Context(), event(presignup.SignUp, nil)); err != nil {
		t.Errorf("Sources{AdminCreateUser} on SignUp = %v, want no-op", err)
	}
}

func TestRequireAttributesConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rules []presignup.AttributeRule
		want  string
	}{
		{"no rules", nil, "presignup.RequireAttributes: Rules is empty"},
		{"no name", []presignup.AttributeRule{{Required: true}}, "Rules[0] has no attribute name"},
		{"bad regexp", []presignup.AttributeRule{{Name: "custom:id", Pattern: `EMP(\d{6}`}}, `pattern for "custom:id"`},
		{"pattern escaping its anchors", []presignup.AttributeRule{{Name: "custom:id", Pattern: `a)|(b`}}, `pattern for "custom:id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := presignup.RequireAttributes(presignup.AttributesConfig{Rules: tt.rules})
			if err == nil || h != nil {
				t.Fatalf("got (%v, %v), want an error", h != nil, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
