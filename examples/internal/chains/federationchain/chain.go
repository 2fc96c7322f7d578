// Package federationchain builds the inbound federation modules of examples/federation
// and examples/allinone from environment variables, so that a variable means the same
// and a bad value gets the same start-up error in both.
package federationchain

import (
	"fmt"
	"strings"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/federation"
)

// FromEnv returns the inbound federation modules the environment configures, in the
// order they run (federation.Chain):
//
//	FEDERATION_PROVIDERS               federation.AllowProviders: comma-separated provider names
//	FEDERATION_REQUIRE_VERIFIED_EMAIL  federation.RequireVerifiedEmail when true
//	FEDERATION_POOL_MAPPING            the pool's attribute mapping for the providers:
//	                                   pool attribute=provider attribute pairs (email=email)
//	FEDERATION_MAPPING                 federation.MapAttributes: pool attribute=claim pairs, a nested
//	                                   claim by dots (custom:groups=groups,custom:city=address.locality);
//	                                   a name with "://" (a SAML attribute) is taken whole
//	FEDERATION_OVER_LIMIT              drop (default) or refuse a value over 2048 characters
func FromEnv(env func(string) string) ([]federation.Handler, error) {
	var mods []federation.Handler
	if names := envvar.List(env("FEDERATION_PROVIDERS")); len(names) > 0 {
		h, err := federation.AllowProviders(names)
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_PROVIDERS: %w", err)
		}
		mods = append(mods, h)
	}
	verified, err := envvar.Bool(env, "FEDERATION_REQUIRE_VERIFIED_EMAIL")
	if err != nil {
		return nil, err
	}
	if verified {
		h, err := federation.RequireVerifiedEmail()
		if err != nil {
			return nil, err
		}
		mods = append(mods, h)
	}
	mode := federation.DropOverLimit
	switch v := env("FEDERATION_OVER_LIMIT"); v {
	case "", "drop":
	case "refuse":
		mode = federation.RefuseOverLimit
	default:
		return nil, fmt.Errorf("FEDERATION_OVER_LIMIT: want drop or refuse, got %q", v)
	}
	pool, err := envvar.Pairs("FEDERATION_POOL_MAPPING", env("FEDERATION_POOL_MAPPING"))
	if err != nil {
		return nil, err
	}
	pairs, err := envvar.Pairs("FEDERATION_MAPPING", env("FEDERATION_MAPPING"))
	if err != nil {
		return nil, err
	}
	switch {
	case len(pool) > 0 || len(pairs) > 0:
		mapping := federation.Mapping{}
		for attr, claim := range pairs {
			path := []string{claim}
			if !strings.Contains(claim, "://") {
				path = strings.Split(claim, ".")
			}
			mapping[attr] = federation.Claim(path...)
		}
		h, err := federation.MapAttributes(pool, mapping, federation.OnOverLimit(mode, ""))
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_POOL_MAPPING, FEDERATION_MAPPING: %w", err)
		}
		mods = append(mods, h)
	case env("FEDERATION_OVER_LIMIT") != "":
		h, err := federation.EnforceLimits(mode, "")
		if err != nil {
			return nil, err
		}
		mods = append(mods, h)
	}
	return mods, nil
}
