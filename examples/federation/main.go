// Command federation is an inbound federation trigger configured by environment
// variables: it allows only some identity providers, refuses an email address the
// provider has not verified, and maps provider values (a groups list, a nested address)
// to user pool attributes within Cognito's limits, in that order. Each module is on when
// its variables are set; a function with none set refuses to start.
//
//	FEDERATION_PROVIDERS=Okta go run ./examples/federation -event event.json
//	FEDERATION_PROVIDERS=Okta go run ./examples/federation -serve 127.0.0.1:9300
//
// Environment:
//
//	FEDERATION_PROVIDERS               comma-separated provider names that may sign users in
//	FEDERATION_REQUIRE_VERIFIED_EMAIL  true refuses a sign-in whose provider says the email is not verified
//	FEDERATION_POOL_MAPPING            the pool's attribute mapping, pool attribute=provider attribute
//	                                   pairs such as email=email,given_name=given_name: kept as Cognito
//	                                   maps them, since the answer replaces Cognito's mapping
//	FEDERATION_MAPPING                 pool attribute=claim pairs mapped on top, a nested claim by dots:
//	                                   custom:groups=groups,custom:city=address.locality
//	FEDERATION_OVER_LIMIT              drop (the default) or refuse a value over 2048 characters
//
// The function calls no AWS service.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "federation:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter builds the inbound federation chain from the environment, in the order its
// modules run: a provider that is not allowed is refused before anything is mapped.
func newRouter() (*triggers.Router, error) {
	var mods []federation.Handler

	if names := list(os.Getenv("FEDERATION_PROVIDERS")); len(names) > 0 {
		h, err := federation.AllowProviders(federation.ProvidersConfig{Providers: names})
		if err != nil {
			return nil, fmt.Errorf("FEDERATION_PROVIDERS: %w", err)
		}
		mods = append(mods, h)
	}

	if v := os.Getenv("FEDERATION_REQUIRE_VERIFIED_EMAIL"); v != "" {
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
	switch v := os.Getenv("FEDERATION_OVER_LIMIT"); v {
	case "", "drop":
	case "refuse":
		overLimit = federation.RefuseOverLimit
	default:
		return nil, fmt.Errorf("FEDERATION_OVER_LIMIT: want drop or refuse, got %q", v)
	}
	pool, err := pairs("FEDERATION_POOL_MAPPING", os.Getenv("FEDERATION_POOL_MAPPING"))
	if err != nil {
		return nil, err
	}
	claims, err := pairs("FEDERATION_MAPPING", os.Getenv("FEDERATION_MAPPING"))
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
	case os.Getenv("FEDERATION_OVER_LIMIT") != "":
		// Nothing to map, but the limits still apply to what Cognito maps.
		h, err := federation.EnforceLimits(federation.LimitsConfig{OverLimit: overLimit})
		if err != nil {
			return nil, err
		}
		mods = append(mods, h)
	}

	if len(mods) == 0 {
		return nil, errors.New("no module configured: set FEDERATION_PROVIDERS, FEDERATION_REQUIRE_VERIFIED_EMAIL, FEDERATION_MAPPING or FEDERATION_POOL_MAPPING")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).InboundFederation(federation.Chain(mods...)), nil
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

// pairs reads value, the value of the variable name, as comma-separated key=value pairs.
func pairs(name, value string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range list(value) {
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
		}
		out[k] = v
	}
	return out, nil
}
