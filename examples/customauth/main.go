// Command customauth is a passwordless sign-in by email: the define, create and verify
// auth challenge triggers of one custom authentication flow (customauth.EmailOTP), in one
// function. Create emails a one-time code through SES; Verify checks the answer against
// its keyed hash; Define issues tokens once the code is right, and ends the sign-in after
// three wrong answers.
//
//	OTP_FROM=sign-in@example.com OTP_HMAC_KEY=... go run ./examples/customauth -event event.json
//	OTP_FROM=sign-in@example.com OTP_HMAC_KEY=... go run ./examples/customauth -serve 127.0.0.1:9300
//
// Environment:
//
//	OTP_FROM              sender of the code, an address verified in SES (required)
//	OTP_HMAC_KEY          secret key of at least 32 bytes that hashes codes (required), such as
//	                      the output of "openssl rand -base64 48"
//	OTP_TABLE             DynamoDB table of codes (partition key pk (S), TTL on ttl): with it, a
//	                      new sign-in within a minute reuses the code already sent, a code signs
//	                      in once, and wrong answers count across sign-in attempts
//	CUSTOM_AUTH_PASSWORD  true: ask for the password (SRP) before the code
//
// Codes go only to users whose email address is verified. The app client must allow
// ALLOW_CUSTOM_AUTH. AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthsteps"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/triggers"

	// RECAPTCHASECRET and OTP_HMAC_KEY may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "customauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the email code step that customauthsteps.EmailOTPConfig
// (examples/internal/chains/customauthsteps, shared with examples/allinone) reads from env,
// after the password when CUSTOM_AUTH_PASSWORD is true.
func newRouter(env func(string) string) (*triggers.Router, error) {
	cfg, ok, err := customauthsteps.EmailOTPConfig(env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("missing environment variable OTP_FROM (the sender of sign-in codes, verified in SES)")
	}
	var opts []customauth.FlowOption
	password, err := envvar.Bool(env, "CUSTOM_AUTH_PASSWORD")
	if err != nil {
		return nil, err
	}
	if password {
		opts = append(opts, customauth.WithPassword())
	}
	flow, err := customauth.EmailOTP(cfg, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}
