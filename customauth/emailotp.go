package customauth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"os"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazyses"
	"github.com/lambda-triggers/cognito/triggers"
)

// EmailOTPStepName is the name of the step [EmailOTPStep] returns.
const EmailOTPStepName = "EMAIL_OTP"

// OTPKeyEnv is the environment variable [EmailOTPConfig] reads its hash key from when
// Key is empty.
const OTPKeyEnv = "OTP_HMAC_KEY"

// Defaults of [EmailOTPConfig].
const (
	DefaultCodeLength   = 6
	DefaultCodeTTL      = 5 * time.Minute
	DefaultCodeCooldown = time.Minute
	DefaultEmailSubject = "Your sign-in code"
	DefaultEmailText    = "Your sign-in code is {{.Code}}. It expires in {{.Minutes}} minutes.\n\n" +
		"If you did not try to sign in, you can ignore this email.\n"
	DefaultEmailHTML = `<p>Your sign-in code is <strong>{{.Code}}</strong>. It expires in {{.Minutes}} minutes.</p>` +
		`<p>If you did not try to sign in, you can ignore this email.</p>`
)

// minKeyLen is the shortest hash key accepted: the key is all that protects a short code
// whose keyed hash travels in the session.
const minKeyLen = 32

// EmailSender is the part of the SES v2 client that [EmailOTPConfig] uses; *sesv2.Client
// satisfies it.
type EmailSender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// EmailData is what the email templates of [EmailOTPConfig] are executed with.
type EmailData struct {
	Code    string // the one-time code
	Minutes int    // minutes until the code expires, rounded up
	Email   string // the recipient's address
}

// EmailOTPConfig configures [EmailOTP] and [EmailOTPStep]. Zero fields take the defaults
// named in their comments.
type EmailOTPConfig struct {
	// From is the sender address, verified in SES. Required.
	From string

	// Key is the secret key of the keyed hash (HMAC-SHA256) that stands in for the code
	// everywhere outside the email. At least 32 bytes. Empty: the value of the environment
	// variable OTP_HMAC_KEY (see [OTPKeyEnv]). Changing it invalidates codes in flight.
	Key []byte

	// KeySource, instead of Key, gives the key when a code is issued or checked, such as
	// one kept in Parameter Store or Secrets Manager (see package triggers/secrets); it
	// must give at least 32 bytes. An error from it fails that sign-in step closed.
	KeySource triggers.SecretSource

	// CodeLength is the number of digits: 4 to 12, [DefaultCodeLength] when zero.
	CodeLength int

	// CodeTTL is how long a code is accepted after it is sent: [DefaultCodeTTL] when zero.
	CodeTTL time.Duration

	// Cooldown is how long after sending a code no other email goes to the same user;
	// a sign-in started within it is asked for the code already sent. It takes effect
	// only with a Store. [DefaultCodeCooldown] when zero; negative turns it off.
	Cooldown time.Duration

	// Store keeps one record per user across sign-in attempts: it makes the cooldown
	// work, sends at most one email when Cognito retries Create, lets a code sign in only
	// once, and limits wrong answers to a code over all sign-in attempts that share it.
	// Nil keeps everything in Cognito's session: each new sign-in attempt then sends a
	// new code. See [DynamoDBStore].
	Store CodeStore

	// SES sends the email. Nil: the process-wide SES v2 client, created on first use.
	SES EmailSender

	// ConfigurationSet is the SES configuration set to send with, if any.
	ConfigurationSet string

	// Subject and Text are text/template templates and HTML an html/template template
	// executed with [EmailData]. Empty: DefaultEmailSubject, DefaultEmailText and
	// DefaultEmailHTML. Text or HTML must show the code.
	Subject, Text, HTML string

	// EmailAttribute is the user attribute holding the address: "email" when empty.
	EmailAttribute string

	// RequireVerifiedEmail sends codes only to users whose email_verified is "true".
	// Other users go through the same challenge and always fail, as unknown users do.
	RequireVerifiedEmail bool

	// Now is the clock: time.Now when nil. Tests set it to make codes expire.
	Now func() time.Time
}

// emailOTP is a validated EmailOTPConfig.
type emailOTP struct {
	cfg     EmailOTPConfig
	key     []byte
	length  int
	ttl     time.Duration
	cool    time.Duration
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
	attr    string
	now     func() time.Time
}

// EmailOTPStep returns a step that emails a one-time code and accepts it as the answer.
//
// Codes are uniformly random decimal digits from crypto/rand. The code exists in plain
// text only in the email: the private challenge parameters, the session and the store
// hold its keyed hash (HMAC-SHA256 over the pool, user, code id, issue time and code), and
// answers are compared in constant time. Public parameters are "email" (the address,
// masked) and "codeLength".
//
// After a wrong answer the same code stays valid: the next challenge finds the code's id,
// issue time and hash in the session (the step's carry) and sends nothing. A code expires
// CodeTTL after it was sent. With a Store, a new sign-in attempt within Cooldown is asked
// for the code already sent, a code signs in once, and the flow's limit of wrong answers
// also applies to a code across sign-in attempts; without one, each sign-in attempt sends
// a new code.
//
// For a user Cognito did not find, a user without an address, or (with
// RequireVerifiedEmail) an unverified one, nothing is sent, but the challenge looks the
// same from outside: same public parameter keys, a masked address built from the user
// name, the same number of tries, and a failure at the end.
//
// It reports a configuration error: no From, a missing or short key, a code length or
// TTL out of range, or a template that does not parse or does not show the code.
func EmailOTPStep(cfg EmailOTPConfig) (Step, error) {
	o, err := newEmailOTP(cfg)
	if err != nil {
		return Step{}, err
	}
	return Step{Name: EmailOTPStepName, Create: o.create, Verify: o.verify}, nil
}

// EmailOTP returns a flow whose one step is [EmailOTPStep]: passwordless sign-in by a
// code sent by email, or, with [WithPassword], the password and then the code.
func EmailOTP(cfg EmailOTPConfig, opts ...FlowOption) (*Flow, error) {
	s, err := EmailOTPStep(cfg)
	if err != nil {
		return nil, err
	}
	return NewFlow([]Step{s}, opts...)
}

func newEmailOTP(cfg EmailOTPConfig) (*emailOTP, error) {
	o := &emailOTP{cfg: cfg, key: cfg.Key, length: cfg.CodeLength, ttl: cfg.CodeTTL,
		cool: cfg.Cooldown, attr: cfg.EmailAttribute, now: cfg.Now}
	if cfg.From == "" {
		return nil, errors.New("customauth: email OTP needs a From address")
	}
	if cfg.KeySource != nil && len(o.key) > 0 {
		return nil, errors.New("customauth: email OTP takes Key or KeySource, not both")
	}
	if len(o.key) == 0 && cfg.KeySource == nil {
		o.key = []byte(os.Getenv(OTPKeyEnv))
	}
	if len(o.key) < minKeyLen && cfg.KeySource == nil {
		return nil, fmt.Errorf("customauth: email OTP needs a hash key of at least %d bytes (Key or %s)", minKeyLen, OTPKeyEnv)
	}
	o.key = bytes.Clone(o.key)
	if o.length == 0 {
		o.length = DefaultCodeLength
	}
	if o.length < 4 || o.length > 12 {
		return nil, fmt.Errorf("customauth: code length must be 4 to 12, got %d", o.length)
	}
	switch {
	case o.ttl == 0:
		o.ttl = DefaultCodeTTL
	case o.ttl < time.Second:
		return nil, fmt.Errorf("customauth: code TTL must be at least a second, got %s", o.ttl)
	}
	switch {
	case o.cool == 0:
		o.cool = DefaultCodeCooldown
	case o.cool < 0:
		o.cool = 0
	}
	if o.attr == "" {
		o.attr = "email"
	}
	if o.now == nil {
		o.now = time.Now
	}
	var err error
	if o.subject, err = texttemplate.New("subject").Parse(orDefault(cfg.Subject, DefaultEmailSubject)); err != nil {
		return nil, fmt.Errorf("customauth: email subject template: %w", err)
	}
	if o.text, err = texttemplate.New("text").Parse(orDefault(cfg.Text, DefaultEmailText)); err != nil {
		return nil, fmt.Errorf("customauth: email text template: %w", err)
	}
	if o.html, err = htmltemplate.New("html").Parse(orDefault(cfg.HTML, DefaultEmailHTML)); err != nil {
		return nil, fmt.Errorf("customauth: email HTML template: %w", err)
	}
	const probe = "4071"
	_, text, html, err := o.render(EmailData{Code: probe, Minutes: 5, Email: "user@example.com"})
	if err != nil {
		return nil, fmt.Errorf("customauth: email templates: %w", err)
	}
	if !strings.Contains(text, probe) && !strings.Contains(html, probe) {
		return nil, errors.New("customauth: neither the text nor the HTML email template shows {{.Code}}")
	}
	return o, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// NewCode returns length uniformly random decimal digits from crypto/rand. Each digit
// comes from one random byte below 250, so that every digit is equally likely; bytes of
// 250 and above are drawn again.
func NewCode(length int) (string, error) {
	if length < 1 || length > 64 {
		return "", fmt.Errorf("customauth: code length must be 1 to 64, got %d", length)
	}
	out := make([]byte, 0, length)
	var buf [32]byte
	for len(out) < length {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("customauth: random code: %w", err)
		}
		for _, b := range buf {
			if b < 250 {
				out = append(out, '0'+b%10)
				if len(out) == length {
					break
				}
			}
		}
	}
	return string(out), nil
}

// randomID returns 128 random bits, base64url encoded.
func randomID() string { return randomB64(16) }

// randomB64 returns n random bytes, base64url encoded.
func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// issued is one code as the challenge, the session and the store know it: never the code
// itself.
type issued struct {
	codeID   string
	issuedAt time.Time // millisecond precision, as stored
	hash     string    // base64url HMAC
}

// Private parameter keys of the email OTP step.
const (
	paramCodeHash = "codeHash"
	paramCodeID   = "codeId"
	paramIssuedAt = "issuedAt"
	paramNonce    = "nonce"
)

// The carry is "v1.<code id>.<issue time, unix ms>.<hash>".
const carryVersion = "v1"

func (c issued) carry() string {
	return strings.Join([]string{carryVersion, c.codeID, strconv.FormatInt(c.issuedAt.UnixMilli(), 10), c.hash}, ".")
}

func parseCarry(s string) (issued, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != carryVersion || parts[1] == "" || parts[3] == "" {
		return issued{}, false
	}
	ms, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return issued{}, false
	}
	return issued{codeID: parts[1], issuedAt: time.UnixMilli(ms), hash: parts[3]}, true
}

// hash is the keyed hash of code as issued to the user of e at issuedAt under codeID.
// Binding the pool, user, id and time keeps a hash from standing for any other code.
// keyFor returns the hash key: Key, or what KeySource gives now.
func (o *emailOTP) keyFor(ctx context.Context) ([]byte, error) {
	if o.cfg.KeySource == nil {
		return o.key, nil
	}
	k, err := o.cfg.KeySource(ctx)
	if err != nil {
		return nil, fmt.Errorf("email OTP hash key: %w", err)
	}
	if len(k) < minKeyLen {
		return nil, fmt.Errorf("email OTP hash key from KeySource: shorter than %d bytes", minKeyLen)
	}
	return []byte(k.Reveal()), nil
}

func (o *emailOTP) hash(hk []byte, poolID, userName, codeID string, issuedAt time.Time, code string) []byte {
	m := hmac.New(sha256.New, hk)
	for _, s := range []string{"customauth email OTP v1", poolID, userName, codeID,
		strconv.FormatInt(issuedAt.UnixMilli(), 10), code} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func storeKey(h *triggers.Header) string { return h.UserPoolID + "#" + h.UserName }

// recipient returns the address to show (masked) and whether a code may be sent to it.
func (o *emailOTP) recipient(hk []byte, e *CreateEvent) (string, bool) {
	if e.Request.UserNotFound {
		return o.decoyAddress(hk, e.UserName), false
	}
	addr := e.Request.UserAttributes[o.attr]
	if addr == "" || !strings.Contains(addr, "@") {
		return o.decoyAddress(hk, e.UserName), false
	}
	if o.cfg.RequireVerifiedEmail && e.Request.UserAttributes["email_verified"] != "true" {
		return addr, false
	}
	return addr, true
}

func (o *emailOTP) create(ctx context.Context, c *Challenge) error {
	e := c.Event
	now := o.now()
	logger := triggers.Logger(ctx)
	hk, err := o.keyFor(ctx)
	if err != nil {
		return err
	}
	addr, deliverable := o.recipient(hk, e)

	// A later attempt in the same sign-in keeps the code already sent while it is valid.
	if prev, ok := parseCarry(c.Previous); ok && now.Before(prev.issuedAt.Add(o.ttl)) {
		o.fill(c, addr, prev)
		logger.LogAttrs(ctx, slog.LevelDebug, "email OTP: same code, next attempt", slog.Int("attempt", c.Attempt))
		return nil
	}
	if !deliverable {
		// Looks like a sent code from outside; its hash matches no answer.
		decoy := issued{codeID: randomID(), issuedAt: now.Truncate(time.Millisecond), hash: randomB64(sha256.Size)}
		o.fill(c, addr, decoy)
		logger.LogAttrs(ctx, slog.LevelInfo, "email OTP: no code sent", slog.Bool("userNotFound", e.Request.UserNotFound))
		return nil
	}

	key := storeKey(&e.Header)
	replaces := ""
	if o.cfg.Store != nil {
		rec, err := o.cfg.Store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("read code record: %w", err)
		}
		if rec != nil && o.reusable(rec, now) {
			o.fill(c, addr, rec.issued())
			logger.LogAttrs(ctx, slog.LevelInfo, "email OTP: code sent recently, not sending another")
			return nil
		}
		if rec != nil {
			replaces = rec.CodeID
		}
	}

	code, err := NewCode(o.length)
	if err != nil {
		return err
	}
	iss := issued{codeID: randomID(), issuedAt: now.Truncate(time.Millisecond)}
	iss.hash = base64.RawURLEncoding.EncodeToString(o.hash(hk, e.UserPoolID, e.UserName, iss.codeID, iss.issuedAt, code))
	if o.cfg.Store != nil {
		rec := CodeRecord{CodeID: iss.codeID, Hash: iss.hash, IssuedAt: iss.issuedAt, ExpiresAt: iss.issuedAt.Add(o.ttl)}
		stored, err := o.cfg.Store.Put(ctx, key, rec, replaces)
		if err != nil {
			return fmt.Errorf("store code record: %w", err)
		}
		if !stored {
			// A concurrent invocation (Cognito retrying this one) stored its code
			// first and sends that one: ask for it, so that the user gets one email.
			winner, err := o.cfg.Store.Get(ctx, key)
			if err != nil {
				return fmt.Errorf("read code record: %w", err)
			}
			if winner == nil || !o.reusable(winner, now) {
				return errors.New("code record changed while a code was being issued")
			}
			o.fill(c, addr, winner.issued())
			return nil
		}
	}
	if err := o.send(ctx, addr, code); err != nil {
		if o.cfg.Store != nil {
			// Forget the code nobody received, so that a retry sends one; also when
			// the send failed because the budget ran out.
			cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			derr := o.cfg.Store.Delete(cleanup, key, iss.codeID)
			cancel()
			if derr != nil {
				logger.LogAttrs(ctx, slog.LevelWarn, "email OTP: remove unsent code record",
					slog.String("error", derr.Error()))
			}
		}
		return fmt.Errorf("send code email: %w", err)
	}
	o.fill(c, addr, iss)
	logger.LogAttrs(ctx, slog.LevelInfo, "email OTP: code sent", slog.Int("attempt", c.Attempt))
	return nil
}

// reusable reports whether a stored code is to be asked for again instead of sending a
// new one: it was sent within the cooldown, has not signed anyone in, and has not
// expired. A code that has had too many wrong answers is reused too, so that no email
// goes out within the cooldown; it can no longer be answered.
func (o *emailOTP) reusable(rec *CodeRecord, now time.Time) bool {
	return rec.UsedBy == "" && now.Sub(rec.IssuedAt) < o.cool && now.Before(rec.ExpiresAt)
}

func (o *emailOTP) fill(c *Challenge, addr string, iss issued) {
	c.Public["email"] = maskEmail(addr)
	c.Public["codeLength"] = strconv.Itoa(o.length)
	c.Private[paramCodeHash] = iss.hash
	c.Private[paramCodeID] = iss.codeID
	c.Private[paramIssuedAt] = strconv.FormatInt(iss.issuedAt.UnixMilli(), 10)
	// The nonce tells this challenge from others that share the code, so that the store
	// can let a retried Verify of the same challenge succeed again and no other.
	c.Private[paramNonce] = randomID()
	c.Carry = iss.carry()
}

func (o *emailOTP) verify(ctx context.Context, a *Answer) (bool, error) {
	e := a.Event
	answer := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '-' {
			return -1
		}
		return r
	}, a.Value.Reveal())
	codeID, nonce := a.Private[paramCodeID], a.Private[paramNonce]
	ms, err := strconv.ParseInt(a.Private[paramIssuedAt], 10, 64)
	want, herr := base64.RawURLEncoding.DecodeString(a.Private[paramCodeHash])
	if err != nil || herr != nil || codeID == "" || nonce == "" {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "email OTP: malformed private parameters")
		return false, nil
	}
	issuedAt := time.UnixMilli(ms)
	hk, err := o.keyFor(ctx)
	if err != nil {
		return false, err
	}
	got := o.hash(hk, e.UserPoolID, e.UserName, codeID, issuedAt, answer)
	match := subtle.ConstantTimeCompare(got, want) == 1 && len(answer) == o.length
	expired := !o.now().Before(issuedAt.Add(o.ttl))
	logger := triggers.Logger(ctx)
	if expired {
		logger.LogAttrs(ctx, slog.LevelInfo, "email OTP: code expired")
		return false, nil
	}
	if o.cfg.Store == nil || e.Request.UserNotFound {
		return match, nil
	}
	key := storeKey(&e.Header)
	if !match {
		if err := o.cfg.Store.Fail(ctx, key, codeID, nonce); err != nil {
			logger.LogAttrs(ctx, slog.LevelWarn, "email OTP: record wrong answer", slog.String("error", err.Error()))
		}
		return false, nil
	}
	ok, err := o.cfg.Store.Consume(ctx, key, codeID, nonce, a.MaxWrongAnswers)
	if err != nil {
		return false, fmt.Errorf("consume code: %w", err)
	}
	if !ok {
		logger.LogAttrs(ctx, slog.LevelInfo, "email OTP: code already used, replaced or locked")
	}
	return ok, nil
}

func (o *emailOTP) render(d EmailData) (subject, text, html string, err error) {
	var b strings.Builder
	if err = o.subject.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("subject: %w", err)
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err = o.text.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("text: %w", err)
	}
	text = b.String()
	b.Reset()
	if err = o.html.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("HTML: %w", err)
	}
	return subject, text, b.String(), nil
}

func (o *emailOTP) send(ctx context.Context, addr, code string) error {
	subject, text, html, err := o.render(EmailData{
		Code:    code,
		Minutes: int((o.ttl + time.Minute - 1) / time.Minute),
		Email:   addr,
	})
	if err != nil {
		return err
	}
	client := o.cfg.SES
	if client == nil {
		c, err := lazyses.Default(ctx)
		if err != nil {
			return err
		}
		client = c
	}
	utf8 := "UTF-8"
	in := &sesv2.SendEmailInput{
		FromEmailAddress: &o.cfg.From,
		Destination:      &sestypes.Destination{ToAddresses: []string{addr}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: &subject, Charset: &utf8},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: &text, Charset: &utf8},
				Html: &sestypes.Content{Data: &html, Charset: &utf8},
			},
		}},
	}
	if o.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = &o.cfg.ConfigurationSet
	}
	_, err = client.SendEmail(ctx, in)
	return err
}

// decoyDomains are common mail domains, for addresses shown to users who get no email.
var decoyDomains = []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"}

// decoyAddress is the address shown, masked, when no code is sent. A user name that is an
// address is shown as it is, as for a real user signing in with an email alias; any other
// name gets a plausible address derived from it with the key, the same on every attempt,
// so that probing a name twice shows nothing either.
func (o *emailOTP) decoyAddress(hk []byte, userName string) string {
	if strings.Contains(userName, "@") {
		return userName
	}
	m := hmac.New(sha256.New, hk)
	m.Write([]byte("customauth decoy address\x00" + userName))
	h := m.Sum(nil)
	return string(rune('a'+h[0]%26)) + "@" + decoyDomains[int(h[1])%len(decoyDomains)]
}

// maskEmail shows enough of an address for the user to recognise it: "a***@e***.com".
// A value without "@" (a user name that is not an address) is masked as a whole.
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	first := func(s string) string {
		for _, r := range s {
			return string(r)
		}
		return ""
	}
	if !ok {
		return first(local) + "***"
	}
	masked := first(local) + "***@"
	host, tld := domain, ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		host, tld = domain[:i], domain[i:]
	}
	return masked + first(host) + "***" + tld
}
