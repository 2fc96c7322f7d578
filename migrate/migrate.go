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

// Option configures [Migrate].
type Option func(*config) error

type config struct {
	message        string
	mediums        []string
	sendWelcome    bool
	forceAlias     bool
	smsMFA         bool
	normalizeEmail bool
	resetAll       bool
	policy         func(password string) bool
}

// WithMessage replaces [DefaultMessage], the text an unknown user and a wrong password
// both get.
func WithMessage(message string) Option {
	return func(c *config) error {
		if strings.TrimSpace(message) == "" {
			return errors.New("WithMessage: empty message")
		}
		c.message = message
		return nil
	}
}

// SendWelcomeMessage lets Cognito send its welcome message to migrated users, through
// the given mediums (EMAIL, SMS); by default the message is suppressed, since the users
// already have an account. Cognito's own default medium is SMS.
func SendWelcomeMessage(mediums ...string) Option {
	return func(c *config) error {
		for _, m := range mediums {
			if m != "EMAIL" && m != "SMS" {
				return fmt.Errorf("SendWelcomeMessage: medium %q: want EMAIL or SMS", m)
			}
		}
		c.sendWelcome, c.mediums = true, slices.Clone(mediums)
		return nil
	}
}

// ForceAliasCreation moves an email address or phone number that is already another
// user's alias to the migrated user; without it, such a migration fails.
func ForceAliasCreation() Option {
	return func(c *config) error { c.forceAlias = true; return nil }
}

// EnableSMSMFA turns on SMS multi-factor authentication for migrated users.
func EnableSMSMFA() Option {
	return func(c *config) error { c.smsMFA = true; return nil }
}

// NormalizeEmail lower-cases and trims a username that is an email address before
// looking it up, for stores that keep addresses in lower case while users type them as
// they like.
func NormalizeEmail() Option {
	return func(c *config) error { c.normalizeEmail = true; return nil }
}

// RequirePasswordReset makes every user migrated at sign-in choose a new password at
// once (finalUserStatus RESET_REQUIRED); the app must handle
// PasswordResetRequiredException.
func RequirePasswordReset() Option {
	return func(c *config) error { c.resetAll = true; return nil }
}

// WithPasswordPolicy makes users whose password fails ok choose a new one at their first
// sign-in. Cognito does not apply the pool's password policy to migrated passwords; this
// is where to apply it.
func WithPasswordPolicy(ok func(password string) bool) Option {
	return func(c *config) error {
		if ok == nil {
			return errors.New("WithPasswordPolicy: nil policy")
		}
		c.policy = ok
		return nil
	}
}

// Migrate returns a module that brings users over from store. On
// UserMigration_Authentication it checks the password the user typed against the store;
// on UserMigration_ForgotPassword it looks the user up without one, and Cognito then
// sends the reset code to the user's verified email or phone. Other trigger sources
// are left alone.
//
// The response carries the store's attributes, finalUserStatus CONFIRMED at sign-in
// (RESET_REQUIRED with [RequirePasswordReset], [WithPasswordPolicy] or when the store
// says so; none for the forgot-password flow, where Cognito makes the user reset),
// messageAction SUPPRESS unless [SendWelcomeMessage], and the flags [ForceAliasCreation]
// and [EnableSMSMFA].
//
// An unknown user and a wrong password are the same rejection, with the same text
// ([DefaultMessage] or [WithMessage]); the operator's log tells them apart. Any other
// store failure fails the trigger with the router's generic text. The password never
// reaches a log line or an error, and Migrate clears it from the event once the store
// has checked it, so the response sent back to Cognito does not carry it either.
func Migrate(store Store, opts ...Option) (Handler, error) {
	if store == nil {
		return nil, errors.New("migrate: Migrate: nil store")
	}
	cfg := config{message: DefaultMessage}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("migrate: Migrate: %w", err)
		}
	}
	m := &migrator{store: store, cfg: cfg}
	return triggers.Named("Migrate", m.handle), nil
}

type migrator struct {
	store Store
	cfg   config
}

func (m *migrator) handle(ctx context.Context, e *Event) error {
	signIn := e.TriggerSource == triggers.UserMigrationAuthentication
	if !signIn && e.TriggerSource != triggers.UserMigrationForgotPassword {
		return nil
	}
	username := e.UserName
	if m.cfg.normalizeEmail && strings.Contains(username, "@") {
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
		if m.cfg.policy != nil {
			weak = !m.cfg.policy(password.Reveal())
		}
		user, err = m.store.Authenticate(ctx, username, password)
	} else {
		user, err = m.store.Lookup(ctx, username)
	}
	if err != nil {
		if errors.Is(err, ErrUnknownUser) || errors.Is(err, ErrWrongPassword) {
			return &triggers.Rejected{Message: m.cfg.message, Cause: err}
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
		if m.cfg.resetAll || weak || user.ResetPassword {
			r.FinalUserStatus = "RESET_REQUIRED"
		}
	} else if !hasVerifiedContact(r.UserAttributes) {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn,
			"migrated user has no verified email or phone number; Cognito cannot send the reset code",
			slog.String("userPoolId", e.UserPoolID))
	}
	if m.cfg.sendWelcome {
		r.MessageAction = ""
		r.DesiredDeliveryMediums = slices.Clone(m.cfg.mediums)
	} else {
		r.MessageAction = "SUPPRESS"
	}
	r.ForceAliasCreation = m.cfg.forceAlias
	r.EnableSMSMFA = m.cfg.smsMFA
	return nil
}

func hasVerifiedContact(a triggers.Attributes) bool {
	return a["email"] != "" && a["email_verified"] == "true" ||
		a["phone_number"] != "" && a["phone_number_verified"] == "true"
}
