// Package customauthsteps reads from environment variables the configuration of the
// custom authentication steps that need no SNS or KMS client (the CAPTCHA, the email
// code and the step-up check), for examples/customauth, examples/captcha and
// examples/stepup, and for customauthchain, which builds examples/allinone's flow: a
// package of its own so that those examples link neither client.
package customauthsteps

import (
	"errors"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
)

// CaptchaConfig returns the configuration of the CAPTCHA step, and false when
// RECAPTCHASECRET is not set.
func CaptchaConfig(env func(string) string) (customauth.CaptchaConfig, bool) {
	secret := env("RECAPTCHASECRET")
	if secret == "" {
		return customauth.CaptchaConfig{}, false
	}
	return customauth.CaptchaConfig{
		Secret:    secret,
		VerifyURL: env("RECAPTCHA_VERIFY_URL"),
		SiteKey:   env("RECAPTCHA_SITE_KEY"),
	}, true
}

// EmailOTPConfig returns the configuration of the email one-time code step, and false
// when OTP_FROM is not set. Codes go only to verified addresses, and with OTP_TABLE the
// codes and wrong answers are kept in DynamoDB across sign-in attempts.
func EmailOTPConfig(env func(string) string) (customauth.EmailOTPConfig, bool, error) {
	from := env("OTP_FROM")
	if from == "" {
		return customauth.EmailOTPConfig{}, false, nil
	}
	key := env("OTP_HMAC_KEY")
	if key == "" {
		return customauth.EmailOTPConfig{}, false, errors.New(
			"missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes), required with OTP_FROM")
	}
	cfg := customauth.EmailOTPConfig{From: from, Key: []byte(key), RequireVerifiedEmail: true}
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
