package main

import (
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	signUp := triggertest.Payload(triggers.PreSignUpSignUp) // ana.silva@example.com
	tests := []struct {
		name    string
		env     []string
		event   []byte
		wantErr string // on stderr, with exit 1
	}{
		{"denied", []string{"DOMAINDENYLIST=tempmail.test, example.com"}, signUp,
			"PreSignUp failed with error Invalid email domain: example.com."},
		{"not on the allow list", []string{"DOMAINALLOWLIST=corp.example"}, signUp,
			"PreSignUp failed with error Invalid email domain: example.com."},
		{"denied subdomain", []string{"DOMAINDENYLIST=*.example.com"},
			triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "jo@mail.example.com")),
			"PreSignUp failed with error Invalid email domain: mail.example.com."},
		{"allowed", []string{"DOMAINALLOWLIST=example.com"}, signUp, ""},
		{"not denied", []string{"DOMAINDENYLIST=tempmail.test"}, signUp, ""},
		{"administrator passes", []string{"DOMAINDENYLIST=example.com"}, triggertest.Payload(triggers.PreSignUpAdminCreateUser), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := exampletest.RunEvent(t, tt.env, tt.event)
			if tt.wantErr != "" {
				res.RequireFailure(t, tt.wantErr)
				return
			}
			res.RequireNoOp(t, tt.event)
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "domainfilter: presignup.DomainsFromEnv: ", triggertest.Payload(triggers.PreSignUpSignUp), []exampletest.StartupError{
		{Name: "nothing configured", Want: "neither DOMAINALLOWLIST nor DOMAINDENYLIST is set"},
		{Name: "bad domain", Env: []string{"DOMAINDENYLIST=not a domain"}, Want: "DOMAINDENYLIST: invalid domain"},
		{Name: "bad allowed domain", Env: []string{"DOMAINALLOWLIST=exa mple.com"}, Want: "DOMAINALLOWLIST: invalid domain"},
	})
}

func TestMain(m *testing.M) { exampletest.Main(m, main) }
