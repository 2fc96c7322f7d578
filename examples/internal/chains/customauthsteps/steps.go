// Package customauthsteps reads from environment variables the configuration of the
// custom authentication steps that need no SNS or KMS client (the CAPTCHA, the email
// code and the step-up check), for examples/customauth, examples/captcha and
// examples/stepup, and for customauthchain, which builds examples/allinone's flow: a
// package of its own so that those examples link neither client.
package customauthsteps

import (
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
)

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

// StepUpConfig returns the configuration of the step-up check (FromEnv adds it when
// STEP_UP is true): the client must send a valid access token of an app client in
// STEP_UP_CLIENT_IDS (default the sign-in's own) from a sign-in at most STEP_UP_MAX_AGE
// ago (no limit when unset). STEP_UP_ISSUER_BASE replaces
// https://cognito-idp.<region>.amazonaws.com, for tests and other partitions.
func StepUpConfig(env func(string) string) (customauth.StepUpConfig, error) {
	age, err := envvar.Duration(env, "STEP_UP_MAX_AGE", 0)
	if err != nil {
		return customauth.StepUpConfig{}, err
	}
	return customauth.StepUpConfig{
		ClientIDs:  envvar.List(env("STEP_UP_CLIENT_IDS")),
		MaxAge:     age,
		IssuerBase: env("STEP_UP_ISSUER_BASE"),
	}, nil
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
	ref, err := secrets.Parse(secrets.Config{Value: v})
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return "", ref.Get, nil
}
