package custommessage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the custom message event every module here receives.
type Event = triggers.CustomMessageEvent

// Handler is a custom message module, or a chain of them.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order, each seeing the messages the ones
// before it wrote, and stops at the first error. Nil modules are skipped. See
// [triggers.Chain].
func Chain(mods ...Handler) Handler { return triggers.Chain(mods...) }

// Limits Cognito puts on the messages a custom message trigger returns, counted in
// characters (not bytes) of the text as returned, placeholders included. Cognito counts
// after it has put the code and user name in, so a message that uses the user name
// placeholder needs a margin for long user names.
const (
	MaxEmailMessage = 20000
	MaxEmailSubject = 140
	MaxSMSMessage   = 140
)

// Errors a rendered message is checked against before it is returned to Cognito, which
// would otherwise fail the user's request with InvalidLambdaResponseException. A
// [*MessageError] wraps one of them; match with errors.Is.
var (
	// ErrMissingPlaceholder: the message lacks the code placeholder (a sign-up or
	// resend-code email may have the link placeholder instead, for pools that verify
	// by link), or an AdminCreateUser message lacks the user name placeholder.
	ErrMissingPlaceholder = errors.New("missing placeholder")
	// ErrTooLong: the message is longer than [MaxEmailMessage], [MaxEmailSubject] or
	// [MaxSMSMessage].
	ErrTooLong = errors.New("too long")
)

// Response field names, as [MessageError.Field] reports them.
const (
	FieldEmailMessage = "emailMessage"
	FieldEmailSubject = "emailSubject"
	FieldSMSMessage   = "smsMessage"
)

// MessageError reports a message that could not be rendered or that Cognito would
// reject. It is for operators: it names the trigger source, the locale of the template
// and the response field, and never contains user data beyond placeholders.
type MessageError struct {
	Source triggers.TriggerSource
	Locale string // the catalog locale the template came from; "" for the default
	Field  string // FieldEmailMessage, FieldEmailSubject or FieldSMSMessage
	Err    error
}

func (m *MessageError) Error() string {
	loc := m.Locale
	if loc == "" {
		loc = "default"
	}
	return fmt.Sprintf("custom message %s (locale %s) %s: %v", m.Source, loc, m.Field, m.Err)
}

// Unwrap returns the cause: [ErrMissingPlaceholder], [ErrTooLong] or a template error.
func (m *MessageError) Unwrap() error { return m.Err }

// validate checks a rendered message against what Cognito accepts for e. Empty fields
// are not set and not checked. It returns the first problem found.
func validate(e *Event, locale, subject, email, sms string) error {
	if err := validateEmail(e, locale, subject, email); err != nil {
		return err
	}
	return validateSMS(e, locale, sms)
}

// validateEmail checks the email subject and body.
func validateEmail(e *Event, locale, subject, email string) error {
	req := &e.Request
	fail := func(field string, err error) error {
		return &MessageError{Source: e.TriggerSource, Locale: locale, Field: field, Err: err}
	}
	if email != "" {
		if n := utf8.RuneCountInString(email); n > MaxEmailMessage {
			return fail(FieldEmailMessage, fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, n, MaxEmailMessage))
		}
		linkOK := linkVerifies(e.TriggerSource) && req.LinkParameter != "" && strings.Contains(email, req.LinkParameter)
		if !linkOK && !strings.Contains(email, req.CodeParameter) {
			if linkVerifies(e.TriggerSource) && req.LinkParameter != "" {
				return fail(FieldEmailMessage, fmt.Errorf("%w: neither the code placeholder %q nor the link placeholder %q",
					ErrMissingPlaceholder, req.CodeParameter, req.LinkParameter))
			}
			return fail(FieldEmailMessage, fmt.Errorf("%w: the code placeholder %q", ErrMissingPlaceholder, req.CodeParameter))
		}
		if err := needUsername(e, email); err != nil {
			return fail(FieldEmailMessage, err)
		}
	}
	if n := utf8.RuneCountInString(subject); n > MaxEmailSubject {
		return fail(FieldEmailSubject, fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, n, MaxEmailSubject))
	}
	return nil
}

// validateSMS checks the SMS text.
func validateSMS(e *Event, locale, sms string) error {
	if sms == "" {
		return nil
	}
	fail := func(err error) error {
		return &MessageError{Source: e.TriggerSource, Locale: locale, Field: FieldSMSMessage, Err: err}
	}
	if n := utf8.RuneCountInString(sms); n > MaxSMSMessage {
		return fail(fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, n, MaxSMSMessage))
	}
	if !strings.Contains(sms, e.Request.CodeParameter) {
		return fail(fmt.Errorf("%w: the code placeholder %q", ErrMissingPlaceholder, e.Request.CodeParameter))
	}
	if err := needUsername(e, sms); err != nil {
		return fail(err)
	}
	return nil
}

// linkVerifies reports whether src is a message that a pool verifying by link sends
// with its link: the sign-up confirmation. Cognito sends a linkParameter with every
// custom message event, whatever the pool's verification style, so the placeholder alone
// says nothing; only on these sources may it stand in for the code.
func linkVerifies(src triggers.TriggerSource) bool {
	return src == triggers.CustomMessageSignUp || src == triggers.CustomMessageResendCode
}

// needUsername reports an AdminCreateUser message without the user name placeholder:
// the invited user could not sign in without it.
func needUsername(e *Event, msg string) error {
	p := e.Request.UsernameParameter
	if e.TriggerSource != triggers.CustomMessageAdminCreateUser || p == "" || strings.Contains(msg, p) {
		return nil
	}
	return fmt.Errorf("%w: the user name placeholder %q", ErrMissingPlaceholder, p)
}

// invalid handles a message that failed [validate] or rendering: it fails the trigger
// when fail is set (the modules' FailOnInvalid), and otherwise logs the error and leaves
// the response alone.
func invalid(ctx context.Context, fail bool, module string, err error) error {
	if fail {
		return err
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelError, "invalid custom message not set; Cognito sends its default",
		slog.String("module", module), slog.String("error", err.Error()))
	return nil
}
