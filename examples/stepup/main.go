// Command stepup asks a signed-in user for a fresh code before a sensitive action: the
// define, create and verify auth challenge triggers of a custom authentication flow whose
// first step (customauth.StepUpStep) passes only for a client that sends the user's
// current access token, and whose second sends a one-time code by email or SMS. No code
// goes out before the token's signature (the pool's JWKS), issuer, app client, use and
// expiry are checked.
//
//	STEP_UP_CLIENT_IDS=... OTP_FROM=sign-in@example.com OTP_HMAC_KEY=... go run ./examples/stepup -serve 127.0.0.1:9300
//
// Environment:
//
//	STEP_UP_CLIENT_IDS    app clients whose access tokens count, comma-separated (default the
//	                      app client of the sign-in)
//	STEP_UP_MAX_AGE       refuse tokens of a sign-in longer ago than this, such as 12h
//	STEP_UP_ISSUER_BASE   issuer without the pool id (default https://cognito-idp.<region>.amazonaws.com)
//	OTP_FROM, OTP_HMAC_KEY, OTP_TABLE   the fresh code by email, as in examples/customauth, or
//	SMS_OTP=true, OTP_HMAC_KEY, SMS_OTP_TABLE, SMS_SENDER_ID   by SMS, as in examples/smsotp
//
// The client calls InitiateAuth with CUSTOM_AUTH, then RespondToAuthChallenge with any
// ANSWER and ClientMetadata {"accessToken": "<the user's access token>"}, then answers the
// code challenge. Put pretoken.ClaimsFromClientMetadata on the pool to carry a transaction
// ID the client sends with the code into the new tokens. The function fetches the JWKS
// over HTTPS; it needs no AWS permission for that.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthsteps"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stepup:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the step-up check and then the code step, each read from env by
// examples/internal/chains/customauthsteps or customauthchain (shared with
// examples/allinone).
func newRouter(env func(string) string) (*triggers.Router, error) {
	cfg, err := customauthsteps.StepUpConfig(env)
	if err != nil {
		return nil, err
	}
	check, err := customauth.StepUpStep(cfg)
	if err != nil {
		return nil, fmt.Errorf("STEP_UP_ISSUER_BASE, STEP_UP_MAX_AGE: %w", err)
	}
	var code customauth.Step
	email, byEmail, err := customauthsteps.EmailOTPConfig(env)
	if err != nil {
		return nil, err
	}
	bySMS, err := envvar.Bool(env, "SMS_OTP")
	if err != nil {
		return nil, err
	}
	switch {
	case byEmail && bySMS:
		return nil, errors.New("OTP_FROM and SMS_OTP are both set: the fresh code goes by email or by SMS")
	case byEmail:
		if code, err = customauth.EmailOTPStep(email); err != nil {
			return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
		}
	case bySMS:
		sms, err := customauthchain.SMSOTPConfig(env)
		if err != nil {
			return nil, err
		}
		if code, err = smsotp.Step(sms); err != nil {
			return nil, fmt.Errorf("OTP_HMAC_KEY: %w", err)
		}
	default:
		return nil, errors.New("missing environment variable OTP_FROM (the sender of the fresh code by email) or SMS_OTP=true (by SMS)")
	}
	flow, err := customauth.NewFlow([]customauth.Step{check, code})
	if err != nil {
		return nil, err
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}
