package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// fakeStore knows users by username, with a plain-text password for the test's sake,
// and records the calls it gets.
type fakeStore struct {
	users map[string]fakeUser
	err   error

	mu    sync.Mutex
	calls []string // "authenticate <username>" or "lookup <username>"
}

type fakeUser struct {
	password string
	user     migrate.User
}

func (s *fakeStore) record(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
}

func (s *fakeStore) Authenticate(_ context.Context, username string, password triggers.Secret) (*migrate.User, error) {
	s.record("authenticate " + username)
	if s.err != nil {
		return nil, s.err
	}
	u, ok := s.users[username]
	switch {
	case !ok:
		return nil, migrate.ErrUnknownUser
	case u.password != password.Reveal():
		return nil, migrate.ErrWrongPassword
	}
	return &u.user, nil
}

func (s *fakeStore) Lookup(_ context.Context, username string) (*migrate.User, error) {
	s.record("lookup " + username)
	if s.err != nil {
		return nil, s.err
	}
	u, ok := s.users[username]
	if !ok {
		return nil, migrate.ErrUnknownUser
	}
	return &u.user, nil
}

const adaPassword = "correct horse battery staple"

func newFakeStore() *fakeStore {
	return &fakeStore{users: map[string]fakeUser{
		"ada@example.com": {password: adaPassword, user: migrate.User{Attributes: triggers.Attributes{
			"email": "ada@example.com", "email_verified": "true", "name": "Ada", "sub": "legacy-id-1",
		}}},
		"weak@example.com": {password: "123456", user: migrate.User{Attributes: triggers.Attributes{
			"email": "weak@example.com", "email_verified": "true",
		}}},
		"flagged@example.com": {password: adaPassword, user: migrate.User{ResetPassword: true, Attributes: triggers.Attributes{
			"email": "flagged@example.com", "email_verified": "true",
		}}},
		"phoneless@example.com": {password: adaPassword, user: migrate.User{Attributes: triggers.Attributes{
			"email": "phoneless@example.com", "email_verified": "false",
		}}},
		"empty@example.com": {password: adaPassword, user: migrate.User{}},
	}}
}

func TestMigrateResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     migrate.Config // Store is set by the test
		payload func(t testing.TB) []byte
		want    string // the response member
	}{
		{"sign-in defaults", migrate.Config{}, func(t testing.TB) []byte { return signIn(t, "ada@example.com", adaPassword) },
			`{"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
		{"forgot password defaults", migrate.Config{}, func(t testing.TB) []byte { return forgotPassword(t, "ada@example.com") },
			`{"messageAction":"SUPPRESS","userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
		{"welcome message and flags",
			migrate.Config{SendWelcomeMessage: true, DeliveryMediums: []string{"EMAIL"}, ForceAliasCreation: true, EnableSMSMFA: true},
			func(t testing.TB) []byte { return signIn(t, "ada@example.com", adaPassword) },
			`{"desiredDeliveryMediums":["EMAIL"],"enableSMSMFA":true,"finalUserStatus":"CONFIRMED","forceAliasCreation":true,` +
				`"userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
		{"reset for everyone", migrate.Config{RequirePasswordReset: true},
			func(t testing.TB) []byte { return signIn(t, "ada@example.com", adaPassword) },
			`{"finalUserStatus":"RESET_REQUIRED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
		{"weak password by policy", migrate.Config{PasswordPolicy: func(p string) bool { return len(p) >= 12 }},
			func(t testing.TB) []byte { return signIn(t, "weak@example.com", "123456") },
			`{"finalUserStatus":"RESET_REQUIRED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"weak@example.com","email_verified":"true"}}`},
		{"strong password by policy", migrate.Config{PasswordPolicy: func(p string) bool { return len(p) >= 12 }},
			func(t testing.TB) []byte { return signIn(t, "ada@example.com", adaPassword) },
			`{"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
		{"reset asked by the store", migrate.Config{}, func(t testing.TB) []byte { return signIn(t, "flagged@example.com", adaPassword) },
			`{"finalUserStatus":"RESET_REQUIRED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"flagged@example.com","email_verified":"true"}}`},
		{"normalized email", migrate.Config{NormalizeEmail: true},
			func(t testing.TB) []byte { return signIn(t, " Ada@Example.COM", adaPassword) },
			`{"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS",` +
				`"userAttributes":{"email":"ada@example.com","email_verified":"true","name":"Ada"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Store = newFakeStore()
			h, err := migrate.Migrate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res := invoke(t, router(h, nil), tt.payload(t))
			if res.err != nil {
				t.Fatalf("%s (%s)", res.err.Text(), res.err.Type)
			}
			if got := jsonText(t, res.response); got != tt.want {
				t.Errorf("response:\n got %s\nwant %s", got, tt.want)
			}
			if p := res.request["password"]; p != "" && p != nil {
				t.Errorf("request.password echoed back to Cognito: %q", p)
			}
		})
	}
}

func TestMigrateCallsTheRightStoreMethod(t *testing.T) {
	t.Parallel()
	store := newFakeStore()
	h, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
	if err != nil {
		t.Fatal(err)
	}
	r := router(h, nil)
	invoke(t, r, signIn(t, "ADA@example.com", adaPassword))
	invoke(t, r, forgotPassword(t, "ada@EXAMPLE.com"))
	invoke(t, r, signIn(t, "Not-An-Email", "x"))
	want := "authenticate ada@example.com,lookup ada@example.com,authenticate Not-An-Email"
	if got := strings.Join(store.calls, ","); got != want {
		t.Errorf("store calls = %s, want %s", got, want)
	}
}

// Nothing in the answer may tell an unknown username from a wrong password.
func TestUnknownUserAndWrongPasswordLookAlike(t *testing.T) {
	t.Parallel()
	for _, message := range []string{"", "Sign-in failed"} {
		h, err := migrate.Migrate(migrate.Config{Store: newFakeStore(), Message: message})
		if err != nil {
			t.Fatal(err)
		}
		r := router(h, nil)
		wrong := invoke(t, r, signIn(t, "ada@example.com", "wrong password"))
		unknown := invoke(t, r, signIn(t, "nobody@example.com", "wrong password"))
		unknownReset := invoke(t, r, forgotPassword(t, "nobody@example.com"))
		if wrong.err == nil || unknown.err == nil || unknownReset.err == nil {
			t.Fatalf("errors = %v, %v, %v; want three rejections", wrong.err, unknown.err, unknownReset.err)
		}
		wantMessage := migrate.DefaultMessage
		if message != "" {
			wantMessage = message
		}
		for _, res := range []result{wrong, unknown, unknownReset} {
			if *res.err != *wrong.err {
				t.Errorf("error %+v differs from the wrong password's %+v", *res.err, *wrong.err)
			}
			if res.err.Type != triggers.ErrorTypeRejected || res.err.Message != wantMessage {
				t.Errorf("error = %+v, want a rejection with %q", *res.err, wantMessage)
			}
		}
	}
}

func TestStoreFailureIsGeneric(t *testing.T) {
	t.Parallel()
	store := newFakeStore()
	store.err = errors.New("legacy database: connection refused to 10.0.0.7")
	h, err := migrate.Migrate(migrate.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	res := invoke(t, router(h, nil), signIn(t, "ada@example.com", adaPassword))
	if res.err == nil || res.err.Type != triggers.ErrorTypeInternal || strings.Contains(res.err.Message, "10.0.0.7") {
		t.Errorf("error = %+v, want the generic internal error", res.err)
	}
}

func TestStoreWithoutAttributesFails(t *testing.T) {
	t.Parallel()
	h, err := migrate.Migrate(migrate.Config{Store: newFakeStore()})
	if err != nil {
		t.Fatal(err)
	}
	res := invoke(t, router(h, nil), signIn(t, "empty@example.com", adaPassword))
	if res.err == nil || res.err.Type != triggers.ErrorTypeInternal {
		t.Errorf("error = %+v, want an internal error: Cognito refuses a user without attributes", res.err)
	}
}

func TestForgotPasswordWithoutVerifiedContactWarns(t *testing.T) {
	t.Parallel()
	h, err := migrate.Migrate(migrate.Config{Store: newFakeStore()})
	if err != nil {
		t.Fatal(err)
	}
	var logs triggertest.Logs
	res := invoke(t, router(h, &logs), forgotPassword(t, "phoneless@example.com"))
	if res.err != nil {
		t.Fatal(res.err.Text())
	}
	if !strings.Contains(logs.String(), "no verified email or phone number") {
		t.Errorf("no warning about the undeliverable reset code in:\n%s", logs.String())
	}
}

func TestMigrateBadConfiguration(t *testing.T) {
	t.Parallel()
	store := newFakeStore()
	tests := map[string]migrate.Config{
		"nil store":                 {},
		"blank message":             {Store: store, Message: " "},
		"bad medium":                {Store: store, SendWelcomeMessage: true, DeliveryMediums: []string{"PIGEON"}},
		"lower-case sms":            {Store: store, SendWelcomeMessage: true, DeliveryMediums: []string{"sms"}},
		"mediums without a welcome": {Store: store, DeliveryMediums: []string{"EMAIL"}},
	}
	for name, cfg := range tests {
		if h, err := migrate.Migrate(cfg); err == nil || h != nil || !strings.HasPrefix(err.Error(), "migrate.Migrate: ") {
			t.Errorf("%s: handler %v, error %v; want only an error from migrate", name, h != nil, err)
		}
	}
}
