package main

import (
	"errors"

	"github.com/lambda-triggers/cognito/customauth"
)

// captchaConfig returns the configuration of the CAPTCHA step, and false when
// RECAPTCHASECRET is not set.
func captchaConfig(env func(string) string) (customauth.CaptchaConfig, bool) {
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

// emailOTPConfig returns the configuration of the email one-time code step, and false
// when OTP_FROM is not set.
func emailOTPConfig(env func(string) string) (customauth.EmailOTPConfig, bool, error) {
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
