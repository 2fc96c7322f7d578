package postconfirm

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/internal/webhooksig"
	"github.com/lambda-triggers/cognito/triggers"
)

// Headers of a [Webhook] delivery.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256, keyed with the shared
	// secret, of the timestamp header's value, a ".", and the body.
	SignatureHeader = webhooksig.SignatureHeader
	// TimestampHeader carries the Unix time in seconds at which the delivery was signed.
	TimestampHeader = webhooksig.TimestampHeader
)

// DefaultWebhookTimeout bounds a [Webhook] request unless [WebhookConfig.Timeout] says
// otherwise; the request also ends when the trigger's context does.
const DefaultWebhookTimeout = 3 * time.Second

// MinWebhookSecret is the shortest secret [Webhook] accepts, in bytes: a shorter one
// could be guessed offline from a single signed delivery.
const MinWebhookSecret = 16

// WebhookPayload is the JSON document a [Webhook] posts. It has no client metadata,
// which may carry secrets, and only the attributes chosen with [WebhookConfig.Attributes].
type WebhookPayload struct {
	TriggerSource  triggers.TriggerSource `json:"triggerSource"`
	Region         string                 `json:"region"`
	UserPoolID     string                 `json:"userPoolId"`
	UserName       string                 `json:"userName"`
	UserAttributes map[string]string      `json:"userAttributes"`
}

// WebhookConfig configures [Webhook].
type WebhookConfig struct {
	// Endpoint is the URL the payload is posted to: https, or http to a loopback host
	// for local development. Required. Its path and query, which some services use as a
	// credential, appear in no error or log line.
	Endpoint string

	// Secret is the shared secret the delivery is signed with, at least
	// [MinWebhookSecret] bytes. Required unless SecretSource is set.
	Secret triggers.Secret

	// SecretSource, instead of Secret, gives the secret at each delivery, such as one
	// kept in Parameter Store or Secrets Manager (see package triggers/secrets). A
	// secret shorter than [MinWebhookSecret] or an error from it fails the delivery
	// without sending it. Nil: Secret is used.
	SecretSource triggers.SecretSource

	// Attributes are the user attributes the payload carries; an attribute the user
	// does not have is left out. Empty: "sub" and "email".
	Attributes []string

	// Timeout bounds the request; it still ends when the trigger's context does,
	// whichever comes first. Zero: [DefaultWebhookTimeout].
	Timeout time.Duration

	// HTTPClient sends the request. Nil: a client that does not follow redirects (a
	// redirect would carry the signed document to another address, so it counts as a
	// failure).
	HTTPClient *http.Client

	// Sources are the trigger sources the module acts on. Empty:
	// PostConfirmation_ConfirmSignUp alone.
	Sources triggers.Sources
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Webhook posts a [WebhookPayload] as JSON to cfg.Endpoint, signed with the secret so
// the receiver can tell it came from this function and is fresh (see [VerifySignature]).
// A response outside 2xx, a redirect included, is an error. Neither the secret nor the
// path and query of the endpoint appear in any error or log line.
//
// The receiver checks a delivery like this:
//  1. read TimestampHeader and reject it when it is further from now than a few minutes;
//  2. compute hex(HMAC-SHA256(secret, timestamp + "." + raw body));
//  3. compare "sha256=" + that with SignatureHeader in constant time.
//
// Cognito may deliver an event again, so receivers should treat a second document with
// the same userPoolId, userAttributes.sub and triggerSource as a repeat.
//
// It acts on PostConfirmation_ConfirmSignUp unless cfg.Sources says otherwise. An
// endpoint that is not https, a missing or short secret, a secret given twice and a
// negative timeout are reported here.
func Webhook(cfg WebhookConfig) (Handler, error) {
	sources, err := cfg.Sources.Resolve(triggers.TriggerPostConfirmation, signUpOnly)
	if err != nil {
		return nil, fmt.Errorf("postconfirm.Webhook: %w", err)
	}
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("postconfirm.Webhook: Timeout %s is negative", cfg.Timeout)
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultWebhookTimeout
	}
	if slices.Contains(cfg.Attributes, "") {
		return nil, errors.New("postconfirm.Webhook: Attributes has an empty name")
	}
	attributes := slices.Clone(cfg.Attributes)
	if len(attributes) == 0 {
		attributes = []string{"sub", "email"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = noRedirects
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("postconfirm.Webhook: Endpoint is empty")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		// url.Parse's error quotes the whole URL, credentials included.
		return nil, errors.New("postconfirm.Webhook: Endpoint is not a valid URL")
	}
	switch {
	case u.Host == "":
		return nil, errors.New("postconfirm.Webhook: Endpoint has no host")
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme != "https":
		return nil, fmt.Errorf("postconfirm.Webhook: Endpoint scheme %q: use https (http only to a loopback host)", u.Scheme)
	}
	if cfg.SecretSource != nil {
		if cfg.Secret != "" {
			return nil, errors.New("postconfirm.Webhook: Secret and SecretSource are both set: give one")
		}
	} else if len(cfg.Secret) < MinWebhookSecret {
		return nil, fmt.Errorf("postconfirm.Webhook: Secret is shorter than %d bytes", MinWebhookSecret)
	}
	w := &webhook{sources: sources, timeout: cfg.Timeout, attributes: attributes, client: cfg.HTTPClient, secret: cfg.SecretSource,
		endpoint: cfg.Endpoint, target: u.Scheme + "://" + u.Host, key: []byte(cfg.Secret.Reveal())}
	return Named("Webhook", w.handle), nil
}

func isLoopback(host string) bool { return webhooksig.IsLoopback(host) }

type webhook struct {
	sources    triggers.Sources
	timeout    time.Duration
	attributes []string
	client     *http.Client
	secret     triggers.SecretSource
	endpoint   string
	target     string // scheme and host only: what errors may show
	key        []byte
}

func (w *webhook) handle(ctx context.Context, e *Event) error {
	if !w.sources.Has(e.TriggerSource) {
		return nil
	}
	payload := WebhookPayload{
		TriggerSource:  e.TriggerSource,
		Region:         e.Region,
		UserPoolID:     e.UserPoolID,
		UserName:       e.UserName,
		UserAttributes: make(map[string]string, len(w.attributes)),
	}
	for _, name := range w.attributes {
		if v, ok := e.Request.UserAttributes[name]; ok {
			payload.UserAttributes[name] = v
		}
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode payload: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("POST %s: build request", w.target)
	}
	timestamp := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lambda-triggers-cognito-postconfirm")
	req.Header.Set(TimestampHeader, timestamp)
	key := w.key
	if w.secret != nil {
		s, err := w.secret(ctx)
		if err != nil {
			return fmt.Errorf("POST %s: webhook secret: %w", w.target, err)
		}
		if len(s) < MinWebhookSecret {
			return fmt.Errorf("POST %s: webhook secret from SecretSource shorter than %d bytes", w.target, MinWebhookSecret)
		}
		key = []byte(s.Reveal())
	}
	req.Header.Set(SignatureHeader, sign(key, timestamp, body))

	resp, err := w.client.Do(req)
	if err != nil {
		// *url.Error quotes the full URL; keep only its cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("POST %s: %w", w.target, err)
	}
	// Drain a little so the connection can be reused by the next invocation.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST %s: %s", w.target, resp.Status)
	}
	return nil
}

func sign(key []byte, timestamp string, body []byte) string {
	return webhooksig.Sign(key, timestamp, body)
}

func mac(key []byte, timestamp string, body []byte) []byte {
	return webhooksig.MAC(key, timestamp, body)
}

// Errors of [VerifySignature].
var (
	ErrSignatureMismatch = errors.New("webhook signature does not match")
	ErrSignatureExpired  = errors.New("webhook timestamp outside the accepted window")
)

// VerifySignature checks a [Webhook] delivery on the receiving side: signature and
// timestamp are the values of [SignatureHeader] and [TimestampHeader], body the raw
// request body, and maxAge how far from now the timestamp may be (a few minutes is
// usual), which stops an old delivery from being replayed. It returns nil, or an error
// wrapping [ErrSignatureExpired] or [ErrSignatureMismatch]. Decode body only after it
// returns nil.
func VerifySignature(secret triggers.Secret, timestamp, signature string, body []byte, maxAge time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not a Unix time", ErrSignatureExpired)
	}
	if age := time.Since(time.Unix(ts, 0)); age > maxAge || age < -maxAge {
		return fmt.Errorf("%w: signed %s ago", ErrSignatureExpired, age.Round(time.Second))
	}
	got, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return fmt.Errorf("%w: no sha256= prefix", ErrSignatureMismatch)
	}
	sum, err := hex.DecodeString(got)
	if err != nil || !hmac.Equal(sum, mac([]byte(secret.Reveal()), timestamp, body)) {
		return ErrSignatureMismatch
	}
	return nil
}
