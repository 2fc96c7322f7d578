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
//	                      the output of "openssl rand -base64 48", or where it is kept:
//	                      ssm:/name (Parameter Store) or secretsmanager:name[#member]
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
	"strconv"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"

	// OTP_HMAC_KEY may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "customauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the email code flow the environment configures.
func newRouter() (*triggers.Router, error) {
	from := os.Getenv("OTP_FROM")
	if from == "" {
		return nil, errors.New("missing environment variable OTP_FROM (the sender of sign-in codes, verified in SES)")
	}
	// The key, or a source that reads it from where it is kept when the first code
	// is issued.
	key, keySource, err := secret("OTP_HMAC_KEY")
	if err != nil {
		return nil, err
	}
	if key == "" && keySource == nil {
		return nil, errors.New("missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes)")
	}
	cfg := customauth.EmailOTPConfig{
		From:                 from,
		Key:                  []byte(key),
		KeySource:            keySource,
		RequireVerifiedEmail: true, // a code proves the address only if the address is the user's
	}
	if table := os.Getenv("OTP_TABLE"); table != "" {
		cfg.Store = &customauth.DynamoDBStore{Table: table}
	}
	if v := os.Getenv("CUSTOM_AUTH_PASSWORD"); v != "" {
		if cfg.Password, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("CUSTOM_AUTH_PASSWORD: want true or false, got %q", v)
		}
	}
	flow, err := customauth.EmailOTP(cfg)
	if err != nil {
		return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
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
