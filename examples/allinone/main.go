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

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
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
