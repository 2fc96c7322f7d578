// Command pretoken is a pre token generation trigger configured by environment variables:
// static claims, claims copied from user attributes, and claims looked up in DynamoDB,
// for token event versions 1, 2 and 3 alike. Each module is on when its variables are
// set; a function with none set refuses to start.
//
//	CLAIMS_TO_ADD_OR_OVERRIDE='{"plan":"free"}' go run ./examples/pretoken -event event.json
//	CLAIMS_TO_ADD_OR_OVERRIDE='{"plan":"free"}' go run ./examples/pretoken -serve 127.0.0.1:9300
//
// Environment:
//
//	CLAIMS_TO_ADD_OR_OVERRIDE  a JSON object of claims to add, such as {"plan":"free","beta":true}
//	CLAIMS_TO_SUPPRESS         comma-separated claims to remove, such as email,phone_number
//	CLAIMS_FROM_ATTRIBUTES     comma-separated attribute=claim pairs, such as custom:tenant_id=tenant
//	ENTITLEMENTS_TABLE         DynamoDB table of entitlements (partition key userId (S), the user's
//	                           sub) whose plan and permissions attributes become claims; a user
//	                           without an item keeps the claims before it
//	CLAIMS_FROM_CLIENT_METADATA  comma-separated client metadata keys copied into claims of the
//	                           same name, such as stepUpTransaction (a step-up's transaction ID)
//	CLAIMS_FROM_CLIENT_METADATA_MAX_LEN  longest value copied, in bytes (128)
//
// The modules run in that order, so a claim from the table overrides a static one.
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/pretokenchain"
	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pretoken:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, in one chain, the pre token generation modules that
// pretokenchain.FromEnv (examples/internal/chains/pretokenchain, shared with
// examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := pretokenchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS, " +
			"CLAIMS_FROM_ATTRIBUTES, ENTITLEMENTS_TABLE or CLAIMS_FROM_CLIENT_METADATA")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PreTokenGeneration(pretoken.Chain(mods...)), nil
}
