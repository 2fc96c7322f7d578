package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	htmltemplate "html/template"
	"os"
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

	// Client is the SES v2 client that sends the email. Nil: the process-wide client,
	// created on first use.
	Client EmailSender

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

	// Password makes [EmailOTP] ask for the user's password (SRP) before the code, as
	// [FlowConfig].Password does. False: passwordless. A setting of the flow:
	// [EmailOTPStep] refuses it.
	Password bool

	// MaxWrongAnswers is how many wrong answers end a sign-in of [EmailOTP], as
	// [FlowConfig].MaxWrongAnswers: [DefaultMaxWrongAnswers] when zero. A setting of the
	// flow: [EmailOTPStep] refuses it.
	MaxWrongAnswers int
}

// emailOTP is a validated EmailOTPConfig.
type emailOTP struct {
	*oneTimeCode
	cfg  EmailOTPConfig
	mail *mailer
	attr string
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
// name, the same number of tries, about the time a real code takes to issue (recent
// real sends in this process), and a failure at the end.
//
// It reports a configuration error: no From, a missing or short key, a code length or
// TTL out of range, a template that does not parse or does not show the code, or a flow
// setting (Password, MaxWrongAnswers), which belongs in [FlowConfig].
func EmailOTPStep(cfg EmailOTPConfig) (Step, error) {
	const fn = "customauth.EmailOTPStep"
	if err := noFlowSettings(fn, cfg.Password, cfg.MaxWrongAnswers); err != nil {
		return Step{}, err
	}
	return emailOTPStep(fn, cfg)
}

// EmailOTP returns a flow whose one step is [EmailOTPStep]: passwordless sign-in by a
// code sent by email, or, with Password, the password and then the code. It reports the
// configuration errors of EmailOTPStep and of [NewFlow].
func EmailOTP(cfg EmailOTPConfig) (*Flow, error) {
	const fn = "customauth.EmailOTP"
	s, err := emailOTPStep(fn, cfg)
	return singleStep(fn, s, err, cfg.Password, cfg.MaxWrongAnswers)
}

func emailOTPStep(fn string, cfg EmailOTPConfig) (Step, error) {
	o, err := newEmailOTP(fn, cfg)
	if err != nil {
		return Step{}, err
	}
	return Step{Name: EmailOTPStepName, Create: o.create, Verify: o.verify}, nil
}

func newEmailOTP(fn string, cfg EmailOTPConfig) (*emailOTP, error) {
	if cfg.From == "" {
		return nil, fmt.Errorf("%s: From is empty: email OTP needs a From address", fn)
	}
	key := cfg.Key
	if len(key) == 0 && cfg.KeySource == nil {
		key = []byte(os.Getenv(OTPKeyEnv))
	}
	code, err := codeSettings(fn, "email OTP", key, cfg.KeySource, cfg.CodeLength, cfg.CodeTTL, cfg.Cooldown, cfg.Store, cfg.Now)
	if err != nil {
		return nil, err
	}
	o := &emailOTP{oneTimeCode: code, cfg: cfg, attr: cfg.EmailAttribute}
	if o.attr == "" {
		o.attr = "email"
	}
	o.mail, err = newMailer(fn, mailConfig{
		From: cfg.From, Client: cfg.Client, ConfigurationSet: cfg.ConfigurationSet,
		Subject: orDefault(cfg.Subject, DefaultEmailSubject),
		Text:    orDefault(cfg.Text, DefaultEmailText),
		HTML:    orDefault(cfg.HTML, DefaultEmailHTML),
	}, EmailData{Code: "4071", Minutes: 5, Email: "user@example.com"}, "4071", "{{.Code}}")
	if err != nil {
		return nil, err
	}
	o.ch = codeChannel{
		logPrefix: "email OTP",
		sentCount: EmailOTPStepName + ".Sent",
		hashLabel: "customauth email OTP v1",
		recipient: o.recipient,
		public:    func(c *Challenge, addr string) { c.Public["email"] = maskEmail(addr) },
		deliver: func(ctx context.Context, addr, code string) error {
			return o.mail.send(ctx, addr, EmailData{
				Code:    code,
				Minutes: int((o.ttl + time.Minute - 1) / time.Minute),
				Email:   addr,
			})
		},
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

// recipient returns the address to show (masked) and whether a code may be sent to it.
// hk is the hash key in force for this call, which the made-up address is derived with.
func (o *emailOTP) recipient(hk []byte, e *CreateEvent) (string, bool) {
	if e.Request.UserNotFound {
		return decoyAddress(hk, e.UserName), false
	}
	addr := e.Request.UserAttributes[o.attr]
	if addr == "" || !strings.Contains(addr, "@") {
		return decoyAddress(hk, e.UserName), false
	}
	if o.cfg.RequireVerifiedEmail && e.Request.UserAttributes["email_verified"] != "true" {
		return addr, false
	}
	return addr, true
}

// mailConfig is what [mailer] sends with.
type mailConfig struct {
	From, ConfigurationSet string
	Client                 EmailSender
	Subject, Text, HTML    string // templates
}

// mailer renders and sends the emails of the steps that send one: a text/template
// subject and text body and an html/template HTML body, through SES v2.
type mailer struct {
	cfg     mailConfig
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// newMailer parses the templates and renders them with probe, whose text or HTML body
// must show secret: a template that leaves out the code or link is refused, naming
// field, the placeholder it should use. Errors start with fn, the constructor.
func newMailer(fn string, cfg mailConfig, probe any, secret, field string) (*mailer, error) {
	m := &mailer{cfg: cfg}
	var err error
	if m.subject, err = texttemplate.New("subject").Parse(cfg.Subject); err != nil {
		return nil, fmt.Errorf("%s: Subject: email subject template: %w", fn, err)
	}
	if m.text, err = texttemplate.New("text").Parse(cfg.Text); err != nil {
		return nil, fmt.Errorf("%s: Text: email text template: %w", fn, err)
	}
	if m.html, err = htmltemplate.New("html").Parse(cfg.HTML); err != nil {
		return nil, fmt.Errorf("%s: HTML: email HTML template: %w", fn, err)
	}
	_, text, html, err := m.render(probe)
	if err != nil {
		return nil, fmt.Errorf("%s: email templates: %w", fn, err)
	}
	if !strings.Contains(text, secret) && !strings.Contains(html, secret) {
		return nil, fmt.Errorf("%s: Text, HTML: neither the text nor the HTML email template shows %s", fn, field)
	}
	return m, nil
}

func (m *mailer) render(d any) (subject, text, html string, err error) {
	var b strings.Builder
	if err = m.subject.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("subject: %w", err)
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err = m.text.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("text: %w", err)
	}
	text = b.String()
	b.Reset()
	if err = m.html.Execute(&b, d); err != nil {
		return "", "", "", fmt.Errorf("HTML: %w", err)
	}
	return subject, text, b.String(), nil
}

func (m *mailer) send(ctx context.Context, addr string, data any) error {
	subject, text, html, err := m.render(data)
	if err != nil {
		return err
	}
	client := m.cfg.Client
	if client == nil {
		c, err := lazyses.Default(ctx)
		if err != nil {
			return err
		}
		client = c
	}
	utf8 := "UTF-8"
	in := &sesv2.SendEmailInput{
		FromEmailAddress: &m.cfg.From,
		Destination:      &sestypes.Destination{ToAddresses: []string{addr}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: &subject, Charset: &utf8},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: &text, Charset: &utf8},
				Html: &sestypes.Content{Data: &html, Charset: &utf8},
			},
		}},
	}
	if m.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = &m.cfg.ConfigurationSet
	}
	_, err = client.SendEmail(ctx, in)
	return err
}

// decoyDomains are common mail domains, for addresses shown to users who get no email.
var decoyDomains = []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"}

// decoyAddress is the address shown, masked, when no code is sent. A user name that is an
// address is shown as it is, as for a real user signing in with an email alias; any other
// name gets a plausible address derived from it with key, the same on every attempt, so
// that probing a name twice shows nothing either.
func decoyAddress(key []byte, userName string) string {
	if strings.Contains(userName, "@") {
		return userName
	}
	m := hmac.New(sha256.New, key)
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
