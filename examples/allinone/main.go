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
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/custommessagechain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customsenderchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/federationchain"
	"github.com/lambda-triggers/cognito/examples/internal/chains/migratechain"
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
	confirmation, err2 := postConfirmationModules()
	tokens, err3 := pretokenchain.FromEnv(env)
	messages, err4 := custommessagechain.FromEnv(env)
	migration, err5 := migratechain.FromEnv(env)
	flow, err6 := customauthchain.FromEnv(env)
	signIn, err7 := preAuthenticationModules()
	signedIn, err8 := postAuthenticationModules()
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

// preAuthenticationModules returns the pre authentication modules the environment turns
// on, as examples/preauth serves them: the checks that need no network call first, the
// block list last.
func preAuthenticationModules() ([]preauth.Handler, error) {
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
	blocked := os.Getenv("BLOCKED_MESSAGE") // the text of the two blocking modules; "" for the default

	var mods []preauth.Handler
	if statuses := list(os.Getenv("BLOCKED_STATUSES")); len(statuses) > 0 {
		h, err := preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: cmp.Or(os.Getenv("STATUS_ATTRIBUTE"), "custom:status"),
			Values:    statuses,
			Message:   blocked,
		})
		if err != nil {
			return nil, fmt.Errorf("BLOCKED_STATUSES, STATUS_ATTRIBUTE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	}
	roles, clients := list(os.Getenv("RESTRICTED_ROLES")), list(os.Getenv("RESTRICTED_CLIENT_IDS"))
	switch {
	case len(roles) > 0 && len(clients) == 0:
		return nil, errors.New("RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS, the app clients those users may sign in through")
	case len(clients) > 0 && len(roles) == 0:
		return nil, errors.New("RESTRICTED_CLIENT_IDS needs RESTRICTED_ROLES, the roles kept to those app clients")
	case len(roles) > 0:
		who, err := preauth.AttributeIn(cmp.Or(os.Getenv("ROLE_ATTRIBUTE"), "custom:role"), roles...)
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_ROLES, ROLE_ATTRIBUTE: %w", err)
		}
		h, err := preauth.RestrictClients(preauth.RestrictClientsConfig{Who: who, ClientIDs: clients})
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_CLIENT_IDS: %w", err)
		}
		mods = append(mods, h)
	}
	addressKey := os.Getenv("ADDRESS_KEY") // "" for preauth.DefaultAddressKey
	if networks := list(os.Getenv("ALLOWED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.AllowNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("ALLOWED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if networks := list(os.Getenv("DENIED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.DenyNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("DENIED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if v := os.Getenv("REQUIRE_VERIFIED"); v != "" {
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
	if table := os.Getenv("BLOCK_LIST_TABLE"); table != "" {
		cfg := preauth.BlockListConfig{Table: table, Message: blocked}
		switch key := os.Getenv("BLOCK_LIST_KEY"); key {
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
	} else if os.Getenv("BLOCK_LIST_KEY") != "" {
		return nil, errors.New("BLOCK_LIST_KEY needs BLOCK_LIST_TABLE")
	}
	return mods, nil
}

// postConfirmationModules returns the post confirmation modules the environment turns
// on, as examples/postconfirm serves them, to run at the same time.
func postConfirmationModules() ([]postconfirm.Handler, error) {
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
	if group := os.Getenv("GROUP"); group != "" {
		h, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Groups: postconfirm.StaticGroups(group)})
		if err != nil {
			return nil, fmt.Errorf("GROUP: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("PROFILES_TABLE"); table != "" {
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
	if from := os.Getenv("WELCOME_FROM"); from != "" {
		table := os.Getenv("WELCOME_TABLE")
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
	if table := os.Getenv("INVITATIONS_TABLE"); table != "" {
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
func postAuthenticationModules() ([]postauth.Handler, error) {
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
	if table := os.Getenv("SIGNIN_TABLE"); table != "" {
		h, err := postauth.RecordSignIn(postauth.RecordConfig{Table: table, PartitionKey: "id"})
		if err != nil {
			return nil, fmt.Errorf("SIGNIN_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("AUDIT_TABLE"); table != "" {
		var retention time.Duration // zero: postauth.DefaultAuditRetention
		if v := os.Getenv("AUDIT_RETENTION"); v != "" {
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
	if from := os.Getenv("NEW_DEVICE_FROM"); from != "" {
		table := os.Getenv("NEW_DEVICE_TABLE")
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
