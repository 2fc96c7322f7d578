package presignup_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func newRouter(h presignup.Handler) (*triggers.Router, *triggertest.Logs) {
	var logs triggertest.Logs
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return triggers.NewRouter(triggers.RouterConfig{Logger: logger}).PreSignUp(h), &logs
}

func TestThroughRouter(t *testing.T) {
	t.Parallel()
	invitations := newFakeInvitations()
	router, logs := newRouter(presignup.Chain(
		presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"tempmail.test"}})),
		presignup.Must(presignup.RequireAttributes(presignup.AttributesConfig{Rules: []presignup.AttributeRule{{Name: "name", Required: true}}})),
		presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: invitations, Table: "invitations", Sources: triggers.Sources{presignup.ExternalProvider}})),
		presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{})),
		presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{})),
	))

	tests := []struct {
		fixture  string
		wantType string
		wantText string
	}{
		{"signup_denied.json", triggers.ErrorTypeRejected, "PreSignUp failed with error Invalid email domain: Tempmail.Test."},
		{"external_provider.json", triggers.ErrorTypeRejected, "PreSignUp failed with error Invalid email domain: tempmail.test."},
	}
	for _, tt := range tests {
		out, ierr := router.Handle(t.Context(), fixture(t, tt.fixture))
		if ierr == nil {
			t.Errorf("%s: got response %s, want a rejection", tt.fixture, out)
			continue
		}
		if ierr.Type != tt.wantType || ierr.Text() != tt.wantText {
			t.Errorf("%s: got %s %q, want %s %q", tt.fixture, ierr.Type, ierr.Text(), tt.wantType, tt.wantText)
		}
	}

	out, ierr := router.Handle(t.Context(), fixture(t, "signup_allowed.json"))
	if ierr != nil {
		t.Fatalf("allowed sign-up: %v", ierr.Text())
	}
	var resp struct {
		Response map[string]bool `json:"response"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	want := map[string]bool{"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}
	for k, v := range want {
		if got, ok := resp.Response[k]; !ok || got != v {
			t.Errorf("response.%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if strings.Contains(logs.String(), "never-log-this-code") {
		t.Errorf("logs show the invitation code: %s", logs)
	}
}

func TestThroughRouterInternalError(t *testing.T) {
	t.Parallel()
	invitations := newFakeInvitations()
	invitations.err = errBoom
	router, logs := newRouter(presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: invitations, Table: "invitations"})))
	_, ierr := router.Handle(t.Context(), fixture(t, "signup_allowed.json"))
	if ierr == nil {
		t.Fatal("got success, want an error")
	}
	if ierr.Type != triggers.ErrorTypeInternal || ierr.Message != triggers.DefaultErrorMessage {
		t.Errorf("got %s %q, want the generic internal error", ierr.Type, ierr.Message)
	}
	if !strings.Contains(logs.String(), errBoom.Error()) {
		t.Errorf("the operator's log lacks the cause: %s", logs)
	}
	if strings.Contains(logs.String(), "never-log-this-code") {
		t.Errorf("logs show the invitation code: %s", logs)
	}
}

func TestThroughRouterInvitationRejection(t *testing.T) {
	t.Parallel()
	router, _ := newRouter(presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: newFakeInvitations(), Table: "invitations"})))
	_, ierr := router.Handle(t.Context(), fixture(t, "signup_allowed.json"))
	if ierr == nil || ierr.Type != triggers.ErrorTypeRejected ||
		ierr.Text() != "PreSignUp failed with error "+presignup.DefaultInvitationMessages.NotFound+"." {
		t.Errorf("unknown code through the router = %+v, want the not-found rejection", ierr)
	}
}
