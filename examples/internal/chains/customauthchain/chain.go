// Package customauthchain builds the custom authentication flow of examples/allinone,
// and the steps that examples/magiclink and examples/smsotp serve in flows of their own,
// from environment variables, so that a variable means the same and a bad value gets the
// same start-up error in each. The steps without SNS or KMS clients are read by package
// customauthsteps, which examples/customauth and examples/captcha use alone.
package customauthchain

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/kmssigner"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthsteps"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
)

// FromEnv returns the custom authentication flow the environment configures, nil when
// it configures no step. Its steps run in this order, each when configured:
//
//	CUSTOM_AUTH_PASSWORD=true                                     the password (SRP) first
//	STEP_UP=true, STEP_UP_CLIENT_IDS, STEP_UP_MAX_AGE, ...        a valid access token (see customauthsteps)
//	RECAPTCHASECRET, RECAPTCHA_VERIFY_URL, RECAPTCHA_SITE_KEY     a CAPTCHA (see customauthsteps)
//	MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_TABLE, ...   a sign-in link (see MagicLinkConfig)
//	OTP_FROM, OTP_HMAC_KEY, OTP_TABLE                             an emailed code (see customauthsteps)
//	SMS_OTP=true, OTP_HMAC_KEY, SMS_OTP_TABLE, ...                a code by SMS (see SMSOTPConfig)
//
// RECAPTCHASECRET and OTP_HMAC_KEY take the secret or a reference to where it is kept:
// ssm:/name for a Parameter Store parameter, secretsmanager:name[#member] for a Secrets
// Manager secret (see customauthsteps.Secret).
//
// The step-up check and the CAPTCHA come before anything that sends a message, so that
// neither a robot nor a client without a session gets one sent.
func FromEnv(env func(string) string) (*customauth.Flow, error) {
	var steps []customauth.Step
	stepUpOn, err := envvar.Bool(env, "STEP_UP")
	if err != nil {
		return nil, err
	}
	if stepUpOn {
		stepUp, err := customauthsteps.StepUpConfig(env)
		if err != nil {
			return nil, err
		}
		step, err := customauth.StepUpStep(stepUp)
		if err != nil {
			return nil, fmt.Errorf("STEP_UP_ISSUER_BASE, STEP_UP_MAX_AGE: %w", err)
		}
		steps = append(steps, step)
	}
	captcha, ok, err := customauthsteps.CaptchaConfig(env)
	if err != nil {
		return nil, err
	}
	if ok {
		step, err := customauth.CaptchaStep(captcha)
		if err != nil {
			return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
		}
		steps = append(steps, step)
	}
	links, ok, err := MagicLinkConfig(env)
	if err != nil {
		return nil, err
	}
	if ok {
		step, err := customauth.MagicLinkStep(links)
		if err != nil {
			return nil, fmt.Errorf("MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_ALLOWED_REDIRECTS, MAGIC_LINK_TTL: %w", err)
		}
		steps = append(steps, step)
	}
	cfg, ok, err := customauthsteps.EmailOTPConfig(env)
	if err != nil {
		return nil, err
	}
	if ok {
		step, err := customauth.EmailOTPStep(cfg)
		if err != nil {
			return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
		}
		steps = append(steps, step)
	}
	smsOn, err := envvar.Bool(env, "SMS_OTP")
	if err != nil {
		return nil, err
	}
	if smsOn {
		sms, err := SMSOTPConfig(env)
		if err != nil {
			return nil, err
		}
		step, err := smsotp.Step(sms)
		if err != nil {
			return nil, fmt.Errorf("SMS_OTP, OTP_HMAC_KEY: %w", err)
		}
		steps = append(steps, step)
	}
	password, err := envvar.Bool(env, "CUSTOM_AUTH_PASSWORD")
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		if password {
			return nil, errors.New("CUSTOM_AUTH_PASSWORD needs a custom step: set RECAPTCHASECRET, MAGIC_LINK_FROM, OTP_FROM or SMS_OTP")
		}
		return nil, nil
	}
	if len(steps) == 1 && steps[0].Name == customauth.StepUpStepName {
		return nil, errors.New("STEP_UP needs a step after it: set OTP_FROM or SMS_OTP for the fresh code it asks for")
	}
	var opts []customauth.FlowOption
	if password {
		opts = append(opts, customauth.WithPassword())
	}
	return customauth.NewFlow(steps, opts...)
}

// SMSOTPConfig returns the configuration of the SMS one-time code step (FromEnv adds it
// when SMS_OTP is true). Codes go only to verified numbers unless SMS_ALLOW_UNVERIFIED is
// true, and with SMS_OTP_TABLE the codes and wrong answers are kept in DynamoDB across
// sign-in attempts (a table shared with OTP_TABLE keeps a record per step). OTP_HMAC_KEY
// is the key or a reference to it, read when the first code is issued.
func SMSOTPConfig(env func(string) string) (smsotp.Config, error) {
	key, source, err := customauthsteps.Secret(env, "OTP_HMAC_KEY")
	if err != nil {
		return smsotp.Config{}, err
	}
	if key == "" && source == nil {
		return smsotp.Config{}, errors.New(
			"missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes)")
	}
	unverified, err := envvar.Bool(env, "SMS_ALLOW_UNVERIFIED")
	if err != nil {
		return smsotp.Config{}, err
	}
	cfg := smsotp.Config{Key: []byte(key), KeySource: source, SenderID: env("SMS_SENDER_ID"), AllowUnverifiedPhone: unverified}
	if table := env("SMS_OTP_TABLE"); table != "" {
		cfg.Store = &customauth.DynamoDBStore{Table: table}
	}
	return cfg, nil
}

// MagicLinkConfig returns the configuration of the sign-in link step, and false when
// MAGIC_LINK_FROM is not set. Links open MAGIC_LINK_REDIRECT, or a page a client names
// within MAGIC_LINK_ALLOWED_REDIRECTS; they are signed by the KMS key
// MAGIC_LINK_KMS_KEY_ID or with the secret MAGIC_LINK_HMAC_KEY (one of the two), kept
// (as salted hashes) in MAGIC_LINK_TABLE, and live MAGIC_LINK_TTL (15m), one per
// MAGIC_LINK_INTERVAL (1m) and user.
func MagicLinkConfig(env func(string) string) (customauth.MagicLinkConfig, bool, error) {
	from := env("MAGIC_LINK_FROM")
	if from == "" {
		return customauth.MagicLinkConfig{}, false, nil
	}
	var missing []string
	for _, v := range []struct{ name, what string }{
		{"MAGIC_LINK_REDIRECT", "the page sign-in links open"},
		{"MAGIC_LINK_TABLE", "the DynamoDB table of open links, partition key pk (S), TTL on ttl"},
	} {
		if env(v.name) == "" {
			missing = append(missing, fmt.Sprintf("missing environment variable %s (%s), required with MAGIC_LINK_FROM", v.name, v.what))
		}
	}
	if len(missing) > 0 {
		return customauth.MagicLinkConfig{}, false, errors.New(strings.Join(missing, "; "))
	}
	ttl, err := envvar.Duration(env, "MAGIC_LINK_TTL", 0)
	if err != nil {
		return customauth.MagicLinkConfig{}, false, err
	}
	interval, err := envvar.Duration(env, "MAGIC_LINK_INTERVAL", 0)
	if err != nil {
		return customauth.MagicLinkConfig{}, false, err
	}
	cfg := customauth.MagicLinkConfig{
		From: from, RedirectURL: env("MAGIC_LINK_REDIRECT"), AllowedRedirects: envvar.List(env("MAGIC_LINK_ALLOWED_REDIRECTS")),
		Store: &customauth.DynamoDBStore{Table: env("MAGIC_LINK_TABLE")}, TTL: ttl, MinInterval: interval,
	}
	if decoy, source, err := customauthsteps.Secret(env, "OTP_HMAC_KEY"); err == nil && source == nil {
		cfg.DecoyKey = []byte(decoy)
	}
	keyID, secret := env("MAGIC_LINK_KMS_KEY_ID"), env("MAGIC_LINK_HMAC_KEY")
	switch {
	case keyID != "" && secret != "":
		return cfg, false, errors.New("MAGIC_LINK_KMS_KEY_ID and MAGIC_LINK_HMAC_KEY are both set: links are signed by one of them")
	case keyID != "":
		cfg.Signer = &kmssigner.Signer{KeyID: keyID}
	case secret != "":
		signer, err := customauth.HMACSigner([]byte(secret))
		if err != nil {
			return cfg, false, fmt.Errorf("MAGIC_LINK_HMAC_KEY: %w", err)
		}
		cfg.Signer = signer
		if len(cfg.DecoyKey) == 0 {
			cfg.DecoyKey = []byte(secret)
		}
	default:
		return cfg, false, errors.New("missing environment variable MAGIC_LINK_KMS_KEY_ID (an asymmetric KMS key that signs sign-in links) " +
			"or MAGIC_LINK_HMAC_KEY (a secret of at least 32 bytes), required with MAGIC_LINK_FROM")
	}
	if len(cfg.DecoyKey) == 0 {
		// OTP_HMAC_KEY is a reference (or unset) and links are signed by KMS: decoy
		// addresses take a key of this process, so that the step does not take the
		// reference in the variable for the key.
		cfg.DecoyKey = make([]byte, 32)
		_, _ = rand.Read(cfg.DecoyKey) // crypto/rand.Read never fails on supported platforms
	}
	return cfg, true, nil
}
