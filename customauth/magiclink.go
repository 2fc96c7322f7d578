package customauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/internal/redirect"
	"github.com/lambda-triggers/cognito/triggers"
)

// MagicLinkStepName is the name of the step [MagicLinkStep] returns.
const MagicLinkStepName = "MAGIC_LINK"

// Client metadata keys and values of the magic link step, as the client sends them with
// RespondToAuthChallenge.
const (
	// MagicLinkActionKey says what the client's answer is: [MagicLinkRequest] (send me
	// a link; the answer itself is ignored) or [MagicLinkAnswer] (the answer is the
	// token of a link I hold). Without it the answer is taken for a token.
	MagicLinkActionKey = "magicLinkAction"
	MagicLinkRequest   = "request"
	MagicLinkAnswer    = "answer"

	// MagicLinkRedirectKey is the page the link opens, with [MagicLinkActionKey]
	// request. It must be on the step's allow list; when it is missing the step's
	// RedirectURL is used.
	MagicLinkRedirectKey = "magicLinkRedirect"
)

// MagicLinkFragment is the name under which a link carries its token, in the URL's
// fragment so that it never reaches a server's logs: "<redirect>#magic_link=<token>".
const MagicLinkFragment = "magic_link"

// Public parameter "linkState" of the magic link step.
const (
	// LinkStateNone: no link has been sent in this sign-in; answer with a link's token
	// or request one.
	LinkStateNone = "none"
	// LinkStateSent: a link is on its way (or was sent less than the minimum interval
	// ago); answer with its token, in this session or a new one.
	LinkStateSent = "sent"
)

// Defaults of [MagicLinkConfig].
const (
	DefaultLinkTTL         = 15 * time.Minute
	DefaultLinkInterval    = time.Minute
	DefaultLinkSubject     = "Your sign-in link"
	DefaultLinkEmailText   = "Open this link to sign in:\n\n{{.Link}}\n\nIt works once and expires in {{.Minutes}} minutes. If you did not try to sign in, you can ignore this email.\n"
	DefaultLinkEmailHTML   = `<p><a href="{{.Link}}">Sign in</a></p><p>The link works once and expires in {{.Minutes}} minutes. If you did not try to sign in, you can ignore this email.</p>`
	maxLinkToken           = 4096
	linkSignaturePrefix    = "customauth magic link v1."
	carryLinkAsk           = "ask"
	carryLinkSent          = "sent"
	linkTokenClockSkew     = time.Minute
	linkStoreSuffix        = "#" + MagicLinkStepName
	linkRecordHashSaltSize = 16
)

// LinkEmailData is what the email templates of [MagicLinkConfig] are executed with.
type LinkEmailData struct {
	Link    string // the sign-in link
	Minutes int    // minutes until the link expires, rounded up
	Email   string // the recipient's address
}

// MagicLinkConfig configures [MagicLink] and [MagicLinkStep]. Zero fields take the
// defaults named in their comments.
type MagicLinkConfig struct {
	// From is the sender address, verified in SES. Required.
	From string

	// Signer signs the links' tokens: [HMACSigner] or a kmssigner.Signer (package
	// customauth/kmssigner). Required.
	Signer LinkSigner

	// Store keeps the one open link of each user (a salted hash of its token, never the
	// token) and makes it single use with a conditional write. Required; see
	// [DynamoDBStore]. A store shared with the code steps keeps a record per step.
	Store CodeStore

	// RedirectURL is the page links open when the client names none. It must be on the
	// allow list. Required.
	RedirectURL string

	// AllowedRedirects are the origins and path prefixes (such as
	// "https://app.example.com/sign-in") a client may name in
	// [MagicLinkRedirectKey]; RedirectURL is always allowed. Entries are absolute https
	// URLs (http only for localhost) without query or fragment, checked as
	// custommessage's confirm endpoint checks its redirects.
	AllowedRedirects []string

	// TTL is how long a link signs in: [DefaultLinkTTL] when zero.
	TTL time.Duration

	// MinInterval is how long after sending a link no other goes to the same user:
	// [DefaultLinkInterval] when zero. Negative turns it off.
	MinInterval time.Duration

	// Client is the SES v2 client that sends the email. Nil: the process-wide client,
	// created on first use.
	Client EmailSender

	// ConfigurationSet is the SES configuration set to send with, if any.
	ConfigurationSet string

	// Subject and Text are text/template templates and HTML an html/template template
	// executed with [LinkEmailData]. Empty: DefaultLinkSubject, DefaultLinkEmailText and
	// DefaultLinkEmailHTML. Text or HTML must show the link.
	Subject, Text, HTML string

	// EmailAttribute is the user attribute holding the address: "email" when empty.
	EmailAttribute string

	// AllowUnverifiedEmail sends links also to addresses whose email_verified is not
	// "true". By default such users go through the same challenge and always fail.
	AllowUnverifiedEmail bool

	// DecoyKey is a secret of at least 32 bytes from which the address shown to a user
	// name that is not an address is made up when there is no user (user names that are
	// addresses are shown as they are). Empty: the value of OTP_HMAC_KEY, and when that
	// is unset too a random key per process, with which two function instances show a
	// missing user different addresses.
	DecoyKey []byte

	// Now is the clock: time.Now when nil.
	Now func() time.Time

	// Password makes [MagicLink] ask for the user's password (SRP) before the link, as
	// [FlowConfig].Password does. False: passwordless. A setting of the flow:
	// [MagicLinkStep] refuses it.
	Password bool

	// MaxWrongAnswers is how many wrong answers end a sign-in of [MagicLink], as
	// [FlowConfig].MaxWrongAnswers: [DefaultMaxWrongAnswers] when zero. A setting of the
	// flow: [MagicLinkStep] refuses it.
	MaxWrongAnswers int
}

type magicLink struct {
	cfg      MagicLinkConfig
	allow    redirect.AllowList
	ttl      time.Duration
	interval time.Duration
	mail     *mailer
	attr     string
	now      func() time.Time
	decoyKey []byte // for decoy addresses, a key of its own
	pace     pacer  // times sends, and waits as long where none is made
}

// MagicLinkStep returns a step that signs in with a link sent by email: the link opens
// the app's page (RedirectURL, or an allowed page the client names) with a token in the
// fragment, and the app answers the challenge with the token, in the browser that asked
// or in any other.
//
// The token is "<payload>.<signature>": the payload, base64url JSON, names the pool, the
// user, a random link id and the issue and expiry times, and is signed by the Signer. The
// store keeps only a salted SHA-256 of the token, with the link id and times; a token
// signs in once (a conditional write marks it used), only while its record is the user's
// one open link, and only before it expires. A new link replaces the open one, and no new
// link is sent within MinInterval of the last.
//
// The client side (client metadata keys are the constants above):
//
//  1. InitiateAuth with AuthFlow CUSTOM_AUTH and USERNAME. The challenge's public
//     parameters are step MAGIC_LINK, linkState "none" and email (masked). No email is
//     sent yet: InitiateAuth's client metadata does not reach this trigger.
//  2. A client that holds a link (opened on this or any device) answers at once with
//     RespondToAuthChallenge ANSWER = the token, ClientMetadata
//     {"magicLinkAction": "answer"}, and gets tokens. The user name is in the token's
//     payload, so a client that opens a link with no sign-in in progress starts one
//     (step 1) for that user and answers.
//  3. Otherwise it asks for a link: ANSWER any text, ClientMetadata
//     {"magicLinkAction": "request", "magicLinkRedirect": "<allowed page>"}. This is
//     not a wrong answer. The next challenge has linkState "sent"; keep its session to
//     answer with the token if the link is opened in the same browser.
//
// For a user Cognito did not find, or one without a verified address, no email is sent
// and the challenges look the same: the same parameters and states, a masked address
// derived from the user name, the same signing, store read and (conditional, refused)
// store write, a wait as long as recent real sends took in this process (20 ms to 1 s;
// 100 ms before the first), and a failure at the end; only the email is not sent. A
// link not sent because the last is too recent waits as long too.
// A redirect that is not allowed sends nothing either.
//
// Each link sent adds 1 to the count "MAGIC_LINK.Sent" of the router's metrics
// ([triggers.AddCount]).
//
// It reports a configuration error: no From, Signer, Store or RedirectURL, an allow list
// entry or RedirectURL that is not allowed, a TTL under a minute, a template that does
// not parse or does not show the link, or a flow setting (Password, MaxWrongAnswers),
// which belongs in [FlowConfig].
func MagicLinkStep(cfg MagicLinkConfig) (Step, error) {
	const fn = "customauth.MagicLinkStep"
	if err := noFlowSettings(fn, cfg.Password, cfg.MaxWrongAnswers); err != nil {
		return Step{}, err
	}
	return magicLinkStep(fn, cfg)
}

// MagicLink returns a flow whose one step is [MagicLinkStep]: passwordless sign-in by a
// link sent by email, or, with Password, the password and then the link. It reports the
// configuration errors of MagicLinkStep and of [NewFlow].
func MagicLink(cfg MagicLinkConfig) (*Flow, error) {
	const fn = "customauth.MagicLink"
	s, err := magicLinkStep(fn, cfg)
	return singleStep(fn, s, err, cfg.Password, cfg.MaxWrongAnswers)
}

func magicLinkStep(fn string, cfg MagicLinkConfig) (Step, error) {
	m, err := newMagicLink(fn, cfg)
	if err != nil {
		return Step{}, err
	}
	return Step{Name: MagicLinkStepName, Create: m.create, Verify: m.verify,
		Uncounted: func(carry string) bool { return carry == carryLinkAsk }}, nil
}

func newMagicLink(fn string, cfg MagicLinkConfig) (*magicLink, error) {
	switch {
	case cfg.From == "":
		return nil, fmt.Errorf("%s: From is empty: magic link needs a From address", fn)
	case cfg.Signer == nil:
		return nil, fmt.Errorf("%s: Signer is nil: magic link needs a Signer (HMACSigner or kmssigner.Signer)", fn)
	case cfg.Store == nil:
		return nil, fmt.Errorf("%s: Store is nil: magic link needs a Store, which makes links single use", fn)
	case cfg.RedirectURL == "":
		return nil, fmt.Errorf("%s: RedirectURL is empty: magic link needs a RedirectURL", fn)
	}
	m := &magicLink{cfg: cfg, ttl: cfg.TTL, interval: cfg.MinInterval, attr: cfg.EmailAttribute, now: cfg.Now}
	entries := append([]string{cfg.RedirectURL}, cfg.AllowedRedirects...)
	if u, err := url.Parse(cfg.RedirectURL); err == nil {
		// The redirect itself may have a query; the allow list entry is its page.
		u.RawQuery, u.ForceQuery = "", false
		entries[0] = u.String()
	}
	var err error
	if m.allow, err = redirect.ParseAllowList(entries); err != nil {
		return nil, fmt.Errorf("%s: AllowedRedirects: magic link: %w", fn, err)
	}
	if _, ok := m.target(cfg.RedirectURL); !ok {
		return nil, fmt.Errorf("%s: magic link RedirectURL %q is not an allowed page without a fragment", fn, cfg.RedirectURL)
	}
	switch {
	case m.ttl == 0:
		m.ttl = DefaultLinkTTL
	case m.ttl < time.Minute:
		return nil, fmt.Errorf("%s: magic link TTL must be at least a minute, got %s", fn, m.ttl)
	}
	switch {
	case m.interval == 0:
		m.interval = DefaultLinkInterval
	case m.interval < 0:
		m.interval = 0
	}
	if m.attr == "" {
		m.attr = "email"
	}
	if m.now == nil {
		m.now = time.Now
	}
	probe := "https://app.example.com/#" + MagicLinkFragment + "=probe7Token"
	m.mail, err = newMailer(fn, mailConfig{
		From: cfg.From, Client: cfg.Client, ConfigurationSet: cfg.ConfigurationSet,
		Subject: orDefault(cfg.Subject, DefaultLinkSubject),
		Text:    orDefault(cfg.Text, DefaultLinkEmailText),
		HTML:    orDefault(cfg.HTML, DefaultLinkEmailHTML),
	}, LinkEmailData{Link: probe, Minutes: 15, Email: "user@example.com"}, "probe7Token", "{{.Link}}")
	if err != nil {
		return nil, err
	}
	key := cfg.DecoyKey
	if len(key) == 0 {
		key = []byte(os.Getenv(OTPKeyEnv))
	}
	switch {
	case len(key) == 0:
		key = make([]byte, minKeyLen)
		_, _ = rand.Read(key)
	case len(key) < minKeyLen:
		return nil, fmt.Errorf("%s: magic link decoy key must be at least %d bytes (DecoyKey or %s)", fn, minKeyLen, OTPKeyEnv)
	}
	m.decoyKey = key
	m.pace = newPacer("magic link")
	return m, nil
}

// target returns the page to link to, or false when raw is not allowed.
func (m *magicLink) target(raw string) (string, bool) {
	u, ok := m.allow.Match(raw)
	if !ok || strings.Contains(u, "#") {
		return "", false
	}
	return u, true
}

// linkPayload is what a link's token says, signed.
type linkPayload struct {
	Version  int    `json:"v"`
	Pool     string `json:"pool"`
	User     string `json:"user"`
	ID       string `json:"id"`
	IssuedAt int64  `json:"iat"` // Unix seconds
	Expires  int64  `json:"exp"` // Unix seconds
}

func (m *magicLink) recipient(e *CreateEvent) (string, bool) {
	if e.Request.UserNotFound {
		return decoyAddress(m.decoyKey, e.UserName), false
	}
	addr := e.Request.UserAttributes[m.attr]
	if addr == "" || !strings.Contains(addr, "@") {
		return decoyAddress(m.decoyKey, e.UserName), false
	}
	if !m.cfg.AllowUnverifiedEmail && e.Request.UserAttributes["email_verified"] != "true" {
		return addr, false
	}
	return addr, true
}

func (m *magicLink) create(ctx context.Context, c *Challenge) error {
	e := c.Event
	addr, deliverable := m.recipient(e)
	c.Public["email"] = maskEmail(addr)
	// The nonce tells this challenge from others, so that a retried Verify of the same
	// challenge succeeds again and no other use of the link does.
	c.Private[paramNonce] = randomID()
	state, carry := LinkStateNone, carryLinkAsk
	if c.Previous == carryLinkSent {
		state, carry = LinkStateSent, carryLinkSent
	}
	if e.Request.ClientMetadata[MagicLinkActionKey] == MagicLinkRequest {
		if err := m.request(ctx, e, addr, deliverable); err != nil {
			return err
		}
		state, carry = LinkStateSent, carryLinkSent
	}
	c.Public["linkState"] = state
	c.Carry = carry
	return nil
}

// request sends a link to addr unless the user has one from less than the minimum
// interval ago, or the page asked for is not allowed.
func (m *magicLink) request(ctx context.Context, e *CreateEvent, addr string, deliverable bool) error {
	logger := triggers.Logger(ctx)
	now := m.now()
	key := storeKey(&e.Header) + linkStoreSuffix
	target, allowed := m.target(orDefault(e.Request.ClientMetadata[MagicLinkRedirectKey], m.cfg.RedirectURL))
	if !allowed {
		logger.LogAttrs(ctx, slog.LevelWarn, "magic link: redirect not allowed, no link sent")
		return nil
	}
	rec, err := m.cfg.Store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read link record: %w", err)
	}
	payload := linkPayload{Version: 1, Pool: e.UserPoolID, User: e.UserName, ID: randomID(),
		IssuedAt: now.Unix(), Expires: now.Add(m.ttl).Unix()}
	token, err := m.sign(ctx, payload)
	if err != nil {
		return err
	}
	if !deliverable {
		// Signed, read and written like a real link, so that KMS and the store see the
		// same calls: the write is conditional on a link id that no record holds, so it
		// changes nothing. No email is sent.
		if _, err := m.cfg.Store.Put(ctx, key, CodeRecord{CodeID: payload.ID, Hash: "-",
			IssuedAt: now, ExpiresAt: now.Add(m.ttl)}, randomID()); err != nil {
			return fmt.Errorf("store link record: %w", err)
		}
		// And it takes about as long as recent real sends did.
		if err := m.pace.start().wait(ctx); err != nil {
			return fmt.Errorf("send link email: %w", err)
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "magic link: no link sent", slog.Bool("userNotFound", e.Request.UserNotFound))
		return nil
	}
	replaces := ""
	if rec != nil {
		if rec.UsedBy == "" && now.Sub(rec.IssuedAt) < m.interval && now.Before(rec.ExpiresAt) {
			// As long as a send, so that asking twice tells a user apart from no user.
			if err := m.pace.start().wait(ctx); err != nil {
				return fmt.Errorf("send link email: %w", err)
			}
			logger.LogAttrs(ctx, slog.LevelInfo, "magic link: link sent recently, not sending another")
			return nil
		}
		replaces = rec.CodeID
	}
	salt := make([]byte, linkRecordHashSaltSize)
	_, _ = rand.Read(salt)
	stored, err := m.cfg.Store.Put(ctx, key, CodeRecord{
		CodeID:    payload.ID,
		Hash:      base64.RawURLEncoding.EncodeToString(salt) + "." + tokenHash(salt, token),
		IssuedAt:  time.Unix(payload.IssuedAt, 0),
		ExpiresAt: time.Unix(payload.Expires, 0),
	}, replaces)
	if err != nil {
		return fmt.Errorf("store link record: %w", err)
	}
	if !stored {
		// A concurrent invocation (Cognito retrying this one) stored its link first
		// and sends it.
		logger.LogAttrs(ctx, slog.LevelInfo, "magic link: another invocation sends the link")
		return nil
	}
	link := target + "#" + MagicLinkFragment + "=" + token
	sending := m.pace.start()
	err = m.mail.send(ctx, addr, LinkEmailData{Link: link, Minutes: int((m.ttl + time.Minute - 1) / time.Minute), Email: addr})
	if err != nil {
		forget(ctx, m.cfg.Store, key, payload.ID, "magic link")
		return fmt.Errorf("send link email: %w", err)
	}
	sending.delivered()
	triggers.AddCount(ctx, MagicLinkStepName+".Sent", 1)
	logger.LogAttrs(ctx, slog.LevelInfo, "magic link: link sent")
	return nil
}

func (m *magicLink) sign(ctx context.Context, p linkPayload) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	sig, err := m.cfg.Signer.Sign(ctx, []byte(linkSignaturePrefix+body))
	if err != nil {
		return "", fmt.Errorf("sign link: %w", err)
	}
	return body + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// tokenHash is the salted hash the store keeps of an open link's token.
func tokenHash(salt []byte, token string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// ParseLinkToken returns the user name and pool id a link's token names, without
// checking it, for a client that opens a link and must start a sign-in for its user.
func ParseLinkToken(token string) (userName, userPoolID string, err error) {
	p, _, _, err := splitLinkToken(token)
	if err != nil {
		return "", "", err
	}
	return p.User, p.Pool, nil
}

func splitLinkToken(token string) (p linkPayload, body string, sig []byte, err error) {
	if len(token) > maxLinkToken {
		return p, "", nil, errors.New("token too long")
	}
	body, sigText, ok := strings.Cut(token, ".")
	if !ok {
		return p, "", nil, errors.New("token has no signature")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return p, "", nil, errors.New("token payload is not base64url")
	}
	if sig, err = base64.RawURLEncoding.DecodeString(sigText); err != nil || len(sig) == 0 {
		return p, "", nil, errors.New("token signature is not base64url")
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Version != 1 {
		return p, "", nil, errors.New("token payload is not a version 1 link")
	}
	return p, body, sig, nil
}

func (m *magicLink) verify(ctx context.Context, a *Answer) (bool, error) {
	e := a.Event
	logger := triggers.Logger(ctx)
	reject := func(reason string) (bool, error) {
		logger.LogAttrs(ctx, slog.LevelInfo, "magic link rejected", slog.String("reason", reason))
		return false, nil
	}
	if e.Request.ClientMetadata[MagicLinkActionKey] == MagicLinkRequest {
		logger.LogAttrs(ctx, slog.LevelDebug, "magic link: the client asks for a link")
		return false, nil
	}
	nonce := a.Private[paramNonce]
	token := strings.TrimSpace(a.Value.Reveal())
	p, body, sig, err := splitLinkToken(token)
	if err != nil {
		return reject(err.Error())
	}
	if nonce == "" {
		return reject("malformed private parameters")
	}
	ok, err := m.cfg.Signer.Verify(ctx, []byte(linkSignaturePrefix+body), sig)
	if err != nil {
		return false, fmt.Errorf("check link signature: %w", err)
	}
	now := m.now()
	switch {
	case !ok:
		return reject("bad signature")
	case p.Pool != e.UserPoolID:
		return reject("link for another user pool")
	case p.User != e.UserName:
		return reject("link for another user")
	case !now.Before(time.Unix(p.Expires, 0)):
		return reject("link expired")
	case time.Unix(p.IssuedAt, 0).After(now.Add(linkTokenClockSkew)):
		return reject("link issued in the future")
	}
	key := storeKey(&e.Header) + linkStoreSuffix
	rec, err := m.cfg.Store.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("read link record: %w", err)
	}
	if rec == nil || rec.CodeID != p.ID {
		return reject("not the user's open link")
	}
	saltText, want, _ := strings.Cut(rec.Hash, ".")
	salt, err := base64.RawURLEncoding.DecodeString(saltText)
	if err != nil || subtle.ConstantTimeCompare([]byte(tokenHash(salt, token)), []byte(want)) != 1 {
		return reject("token does not match the open link")
	}
	if !now.Before(rec.ExpiresAt) {
		return reject("link expired")
	}
	used, err := m.cfg.Store.Consume(ctx, key, p.ID, nonce, a.MaxWrongAnswers)
	if err != nil {
		return false, fmt.Errorf("consume link: %w", err)
	}
	if !used {
		return reject("link already used")
	}
	return true, nil
}
