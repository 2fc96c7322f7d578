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
//	RECAPTCHASECRET       the site's secret key (required)
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
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthsteps"
	"github.com/lambda-triggers/cognito/triggers"

	// RECAPTCHASECRET and OTP_HMAC_KEY may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "captcha:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the password, then the CAPTCHA step that customauthsteps.CaptchaConfig
// (examples/internal/chains/customauthsteps, shared with examples/allinone) reads from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	cfg, ok, err := customauthsteps.CaptchaConfig(env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("missing environment variable RECAPTCHASECRET (the CAPTCHA site's secret key)")
	}
	flow, err := customauth.PasswordThenCaptcha(cfg)
	if err != nil {
		return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}
