package customsender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/lambda-triggers/cognito/internal/webhooksig"
	"github.com/lambda-triggers/cognito/triggers"
)

// Headers of an [HTTPEmail] or [HTTPSMS] delivery, the same scheme as
// postconfirm.Webhook: receivers check them with postconfirm.VerifySignature.
const (
	SignatureHeader = webhooksig.SignatureHeader
	TimestampHeader = webhooksig.TimestampHeader
)

// DefaultHTTPTimeout bounds a provider request unless HTTPConfig.Timeout says otherwise; the
// request also ends when the trigger's context (its budget) does.
const DefaultHTTPTimeout = 3 * time.Second

// MinHTTPSecret is the shortest signing secret the HTTP modules accept, in bytes.
const MinHTTPSecret = 16

// HTTPMessage is the JSON document [HTTPEmail] and [HTTPSMS] post: the decrypted code
// for the provider to deliver, and who to deliver it to.
type HTTPMessage struct {
	// Channel is "email" or "sms".
	Channel       string                 `json:"channel"`
	TriggerSource triggers.TriggerSource `json:"triggerSource"`
	UserPoolID    string                 `json:"userPoolId"`
	// ClientID is the app client, possibly CLIENT_ID_NOT_APPLICABLE.
	ClientID string `json:"clientId"`
	UserName string `json:"userName"`
	// To is the user's email address or phone number.
	To string `json:"to"`
	// Locale is the user's locale attribute, as stored.
	Locale string `json:"locale,omitempty"`
	// Code is the decrypted code (the temporary password on AdminCreateUser); absent on
	// the account takeover notification.
	Code string `json:"code,omitempty"`
	// ID is the same for every delivery of one code, so that the provider can drop a
	// repeat; absent when there is no code.
	ID string `json:"id,omitempty"`
	// UserAttributes are the attributes chosen with HTTPConfig.Attributes.
	UserAttributes map[string]string `json:"userAttributes"`
}

// HTTPConfig configures [HTTPEmail] and [HTTPSMS].
type HTTPConfig struct {
	// Decrypter decrypts the event's code; see [KMSDecrypter]. Required.
	Decrypter Decrypter
	// Endpoint is the provider's address, https (http only to a loopback host). Its
	// path and query never appear in an error. Required.
	Endpoint string
	// Secret signs every delivery (see [SignatureHeader]), at least [MinHTTPSecret]
	// bytes. Required.
	Secret triggers.Secret
	// Timeout bounds a provider request; zero means [DefaultHTTPTimeout]. The request
	// also ends when the trigger's context (its budget) does.
	Timeout time.Duration
	// Attributes are the user attributes the document carries; empty means "sub".
	Attributes []string
	// Sources are the trigger sources the module acts on; the others pass through
	// untouched. Empty means every source Cognito documents for the trigger
	// ([EmailSources] or [SMSSources]).
	Sources triggers.Sources
	// LocaleAttribute names the user attribute sent as the document's Locale; "" means
	// "locale", Cognito's standard attribute.
	LocaleAttribute string
	// Table, Markers, MarkerTTL and Now make each code be sent at most once, as in
	// [EmailConfig]; "" Table sends every delivery.
	Table     string
	Markers   MarkerClient
	MarkerTTL time.Duration
	Now       func() time.Time
}

// HTTPEmail returns a module that decrypts the event's code and posts it as an
// [HTTPMessage] to cfg.Endpoint, for an email provider of your own, signed with
// cfg.Secret (see [SignatureHeader]). A response outside 2xx, a redirect included, is an
// error, and so Cognito retries. The secret, the code and the endpoint's path and query
// never appear in an error. It acts on cfg.Sources, by default [EmailSources].
func HTTPEmail(cfg HTTPConfig) (EmailHandler, error) {
	p, err := newHTTPProvider("HTTPEmail", "email", triggers.TriggerCustomEmailSender, EmailSources, cfg)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, e *EmailEvent) error { return p.handle(ctx, &e.Header, &e.Request) }, nil
}

// HTTPSMS is [HTTPEmail] for SMS: it posts the user's phone_number as To, and acts on
// cfg.Sources, by default [SMSSources].
func HTTPSMS(cfg HTTPConfig) (SMSHandler, error) {
	p, err := newHTTPProvider("HTTPSMS", "sms", triggers.TriggerCustomSMSSender, SMSSources, cfg)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, e *SMSEvent) error { return p.handle(ctx, &e.Header, &e.Request) }, nil
}

type httpProvider struct {
	core
	channel  string
	endpoint string
	target   string // scheme and host: what errors may show
	key      []byte
	client   *http.Client
	timeout  time.Duration
	attrs    []string
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newHTTPProvider(name, channel string, t triggers.Trigger, defaults triggers.Sources, cfg HTTPConfig) (*httpProvider, error) {
	fail := func(format string, args ...any) (*httpProvider, error) {
		return nil, fmt.Errorf("customsender."+name+": "+format, args...)
	}
	if cfg.Decrypter == nil {
		return fail("Decrypter is nil")
	}
	s, err := newSettings(t, defaults, cfg.Sources, cfg.LocaleAttribute,
		sendOnce{markers: cfg.Markers, table: cfg.Table, ttl: cfg.MarkerTTL, now: cfg.Now})
	if err != nil {
		return fail("%w", err)
	}
	timeout := cfg.Timeout
	switch {
	case timeout < 0:
		return fail("Timeout %s is negative", timeout)
	case timeout == 0:
		timeout = DefaultHTTPTimeout
	}
	attrs := []string{"sub"}
	if len(cfg.Attributes) > 0 {
		attrs = append([]string(nil), cfg.Attributes...)
	}
	for _, n := range attrs {
		if n == "" {
			return fail("Attributes has an empty name")
		}
	}
	if cfg.Endpoint == "" {
		return fail("Endpoint is empty")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return fail("Endpoint is not a valid URL")
	}
	switch {
	case u.Host == "":
		return fail("Endpoint has no host")
	case u.Scheme == "http" && webhooksig.IsLoopback(u.Hostname()):
	case u.Scheme != "https":
		return fail("Endpoint scheme %q: use https (http only to a loopback host)", u.Scheme)
	}
	if len(cfg.Secret) < MinHTTPSecret {
		return fail("Secret shorter than %d bytes", MinHTTPSecret)
	}
	return &httpProvider{core: core{name: name, dec: cfg.Decrypter, settings: s}, channel: channel, endpoint: cfg.Endpoint,
		target: u.Scheme + "://" + u.Host, key: []byte(cfg.Secret.Reveal()), client: noRedirects, timeout: timeout, attrs: attrs}, nil
}

func (p *httpProvider) handle(ctx context.Context, h *triggers.Header, req *triggers.CustomSenderRequest) error {
	if !p.acts(h.TriggerSource) {
		return nil
	}
	attr := "email"
	if p.channel == "sms" {
		attr = "phone_number"
	}
	to := req.UserAttributes.Get(attr)
	if to == "" {
		return &SendError{Module: p.name, Source: h.TriggerSource, Err: fmt.Errorf("%w: the user has no %s attribute", ErrNoRecipient, attr)}
	}
	msg, err := p.open(ctx, h, req)
	if err != nil {
		return err
	}
	doc := HTTPMessage{Channel: p.channel, TriggerSource: h.TriggerSource, UserPoolID: h.UserPoolID,
		ClientID: h.CallerContext.ClientID, UserName: h.UserName, To: to,
		Locale: req.UserAttributes.Get(p.localeAttr), Code: msg.data.Code, ID: msg.replayKey,
		UserAttributes: map[string]string{}}
	for _, name := range p.attrs {
		if v, ok := req.UserAttributes[name]; ok {
			doc.UserAttributes[name] = v
		}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s: encode message: %w", p.name, err)
	}
	return p.deliver(ctx, msg, func(ctx context.Context) error { return p.post(ctx, h.TriggerSource, body) })
}

func (p *httpProvider) post(ctx context.Context, src triggers.TriggerSource, body []byte) error {
	fail := func(err error) error {
		return &SendError{Module: p.name, Source: src, Err: fmt.Errorf("POST %s: %w", p.target, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return fail(errors.New("build request"))
	}
	ts := webhooksig.Timestamp(time.Now())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lambda-triggers-cognito-customsender")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, webhooksig.Sign(p.key, ts, body))
	resp, err := p.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fail(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(errors.New(resp.Status))
	}
	return nil
}
