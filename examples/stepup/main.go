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
//	SMS_OTP=true, OTP_HMAC_KEY, SMS_OTP_TABLE, SMS_SENDER_ID, SMS_ALLOW_UNVERIFIED   by SMS,
//	                      as in examples/smsotp;
//	                      OTP_HMAC_KEY is the key or where it is kept: ssm:/name (Parameter
//	                      Store) or secretsmanager:name[#member] (Secrets Manager)
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
	"strconv"
	"strings"
	"time"

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
		fmt.Fprintln(os.Stderr, "stepup:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the step-up check and then the code step, by email or by SMS.
func newRouter() (*triggers.Router, error) {
	cfg := customauth.StepUpConfig{
		ClientIDs:  list(os.Getenv("STEP_UP_CLIENT_IDS")), // the sign-in's own app client when empty
		IssuerBase: os.Getenv("STEP_UP_ISSUER_BASE"),      // https://cognito-idp.<region>.amazonaws.com when empty
	}
	if v := os.Getenv("STEP_UP_MAX_AGE"); v != "" {
		age, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("STEP_UP_MAX_AGE: want a duration such as 1h or 30m, got %q", v)
		}
		cfg.MaxAge = age
	}
	check, err := customauth.StepUpStep(cfg)
	if err != nil {
		return nil, fmt.Errorf("STEP_UP_ISSUER_BASE, STEP_UP_MAX_AGE: %w", err)
	}

	from := os.Getenv("OTP_FROM")
	bySMS := false
	if v := os.Getenv("SMS_OTP"); v != "" {
		if bySMS, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("SMS_OTP: want true or false, got %q", v)
		}
	}
	switch {
	case from != "" && bySMS:
		return nil, errors.New("OTP_FROM and SMS_OTP are both set: the fresh code goes by email or by SMS")
	case from == "" && !bySMS:
		return nil, errors.New("missing environment variable OTP_FROM (the sender of the fresh code by email) or SMS_OTP=true (by SMS)")
	}
	// The key, or a source that reads it from where it is kept when the first code is
	// issued; both code steps hash with it.
	key, keySource, err := secret("OTP_HMAC_KEY")
	if err != nil {
		return nil, err
	}
	if key == "" && keySource == nil {
		return nil, errors.New("missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes)")
	}
	var code customauth.Step
	if bySMS {
		sms := smsotp.Config{Key: []byte(key), KeySource: keySource, SenderID: os.Getenv("SMS_SENDER_ID")}
		if v := os.Getenv("SMS_ALLOW_UNVERIFIED"); v != "" {
			if sms.AllowUnverifiedPhone, err = strconv.ParseBool(v); err != nil {
				return nil, fmt.Errorf("SMS_ALLOW_UNVERIFIED: want true or false, got %q", v)
			}
		}
		if table := os.Getenv("SMS_OTP_TABLE"); table != "" {
			sms.Store = &customauth.DynamoDBStore{Table: table}
		}
		if code, err = smsotp.Step(sms); err != nil {
			return nil, fmt.Errorf("OTP_HMAC_KEY: %w", err)
		}
	} else {
		email := customauth.EmailOTPConfig{From: from, Key: []byte(key), KeySource: keySource, RequireVerifiedEmail: true}
		if table := os.Getenv("OTP_TABLE"); table != "" {
			email.Store = &customauth.DynamoDBStore{Table: table}
		}
		if code, err = customauth.EmailOTPStep(email); err != nil {
			return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
		}
	}
	// The token check comes first, so that no code goes to a client without a session.
	flow, err := customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{check, code}})
	if err != nil {
		return nil, err
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}

// list splits a comma-separated value and drops blank entries.
func list(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
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
