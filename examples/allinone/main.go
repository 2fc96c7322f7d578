// Command allinone is one Lambda function for every trigger of a user pool, and the
// function that examples/deploy/template.yaml deploys. It combines the chains of the
// per-trigger examples (presignup, preauth, postconfirm, postauth, federation,
// pretoken, customauth, captcha, magiclink, smsotp, stepup, custommessage, migrate,
// customsender): each family's block below repeats that example's wiring, so it is
// configured by the same environment variables as there.
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
	"cmp"
	"crypto/rand"
	"encoding/json"
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
	"github.com/lambda-triggers/cognito/customsender"
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

// newRouter serves each trigger family with the modules that its block below builds from
// env, as its per-trigger example does. Every family is built even when another fails,
// so that every configuration error is reported at once.
func newRouter(env func(string) string) (*triggers.Router, error) {
	signUp, err1 := preSignUpModules(env)
	confirmation, err2 := postConfirmationModules(env)
	tokens, err3 := preTokenModules(env)
	messages, err4 := customMessages(env)
	migration, err5 := userMigration(env)
	flow, err6 := customAuthFlow(env)
	signIn, err7 := preAuthenticationModules(env)
	signedIn, err8 := postAuthenticationModules(env)
	federated, err9 := inboundFederation(env)
	email, sms, err10 := customSenders(env)
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7, err8, err9, err10); err != nil {
		return nil, err
	}
	define := triggers.Chain[triggers.DefineAuthChallengeEvent]()
	create := triggers.Chain[triggers.CreateAuthChallengeEvent]()
	verify := triggers.Chain[triggers.VerifyAuthChallengeEvent]()
	if flow != nil {
		define, create, verify = flow.Define(), flow.Create(), flow.Verify()
	}
	r := triggers.NewRouter(triggers.RouterConfig{}).
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

// inboundFederation builds the inbound federation chain of examples/federation from env,
// in the order its modules run: a provider that is not allowed is refused before anything
// is mapped.
func inboundFederation(env func(string) string) ([]federation.Handler, error) {
	var mods []federation.Handler
	split := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	pairs := func(name, value string) (map[string]string, error) {
		out := map[string]string{}
		for _, item := range split(value) {
			k, v, ok := strings.Cut(item, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || v == "" {
				return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
			}
			out[k] = v
		}
		return out, nil
	}

	if names := split(env("FEDERATION_PROVIDERS")); len(names) > 0 {
		h, err := federation.AllowProviders(federation.ProvidersConfig{Providers: names})
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_PROVIDERS: %w", err)
		}
		mods = append(mods, h)
	}

	if v := env("FEDERATION_REQUIRE_VERIFIED_EMAIL"); v != "" {
		verified, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_REQUIRE_VERIFIED_EMAIL: want true or false, got %q", v)
		}
		if verified {
			h, err := federation.RequireVerifiedEmail(federation.VerifiedEmailConfig{})
			if err != nil {
				return nil, err
			}
			mods = append(mods, h)
		}
	}

	overLimit := federation.DropOverLimit
	switch v := env("FEDERATION_OVER_LIMIT"); v {
	case "", "drop":
	case "refuse":
		overLimit = federation.RefuseOverLimit
	default:
		return nil, fmt.Errorf("FEDERATION_OVER_LIMIT: want drop or refuse, got %q", v)
	}
	pool, err := pairs("FEDERATION_POOL_MAPPING", env("FEDERATION_POOL_MAPPING"))
	if err != nil {
		return nil, err
	}
	claims, err := pairs("FEDERATION_MAPPING", env("FEDERATION_MAPPING"))
	if err != nil {
		return nil, err
	}
	switch {
	case len(pool) > 0 || len(claims) > 0:
		mapping := federation.Mapping{}
		for attr, claim := range claims {
			// A nested claim is named by dots; a SAML attribute named by a URL is one name.
			path := []string{claim}
			if !strings.Contains(claim, "://") {
				path = strings.Split(claim, ".")
			}
			mapping[attr] = federation.Claim(path...)
		}
		h, err := federation.MapAttributes(federation.MapConfig{PoolMapping: pool, Mapping: mapping, OverLimit: overLimit})
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_POOL_MAPPING, FEDERATION_MAPPING: %w", err)
		}
		mods = append(mods, h)
	case env("FEDERATION_OVER_LIMIT") != "":
		// Nothing to map, but the limits still apply to what Cognito maps.
		h, err := federation.EnforceLimits(federation.LimitsConfig{OverLimit: overLimit})
		if err != nil {
			return nil, err
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// userMigration builds the user migration module of examples/migrate from env: with
// LEGACY_USERS_TABLE, users are brought over from that DynamoDB table of legacy users
// (partition key username, bcrypt hash in passwordHash), email addresses looked up in
// lower case, and LEGACY_ATTRIBUTES naming the item attributes that become user attributes.
func userMigration(env func(string) string) ([]migrate.Handler, error) {
	table := env("LEGACY_USERS_TABLE")
	if table == "" {
		return nil, nil
	}
	pairs := env("LEGACY_ATTRIBUTES")
	if pairs == "" {
		pairs = "email=email,email_verified=email_verified"
	}
	attributes := map[string]string{}
	for item := range strings.SplitSeq(pairs, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		from, to, ok := strings.Cut(item, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("LEGACY_ATTRIBUTES: want comma-separated name=value pairs, got %q", strings.TrimSpace(item))
		}
		attributes[from] = to
	}
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{
		Table:        table,
		KeyAttribute: "username",
		Attributes:   attributes,
	})
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE, LEGACY_ATTRIBUTES: %w", err)
	}
	migration, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE: %w", err)
	}
	return []migrate.Handler{migration}, nil
}

// customMessageTexts are the texts of the password reset and invitation messages, by locale.
// {{appName}} is APP_NAME; Cognito's placeholders are {{.Code}} and {{.Username}}.
var customMessageTexts = custommessage.Catalog{
	"": {
		triggers.CustomMessageForgotPassword: {
			Subject: "Reset your {{appName}} password",
			Email:   "<p>Your code to reset your {{appName}} password is <strong>{{.Code}}</strong>.</p>",
			SMS:     "Your {{appName}} password reset code is {{.Code}}",
		},
		triggers.CustomMessageAdminCreateUser: {
			Subject: "Your {{appName}} account",
			Email:   "<p>Your {{appName}} account is ready. User name: {{.Username}}, temporary password: {{.Code}}</p>",
			SMS:     "{{appName}}: user name {{.Username}}, temporary password {{.Code}}",
		},
	},
	"de": {
		triggers.CustomMessageForgotPassword: {
			Subject: "Ihr {{appName}}-Passwort zurücksetzen",
			Email:   "<p>Ihr Code zum Zurücksetzen des {{appName}}-Passworts lautet <strong>{{.Code}}</strong>.</p>",
			SMS:     "Ihr {{appName}}-Code zum Zurücksetzen: {{.Code}}",
		},
		triggers.CustomMessageAdminCreateUser: {
			Subject: "Ihr {{appName}}-Konto",
			Email:   "<p>Ihr {{appName}}-Konto ist bereit. Benutzername: {{.Username}}, vorläufiges Passwort: {{.Code}}</p>",
			SMS:     "{{appName}}: Benutzername {{.Username}}, vorläufiges Passwort {{.Code}}",
		},
	},
}

// customMessages builds the custom message chain of examples/custommessage from env,
// each module writing the messages of its own trigger sources:
//
//	CONFIRM_URL, REDIRECTURL, EMAILSUBJECT, EMAILMESSAGE  custommessage.VerificationLink: sign-up and resent codes
//	APP_NAME                                              custommessage.Templates: password reset, invitation
func customMessages(env func(string) string) ([]custommessage.Handler, error) {
	var mods []custommessage.Handler
	if confirmURL := env("CONFIRM_URL"); confirmURL != "" {
		redirect := env("REDIRECTURL")
		if redirect == "" {
			return nil, errors.New("missing environment variable REDIRECTURL (where users land once confirmed), required with CONFIRM_URL")
		}
		link, err := custommessage.NewConfirmLink(confirmURL, redirect)
		if err != nil {
			return nil, fmt.Errorf("CONFIRM_URL, REDIRECTURL: %w", err)
		}
		verify, err := custommessage.VerificationLink(custommessage.VerificationLinkConfig{
			Link:    link,
			Subject: env("EMAILSUBJECT"), // "" is the module's default
			Text:    env("EMAILMESSAGE"),
		})
		if err != nil {
			return nil, fmt.Errorf("EMAILSUBJECT, EMAILMESSAGE: %w", err)
		}
		mods = append(mods, verify)
	}
	if name := env("APP_NAME"); name != "" {
		texts, err := custommessage.Templates(custommessage.TemplatesConfig{
			Catalog: customMessageTexts,
			Funcs:   map[string]any{"appName": func() string { return name }},
		})
		if err != nil {
			return nil, fmt.Errorf("APP_NAME: %w", err)
		}
		mods = append(mods, texts)
	}
	return mods, nil
}

// customSenders builds the custom email and SMS senders of examples/customsender from env,
// nil for a sender left off:
//
//	KEY_ARN                 the user pool's KMS key (LambdaConfig.KMSKeyID); several,
//	                        comma-separated, while codes of an older key may still arrive
//	CUSTOM_EMAIL_FROM       customsender.Email through SES, from this verified address
//	CUSTOM_SMS              true: customsender.SMS through SNS
//	SMS_SENDER_ID           the SMS sender ID, where the country allows one
//	SMS_ORIGINATION_NUMBER  the number SMS are sent from (E.164)
//	CUSTOM_SENDER_TABLE     a DynamoDB table (key pk, time to live on expiresAt) so that
//	                        Cognito's retries send a code once
//
// A sender without KEY_ARN, and KEY_ARN without a sender, are errors.
func customSenders(env func(string) string) (customsender.EmailHandler, customsender.SMSHandler, error) {
	from := env("CUSTOM_EMAIL_FROM")
	sms := false
	if v := env("CUSTOM_SMS"); v != "" {
		var err error
		if sms, err = strconv.ParseBool(v); err != nil {
			return nil, nil, fmt.Errorf("CUSTOM_SMS: want true or false, got %q", v)
		}
	}
	var keys []string
	for arn := range strings.SplitSeq(env("KEY_ARN"), ",") {
		if arn = strings.TrimSpace(arn); arn != "" {
			keys = append(keys, arn)
		}
	}
	switch {
	case from == "" && !sms && len(keys) == 0:
		return nil, nil, nil
	case len(keys) == 0:
		return nil, nil, errors.New("missing environment variable KEY_ARN (the user pool's KMS key that encrypts the codes), required with CUSTOM_EMAIL_FROM or CUSTOM_SMS")
	case from == "" && !sms:
		return nil, nil, errors.New("KEY_ARN is set but no sender is: set CUSTOM_EMAIL_FROM, CUSTOM_SMS=true or both")
	}
	dec, err := customsender.KMSDecrypter(keys...)
	if err != nil {
		return nil, nil, fmt.Errorf("KEY_ARN: %w", err)
	}
	// With a table, Cognito's retries send a code once; nil clients are the process-wide
	// ones, created on first use.
	table := env("CUSTOM_SENDER_TABLE")
	var email customsender.EmailHandler
	if from != "" {
		if email, err = customsender.Email(customsender.EmailConfig{Decrypter: dec, From: from, Table: table}); err != nil {
			return nil, nil, fmt.Errorf("CUSTOM_EMAIL_FROM: %w", err)
		}
	}
	var text customsender.SMSHandler
	if sms {
		if text, err = customsender.SMS(customsender.SMSConfig{
			Decrypter:         dec,
			SenderID:          env("SMS_SENDER_ID"),
			OriginationNumber: env("SMS_ORIGINATION_NUMBER"),
			Table:             table,
		}); err != nil {
			return nil, nil, fmt.Errorf("SMS_SENDER_ID, SMS_ORIGINATION_NUMBER: %w", err)
		}
	}
	return email, text, nil
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
func customAuthFlow(env func(string) string) (*customauth.Flow, error) {
	boolean := func(name string) (bool, error) {
		v := env(name)
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
		v := env(name)
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
		v := env(name)
		if !secrets.IsReference(v) {
			return v, nil, nil
		}
		ref, err := secrets.Parse(secrets.Config{Value: v})
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
			ClientIDs: list(env("STEP_UP_CLIENT_IDS")), MaxAge: age, IssuerBase: env("STEP_UP_ISSUER_BASE")})
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
			VerifyURL: env("RECAPTCHA_VERIFY_URL"), SiteKey: env("RECAPTCHA_SITE_KEY")})
		if err != nil {
			return nil, fmt.Errorf("RECAPTCHASECRET, RECAPTCHA_VERIFY_URL: %w", err)
		}
		steps = append(steps, step)
	}

	if from := env("MAGIC_LINK_FROM"); from != "" {
		var missing []string
		for _, v := range []struct{ name, what string }{
			{"MAGIC_LINK_REDIRECT", "the page sign-in links open"},
			{"MAGIC_LINK_TABLE", "the DynamoDB table of open links, partition key pk (S), TTL on ttl"},
		} {
			if env(v.name) == "" {
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
			From: from, RedirectURL: env("MAGIC_LINK_REDIRECT"), AllowedRedirects: list(env("MAGIC_LINK_ALLOWED_REDIRECTS")),
			Store: &customauth.DynamoDBStore{Table: env("MAGIC_LINK_TABLE")}, TTL: ttl, MinInterval: interval,
		}
		if v := env("OTP_HMAC_KEY"); !secrets.IsReference(v) {
			links.DecoyKey = []byte(v)
		}
		keyID, hmacKey := env("MAGIC_LINK_KMS_KEY_ID"), env("MAGIC_LINK_HMAC_KEY")
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

	if from := env("OTP_FROM"); from != "" {
		key, keySource, err := otpKey()
		if err != nil {
			return nil, fmt.Errorf("%w, required with OTP_FROM", err)
		}
		email := customauth.EmailOTPConfig{From: from, Key: []byte(key), KeySource: keySource, RequireVerifiedEmail: true}
		if table := env("OTP_TABLE"); table != "" {
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
		sms := smsotp.Config{Key: []byte(key), KeySource: keySource, SenderID: env("SMS_SENDER_ID")}
		if sms.AllowUnverifiedPhone, err = boolean("SMS_ALLOW_UNVERIFIED"); err != nil {
			return nil, err
		}
		if table := env("SMS_OTP_TABLE"); table != "" {
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

// preAuthenticationModules returns the pre authentication modules the environment turns
// on, as examples/preauth serves them: the checks that need no network call first, the
// block list last.
func preAuthenticationModules(env func(string) string) ([]preauth.Handler, error) {
	// list splits a comma-separated value, dropping blank entries.
	list := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	blocked := env("BLOCKED_MESSAGE") // the text of the two blocking modules; "" for the default

	var mods []preauth.Handler
	if statuses := list(env("BLOCKED_STATUSES")); len(statuses) > 0 {
		h, err := preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: cmp.Or(env("STATUS_ATTRIBUTE"), "custom:status"),
			Values:    statuses,
			Message:   blocked,
		})
		if err != nil {
			return nil, fmt.Errorf("BLOCKED_STATUSES, STATUS_ATTRIBUTE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	}
	roles, clients := list(env("RESTRICTED_ROLES")), list(env("RESTRICTED_CLIENT_IDS"))
	switch {
	case len(roles) > 0 && len(clients) == 0:
		return nil, errors.New("RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS, the app clients those users may sign in through")
	case len(clients) > 0 && len(roles) == 0:
		return nil, errors.New("RESTRICTED_CLIENT_IDS needs RESTRICTED_ROLES, the roles kept to those app clients")
	case len(roles) > 0:
		who, err := preauth.AttributeIn(cmp.Or(env("ROLE_ATTRIBUTE"), "custom:role"), roles...)
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_ROLES, ROLE_ATTRIBUTE: %w", err)
		}
		h, err := preauth.RestrictClients(preauth.RestrictClientsConfig{Who: who, ClientIDs: clients})
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_CLIENT_IDS: %w", err)
		}
		mods = append(mods, h)
	}
	addressKey := env("ADDRESS_KEY") // "" for preauth.DefaultAddressKey
	if networks := list(env("ALLOWED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.AllowNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("ALLOWED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if networks := list(env("DENIED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.DenyNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("DENIED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if v := env("REQUIRE_VERIFIED"); v != "" {
		var h preauth.Handler
		var err error
		switch v {
		case "email":
			h, err = preauth.RequireVerifiedEmail(preauth.VerifiedConfig{})
		case "phone":
			h, err = preauth.RequireVerifiedPhone(preauth.VerifiedConfig{})
		case "email_or_phone":
			h, err = preauth.RequireVerifiedEmailOrPhone(preauth.VerifiedConfig{})
		default:
			return nil, fmt.Errorf("REQUIRE_VERIFIED: want email, phone or email_or_phone, got %q", v)
		}
		if err != nil {
			return nil, fmt.Errorf("REQUIRE_VERIFIED: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("BLOCK_LIST_TABLE"); table != "" {
		cfg := preauth.BlockListConfig{Table: table, Message: blocked}
		switch key := env("BLOCK_LIST_KEY"); key {
		case "", "sub":
		case "username":
			cfg.KeyByUserName = true
		default:
			return nil, fmt.Errorf("BLOCK_LIST_KEY: want sub or username, got %q", key)
		}
		h, err := preauth.BlockList(cfg)
		if err != nil {
			return nil, fmt.Errorf("BLOCK_LIST_TABLE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	} else if env("BLOCK_LIST_KEY") != "" {
		return nil, errors.New("BLOCK_LIST_KEY needs BLOCK_LIST_TABLE")
	}
	return mods, nil
}

// postConfirmationModules returns the post confirmation modules the environment turns
// on, as examples/postconfirm serves them, to run at the same time.
func postConfirmationModules(env func(string) string) ([]postconfirm.Handler, error) {
	// Welcome email templates: Subject and Text are text/template, HTML is
	// html/template, each executed with postconfirm.EmailData.
	const (
		welcomeSubject = "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}!"
		welcomeText    = "Hello{{with .Attributes.given_name}} {{.}}{{end}},\n\n" +
			"your account is ready. Sign in with {{.Attributes.email}}.\n"
		welcomeHTML = "<p>Hello{{with .Attributes.given_name}} {{.}}{{end}},</p>" +
			"<p>your account is ready. Sign in with {{.Attributes.email}}.</p>"
	)
	var mods []postconfirm.Handler
	if group := env("GROUP"); group != "" {
		h, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Groups: postconfirm.StaticGroups(group)})
		if err != nil {
			return nil, fmt.Errorf("GROUP: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("PROFILES_TABLE"); table != "" {
		h, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Table:        table,
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email", "given_name": "givenName", "family_name": "familyName", "locale": "locale"},
			CreatedAt:    "createdAt",
		})
		if err != nil {
			return nil, fmt.Errorf("PROFILES_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if from := env("WELCOME_FROM"); from != "" {
		table := env("WELCOME_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable WELCOME_TABLE (the DynamoDB table that records sent welcome emails), required with WELCOME_FROM")
		}
		h, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Table: table,
			Email: postconfirm.Email{From: from, Subject: welcomeSubject, Text: welcomeText, HTML: welcomeHTML},
		})
		if err != nil {
			return nil, fmt.Errorf("WELCOME_FROM, WELCOME_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("INVITATIONS_TABLE"); table != "" {
		h, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Table: table})
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// postAuthenticationModules returns the post authentication modules the environment
// turns on, as examples/postauth serves them, to run at the same time.
func postAuthenticationModules(env func(string) string) ([]postauth.Handler, error) {
	// New-device notice templates: Subject and Text are text/template, HTML is
	// html/template, each executed with postauth.NoticeData.
	const (
		noticeSubject = "New sign-in to your account"
		noticeText    = "Hello{{with .Attributes.given_name}} {{.}}{{end}},\n\n" +
			"your account {{.Attributes.email}} was signed in to from a new device at " +
			"{{.SignedInAt.Format \"2006-01-02 15:04 MST\"}}.\n" +
			"If that was not you, change your password now.\n"
		noticeHTML = "<p>Hello{{with .Attributes.given_name}} {{.}}{{end}},</p>" +
			"<p>your account {{.Attributes.email}} was signed in to from a new device at " +
			"{{.SignedInAt.Format \"2006-01-02 15:04 MST\"}}.</p><p>If that was not you, change your password now.</p>"
	)
	var mods []postauth.Handler
	if table := env("SIGNIN_TABLE"); table != "" {
		h, err := postauth.RecordSignIn(postauth.RecordConfig{Table: table, PartitionKey: "id"})
		if err != nil {
			return nil, fmt.Errorf("SIGNIN_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("AUDIT_TABLE"); table != "" {
		var retention time.Duration // zero: postauth.DefaultAuditRetention
		if v := env("AUDIT_RETENTION"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("AUDIT_RETENTION: want a duration such as 2160h, got %q", v)
			}
			retention = d
		}
		h, err := postauth.AuditTrail(postauth.AuditConfig{Table: table, Retention: retention})
		if err != nil {
			return nil, fmt.Errorf("AUDIT_TABLE, AUDIT_RETENTION: %w", err)
		}
		mods = append(mods, h)
	}
	if from := env("NEW_DEVICE_FROM"); from != "" {
		table := env("NEW_DEVICE_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable NEW_DEVICE_TABLE (the DynamoDB table that records sent new-device notices), required with NEW_DEVICE_FROM")
		}
		h, err := postauth.NewDeviceNotice(postauth.NoticeConfig{
			Table: table,
			Email: postauth.Email{From: from, Subject: noticeSubject, Text: noticeText, HTML: noticeHTML},
		})
		if err != nil {
			return nil, fmt.Errorf("NEW_DEVICE_FROM, NEW_DEVICE_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// preSignUpModules returns the pre sign-up modules of examples/presignup, configured by
// the same variables, cheap checks first and the modules that set response flags last:
//
//	DOMAINALLOWLIST, DOMAINDENYLIST                  presignup.Domains
//	RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW  presignup.RateLimit
//	INVITATIONS_TABLE                                presignup.RequireInvitation
//	AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS             presignup.AutoConfirm
//	AUTO_VERIFY_EMAIL                                presignup.AutoVerifyEmail, of the users confirmed
func preSignUpModules(env func(string) string) ([]presignup.Handler, error) {
	list := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	flag := func(name, v string) (bool, error) {
		if v == "" {
			return false, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("%s: want true or false, got %q", name, v)
		}
		return b, nil
	}
	var mods []presignup.Handler
	if allow, deny := list(env("DOMAINALLOWLIST")), list(env("DOMAINDENYLIST")); allow != nil || deny != nil {
		h, err := presignup.Domains(presignup.DomainsConfig{Allow: allow, Deny: deny})
		if err != nil {
			return nil, fmt.Errorf("DOMAINALLOWLIST, DOMAINDENYLIST: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("RATE_LIMIT_TABLE"); table != "" {
		limit := 10
		if v := env("RATE_LIMIT"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("RATE_LIMIT: want a whole number, got %q", v)
			}
			limit = n
		}
		window := time.Hour
		if v := env("RATE_LIMIT_WINDOW"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("RATE_LIMIT_WINDOW: want a duration such as 1h or 30m, got %q", v)
			}
			window = d
		}
		h, err := presignup.RateLimit(presignup.RateLimitConfig{Table: table, Limit: limit, Window: window})
		if err != nil {
			return nil, fmt.Errorf("RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("INVITATIONS_TABLE"); table != "" {
		h, err := presignup.RequireInvitation(presignup.InvitationConfig{Table: table})
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	confirmAll, err := flag("AUTO_CONFIRM", env("AUTO_CONFIRM"))
	if err != nil {
		return nil, err
	}
	verify, err := flag("AUTO_VERIFY_EMAIL", env("AUTO_VERIFY_EMAIL"))
	if err != nil {
		return nil, err
	}
	var when presignup.Predicate
	if domains := list(env("AUTO_CONFIRM_DOMAINS")); domains != nil {
		if confirmAll {
			return nil, errors.New("AUTO_CONFIRM and AUTO_CONFIRM_DOMAINS: set one, not both")
		}
		if when, err = presignup.EmailDomainIn(domains...); err != nil {
			return nil, fmt.Errorf("AUTO_CONFIRM_DOMAINS: %w", err)
		}
	} else if !confirmAll {
		if verify {
			return nil, errors.New("AUTO_VERIFY_EMAIL needs AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS")
		}
		return mods, nil
	}
	confirm, err := presignup.AutoConfirm(presignup.FlagConfig{When: when})
	if err != nil {
		return nil, fmt.Errorf("AUTO_CONFIRM: %w", err)
	}
	mods = append(mods, confirm)
	if verify {
		h, err := presignup.AutoVerifyEmail(presignup.FlagConfig{When: when})
		if err != nil {
			return nil, fmt.Errorf("AUTO_VERIFY_EMAIL: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// preTokenModules returns the pre token generation modules of examples/pretoken,
// configured by the same variables, in this order, so that a claim from the table
// overrides a static one:
//
//	CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS  pretoken.OverrideClaims
//	CLAIMS_FROM_ATTRIBUTES                         pretoken.ClaimsFromAttributes
//	ENTITLEMENTS_TABLE                             pretoken.ClaimsFromDynamoDB, plan and permissions by the user's sub
//	CLAIMS_FROM_CLIENT_METADATA, ..._MAX_LEN       pretoken.ClaimsFromClientMetadata, values up to 128 bytes by default
func preTokenModules(env func(string) string) ([]pretoken.Handler, error) {
	list := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	var mods []pretoken.Handler
	if add, suppress := env("CLAIMS_TO_ADD_OR_OVERRIDE"), env("CLAIMS_TO_SUPPRESS"); add != "" || suppress != "" {
		var claims map[string]any
		if add != "" {
			// Numbers stay as written (json.Number) instead of float64, which would
			// round large ones.
			dec := json.NewDecoder(strings.NewReader(add))
			dec.UseNumber()
			if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
				return nil, fmt.Errorf(`CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object such as {"plan":"free"}, got %q`, add)
			}
		}
		h, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: claims, Suppress: list(suppress)})
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS: %w", err)
		}
		mods = append(mods, h)
	}
	if pairs := env("CLAIMS_FROM_ATTRIBUTES"); pairs != "" {
		mapping := map[string]string{}
		for _, pair := range list(pairs) {
			attr, claim, ok := strings.Cut(pair, "=")
			attr, claim = strings.TrimSpace(attr), strings.TrimSpace(claim)
			if !ok || attr == "" || claim == "" {
				return nil, fmt.Errorf("CLAIMS_FROM_ATTRIBUTES: want comma-separated name=value pairs, got %q", pair)
			}
			mapping[attr] = claim
		}
		h, err := pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{Claims: mapping})
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_FROM_ATTRIBUTES: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("ENTITLEMENTS_TABLE"); table != "" {
		h, err := pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{
			Table:        table,
			KeyAttribute: "userId",
			Claims:       map[string]string{"plan": "plan", "permissions": "permissions"},
		})
		if err != nil {
			return nil, fmt.Errorf("ENTITLEMENTS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if keys := env("CLAIMS_FROM_CLIENT_METADATA"); keys != "" {
		maxLen := 128
		if v := env("CLAIMS_FROM_CLIENT_METADATA_MAX_LEN"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("CLAIMS_FROM_CLIENT_METADATA_MAX_LEN: want a whole number, got %q", v)
			}
			maxLen = n
		}
		h, err := pretoken.ClaimsFromClientMetadata(pretoken.ClientMetadataConfig{Keys: list(keys), MaxLen: maxLen})
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_FROM_CLIENT_METADATA, CLAIMS_FROM_CLIENT_METADATA_MAX_LEN: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}
