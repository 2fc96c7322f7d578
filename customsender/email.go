package customsender

import (
	"context"
	"errors"
	"fmt"
	htemplate "html/template"
	"net/mail"
	"strings"
	ttemplate "text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
	"github.com/lambda-triggers/cognito/internal/msgtemplate"
	"github.com/lambda-triggers/cognito/triggers"
)

// SESClient is the part of the SES v2 API that [Email] calls; *sesv2.Client satisfies
// it, and a test can fake its one method.
type SESClient interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// EmailMessage is one email as Go templates executed on [Data]: the subject and the
// plain-text body are text/template, the HTML body html/template, so that the code,
// the user name and attributes are HTML-escaped where they go into HTML. At least one
// body is required.
type EmailMessage struct {
	Subject string
	Text    string
	HTML    string
}

// EmailMessages maps the trigger sources of one locale to their email.
type EmailMessages map[triggers.TriggerSource]EmailMessage

// EmailCatalog maps a locale ("de", "de-AT"; "" is the default) to its emails, looked up
// as custommessage.Catalog is: the user's locale from most to least specific, the
// first locale with an email for the source winning as a whole.
type EmailCatalog map[string]EmailMessages

// EmailConfig configures [Email].
type EmailConfig struct {
	// Decrypter decrypts the event's code; see [KMSDecrypter]. Required.
	Decrypter Decrypter
	// Sender sends the email; nil means the process-wide SES v2 client, created on first
	// use, whose role needs ses:SendEmail.
	Sender SESClient
	// From is the sender, an address or domain verified in SES ("Example
	// <no-reply@example.com>"). Required.
	From string
	// Catalog holds the emails; nil means [DefaultEmails], English texts for every source.
	// A source missing from Catalog is sent with its default email.
	Catalog EmailCatalog
	// Clients holds emails for particular app clients, by client ID; a source or client
	// missing here, and events whose client ID is CLIENT_ID_NOT_APPLICABLE, use Catalog.
	Clients map[string]EmailCatalog
	// ConfigurationSet is the SES configuration set to send with, if any.
	ConfigurationSet string
	// ReplyTo addresses, if any.
	ReplyTo []string
	// Sources are the trigger sources the module acts on; the others pass through
	// untouched. Empty means [EmailSources], every source Cognito documents for the trigger.
	Sources triggers.Sources
	// LocaleAttribute names the user attribute that holds the user's locale; "" means
	// "locale", Cognito's standard attribute.
	LocaleAttribute string
	// Table is the DynamoDB table of send-once markers, so that Cognito's retries send
	// each code at most once: before sending, the module writes a marker keyed by a
	// SHA-256 hash of the user pool, the trigger source and the encrypted code (never
	// the code) with a conditional write, and a delivery that finds it does not send; a
	// failed send removes its marker, so the retry sends. The table has a string
	// partition key "pk" and time to live on "expiresAt". Events without a code (account
	// takeover notifications) are sent every time. "" sends every delivery.
	Table string
	// Markers is the DynamoDB client of Table; nil means the process-wide client, whose
	// role needs dynamodb:PutItem and dynamodb:DeleteItem on the table.
	Markers MarkerClient
	// MarkerTTL is how long a marker keeps a code from being sent again; zero means
	// [DefaultSendOnceTTL].
	MarkerTTL time.Duration
	// Now is the clock of the markers; nil means time.Now.
	Now func() time.Time
}

// Email returns a module that decrypts the event's code with cfg.Decrypter and sends the
// email of the event's source to the user's email attribute through SES v2. It acts on
// cfg.Sources, by default every custom email sender source ([EmailSources]), and passes
// the others through.
//
// Templates are parsed and executed once on sample data here: a syntax error, a source
// that is not a custom email sender source, an email without a body or an invalid From
// is a construction error.
func Email(cfg EmailConfig) (EmailHandler, error) {
	fail := func(err error) (EmailHandler, error) { return nil, fmt.Errorf("customsender.Email: %w", err) }
	if cfg.Decrypter == nil {
		return fail(errors.New("Decrypter is nil"))
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return fail(fmt.Errorf("sender (From) %q is not an email address", cfg.From))
	}
	s, err := newSettings(triggers.TriggerCustomEmailSender, EmailSources, cfg.Sources, cfg.LocaleAttribute,
		sendOnce{markers: cfg.Markers, table: cfg.Table, ttl: cfg.MarkerTTL, now: cfg.Now})
	if err != nil {
		return fail(err)
	}
	m := &emailModule{core: core{name: "Email", dec: cfg.Decrypter, settings: s}, cfg: cfg,
		ses: awsclient.NewLazy(cfg.Sender, func(ctx context.Context) (SESClient, error) { return lazyses.Default(ctx) })}
	if m.msgs.def, err = compileEmails(withDefaults(cfg.Catalog, DefaultEmails)); err != nil {
		return fail(err)
	}
	m.msgs.clients = make(map[string]*msgtemplate.Set[*compiledEmail], len(cfg.Clients))
	for id, cat := range cfg.Clients {
		if id == "" || id == ClientIDNotApplicable {
			return fail(fmt.Errorf("app client %q (Clients) is not an app client ID", id))
		}
		if m.msgs.clients[id], err = compileEmails(cat); err != nil {
			return fail(fmt.Errorf("client %s: %w", id, err))
		}
	}
	return m.handle, nil
}

type emailModule struct {
	core
	cfg  EmailConfig
	ses  *awsclient.Lazy[SESClient]
	msgs catalogs[*compiledEmail]
}

type compiledEmail struct {
	subject, text *ttemplate.Template
	html          *htemplate.Template
}

func compileEmails(cat EmailCatalog) (*msgtemplate.Set[*compiledEmail], error) {
	return msgtemplate.Compile(cat, func(locale string, src triggers.TriggerSource, in EmailMessage) (*compiledEmail, error) {
		if src.Trigger() != triggers.TriggerCustomEmailSender {
			return nil, fmt.Errorf("locale %s: %q is not a custom email sender source", msgtemplate.LocaleName(locale), src)
		}
		if in.Text == "" && in.HTML == "" {
			return nil, fmt.Errorf("locale %s: %s: no body (Text or HTML)", msgtemplate.LocaleName(locale), src)
		}
		name := msgtemplate.LocaleName(locale) + " " + string(src)
		var c compiledEmail
		var err error
		if c.subject, err = msgtemplate.Text(name+" subject", in.Subject, nil); err != nil {
			return nil, err
		}
		if in.Text != "" {
			if c.text, err = msgtemplate.Text(name+" text", in.Text, nil); err != nil {
				return nil, err
			}
		}
		if in.HTML != "" {
			if c.html, err = msgtemplate.HTML(name+" html", in.HTML, nil); err != nil {
				return nil, err
			}
		}
		if _, _, _, err := c.render(sampleData(src, locale)); err != nil {
			return nil, err
		}
		return &c, nil
	})
}

func (c *compiledEmail) render(d Data) (subject, text, html string, err error) {
	var b strings.Builder
	if err := c.subject.Execute(&b, d); err != nil {
		return "", "", "", err
	}
	subject = msgtemplate.OneLine(b.String())
	if c.text != nil {
		b.Reset()
		if err := c.text.Execute(&b, d); err != nil {
			return "", "", "", err
		}
		text = b.String()
	}
	if c.html != nil {
		b.Reset()
		if err := c.html.Execute(&b, d); err != nil {
			return "", "", "", err
		}
		html = b.String()
	}
	return subject, text, html, nil
}

func (m *emailModule) handle(ctx context.Context, e *EmailEvent) error {
	if !m.acts(e.TriggerSource) {
		return nil
	}
	to := strings.TrimSpace(e.Request.UserAttributes.Get("email"))
	if to == "" {
		return &SendError{Module: m.name, Source: e.TriggerSource, Err: fmt.Errorf("%w: the user has no email attribute", ErrNoRecipient)}
	}
	msg, err := m.open(ctx, &e.Header, &e.Request)
	if err != nil {
		return err
	}
	tmpl, locale, ok := m.msgs.lookup(msg.clientID, e.Request.UserAttributes.Get(m.localeAttr), e.TriggerSource)
	if !ok {
		return &SendError{Module: m.name, Source: e.TriggerSource, Err: ErrNoMessage}
	}
	msg.data.Locale = locale
	subject, text, html, err := tmpl.render(msg.data)
	if err != nil {
		return &SendError{Module: m.name, Source: e.TriggerSource, Locale: locale, Err: err}
	}
	ses, err := m.ses.Get(ctx)
	if err != nil {
		return err
	}
	body := &types.Body{}
	if text != "" {
		body.Text = &types.Content{Data: &text, Charset: strPtr("UTF-8")}
	}
	if html != "" {
		body.Html = &types.Content{Data: &html, Charset: strPtr("UTF-8")}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: &m.cfg.From,
		Destination:      &types.Destination{ToAddresses: []string{to}},
		ReplyToAddresses: m.cfg.ReplyTo,
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: &subject, Charset: strPtr("UTF-8")},
			Body:    body,
		}},
	}
	if m.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = &m.cfg.ConfigurationSet
	}
	return m.deliver(ctx, msg, func(ctx context.Context) error {
		if _, err := ses.SendEmail(ctx, in); err != nil {
			return &SendError{Module: m.name, Source: e.TriggerSource, Locale: locale, Err: fmt.Errorf("SES SendEmail: %w", err)}
		}
		return nil
	})
}

// withDefaults returns cat with the default-locale messages of defaults added for
// sources cat's default locale lacks, so that every source has a message.
func withDefaults[Ms ~map[triggers.TriggerSource]M, M any](cat map[string]Ms, defaults Ms) map[string]Ms {
	out := make(map[string]Ms, len(cat)+1)
	for k, v := range cat {
		out[k] = v
	}
	merged := make(Ms, len(defaults))
	for src, m := range defaults {
		merged[src] = m
	}
	for k, v := range out {
		if msgtemplate.NormalizeLocale(k) == "" {
			for src, m := range v {
				merged[src] = m
			}
			delete(out, k)
		}
	}
	out[""] = merged
	return out
}
