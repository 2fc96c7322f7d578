// Command smsotp is a passwordless sign-in by SMS: the define, create and verify auth
// challenge triggers of one custom authentication flow (customauth.SMSOTP), in one
// function. Create sends a one-time code through SNS to the user's verified phone
// number; Verify checks the answer against its keyed hash; Define issues tokens once the
// code is right, and ends the sign-in after three wrong answers.
//
//	OTP_HMAC_KEY=... go run ./examples/smsotp -event event.json
//	OTP_HMAC_KEY=... go run ./examples/smsotp -serve 127.0.0.1:9300
//
// Environment:
//
//	OTP_HMAC_KEY          secret key of at least 32 bytes that hashes codes (required), such as
//	                      the output of "openssl rand -base64 48"
//	SMS_OTP_TABLE         DynamoDB table of codes (partition key pk (S), TTL on ttl): with it, a
//	                      new sign-in within a minute reuses the code already sent, a code signs
//	                      in once, and wrong answers count across sign-in attempts
//	SMS_SENDER_ID         sender ID shown where carriers support one
//	SMS_ALLOW_UNVERIFIED  true: send codes to numbers whose phone_number_verified is not true
//	CUSTOM_AUTH_PASSWORD  true: ask for the password (SRP) before the code
//
// The app client must allow ALLOW_CUSTOM_AUTH; the function's role needs sns:Publish to
// phone numbers (see examples/deploy). AWS clients come from the default configuration on
// first use.
package main

import (
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smsotp:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the SMS code step that customauthchain.SMSOTPConfig
// (examples/internal/chains/customauthchain, shared with examples/allinone) reads from
// env, after the password when CUSTOM_AUTH_PASSWORD is true.
func newRouter(env func(string) string) (*triggers.Router, error) {
	cfg, err := customauthchain.SMSOTPConfig(env)
	if err != nil {
		return nil, err
	}
	var opts []customauth.FlowOption
	password, err := envvar.Bool(env, "CUSTOM_AUTH_PASSWORD")
	if err != nil {
		return nil, err
	}
	if password {
		opts = append(opts, customauth.WithPassword())
	}
	flow, err := smsotp.Flow(cfg, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTP_HMAC_KEY: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}
