package customsender

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/lambda-triggers/cognito/internal/msgtemplate"
	"github.com/lambda-triggers/cognito/triggers"
)

// EmailEvent is the custom email sender event.
type EmailEvent = triggers.CustomEmailSenderEvent

// SMSEvent is the custom SMS sender event.
type SMSEvent = triggers.CustomSMSSenderEvent

// EmailHandler is a custom email sender module, or a chain of them.
type EmailHandler = triggers.Handler[EmailEvent]

// SMSHandler is a custom SMS sender module, or a chain of them.
type SMSHandler = triggers.Handler[SMSEvent]

// ChainEmail runs email modules in order and stops at the first error; nil modules are
// skipped. See [triggers.Chain].
func ChainEmail(mods ...EmailHandler) EmailHandler { return triggers.Chain(mods...) }

// ChainSMS runs SMS modules in order and stops at the first error; nil modules are
// skipped. See [triggers.Chain].
func ChainSMS(mods ...SMSHandler) SMSHandler { return triggers.Chain(mods...) }

// ClientIDNotApplicable is what Cognito puts in callerContext.clientId when no app client
// is involved, as on some admin operations. Messages chosen per app client fall back to
// the default catalog for it.
const ClientIDNotApplicable = "CLIENT_ID_NOT_APPLICABLE"

// EmailSources and SMSSources are the trigger sources the modules act on by default:
// every source Cognito documents for the trigger.
var (
	EmailSources = triggers.Sources{
		triggers.CustomEmailSenderSignUp, triggers.CustomEmailSenderResendCode,
		triggers.CustomEmailSenderForgotPassword, triggers.CustomEmailSenderUpdateUserAttribute,
		triggers.CustomEmailSenderVerifyUserAttribute, triggers.CustomEmailSenderAdminCreateUser,
		triggers.CustomEmailSenderAuthentication, triggers.CustomEmailSenderAccountTakeOverNotification,
	}
	SMSSources = triggers.Sources{
		triggers.CustomSMSSenderSignUp, triggers.CustomSMSSenderResendCode,
		triggers.CustomSMSSenderForgotPassword, triggers.CustomSMSSenderUpdateUserAttribute,
		triggers.CustomSMSSenderVerifyUserAttribute, triggers.CustomSMSSenderAdminCreateUser,
		triggers.CustomSMSSenderAuthentication,
	}
)

// Data is what message templates execute on.
//
// By source: SignUp and ResendCode carry the sign-up confirmation code; ForgotPassword
// the password reset code; UpdateUserAttribute and VerifyUserAttribute the code that
// verifies an email address or phone number; Authentication a sign-in (MFA or email
// OTP) code; AdminCreateUser the temporary password of a user an administrator created
// (Code and TemporaryPassword both hold it, and Username is the name to sign in with);
// CustomEmailSender_AccountTakeOverNotification carries no code: it tells the user
// about a risky sign-in, with what Cognito sends in the user attributes and client
// metadata.
type Data struct {
	// Source is the trigger source, such as CustomEmailSender_ForgotPassword.
	Source triggers.TriggerSource
	// Locale is the catalog locale the message came from, "" for the default.
	Locale string
	// Header is the event's header: .Header.CallerContext.ClientID is the app client,
	// possibly CLIENT_ID_NOT_APPLICABLE.
	Header triggers.Header
	// User holds the user's attributes: {{.User.email}}, {{index .User "custom:plan"}}.
	User triggers.Attributes
	// Metadata is the client metadata of the request that made Cognito send.
	Metadata triggers.Attributes
	// Code is the decrypted code, or for AdminCreateUser the temporary password.
	Code string
	// TemporaryPassword is the decrypted temporary password on AdminCreateUser, else "".
	TemporaryPassword string
	// Username is the user's name in the pool (an internal ID in pools that sign in by
	// email).
	Username string
}

// settings are what every module shares, resolved from its config.
type settings struct {
	localeAttr string
	sources    triggers.Sources
	once       *onceStore
}

// newSettings validates the shared fields of a module's config.
func newSettings(t triggers.Trigger, defaults, sources triggers.Sources, localeAttr string, once sendOnce) (settings, error) {
	src, err := sources.Resolve(t, defaults)
	if err != nil {
		return settings{}, err
	}
	if localeAttr == "" {
		localeAttr = "locale"
	}
	s := settings{localeAttr: localeAttr, sources: src}
	if s.once, err = once.store(); err != nil {
		return settings{}, err
	}
	return s, nil
}

// message is one decrypted message, ready to render and send.
type message struct {
	data      Data
	clientID  string
	replayKey string // "" when the event cannot be told apart from a retry of itself
}

// core is what every module shares: the decrypter, its settings and the step that
// turns an event into [Data].
type core struct {
	name string
	dec  Decrypter
	settings
}

func (c *core) acts(src triggers.TriggerSource) bool { return c.sources.Has(src) }

// open decrypts the event's code and returns the message data. Sources without a code
// (the account takeover notification) have none to decrypt.
func (c *core) open(ctx context.Context, h *triggers.Header, req *triggers.CustomSenderRequest) (*message, error) {
	m := &message{data: Data{
		Source:   h.TriggerSource,
		Header:   *h,
		User:     req.UserAttributes,
		Metadata: req.ClientMetadata,
		Username: h.UserName,
	}, clientID: h.CallerContext.ClientID}
	if h.TriggerSource == triggers.CustomEmailSenderAccountTakeOverNotification {
		return m, nil
	}
	code, err := c.dec.Decrypt(ctx, h.UserPoolID, req.Code)
	if err != nil {
		return nil, err
	}
	m.data.Code = code.Reveal()
	if h.TriggerSource == triggers.CustomEmailSenderAdminCreateUser || h.TriggerSource == triggers.CustomSMSSenderAdminCreateUser {
		m.data.TemporaryPassword = m.data.Code
	}
	m.replayKey = replayKey(h, req.Code)
	return m, nil
}

// deliver sends m with send, at most once per code when a marker table is configured.
func (c *core) deliver(ctx context.Context, m *message, send func(context.Context) error) error {
	if c.once == nil || m.replayKey == "" {
		return send(ctx)
	}
	claimed, err := c.once.claim(ctx, m.replayKey)
	if err != nil {
		return err
	}
	if !claimed {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "custom sender message already sent; not sent again",
			slog.String("module", c.name), slog.String("triggerSource", string(m.data.Source)))
		return nil
	}
	if err := send(ctx); err != nil {
		// Let Cognito's retry send it: a marker left behind would drop the message.
		if rerr := c.once.release(ctx, m.replayKey); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

// catalogs is the default catalog and the per-client ones of a module.
type catalogs[M any] struct {
	def     *msgtemplate.Set[M]
	clients map[string]*msgtemplate.Set[M]
}

// lookup chooses the message: the app client's catalog when it has one for the source,
// else the default catalog. An event without an app client (CLIENT_ID_NOT_APPLICABLE or
// none) uses the default catalog.
func (c *catalogs[M]) lookup(clientID, locale string, src triggers.TriggerSource) (M, string, bool) {
	if set, ok := c.clients[clientID]; ok && clientID != ClientIDNotApplicable {
		if m, loc, ok := set.Lookup(locale, src); ok {
			return m, loc, true
		}
	}
	return c.def.Lookup(locale, src)
}

// Sample values the templates run on at construction, to find templates that fail to
// execute or, for SMS, cannot fit one message. Codes are at most 8 digits; temporary
// passwords follow the pool's policy, and this length covers the default one.
const (
	sampleCode              = "12345678"
	sampleTemporaryPassword = "Aa1!Aa1!Aa1!"
	sampleUsername          = "5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"
)

func sampleData(src triggers.TriggerSource, locale string) Data {
	d := Data{Source: src, Locale: locale, Username: sampleUsername, Code: sampleCode,
		Header: triggers.Header{TriggerSource: src, UserName: sampleUsername,
			CallerContext: triggers.CallerContext{ClientID: "sample-client"}}}
	switch src {
	case triggers.CustomEmailSenderAdminCreateUser, triggers.CustomSMSSenderAdminCreateUser:
		d.Code, d.TemporaryPassword = sampleTemporaryPassword, sampleTemporaryPassword
	case triggers.CustomEmailSenderAccountTakeOverNotification:
		d.Code = ""
	}
	return d
}

// SendError reports a message that could not be rendered or sent. It names the module,
// the source and the locale, never the code or the recipient.
type SendError struct {
	Module string
	Source triggers.TriggerSource
	Locale string
	Err    error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("%s %s (locale %s): %v", e.Module, e.Source, msgtemplate.LocaleName(e.Locale), e.Err)
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// ErrNoMessage: no catalog has a message for the event's source, so nothing can be sent.
var ErrNoMessage = errors.New("no message for this trigger source")

// ErrNoRecipient: the user has no email address (email modules) or phone number (SMS
// modules) to send to.
var ErrNoRecipient = errors.New("no recipient")
