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

// CheckOption configures [RequireVerifiedEmail] and [AllowProviders].
type CheckOption interface{ applyCheck(*checkConfig) error }

type checkConfig struct {
	message  string
	sources  []Source
	unstated bool
}

type checkOptionFunc func(*checkConfig) error

func (f checkOptionFunc) applyCheck(c *checkConfig) error { return f(c) }

// Message replaces the text a refused user sees.
func Message(text string) CheckOption {
	return checkOptionFunc(func(c *checkConfig) error {
		if strings.TrimSpace(text) == "" {
			return errors.New("Message: empty text")
		}
		c.message = text
		return nil
	})
}

// VerifiedFrom replaces where [RequireVerifiedEmail] reads the provider's verdict; the
// default is Claim("email_verified"), the OIDC claim, from the ID token or else userInfo.
// SAML providers state it, if at all, in an attribute of their own: name it with
// From(federation.SAML, "<attribute>").
func VerifiedFrom(sources ...Source) CheckOption {
	return checkOptionFunc(func(c *checkConfig) error {
		if len(sources) == 0 {
			return errors.New("VerifiedFrom: no source")
		}
		for _, s := range sources {
			if len(s.parts) == 0 || len(s.path) == 0 {
				return errors.New("VerifiedFrom: empty source")
			}
		}
		c.sources = sources
		return nil
	})
}

// RefuseUnstated makes [RequireVerifiedEmail] refuse a sign-in whose provider says
// nothing about the email address being verified, as well as one it says is not.
func RefuseUnstated() CheckOption {
	return checkOptionFunc(func(c *checkConfig) error { c.unstated = true; return nil })
}

func checkOptions(name string, opts []CheckOption, def checkConfig) (checkConfig, error) {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyCheck(&def); err != nil {
			return def, fmt.Errorf("federation.%s: %w", name, err)
		}
	}
	return def, nil
}

// RequireVerifiedEmail refuses a sign-in whose provider says the email address is not
// verified (email_verified false or "false"), so that an account cannot be created, or
// linked, on an address nobody proved to own. A provider that says nothing passes
// unless [RefuseUnstated]; a value that is neither true nor false counts as not
// verified, and a list of one value (as SAML sends an attribute) counts as that value. Options: [Message], [VerifiedFrom], [RefuseUnstated].
//
// It acts on InboundFederation_ExternalProvider.
func RequireVerifiedEmail(opts ...CheckOption) (Handler, error) {
	cfg, err := checkOptions("RequireVerifiedEmail", opts, checkConfig{message: DefaultUnverifiedMessage,
		sources: []Source{Claim("email_verified")}})
	if err != nil {
		return nil, err
	}
	return func(_ context.Context, e *Event) error {
		if !actsOn(e) {
			return nil
		}
		for _, s := range cfg.sources {
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
			return &triggers.Rejected{Message: cfg.message,
				Cause: fmt.Errorf("provider %q: %s is not true", e.Request.ProviderName, s)}
		}
		if cfg.unstated {
			return &triggers.Rejected{Message: cfg.message,
				Cause: fmt.Errorf("provider %q states no email verification", e.Request.ProviderName)}
		}
		return nil
	}, nil
}

// AllowProviders refuses a sign-in through any identity provider but the named ones
// (the provider names of the user pool, such as "Google" or "CorporateSAML", compared
// exactly). Options: [Message].
//
// It acts on InboundFederation_ExternalProvider.
func AllowProviders(names []string, opts ...CheckOption) (Handler, error) {
	if len(names) == 0 || slices.Contains(names, "") {
		return nil, errors.New("federation.AllowProviders: no provider, or an empty name")
	}
	cfg, err := checkOptions("AllowProviders", opts, checkConfig{message: DefaultProviderMessage})
	if err != nil {
		return nil, err
	}
	allowed := slices.Clone(names)
	return func(_ context.Context, e *Event) error {
		if !actsOn(e) || slices.Contains(allowed, e.Request.ProviderName) {
			return nil
		}
		return &triggers.Rejected{Message: cfg.message,
			Cause: fmt.Errorf("provider %q is not allowed", e.Request.ProviderName)}
	}, nil
}
