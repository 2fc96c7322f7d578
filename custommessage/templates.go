package custommessage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	htemplate "html/template"
	"maps"
	"strings"
	ttemplate "text/template"

	"github.com/lambda-triggers/cognito/internal/msgtemplate"
	"github.com/lambda-triggers/cognito/triggers"
)

// Message is one message as Go templates: the email subject (text/template), the email
// body (html/template, so user data is HTML-escaped) and the SMS (text/template). A
// field left empty is not set in the response, so Cognito keeps its own text for it: a
// Message with only SMS leaves the email alone. Templates execute on a [Data].
type Message struct {
	Subject string
	Email   string
	SMS     string
}

// Messages maps the trigger sources of one language to their message, such as
// triggers.CustomMessageSignUp to the sign-up verification email. Sources without an
// entry fall back to a less specific locale (see [Catalog]).
type Messages map[triggers.TriggerSource]Message

// Catalog maps a locale to its messages. Keys are language tags such as "de" or "de-AT"
// (case and "_" or "-" do not matter); "" is the default for users whose locale has no
// messages. A user's locale is looked up from most to least specific: "de-AT", then
// "de", then "", and the first locale with a message for the event's trigger source
// wins, as a whole.
type Catalog map[string]Messages

// Data is what the templates of [Templates] execute on.
type Data struct {
	// Source is the trigger source, such as CustomMessage_ForgotPassword.
	Source triggers.TriggerSource
	// Locale is the catalog locale the message was taken from, "" for the default:
	// "de" for a user whose locale is de-AT when the catalog has no "de-at".
	Locale string
	// Header is the event's header: .Header.UserName is the user's name in the pool
	// (an internal ID in pools that sign in by email), .Header.CallerContext.ClientID
	// the app client.
	Header triggers.Header
	// User holds the user's attributes: {{.User.email}}, {{index .User "custom:plan"}}.
	// A missing attribute renders as "".
	User triggers.Attributes
	// Metadata is the client metadata the app passed with the request.
	Metadata triggers.Attributes
	// Code is Cognito's code placeholder, such as "{####}": where the code (or, for
	// AdminCreateUser, the temporary password) goes. Every email body and SMS must
	// contain it; a sign-up or resend-code email may contain Link instead.
	Code string
	// Username is Cognito's user name placeholder, such as "{username}", set for
	// CustomMessage_AdminCreateUser, whose messages must contain it.
	Username string
	// Link is Cognito's link placeholder, such as "{##Click Here##}". Cognito sends it
	// with every event, but turns it into its own confirmation link only in sign-up and
	// resend-code emails of a pool that verifies by link (CONFIRM_WITH_LINK); in a pool
	// that verifies by code, use Code or ConfirmURL instead.
	Link string
	// ConfirmURL is the link to a [ConfirmHandler], with the code placeholder in it,
	// when [TemplatesConfig].ConfirmLink is set and the source is CustomMessage_SignUp or
	// CustomMessage_ResendCode; "" otherwise. In an email use it as an attribute
	// value: <a href="{{.ConfirmURL}}">.
	ConfirmURL string
}

// TemplatesConfig configures [Templates].
type TemplatesConfig struct {
	// Catalog holds the messages, by locale and trigger source. Required.
	Catalog Catalog
	// LocaleAttribute names the user attribute the language is picked by; "" means
	// Cognito's standard "locale" attribute. A custom attribute is named like
	// "custom:lang".
	LocaleAttribute string
	// ConfirmLink gives the templates the link to a [ConfirmHandler] as
	// {{.ConfirmURL}}, on CustomMessage_SignUp and CustomMessage_ResendCode. Nil leaves
	// ConfirmURL empty.
	ConfirmLink *ConfirmLink
	// Funcs are functions the templates can call, as template.FuncMap holds them.
	Funcs map[string]any
	// FailOnInvalid fails the trigger with a [*MessageError] when a message cannot be
	// rendered or Cognito would reject it. The router logs the error and the user sees
	// the generic error text, so the request that sent the message (the sign-up, the
	// password reset) fails. By default the module leaves the response fields as they
	// were, so Cognito sends its own default message (or the one an earlier module
	// wrote), and the error is logged at error level: a user can still sign up while an
	// operator fixes the template.
	FailOnInvalid bool
}

// Templates returns a module that writes each message from the catalog's templates, in
// the language of the user's locale attribute (cfg.LocaleAttribute). It acts on the
// CustomMessage sources the catalog has a message for (SignUp, AdminCreateUser,
// ResendCode, ForgotPassword, UpdateUserAttribute, VerifyUserAttribute, Authentication)
// and is a no-op on others.
//
// Placeholders come out exactly as Cognito sent them wherever a template puts them, even
// in an href, where html/template would otherwise percent-encode "{####}" so that
// Cognito could not find it. Every rendered message is checked before it is returned:
// it must contain the placeholders Cognito requires and fit its limits ([MaxEmailMessage],
// [MaxEmailSubject], [MaxSMSMessage]). A message that fails is handled as
// FailOnInvalid says; the email (subject and body) and the SMS are handled apart.
//
// Templates are parsed, and executed once on a sample event with Cognito's standard
// placeholders, here: a syntax error, an unknown trigger source, a message without the
// code placeholder or a static text over the limits is a construction error.
func Templates(cfg TemplatesConfig) (Handler, error) {
	if len(cfg.Catalog) == 0 {
		return nil, errors.New("custommessage.Templates: Catalog is empty")
	}
	t := &templatesModule{localeAttr: cfg.LocaleAttribute, link: cfg.ConfirmLink,
		funcs: maps.Clone(cfg.Funcs), failOnInvalid: cfg.FailOnInvalid}
	if t.localeAttr == "" {
		t.localeAttr = "locale"
	}
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("custommessage.Templates: %w", err)
	}
	mark := "cmph" + hex.EncodeToString(nonce[:])
	t.codeMark, t.userMark, t.linkMark = mark+"CODE", mark+"USER", mark+"LINK"

	set, err := msgtemplate.Compile(cfg.Catalog, func(locale string, src triggers.TriggerSource, msg Message) (*compiled, error) {
		if src.Trigger() != triggers.TriggerCustomMessage {
			return nil, fmt.Errorf("locale %q: %q is not a custom message trigger source", msgtemplate.LocaleName(locale), src)
		}
		c, err := t.compile(locale, src, msg)
		if err != nil {
			return nil, err
		}
		if err := t.dryRun(locale, src, c); err != nil {
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("custommessage.Templates: Catalog: %w", err)
	}
	t.locales = set
	return triggers.Named("Templates", t.handle), nil
}

type templatesModule struct {
	localeAttr                   string
	link                         *ConfirmLink
	funcs                        map[string]any
	failOnInvalid                bool
	locales                      *msgtemplate.Set[*compiled]
	codeMark, userMark, linkMark string
}

// compiled is one parsed [Message]; a nil template is a field left to Cognito.
type compiled struct {
	subject *ttemplate.Template
	email   *htemplate.Template
	sms     *ttemplate.Template
}

func (t *templatesModule) compile(locale string, src triggers.TriggerSource, m Message) (*compiled, error) {
	var c compiled
	name := func(field string) string { return fmt.Sprintf("%s %s %s", msgtemplate.LocaleName(locale), src, field) }
	var err error
	if m.Subject != "" {
		if c.subject, err = msgtemplate.Text(name(FieldEmailSubject), m.Subject, t.funcs); err != nil {
			return nil, err
		}
	}
	if m.Email != "" {
		if c.email, err = msgtemplate.HTML(name(FieldEmailMessage), m.Email, htemplate.FuncMap(t.funcs)); err != nil {
			return nil, err
		}
	}
	if m.SMS != "" {
		if c.sms, err = msgtemplate.Text(name(FieldSMSMessage), m.SMS, t.funcs); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// dryRun renders c for a sample event with Cognito's usual placeholders, so that a
// template that can never pass validation fails at construction.
func (t *templatesModule) dryRun(locale string, src triggers.TriggerSource, c *compiled) error {
	e := &Event{
		Header: triggers.Header{TriggerSource: src, UserName: "sample-user",
			CallerContext: triggers.CallerContext{ClientID: "sample-client"}},
		Request: triggers.CustomMessageRequest{CodeParameter: "{####}", UsernameParameter: "{username}",
			LinkParameter: "{##Click Here##}"},
	}
	if c.subject != nil || c.email != nil {
		subject, email, err := t.renderEmail(e, c, locale)
		if err == nil {
			err = validateEmail(e, locale, subject, email)
		}
		if err != nil {
			return err
		}
	}
	if c.sms != nil {
		sms, err := t.renderSMS(e, c, locale)
		if err == nil {
			err = validateSMS(e, locale, sms)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *templatesModule) handle(ctx context.Context, e *Event) error {
	c, locale, ok := t.locales.Lookup(e.Request.UserAttributes.Get(t.localeAttr), e.TriggerSource)
	if !ok {
		return nil
	}
	if c.subject != nil || c.email != nil {
		subject, email, err := t.renderEmail(e, c, locale)
		if err == nil {
			err = validateEmail(e, locale, subject, email)
		}
		if err != nil {
			if err := invalid(ctx, t.failOnInvalid, "Templates", err); err != nil {
				return err
			}
		} else {
			setIfNotEmpty(&e.Response.EmailSubject, subject)
			setIfNotEmpty(&e.Response.EmailMessage, email)
		}
	}
	if c.sms != nil {
		sms, err := t.renderSMS(e, c, locale)
		if err == nil {
			err = validateSMS(e, locale, sms)
		}
		if err != nil {
			return invalid(ctx, t.failOnInvalid, "Templates", err)
		}
		setIfNotEmpty(&e.Response.SMSMessage, sms)
	}
	return nil
}

func setIfNotEmpty(field *string, v string) {
	if v != "" {
		*field = v
	}
}

// data returns what templates see. In HTML the placeholders are replaced by markers of
// letters and digits, which html/template leaves alone in every context, and the markers
// are swapped back after rendering; text templates get the placeholders themselves.
func (t *templatesModule) data(e *Event, locale string, forHTML bool) Data {
	d := Data{
		Source:   e.TriggerSource,
		Locale:   locale,
		Header:   e.Header,
		User:     e.Request.UserAttributes,
		Metadata: e.Request.ClientMetadata,
		Code:     e.Request.CodeParameter,
		Username: e.Request.UsernameParameter,
		Link:     e.Request.LinkParameter,
	}
	if forHTML {
		d.Code, d.Username, d.Link = markIf(d.Code, t.codeMark), markIf(d.Username, t.userMark), markIf(d.Link, t.linkMark)
	}
	if t.link != nil && linkVerifies(e.TriggerSource) &&
		e.CallerContext.ClientID != "" && e.UserName != "" && d.Code != "" {
		d.ConfirmURL = t.link.build(e.CallerContext.ClientID, e.UserName, d.Code)
	}
	return d
}

func markIf(placeholder, mark string) string {
	if placeholder == "" {
		return ""
	}
	return mark
}

func (t *templatesModule) renderEmail(e *Event, c *compiled, locale string) (subject, email string, err error) {
	if c.subject != nil {
		var b strings.Builder
		if err := c.subject.Execute(&b, t.data(e, locale, false)); err != nil {
			return "", "", &MessageError{Source: e.TriggerSource, Locale: locale, Field: FieldEmailSubject, Err: err}
		}
		subject = msgtemplate.OneLine(b.String())
	}
	if c.email != nil {
		var b strings.Builder
		if err := c.email.Execute(&b, t.data(e, locale, true)); err != nil {
			return "", "", &MessageError{Source: e.TriggerSource, Locale: locale, Field: FieldEmailMessage, Err: err}
		}
		email = strings.TrimSpace(t.unmark(b.String(), e))
	}
	return subject, email, nil
}

func (t *templatesModule) renderSMS(e *Event, c *compiled, locale string) (string, error) {
	var b strings.Builder
	if err := c.sms.Execute(&b, t.data(e, locale, false)); err != nil {
		return "", &MessageError{Source: e.TriggerSource, Locale: locale, Field: FieldSMSMessage, Err: err}
	}
	return strings.TrimSpace(b.String()), nil
}

// unmark puts Cognito's placeholders back where the markers are.
func (t *templatesModule) unmark(s string, e *Event) string {
	if !strings.Contains(s, t.codeMark[:len(t.codeMark)-4]) {
		return s
	}
	return strings.NewReplacer(
		t.codeMark, e.Request.CodeParameter,
		t.userMark, e.Request.UsernameParameter,
		t.linkMark, e.Request.LinkParameter,
	).Replace(s)
}
