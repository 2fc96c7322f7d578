// Package customauthchain builds the custom authentication flow of examples/allinone, and
// the steps that examples/customauth (the email code) and examples/captcha (the CAPTCHA)
// serve in flows of their own, from environment variables, so that a variable means the
// same and a bad value gets the same start-up error in each.
package customauthchain

import (
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
)

// FromEnv returns the custom authentication flow the environment configures, nil when
// it configures no step. Its steps run in this order, each when configured:
//
//	CUSTOM_AUTH_PASSWORD=true                                     the password (SRP) first
//	RECAPTCHASECRET, RECAPTCHA_VERIFY_URL, RECAPTCHA_SITE_KEY     a CAPTCHA (see CaptchaConfig)
//	OTP_FROM, OTP_HMAC_KEY, OTP_TABLE                             an emailed code (see EmailOTPConfig)
//
// RECAPTCHASECRET and OTP_HMAC_KEY take the secret or a reference to where it is kept:
// ssm:/name for a Parameter Store parameter, secretsmanager:name[#member] for a Secrets
// Manager secret (see Secret).
//
// The CAPTCHA comes before the code, so that a robot never gets an email sent.
func FromEnv(env func(string) string) (*customauth.Flow, error) {
	var steps []customauth.Step
	cfg, ok, err := CaptchaConfig(env)
	if err != nil {
		return nil, err
	}
	if ok {
		step, err := customauth.CaptchaStep(cfg)
		if err != nil {
			return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
		}
		steps = append(steps, step)
	}
	otp, ok, err := EmailOTPConfig(env)
	if err != nil {
		return nil, err
	}
	if ok {
		step, err := customauth.EmailOTPStep(otp)
		if err != nil {
			return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
		}
		steps = append(steps, step)
	}
	password, err := envvar.Bool(env, "CUSTOM_AUTH_PASSWORD")
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		if password {
			return nil, errors.New("CUSTOM_AUTH_PASSWORD needs a custom step: set RECAPTCHASECRET or OTP_FROM")
		}
		return nil, nil
	}
	var opts []customauth.FlowOption
	if password {
		opts = append(opts, customauth.WithPassword())
	}
	return customauth.NewFlow(steps, opts...)
}

// CaptchaConfig returns the configuration of the CAPTCHA step, and false when
// RECAPTCHASECRET is not set. RECAPTCHASECRET is the secret or a reference to it (see
// package triggers/secrets: ssm:/name or secretsmanager:name[#member]).
func CaptchaConfig(env func(string) string) (customauth.CaptchaConfig, bool, error) {
	secret, source, err := Secret(env, "RECAPTCHASECRET")
	if err != nil || (secret == "" && source == nil) {
		return customauth.CaptchaConfig{}, false, err
	}
	return customauth.CaptchaConfig{
		Secret:       secret,
		SecretSource: source,
		VerifyURL:    env("RECAPTCHA_VERIFY_URL"),
		SiteKey:      env("RECAPTCHA_SITE_KEY"),
	}, true, nil
}

// EmailOTPConfig returns the configuration of the email one-time code step, and false
// when OTP_FROM is not set. Codes go only to verified addresses, and with OTP_TABLE the
// codes and wrong answers are kept in DynamoDB across sign-in attempts. OTP_HMAC_KEY is
// the key or a reference to it, read when the first code is issued.
func EmailOTPConfig(env func(string) string) (customauth.EmailOTPConfig, bool, error) {
	from := env("OTP_FROM")
	if from == "" {
		return customauth.EmailOTPConfig{}, false, nil
	}
	key, source, err := Secret(env, "OTP_HMAC_KEY")
	if err != nil {
		return customauth.EmailOTPConfig{}, false, err
	}
	if key == "" && source == nil {
		return customauth.EmailOTPConfig{}, false, errors.New(
			"missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes), required with OTP_FROM")
	}
	cfg := customauth.EmailOTPConfig{From: from, Key: []byte(key), KeySource: source, RequireVerifiedEmail: true}
	if table := env("OTP_TABLE"); table != "" {
		cfg.Store = &customauth.DynamoDBStore{Table: table}
	}
	return cfg, true, nil
}

// Secret reads the variable name: the secret itself, or, when its value names a
// Parameter Store parameter or a Secrets Manager secret, a source that reads it on first
// use and keeps it for secrets.DefaultTTL. The error names the variable and never shows
// a value that is not a reference.
func Secret(env func(string) string, name string) (string, triggers.SecretSource, error) {
	v := env(name)
	if !secrets.IsReference(v) {
		return v, nil, nil
	}
	ref, err := secrets.Parse(v)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return "", ref.Get, nil
}
