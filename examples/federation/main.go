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

	"github.com/lambda-triggers/cognito/examples/internal/chains/federationchain"
	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "federation:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the inbound federation modules that federationchain.FromEnv (shared
// with examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := federationchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set FEDERATION_PROVIDERS, FEDERATION_REQUIRE_VERIFIED_EMAIL, FEDERATION_MAPPING or FEDERATION_POOL_MAPPING")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).InboundFederation(federation.Chain(mods...)), nil
}
