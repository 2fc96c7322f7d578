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
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/custommessagechain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customsenderchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/federationchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/migratechain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/postauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/postconfirmchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/preauthchain"
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
	signUp, err1 := preSignUpModules(env)
	confirmation, err2 := postconfirmchain.FromEnv(env)
	tokens, err3 := preTokenModules(env)
	messages, err4 := custommessagechain.FromEnv(env)
	migration, err5 := migratechain.FromEnv(env)
	flow, err6 := customauthchain.FromEnv(env)
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
