package federation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefaultUnverifiedMessage is what a user refused by [RequireVerifiedEmail] sees.
const DefaultUnverifiedMessage = "Your identity provider has not verified your email address"

// DefaultProviderMessage is what a user refused by [AllowProviders] sees.
const DefaultProviderMessage = "Sign-in with this identity provider is not allowed"

// VerifiedEmailConfig configures [RequireVerifiedEmail].
type VerifiedEmailConfig struct {
	// VerifiedFrom says where the provider's verdict is read, in order: the first
	// source the provider sent decides. Empty means Claim("email_verified"), the OIDC
	// claim, from the ID token or else userInfo. SAML providers state it, if at all, in
	// an attribute of their own: name it with From(federation.SAML, "<attribute>").
	VerifiedFrom []Source
	// RefuseUnstated refuses a sign-in whose provider says nothing about the email
	// address being verified, as well as one it says is not. The default lets it pass.
	RefuseUnstated bool
	// Message is the text a refused user sees; "" means [DefaultUnverifiedMessage].
	Message string
}

// ProvidersConfig configures [AllowProviders].
type ProvidersConfig struct {
	// Providers are the identity providers that may sign users in: the provider names
	// of the user pool, such as "Google" or "CorporateSAML", compared exactly. Required.
	Providers []string
	// Message is the text a refused user sees; "" means [DefaultProviderMessage].
	Message string
}

// message returns text, or def when text is "", and refuses a text of blanks only.
func message(module, text, def string) (string, error) {
	switch {
	case text == "":
		return def, nil
	case strings.TrimSpace(text) == "":
		return "", fmt.Errorf("federation.%s: Message is blank", module)
	}
	return text, nil
}

// RequireVerifiedEmail refuses a sign-in whose provider says the email address is not
// verified (email_verified false or "false"), so that an account cannot be created, or
// linked, on an address nobody proved to own. A provider that says nothing passes
// unless cfg.RefuseUnstated; a value that is neither true nor false counts as not
// verified, and a list of one value (as SAML sends an attribute) counts as that value.
//
// It acts on InboundFederation_ExternalProvider.
func RequireVerifiedEmail(cfg VerifiedEmailConfig) (Handler, error) {
	msg, err := message("RequireVerifiedEmail", cfg.Message, DefaultUnverifiedMessage)
	if err != nil {
		return nil, err
	}
	sources := slices.Clone(cfg.VerifiedFrom)
	if len(sources) == 0 {
		sources = []Source{Claim("email_verified")}
	}
	for _, s := range sources {
		if len(s.parts) == 0 || len(s.path) == 0 {
			return nil, errors.New("federation.RequireVerifiedEmail: VerifiedFrom has an empty source")
		}
	}
	unstated := cfg.RefuseUnstated
	return func(_ context.Context, e *Event) error {
		if !actsOn(e) {
			return nil
		}
		for _, s := range sources {
			v, ok := s.lookup(e)
			if list, isList := v.([]any); isList && len(list) == 1 {
				// A SAML attribute arrives as a list of its values, one value here.
				v = list[0]
			}
			if !ok || v == nil {
				continue
			}
			if v == true || v == "true" {
				return nil
			}
			return &triggers.Rejected{Message: msg,
				Cause: fmt.Errorf("provider %q: %s is not true", e.Request.ProviderName, s)}
		}
		if unstated {
			return &triggers.Rejected{Message: msg,
				Cause: fmt.Errorf("provider %q states no email verification", e.Request.ProviderName)}
		}
		return nil
	}, nil
}

// AllowProviders refuses a sign-in through any identity provider but the allowed ones
// (the provider names of the user pool, such as "Google" or "CorporateSAML", compared
// exactly), the ones of cfg.Providers.
//
// It acts on InboundFederation_ExternalProvider.
func AllowProviders(cfg ProvidersConfig) (Handler, error) {
	switch {
	case len(cfg.Providers) == 0:
		return nil, errors.New("federation.AllowProviders: Providers is empty")
	case slices.Contains(cfg.Providers, ""):
		return nil, errors.New("federation.AllowProviders: Providers has an empty name")
	}
	msg, err := message("AllowProviders", cfg.Message, DefaultProviderMessage)
	if err != nil {
		return nil, err
	}
	allowed := slices.Clone(cfg.Providers)
	return func(_ context.Context, e *Event) error {
		if !actsOn(e) || slices.Contains(allowed, e.Request.ProviderName) {
			return nil
		}
		return &triggers.Rejected{Message: msg,
			Cause: fmt.Errorf("provider %q is not allowed", e.Request.ProviderName)}
	}, nil
}
