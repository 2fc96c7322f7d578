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

// DefaultHTTPTimeout bounds a provider request unless [HTTPTimeout] says otherwise; the
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
	// UserAttributes are the attributes chosen with [HTTPAttributes].
	UserAttributes map[string]string `json:"userAttributes"`
}

// HTTPTimeout replaces [DefaultHTTPTimeout]. HTTP modules.
func HTTPTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("HTTPTimeout: %s is not positive", d)
		}
		s.timeout = d
		return nil
	}
}

// HTTPAttributes chooses the user attributes the document carries; the default is
// "sub". HTTP modules.
func HTTPAttributes(names ...string) Option {
	return func(s *settings) error {
		for _, n := range names {
			if n == "" {
				return errors.New("HTTPAttributes: empty attribute name")
			}
		}
		s.httpAttrs = append([]string(nil), names...)
		return nil
	}
}

// HTTPEmail returns a module that decrypts the event's code and posts it as an
// [HTTPMessage] to endpoint, for an email provider of your own, signed with secret
// (see [SignatureHeader]). A response outside 2xx, a redirect included, is an error,
// and so Cognito retries. endpoint must be https (http only to a loopback host); the
// secret, the code and the endpoint's path and query never appear in an error. It acts
// on [EmailSources]. Options: [HTTPTimeout], [HTTPAttributes], [Sources], [SendOnce].
func HTTPEmail(dec Decrypter, endpoint string, secret triggers.Secret, opts ...Option) (EmailHandler, error) {
	p, err := newHTTPProvider("email", EmailSources, dec, endpoint, secret, opts)
	if err != nil {
		return nil, fmt.Errorf("customsender.HTTPEmail: %w", err)
	}
	return func(ctx context.Context, e *EmailEvent) error { return p.handle(ctx, &e.Header, &e.Request) }, nil
}

// HTTPSMS is [HTTPEmail] for SMS: it posts the user's phone_number as To, and acts on
// [SMSSources].
func HTTPSMS(dec Decrypter, endpoint string, secret triggers.Secret, opts ...Option) (SMSHandler, error) {
	p, err := newHTTPProvider("sms", SMSSources, dec, endpoint, secret, opts)
	if err != nil {
		return nil, fmt.Errorf("customsender.HTTPSMS: %w", err)
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
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newHTTPProvider(channel string, sources []triggers.TriggerSource, dec Decrypter, endpoint string,
	secret triggers.Secret, opts []Option) (*httpProvider, error) {
	if dec == nil {
		return nil, errors.New("nil decrypter")
	}
	s, err := newSettings(sources, opts)
	if err != nil {
		return nil, err
	}
	if s.timeout == 0 {
		s.timeout = DefaultHTTPTimeout
	}
	if s.httpAttrs == nil {
		s.httpAttrs = []string{"sub"}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, errors.New("endpoint is not a valid URL")
	}
	switch {
	case u.Host == "":
		return nil, errors.New("endpoint has no host")
	case u.Scheme == "http" && webhooksig.IsLoopback(u.Hostname()):
	case u.Scheme != "https":
		return nil, fmt.Errorf("endpoint scheme %q: use https (http only to a loopback host)", u.Scheme)
	}
	if len(secret) < MinHTTPSecret {
		return nil, fmt.Errorf("secret shorter than %d bytes", MinHTTPSecret)
	}
	name := "HTTPEmail"
	if channel == "sms" {
		name = "HTTPSMS"
	}
	return &httpProvider{core: core{name: name, dec: dec, settings: s}, channel: channel, endpoint: endpoint,
		target: u.Scheme + "://" + u.Host, key: []byte(secret.Reveal()), client: noRedirects}, nil
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
	for _, name := range p.httpAttrs {
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
