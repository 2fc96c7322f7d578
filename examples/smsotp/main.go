// Command smsotp is a passwordless sign-in by SMS: the define, create and verify auth
// challenge triggers of one custom authentication flow (smsotp.Flow), in one
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
//	                      the output of "openssl rand -base64 48", or where it is kept:
//	                      ssm:/name (Parameter Store) or secretsmanager:name[#member]
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
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"

	// OTP_HMAC_KEY may name a parameter or a secret.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "smsotp:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the SMS code flow the environment configures.
func newRouter() (*triggers.Router, error) {
	// The key, or a source that reads it from where it is kept when the first code
	// is issued.
	key, keySource, err := secret("OTP_HMAC_KEY")
	if err != nil {
		return nil, err
	}
	if key == "" && keySource == nil {
		return nil, errors.New("missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes)")
	}
	cfg := smsotp.Config{Key: []byte(key), KeySource: keySource, SenderID: os.Getenv("SMS_SENDER_ID")}
	if cfg.AllowUnverifiedPhone, err = boolean("SMS_ALLOW_UNVERIFIED"); err != nil {
		return nil, err
	}
	if table := os.Getenv("SMS_OTP_TABLE"); table != "" {
		cfg.Store = &customauth.DynamoDBStore{Table: table}
	}
	if cfg.Password, err = boolean("CUSTOM_AUTH_PASSWORD"); err != nil {
		return nil, err
	}
	flow, err := smsotp.Flow(cfg)
	if err != nil {
		return nil, fmt.Errorf("OTP_HMAC_KEY: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}

// boolean reads the environment variable name as true or false; unset is false.
func boolean(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, v)
	}
	return b, nil
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
