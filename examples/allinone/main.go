// Command allinone is one Lambda function for every trigger of a user pool, and the
// function that examples/deploy/template.yaml deploys. It combines the chains of the
// per-trigger examples (presignup, preauth, postconfirm, postauth, federation,
// pretoken, customauth, captcha, magiclink, smsotp, stepup, custommessage, migrate,
// customsender), built by the same code (examples/internal/chains) and so configured
// by the same environment variables as there.
// A trigger whose variables are all unset is still registered, as a pass-through that
// answers Cognito exactly as it asked, so the function can be attached to every trigger
// and features turned on by configuration alone.
//
//	DOMAINDENYLIST=tempmail.test GROUP=members go run ./examples/allinone -event event.json
//	DOMAINDENYLIST=tempmail.test GROUP=members go run ./examples/allinone -serve 127.0.0.1:9300
//
// Environment, by trigger (see each example for details):
//
//	PreSignUp            DOMAINALLOWLIST, DOMAINDENYLIST, RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW,
//	                     INVITATIONS_TABLE, AUTO_CONFIRM, AUTO_CONFIRM_DOMAINS, AUTO_VERIFY_EMAIL
//	PreAuthentication    BLOCKED_STATUSES, STATUS_ATTRIBUTE, RESTRICTED_ROLES, ROLE_ATTRIBUTE, RESTRICTED_CLIENT_IDS,
//	                     ALLOWED_NETWORKS, DENIED_NETWORKS, ADDRESS_KEY, REQUIRE_VERIFIED, BLOCK_LIST_TABLE,
//	                     BLOCK_LIST_KEY, BLOCKED_MESSAGE
//	PostConfirmation     GROUP, PROFILES_TABLE, WELCOME_FROM, WELCOME_TABLE, INVITATIONS_TABLE
//	PostAuthentication   SIGNIN_TABLE, AUDIT_TABLE, AUDIT_RETENTION, NEW_DEVICE_FROM, NEW_DEVICE_TABLE
//	InboundFederation    FEDERATION_PROVIDERS, FEDERATION_REQUIRE_VERIFIED_EMAIL, FEDERATION_POOL_MAPPING,
//	                     FEDERATION_MAPPING, FEDERATION_OVER_LIMIT
//	PreTokenGeneration   CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS, CLAIMS_FROM_ATTRIBUTES, ENTITLEMENTS_TABLE,
//	                     CLAIMS_FROM_CLIENT_METADATA, CLAIMS_FROM_CLIENT_METADATA_MAX_LEN
//	CustomMessage        CONFIRM_URL, REDIRECTURL, EMAILSUBJECT, EMAILMESSAGE, APP_NAME
//	UserMigration        LEGACY_USERS_TABLE, LEGACY_ATTRIBUTES
//	custom auth          STEP_UP, STEP_UP_CLIENT_IDS, STEP_UP_MAX_AGE, STEP_UP_ISSUER_BASE (an access
//	                     token check first), RECAPTCHASECRET, RECAPTCHA_VERIFY_URL, RECAPTCHA_SITE_KEY
//	                     (a CAPTCHA step), MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_TABLE,
//	                     MAGIC_LINK_KMS_KEY_ID or MAGIC_LINK_HMAC_KEY, ... (a sign-in link step),
//	                     OTP_FROM, OTP_HMAC_KEY, OTP_TABLE (an email code step), SMS_OTP,
//	                     SMS_OTP_TABLE, SMS_SENDER_ID, SMS_ALLOW_UNVERIFIED (an SMS code step),
//	                     in that order; CUSTOM_AUTH_PASSWORD (the password first)
//	custom senders       KEY_ARN, CUSTOM_EMAIL_FROM, CUSTOM_SMS, SMS_SENDER_ID, SMS_ORIGINATION_NUMBER,
//	                     CUSTOM_SENDER_TABLE
//
// The custom email and SMS senders are registered only when configured: a pass-through
// there would drop the pool's messages. Every configuration error is reported at
// start-up, all at once. AWS clients come from the default configuration on first use,
// so a cold start creates none.
package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/kmssigner"
	"github.com/lambda-triggers/cognito/customauth/smsotp"
	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/examples/internal/chains/custommessagechain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customsenderchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/federationchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/migratechain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/postauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/postconfirmchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/preauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/presignupchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/pretokenchain"
	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"

	// RECAPTCHASECRET and OTP_HMAC_KEY may name a Secrets Manager secret. Parameter
	// Store references are left out: the SSM client's start-up work would add a few
	// milliseconds to every cold start of this function.
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "allinone:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves each trigger family with the chain that the family's package in
// examples/internal/chains builds from env, the chain its per-trigger example serves
// alone; a package each, so that a per-trigger example links only its own family's
// modules. Every family is built even when another fails, so that every configuration
// error is reported at once.
func newRouter(env func(string) string) (*triggers.Router, error) {
	signUp, err1 := presignupchain.FromEnv(env)
	confirmation, err2 := postconfirmchain.FromEnv(env)
	tokens, err3 := pretokenchain.FromEnv(env)
	messages, err4 := custommessagechain.FromEnv(env)
	migration, err5 := migratechain.FromEnv(env)
	flow, err6 := customAuthFlow()
	signIn, err7 := preauthchain.FromEnv(env)
	signedIn, err8 := postauthchain.FromEnv(env)
	federated, err9 := federationchain.FromEnv(env)
	email, sms, err10 := customsenderchain.FromEnv(env)
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7, err8, err9, err10); err != nil {
		return nil, err
	}
	define := triggers.Chain[triggers.DefineAuthChallengeEvent]()
	create := triggers.Chain[triggers.CreateAuthChallengeEvent]()
	verify := triggers.Chain[triggers.VerifyAuthChallengeEvent]()
	if flow != nil {
		define, create, verify = flow.Define(), flow.Create(), flow.Verify()
	}
	r := triggers.NewRouter().
		PreSignUp(presignup.Chain(signUp...)).
		PostConfirmation(postconfirm.Parallel(confirmation...)).
		PreAuthentication(preauth.Chain(signIn...)).
		PostAuthentication(postauth.Parallel(signedIn...)).
		DefineAuthChallenge(define).
		CreateAuthChallenge(create).
		VerifyAuthChallenge(verify).
		PreTokenGeneration(pretoken.Chain(tokens...)).
		UserMigration(migrate.Chain(migration...)).
		CustomMessage(custommessage.Chain(messages...)).
		InboundFederation(federation.Chain(federated...))
	if email != nil {
		r.CustomEmailSender(email)
	}
	if sms != nil {
		r.CustomSMSSender(sms)
	}
	return r, nil
}

// customAuthFlow returns the custom authentication flow the environment configures, nil
// when it configures no step. Its steps run in this order, each when configured:
//
//	CUSTOM_AUTH_PASSWORD=true                                     the password (SRP) first
//	STEP_UP=true, STEP_UP_CLIENT_IDS, STEP_UP_MAX_AGE, ...        a valid access token (as in examples/stepup)
//	RECAPTCHASECRET, RECAPTCHA_VERIFY_URL, RECAPTCHA_SITE_KEY     a CAPTCHA (as in examples/captcha)
//	MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_TABLE, ...   a sign-in link (as in examples/magiclink)
//	OTP_FROM, OTP_HMAC_KEY, OTP_TABLE                             an emailed code (as in examples/customauth)
//	SMS_OTP=true, OTP_HMAC_KEY, SMS_OTP_TABLE, ...                a code by SMS (as in examples/smsotp)
//
// RECAPTCHASECRET and OTP_HMAC_KEY take the secret or where it is kept; this function
// reads secretsmanager:name[#member] references. The step-up check and the CAPTCHA come
// before anything that sends a message, so that neither a robot nor a client without a
// session gets one sent.
func customAuthFlow() (*customauth.Flow, error) {
	boolean := func(name string) (bool, error) {
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
	duration := func(name string) (time.Duration, error) {
		v := os.Getenv(name)
		if v == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s: want a duration such as 1h or 30m, got %q", name, v)
		}
		return d, nil
	}
	list := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	// secret reads a variable: the secret itself, or a source that reads it from where
	// it is kept on first use.
	secret := func(name string) (string, triggers.SecretSource, error) {
		v := os.Getenv(name)
		if !secrets.IsReference(v) {
			return v, nil, nil
		}
		ref, err := secrets.Parse(v)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", name, err)
		}
		return "", ref.Get, nil
	}
	otpKey := func() (string, triggers.SecretSource, error) {
		key, source, err := secret("OTP_HMAC_KEY")
		if err == nil && key == "" && source == nil {
			err = errors.New("missing environment variable OTP_HMAC_KEY (a secret of at least 32 bytes that hashes sign-in codes)")
		}
		return key, source, err
	}

	var steps []customauth.Step
	stepUpOn, err := boolean("STEP_UP")
	if err != nil {
		return nil, err
	}
	if stepUpOn {
		age, err := duration("STEP_UP_MAX_AGE")
		if err != nil {
			return nil, err
		}
		step, err := customauth.StepUpStep(customauth.StepUpConfig{
			ClientIDs: list(os.Getenv("STEP_UP_CLIENT_IDS")), MaxAge: age, IssuerBase: os.Getenv("STEP_UP_ISSUER_BASE")})
		if err != nil {
			return nil, fmt.Errorf("STEP_UP_ISSUER_BASE, STEP_UP_MAX_AGE: %w", err)
		}
		steps = append(steps, step)
	}

	captchaSecret, captchaSource, err := secret("RECAPTCHASECRET")
	if err != nil {
		return nil, err
	}
	if captchaSecret != "" || captchaSource != nil {
		step, err := customauth.CaptchaStep(customauth.CaptchaConfig{Secret: captchaSecret, SecretSource: captchaSource,
			VerifyURL: os.Getenv("RECAPTCHA_VERIFY_URL"), SiteKey: os.Getenv("RECAPTCHA_SITE_KEY")})
		if err != nil {
			return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
		}
		steps = append(steps, step)
	}

	if from := os.Getenv("MAGIC_LINK_FROM"); from != "" {
		var missing []string
		for _, v := range []struct{ name, what string }{
			{"MAGIC_LINK_REDIRECT", "the page sign-in links open"},
			{"MAGIC_LINK_TABLE", "the DynamoDB table of open links, partition key pk (S), TTL on ttl"},
		} {
			if os.Getenv(v.name) == "" {
				missing = append(missing, fmt.Sprintf("missing environment variable %s (%s), required with MAGIC_LINK_FROM", v.name, v.what))
			}
		}
		if len(missing) > 0 {
			return nil, errors.New(strings.Join(missing, "; "))
		}
		ttl, err := duration("MAGIC_LINK_TTL")
		if err != nil {
			return nil, err
		}
		interval, err := duration("MAGIC_LINK_INTERVAL")
		if err != nil {
			return nil, err
		}
		links := customauth.MagicLinkConfig{
			From: from, RedirectURL: os.Getenv("MAGIC_LINK_REDIRECT"), AllowedRedirects: list(os.Getenv("MAGIC_LINK_ALLOWED_REDIRECTS")),
			Store: &customauth.DynamoDBStore{Table: os.Getenv("MAGIC_LINK_TABLE")}, TTL: ttl, MinInterval: interval,
		}
		if v := os.Getenv("OTP_HMAC_KEY"); !secrets.IsReference(v) {
			links.DecoyKey = []byte(v)
		}
		keyID, hmacKey := os.Getenv("MAGIC_LINK_KMS_KEY_ID"), os.Getenv("MAGIC_LINK_HMAC_KEY")
		switch {
		case keyID != "" && hmacKey != "":
			return nil, errors.New("MAGIC_LINK_KMS_KEY_ID and MAGIC_LINK_HMAC_KEY are both set: links are signed by one of them")
		case keyID != "":
			links.Signer = &kmssigner.Signer{KeyID: keyID}
		case hmacKey != "":
			if links.Signer, err = customauth.HMACSigner([]byte(hmacKey)); err != nil {
				return nil, fmt.Errorf("MAGIC_LINK_HMAC_KEY: %w", err)
			}
			if len(links.DecoyKey) == 0 {
				links.DecoyKey = []byte(hmacKey)
			}
		default:
			return nil, errors.New("missing environment variable MAGIC_LINK_KMS_KEY_ID (an asymmetric KMS key that signs sign-in links) " +
				"or MAGIC_LINK_HMAC_KEY (a secret of at least 32 bytes), required with MAGIC_LINK_FROM")
		}
		if len(links.DecoyKey) == 0 {
			links.DecoyKey = make([]byte, 32) // a key of this process for made-up addresses
			_, _ = rand.Read(links.DecoyKey)  // crypto/rand.Read never fails on supported platforms
		}
		step, err := customauth.MagicLinkStep(links)
		if err != nil {
			return nil, fmt.Errorf("MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_ALLOWED_REDIRECTS, MAGIC_LINK_TTL: %w", err)
		}
		steps = append(steps, step)
	}

	if from := os.Getenv("OTP_FROM"); from != "" {
		key, keySource, err := otpKey()
		if err != nil {
			return nil, fmt.Errorf("%w, required with OTP_FROM", err)
		}
		email := customauth.EmailOTPConfig{From: from, Key: []byte(key), KeySource: keySource, RequireVerifiedEmail: true}
		if table := os.Getenv("OTP_TABLE"); table != "" {
			email.Store = &customauth.DynamoDBStore{Table: table}
		}
		step, err := customauth.EmailOTPStep(email)
		if err != nil {
			return nil, fmt.Errorf("OTP_FROM, OTP_HMAC_KEY: %w", err)
		}
		steps = append(steps, step)
	}

	smsOn, err := boolean("SMS_OTP")
	if err != nil {
		return nil, err
	}
	if smsOn {
		key, keySource, err := otpKey()
		if err != nil {
			return nil, err
		}
		sms := smsotp.Config{Key: []byte(key), KeySource: keySource, SenderID: os.Getenv("SMS_SENDER_ID")}
		if sms.AllowUnverifiedPhone, err = boolean("SMS_ALLOW_UNVERIFIED"); err != nil {
			return nil, err
		}
		if table := os.Getenv("SMS_OTP_TABLE"); table != "" {
			sms.Store = &customauth.DynamoDBStore{Table: table}
		}
		step, err := smsotp.Step(sms)
		if err != nil {
			return nil, fmt.Errorf("SMS_OTP, OTP_HMAC_KEY: %w", err)
		}
		steps = append(steps, step)
	}

	password, err := boolean("CUSTOM_AUTH_PASSWORD")
	if err != nil {
		return nil, err
	}
	switch {
	case len(steps) == 0 && password:
		return nil, errors.New("CUSTOM_AUTH_PASSWORD needs a custom step: set RECAPTCHASECRET, MAGIC_LINK_FROM, OTP_FROM or SMS_OTP")
	case len(steps) == 0:
		return nil, nil
	case len(steps) == 1 && steps[0].Name == customauth.StepUpStepName:
		return nil, errors.New("STEP_UP needs a step after it: set OTP_FROM or SMS_OTP for the fresh code it asks for")
	}
	return customauth.NewFlow(customauth.FlowConfig{Steps: steps, Password: password})
}
