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
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
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
	messages, err4 := customMessages(env)
	migration, err5 := userMigration(env)
	flow, err6 := customauthchain.FromEnv(env)
	signIn, err7 := preauthchain.FromEnv(env)
	signedIn, err8 := postauthchain.FromEnv(env)
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
