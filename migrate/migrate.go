package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the user migration event.
type Event = triggers.UserMigrationEvent

// Handler is a user migration module or chain of modules.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order, each seeing the response the ones
// before it wrote, and stops at the first error. Nil modules are skipped.
func Chain(mods ...Handler) Handler { return triggers.Chain(mods...) }

// A [Store] reports a user it does not know with an error wrapping ErrUnknownUser, and a
// password that does not match with one wrapping ErrWrongPassword. [Migrate] turns both
// into the same rejection, so that nobody can tell from the answer whether a username
// exists.
var (
	ErrUnknownUser   = errors.New("unknown user")
	ErrWrongPassword = errors.New("wrong password")
)

// DefaultMessage is what the end user sees when the legacy store does not know the
// username or the password is wrong: the same text in both cases, the one Cognito uses
// for a failed sign-in.
const DefaultMessage = "Incorrect username or password"

// User is a user found in a legacy store.
type User struct {
	// Attributes become the Cognito user's attributes: standard ones such as email,
	// email_verified and phone_number, and custom ones with the custom: prefix. Cognito
	// requires at least one. sub is left out, since Cognito assigns it.
	Attributes triggers.Attributes
	// ResetPassword makes the user choose a new password at the first sign-in
	// (finalUserStatus RESET_REQUIRED), for a store that knows the old one is weak.
	ResetPassword bool
}

// Store is a legacy user directory. Implementations must honour ctx and must never put
// the password in an error, a log line or anything they return.
type Store interface {
	// Authenticate returns the user when password is theirs. An unknown username
	// returns an error wrapping [ErrUnknownUser], a wrong password one wrapping
	// [ErrWrongPassword]; both should take about as long as a success.
	Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error)
	// Lookup returns the user without checking a password, for the forgot-password flow.
	// An unknown username returns an error wrapping [ErrUnknownUser].
	Lookup(ctx context.Context, username string) (*User, error)
}

// Config configures [Migrate].
type Config struct {
	// Store is the legacy directory users are brought over from. Required.
	Store Store
	// Message is the text an unknown user and a wrong password both get; "" means
	// [DefaultMessage].
	Message string
	// SendWelcomeMessage lets Cognito send its welcome message to migrated users; by
	// default it is suppressed, since the users already have an account.
	SendWelcomeMessage bool
	// DeliveryMediums are the mediums of the welcome message, "EMAIL" and "SMS"; empty
	// means Cognito's default, SMS. Only with SendWelcomeMessage.
	DeliveryMediums []string
	// ForceAliasCreation moves an email address or phone number that is already another
	// user's alias to the migrated user; by default such a migration fails.
	ForceAliasCreation bool
	// EnableSMSMFA turns on SMS multi-factor authentication for migrated users.
	EnableSMSMFA bool
	// NormalizeEmail lower-cases and trims a username that is an email address before
	// looking it up, for stores that keep addresses in lower case while users type them
	// as they like. By default the username is looked up as typed.
	NormalizeEmail bool
	// RequirePasswordReset makes every user migrated at sign-in choose a new password at
	// once (finalUserStatus RESET_REQUIRED); the app must handle
	// PasswordResetRequiredException.
	RequirePasswordReset bool
	// PasswordPolicy makes users whose password it refuses choose a new one at their
	// first sign-in. Cognito does not apply the pool's password policy to migrated
	// passwords; this is where to apply it. Nil accepts every password.
	PasswordPolicy func(password string) bool
}

// Migrate returns a module that brings users over from cfg.Store. On
// UserMigration_Authentication it checks the password the user typed against the store;
// on UserMigration_ForgotPassword it looks the user up without one, and Cognito then
// sends the reset code to the user's verified email or phone. Other trigger sources
// are left alone.
//
// The response carries the store's attributes, finalUserStatus CONFIRMED at sign-in
// (RESET_REQUIRED with RequirePasswordReset, a PasswordPolicy that refuses the password
// or when the store says so; none for the forgot-password flow, where Cognito makes the
// user reset), messageAction SUPPRESS unless SendWelcomeMessage, and the flags
// ForceAliasCreation and EnableSMSMFA (see [Config]).
//
// An unknown user and a wrong password are the same rejection, with the same text
// (cfg.Message, or [DefaultMessage]); the operator's log tells them apart. Any other
// store failure fails the trigger with the router's generic text. The password never
// reaches a log line or an error, and Migrate clears it from the event once the store
// has checked it, so the response sent back to Cognito does not carry it either.
func Migrate(cfg Config) (Handler, error) {
	fail := func(format string, args ...any) (Handler, error) {
		return nil, fmt.Errorf("migrate.Migrate: "+format, args...)
	}
	switch {
	case cfg.Store == nil:
		return fail("Store is nil")
	case cfg.Message == "":
		cfg.Message = DefaultMessage
	case strings.TrimSpace(cfg.Message) == "":
		return fail("Message is blank")
	}
	if len(cfg.DeliveryMediums) > 0 && !cfg.SendWelcomeMessage {
		return fail("DeliveryMediums without SendWelcomeMessage")
	}
	for _, m := range cfg.DeliveryMediums {
		if m != "EMAIL" && m != "SMS" {
			return fail("DeliveryMediums: %q: want EMAIL or SMS", m)
		}
	}
	cfg.DeliveryMediums = slices.Clone(cfg.DeliveryMediums)
	m := &migrator{store: cfg.Store, cfg: cfg}
	return triggers.Named("Migrate", m.handle), nil
}

type migrator struct {
	store Store
	cfg   Config
}

func (m *migrator) handle(ctx context.Context, e *Event) error {
	signIn := e.TriggerSource == triggers.UserMigrationAuthentication
	if !signIn && e.TriggerSource != triggers.UserMigrationForgotPassword {
		return nil
	}
	username := e.UserName
	if m.cfg.NormalizeEmail && strings.Contains(username, "@") {
		username = strings.ToLower(strings.TrimSpace(username))
	}
	var (
		user       *User
		err        error
		weak, step = false, "look up"
	)
	if signIn {
		step = "authenticate"
		password := e.Request.Password
		// The password leaves the event here, so that the response echoed to Cognito
		// and any later logging of the event cannot carry it.
		e.Request.Password = ""
		if m.cfg.PasswordPolicy != nil {
			weak = !m.cfg.PasswordPolicy(password.Reveal())
		}
		user, err = m.store.Authenticate(ctx, username, password)
	} else {
		user, err = m.store.Lookup(ctx, username)
	}
	if err != nil {
		if errors.Is(err, ErrUnknownUser) || errors.Is(err, ErrWrongPassword) {
			return &triggers.Rejected{Message: m.cfg.Message, Cause: err}
		}
		return fmt.Errorf("migrate: %s user in legacy store: %w", step, err)
	}
	if user == nil || len(user.Attributes) == 0 {
		return fmt.Errorf("migrate: %s user in legacy store: the store returned no attributes; Cognito needs at least one", step)
	}

	r := &e.Response
	if r.UserAttributes == nil {
		r.UserAttributes = make(triggers.Attributes, len(user.Attributes))
	}
	for _, k := range slices.Sorted(maps.Keys(user.Attributes)) {
		if k != "sub" {
			r.UserAttributes[k] = user.Attributes[k]
		}
	}
	if signIn {
		r.FinalUserStatus = "CONFIRMED"
		if m.cfg.RequirePasswordReset || weak || user.ResetPassword {
			r.FinalUserStatus = "RESET_REQUIRED"
		}
	} else if !hasVerifiedContact(r.UserAttributes) {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn,
			"migrated user has no verified email or phone number; Cognito cannot send the reset code",
			slog.String("userPoolId", e.UserPoolID))
	}
	if m.cfg.SendWelcomeMessage {
		r.MessageAction = ""
		r.DesiredDeliveryMediums = slices.Clone(m.cfg.DeliveryMediums)
	} else {
		r.MessageAction = "SUPPRESS"
	}
	r.ForceAliasCreation = m.cfg.ForceAliasCreation
	r.EnableSMSMFA = m.cfg.EnableSMSMFA
	return nil
}

func hasVerifiedContact(a triggers.Attributes) bool {
	return a["email"] != "" && a["email_verified"] == "true" ||
		a["phone_number"] != "" && a["phone_number_verified"] == "true"
}
