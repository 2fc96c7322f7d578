package customauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// CaptchaStepName is the name of the step [CaptchaStep] returns.
const CaptchaStepName = "CAPTCHA"

// CaptchaSecretEnv is the environment variable [CaptchaConfig] reads the secret from when
// Secret is empty.
const CaptchaSecretEnv = "RECAPTCHASECRET"

// Verify endpoints of services that speak the reCAPTCHA siteverify protocol.
const (
	ReCAPTCHAVerifyURL = "https://www.google.com/recaptcha/api/siteverify"
	HCaptchaVerifyURL  = "https://api.hcaptcha.com/siteverify"
	TurnstileVerifyURL = "https://challenges.cloudflare.com/turnstile/v0/siteverify"
)

// DefaultCaptchaTimeout bounds one verification when [CaptchaConfig] sets no Timeout. It
// leaves room inside the trigger's budget ([triggers.DefaultBudget]) to answer Cognito.
const DefaultCaptchaTimeout = 3 * time.Second

// maxCaptchaToken is the longest token sent for verification; real tokens are a few
// kilobytes at most.
const maxCaptchaToken = 16 << 10

// CaptchaConfig configures [CaptchaStep], [Captcha] and [PasswordThenCaptcha].
type CaptchaConfig struct {
	// Secret is the site's secret key. Empty: the value of the environment variable
	// RECAPTCHASECRET (see [CaptchaSecretEnv]). It is sent in the form body, never in
	// the URL, and never logged.
	Secret string

	// SecretSource, instead of Secret, gives the secret key on each check, such as one
	// kept in Parameter Store or Secrets Manager (see package triggers/secrets). An error
	// from it fails the check, as an internal error.
	SecretSource triggers.SecretSource

	// VerifyURL is the siteverify endpoint: [ReCAPTCHAVerifyURL] when empty. hCaptcha
	// ([HCaptchaVerifyURL]) and Cloudflare Turnstile ([TurnstileVerifyURL]) speak the
	// same protocol.
	VerifyURL string

	// SiteKey, when set, is returned to the client in the public parameter "siteKey".
	SiteKey string

	// MinScore, when above zero, requires a score (reCAPTCHA v3) of at least MinScore; a
	// response without a score fails.
	MinScore float64

	// Action, when set, must equal the action the token was made for (reCAPTCHA v3,
	// Turnstile).
	Action string

	// Hostnames, when set, lists the site hostnames tokens may come from.
	Hostnames []string

	// Timeout bounds one verification: [DefaultCaptchaTimeout] when zero. The trigger's
	// context deadline applies too, whichever comes first.
	Timeout time.Duration

	// HTTPClient sends the verification; nil uses a shared client.
	HTTPClient *http.Client

	// Password makes [Captcha] ask for the user's password (SRP) before the CAPTCHA, as
	// [FlowConfig].Password does; [PasswordThenCaptcha] sets it. A setting of the flow:
	// [CaptchaStep] refuses it.
	Password bool

	// MaxWrongAnswers is how many failed CAPTCHAs end a sign-in of [Captcha], as
	// [FlowConfig].MaxWrongAnswers: [DefaultMaxWrongAnswers] when zero. A setting of the
	// flow: [CaptchaStep] refuses it.
	MaxWrongAnswers int
}

var defaultCaptchaClient = &http.Client{}

type captcha struct {
	cfg       CaptchaConfig
	secret    string
	verifyURL string
	timeout   time.Duration
	client    *http.Client
}

// CaptchaStep returns a step whose answer is a CAPTCHA token, verified with a
// form-encoded POST to the verify endpoint. The answer is right when the service says
// success and, as configured, the score, action and hostname match. Any network, status
// or decoding error, a timeout, or an empty token makes the answer wrong: the step fails
// closed, and the user may try again with a new token.
//
// It reports a configuration error: no secret, a verify URL that is not http(s) or that
// carries the secret or token in its query, a score outside 0 to 1, or a flow setting
// (Password, MaxWrongAnswers), which belongs in [FlowConfig].
func CaptchaStep(cfg CaptchaConfig) (Step, error) {
	const fn = "customauth.CaptchaStep"
	if err := noFlowSettings(fn, cfg.Password, cfg.MaxWrongAnswers); err != nil {
		return Step{}, err
	}
	return captchaStep(fn, cfg)
}

func captchaStep(fn string, cfg CaptchaConfig) (Step, error) {
	c := &captcha{cfg: cfg, secret: cfg.Secret, verifyURL: cfg.VerifyURL, timeout: cfg.Timeout, client: cfg.HTTPClient}
	if cfg.SecretSource != nil && c.secret != "" {
		return Step{}, fmt.Errorf("%s: captcha takes Secret or SecretSource, not both", fn)
	}
	if c.secret == "" && cfg.SecretSource == nil {
		c.secret = os.Getenv(CaptchaSecretEnv)
	}
	if c.secret == "" && cfg.SecretSource == nil {
		return Step{}, fmt.Errorf("%s: captcha needs a secret (Secret, SecretSource or %s)", fn, CaptchaSecretEnv)
	}
	if c.verifyURL == "" {
		c.verifyURL = ReCAPTCHAVerifyURL
	}
	u, err := url.Parse(c.verifyURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Step{}, fmt.Errorf("%s: VerifyURL %q is not an http(s) URL", fn, c.verifyURL)
	}
	if q := u.Query(); q.Has("secret") || q.Has("response") {
		return Step{}, fmt.Errorf("%s: VerifyURL must not carry the secret or token; they go in the body", fn)
	}
	if cfg.MinScore < 0 || cfg.MinScore > 1 {
		return Step{}, fmt.Errorf("%s: MinScore must be 0 to 1, got %g", fn, cfg.MinScore)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultCaptchaTimeout
	}
	if c.client == nil {
		c.client = defaultCaptchaClient
	}
	return Step{Name: CaptchaStepName, Create: c.create, Verify: c.verify}, nil
}

// Captcha returns a flow whose one step is [CaptchaStep]. Alone, it signs in anyone who
// names an existing user and solves a CAPTCHA, so it suits pools where that is enough
// (kiosks, guest accounts) or, with Password, guards the password against bots; see
// [PasswordThenCaptcha]. It reports the configuration errors of CaptchaStep and of
// [NewFlow].
func Captcha(cfg CaptchaConfig) (*Flow, error) {
	const fn = "customauth.Captcha"
	s, err := captchaStep(fn, cfg)
	return singleStep(fn, s, err, cfg.Password, cfg.MaxWrongAnswers)
}

// PasswordThenCaptcha returns a flow that checks the password (SRP) and then a CAPTCHA
// token: [Captcha] with Password set.
func PasswordThenCaptcha(cfg CaptchaConfig) (*Flow, error) {
	const fn = "customauth.PasswordThenCaptcha"
	s, err := captchaStep(fn, cfg)
	return singleStep(fn, s, err, true, cfg.MaxWrongAnswers)
}

func (c *captcha) create(_ context.Context, ch *Challenge) error {
	if c.cfg.SiteKey != "" {
		ch.Public["siteKey"] = c.cfg.SiteKey
	}
	return nil
}

// siteverifyResponse is the answer of a siteverify endpoint.
type siteverifyResponse struct {
	Success    bool     `json:"success"`
	Score      *float64 `json:"score"`
	Action     string   `json:"action"`
	Hostname   string   `json:"hostname"`
	ErrorCodes []string `json:"error-codes"`
}

func (c *captcha) verify(ctx context.Context, a *Answer) (bool, error) {
	logger := triggers.Logger(ctx)
	reject := func(reason string, attrs ...slog.Attr) (bool, error) {
		logger.LogAttrs(ctx, slog.LevelInfo, "captcha rejected", append(attrs, slog.String("reason", reason))...)
		return false, nil
	}
	token := a.Value.Reveal()
	if strings.TrimSpace(token) == "" {
		return reject("empty token")
	}
	if len(token) > maxCaptchaToken {
		return reject("token too long")
	}
	secret := c.secret
	if c.cfg.SecretSource != nil {
		s, err := c.cfg.SecretSource(ctx)
		if err != nil {
			return false, fmt.Errorf("captcha secret: %w", err)
		}
		if secret = s.Reveal(); secret == "" {
			return false, errors.New("captcha secret: SecretSource gave an empty secret")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body := url.Values{"secret": {secret}, "response": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.verifyURL, strings.NewReader(body))
	if err != nil {
		return reject("build request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		// The error names the URL and the cause; the URL holds no secret (checked
		// when the step was built).
		return reject("verify request failed", slog.String("error", err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return reject("verify endpoint status", slog.Int("status", resp.StatusCode))
	}
	var r siteverifyResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&r); err != nil {
		return reject("undecodable verify response")
	}
	switch {
	case !r.Success:
		return reject("not successful", slog.Any("errorCodes", r.ErrorCodes))
	case c.cfg.MinScore > 0 && r.Score == nil:
		return reject("no score")
	case c.cfg.MinScore > 0 && *r.Score < c.cfg.MinScore:
		return reject("score too low", slog.Float64("score", *r.Score))
	case c.cfg.Action != "" && r.Action != c.cfg.Action:
		return reject("wrong action", slog.String("action", r.Action))
	case len(c.cfg.Hostnames) > 0 && !slices.Contains(c.cfg.Hostnames, r.Hostname):
		return reject("wrong hostname", slog.String("hostname", r.Hostname))
	}
	return true, nil
}
