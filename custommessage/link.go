package custommessage

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/lambda-triggers/cognito/internal/redirect"
	"github.com/lambda-triggers/cognito/triggers"
)

// Query parameters of a confirmation link, as [ConfirmLink] writes them and
// [ConfirmHandler] reads them. A front end that builds its own links uses the same names.
const (
	ParamClientID = "client_id"
	ParamUsername = "username"
	ParamCode     = "code"
	ParamRedirect = "redirect_uri"
)

// ConfirmLink builds the links that [ConfirmHandler] answers: its address with the app
// client ID, the user name, the redirect target and Cognito's code placeholder in the
// query. Create it with [NewConfirmLink]; it is safe for concurrent use.
type ConfirmLink struct {
	prefix   string     // scheme, host and path of the handler
	query    url.Values // the handler address's own query, kept in every link
	redirect string
}

// NewConfirmLink returns the link builder for a [ConfirmHandler] served at confirmURL,
// which sends users to redirectURL once they are confirmed. Both must be absolute https
// URLs without user info; plain http is accepted only for localhost, for development.
// confirmURL may have a query, which every link keeps, but no fragment; redirectURL may
// have both (for apps that route by fragment), and must be on the handler's allow list,
// or the handler refuses the link.
func NewConfirmLink(confirmURL, redirectURL string) (*ConfirmLink, error) {
	base, err := redirect.ParseWebURL(confirmURL, false)
	if err != nil {
		return nil, fmt.Errorf("confirm URL: %w", err)
	}
	if _, err := redirect.ParseWebURL(redirectURL, true); err != nil {
		return nil, fmt.Errorf("redirect URL: %w", err)
	}
	query := base.Query()
	base.RawQuery, base.ForceQuery = "", false
	return &ConfirmLink{prefix: base.String(), query: query, redirect: redirectURL}, nil
}

// URL returns the confirmation link for e. The client ID, user name and redirect target
// are query-escaped; Cognito's code placeholder (such as "{####}") is appended as the
// last parameter exactly as Cognito sent it, because Cognito finds it by its literal
// text and puts the code (digits) in its place after the trigger returns.
func (l *ConfirmLink) URL(e *Event) (string, error) {
	switch {
	case e.CallerContext.ClientID == "":
		return "", errors.New("confirmation link: the event has no app client ID")
	case e.UserName == "":
		return "", errors.New("confirmation link: the event has no user name")
	case e.Request.CodeParameter == "":
		return "", errors.New("confirmation link: the event has no code placeholder")
	}
	return l.build(e.CallerContext.ClientID, e.UserName, e.Request.CodeParameter), nil
}

func (l *ConfirmLink) build(clientID, username, code string) string {
	q := make(url.Values, len(l.query)+3)
	for k, v := range l.query {
		q[k] = v
	}
	q.Del(ParamCode)
	q.Set(ParamClientID, clientID)
	q.Set(ParamUsername, username)
	q.Set(ParamRedirect, l.redirect)
	return l.prefix + "?" + q.Encode() + "&" + ParamCode + "=" + code
}

// Default texts of [VerificationLink].
const (
	DefaultVerificationSubject  = "Verify your email address"
	DefaultVerificationText     = "Please verify your email address by opening the link below."
	DefaultVerificationLinkText = "Verify email address"
)

// VerificationLinkConfig configures [VerificationLink].
type VerificationLinkConfig struct {
	// Link builds the links to the [ConfirmHandler]; see [NewConfirmLink]. Required.
	Link *ConfirmLink
	// Subject is the email subject (Amplify's EMAILSUBJECT), at most [MaxEmailSubject]
	// characters; "" means [DefaultVerificationSubject].
	Subject string
	// Text is put above the link (Amplify's EMAILMESSAGE). It is plain text: it is
	// HTML-escaped, and line breaks are kept. "" means [DefaultVerificationText].
	Text string
	// OmitText leaves only the link in the email, without Text.
	OmitText bool
	// LinkText is the text of the link; "" means [DefaultVerificationLinkText].
	LinkText string
	// FailOnInvalid fails the trigger with a [*MessageError] when the message cannot be
	// built or Cognito would reject it, so that the request that sent it fails. By
	// default the response is left as it was, so that Cognito sends its own message (or
	// the one an earlier module wrote), and the error is logged at error level: a user
	// can still sign up while an operator fixes the configuration.
	FailOnInvalid bool
}

// VerificationLink returns a module that replaces the code in the sign-up email with a
// link to a [ConfirmHandler]: one click confirms the account and lands the user on the
// redirect target of cfg.Link. It is the counterpart of Amplify's "email verification
// link with redirect"; the config sets the texts (Amplify's EMAILSUBJECT and
// EMAILMESSAGE) and how an invalid message is handled.
//
// It acts on CustomMessage_SignUp and CustomMessage_ResendCode, so that a user who asks
// for a new code gets a working link again, and is a no-op on other sources. It sets
// only the email subject and body: an SMS keeps Cognito's message, since a link would
// not fit 140 characters. The pool must send email through Amazon SES (email sending
// account DEVELOPER), as for any custom email, and verify by code (verification message
// style CONFIRM_WITH_CODE): in a pool that verifies by link, Cognito puts its own link
// where the code placeholder is. The event cannot tell the two apart (Cognito sends a
// linkParameter either way), so this is a deployment setting to get right.
func VerificationLink(cfg VerificationLinkConfig) (Handler, error) {
	fail := func(format string, args ...any) (Handler, error) {
		return nil, fmt.Errorf("custommessage.VerificationLink: "+format, args...)
	}
	if cfg.Link == nil {
		return fail("Link is nil")
	}
	subject, text, linkText := cfg.Subject, cfg.Text, cfg.LinkText
	if subject == "" {
		subject = DefaultVerificationSubject
	}
	if text == "" {
		text = DefaultVerificationText
	}
	if linkText == "" {
		linkText = DefaultVerificationLinkText
	}
	if n := utf8.RuneCountInString(subject); n > MaxEmailSubject {
		return fail("Subject has %d characters, at most %d", n, MaxEmailSubject)
	}
	if strings.TrimSpace(linkText) == "" {
		return fail("LinkText is blank")
	}
	var intro string
	if !cfg.OmitText {
		intro = "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</p>"
	}
	link, failOnInvalid := cfg.Link, cfg.FailOnInvalid
	anchorText := html.EscapeString(linkText)
	return triggers.Named("VerificationLink", func(ctx context.Context, e *Event) error {
		if e.TriggerSource != triggers.CustomMessageSignUp && e.TriggerSource != triggers.CustomMessageResendCode {
			return nil
		}
		u, err := link.URL(e)
		if err != nil {
			return invalid(ctx, failOnInvalid, "VerificationLink",
				&MessageError{Source: e.TriggerSource, Field: FieldEmailMessage, Err: err})
		}
		body := intro + `<p><a href="` + html.EscapeString(u) + `">` + anchorText + "</a></p>"
		if err := validate(e, "", subject, body, ""); err != nil {
			return invalid(ctx, failOnInvalid, "VerificationLink", err)
		}
		e.Response.EmailSubject = subject
		e.Response.EmailMessage = body
		return nil
	}), nil
}
