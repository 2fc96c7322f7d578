// Command captcha guards sign-in with a CAPTCHA after the password: the define, create
// and verify auth challenge triggers of customauth.PasswordThenCaptcha, in one function.
// The client signs in with SRP as usual; once the password is right, Cognito asks for a
// custom challenge whose answer is a reCAPTCHA token, which Verify checks with the
// verify endpoint. hCaptcha and Cloudflare Turnstile speak the same protocol.
//
//	RECAPTCHASECRET=... go run ./examples/captcha -event event.json
//	RECAPTCHASECRET=... go run ./examples/captcha -serve 127.0.0.1:9300
//
// Environment:
//
//	RECAPTCHASECRET       the site's secret key (required), or where it is kept: ssm:/name
//	                      (Parameter Store) or secretsmanager:name[#member] (Secrets Manager)
//	RECAPTCHA_VERIFY_URL  the verify endpoint (default Google's reCAPTCHA siteverify)
//	RECAPTCHA_SITE_KEY    the site key, returned to the client in the challenge parameter siteKey
//
// The app client must allow ALLOW_CUSTOM_AUTH, and the client starts the sign-in with
// CUSTOM_AUTH and SRP_A.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"

	// RECAPTCHASECRET may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "captcha:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the password, then the CAPTCHA step the environment configures.
func newRouter() (*triggers.Router, error) {
	// The secret, or a source that reads it from where it is kept on the first check.
	secret, secretSource, err := secret("RECAPTCHASECRET")
	if err != nil {
		return nil, err
	}
	if secret == "" && secretSource == nil {
		return nil, errors.New("missing environment variable RECAPTCHASECRET (the CAPTCHA site's secret key)")
	}
	flow, err := customauth.PasswordThenCaptcha(customauth.CaptchaConfig{
		Secret:       secret,
		SecretSource: secretSource,
		VerifyURL:    os.Getenv("RECAPTCHA_VERIFY_URL"), // Google's reCAPTCHA when empty
		SiteKey:      os.Getenv("RECAPTCHA_SITE_KEY"),
	})
	if err != nil {
		return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}

// secret reads the environment variable name: the secret itself, or, when its value
// names a Parameter Store parameter (ssm:/name) or a Secrets Manager secret
// (secretsmanager:name or secretsmanager:name#member), a source that reads it on first
// use and keeps it for secrets.DefaultTTL. The error names the variable and never shows
// a value that is not a reference.
func secret(name string) (string, triggers.SecretSource, error) {
	v := os.Getenv(name)
	if !secrets.IsReference(v) {
		return v, nil, nil
	}
	ref, err := secrets.Parse(secrets.Config{Value: v})
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return "", ref.Get, nil
}
