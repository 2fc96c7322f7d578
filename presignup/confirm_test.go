package presignup_test

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

func TestAutoFlags(t *testing.T) {
	t.Parallel()
	corp := mustPredicate(t)(presignup.EmailDomainIn("corp.test"))
	type flags struct{ confirm, email, phone bool }
	chain := presignup.Chain(
		presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{When: corp})),
		presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{When: corp})),
		presignup.Must(presignup.AutoVerifyPhone(presignup.FlagConfig{})),
	)
	tests := []struct {
		name  string
		src   triggers.TriggerSource
		attrs map[string]string
		want  flags
	}{
		{"matching domain, email only", presignup.SignUp,
			map[string]string{"email": "a@corp.test"}, flags{confirm: true, email: true}},
		{"matching domain, email and phone", presignup.SignUp,
			map[string]string{"email": "a@corp.test", "phone_number": "+15555550100"}, flags{true, true, true}},
		{"other domain, phone", presignup.SignUp,
			map[string]string{"email": "a@other.test", "phone_number": "+15555550100"}, flags{phone: true}},
		{"blank phone is no phone", presignup.SignUp,
			map[string]string{"email": "a@corp.test", "phone_number": "  "}, flags{confirm: true, email: true}},
		{"no attributes", presignup.SignUp, nil, flags{}},
		{"admin create user is not touched", presignup.AdminCreateUser,
			map[string]string{"email": "a@corp.test", "phone_number": "+15555550100"}, flags{}},
		{"external provider is not touched", presignup.ExternalProvider,
			map[string]string{"email": "a@corp.test", "phone_number": "+15555550100"}, flags{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := event(tt.src, tt.attrs)
			if err := chain(t.Context(), e); err != nil {
				t.Fatal(err)
			}
			got := flags{e.Response.AutoConfirmUser, e.Response.AutoVerifyEmail, e.Response.AutoVerifyPhone}
			if got != tt.want {
				t.Errorf("flags = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A predicate that fails does not clear what an earlier module set.
func TestAutoFlagsNeverClear(t *testing.T) {
	t.Parallel()
	never := presignup.Predicate(func(*presignup.Event) bool { return false })
	h := presignup.Chain(presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{When: never})), presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{When: never})))
	e := withEmail("a@example.com")
	e.Response.AutoConfirmUser, e.Response.AutoVerifyEmail = true, true
	if err := h(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if !e.Response.AutoConfirmUser || !e.Response.AutoVerifyEmail {
		t.Errorf("flags cleared: %+v", e.Response)
	}
}

func TestAutoVerifyEmailNeedsEmail(t *testing.T) {
	t.Parallel()
	h := presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{}))
	for _, email := range []string{"", " \t"} {
		e := withEmail(email)
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		if e.Response.AutoVerifyEmail {
			t.Errorf("autoVerifyEmail set for email %q: Cognito would fail the sign-up", email)
		}
	}
}

func TestAutoFlagSources(t *testing.T) {
	t.Parallel()
	h := presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{Sources: triggers.Sources{presignup.ExternalProvider}}))
	fed := event(presignup.ExternalProvider, map[string]string{"email": "a@example.com"})
	self := withEmail("a@example.com")
	for _, e := range []*presignup.Event{fed, self} {
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	if !fed.Response.AutoVerifyEmail || self.Response.AutoVerifyEmail {
		t.Errorf("Sources{ExternalProvider}: federated %v, sign-up %v; want true, false",
			fed.Response.AutoVerifyEmail, self.Response.AutoVerifyEmail)
	}
	_, err := presignup.AutoConfirm(presignup.FlagConfig{Sources: triggers.Sources{"CustomMessage_SignUp"}})
	if err == nil || !strings.Contains(err.Error(), "presignup.AutoConfirm: Sources:") {
		t.Errorf("AutoConfirm with a custom message source = %v, want an error naming the module and field", err)
	}
}
