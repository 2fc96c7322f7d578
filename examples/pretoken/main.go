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
//	CLAIMS_FROM_ATTRIBUTES     comma-separated attribute=claim pairs, such as custom:tenant=tenant
//	ENTITLEMENTS_TABLE         DynamoDB table of entitlements (partition key userId (S), the user's
//	                           sub) whose plan and permissions attributes become claims; a user
//	                           without an item keeps the claims before it
//
// The modules run in that order, so a claim from the table overrides a static one.
// AWS clients come from the default configuration on first use.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

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

func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := preTokenGeneration(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS, " +
			"CLAIMS_FROM_ATTRIBUTES or ENTITLEMENTS_TABLE")
	}
	return triggers.NewRouter().PreTokenGeneration(pretoken.Chain(mods...)), nil
}

// preTokenGeneration returns the pre token generation modules the environment configures.
func preTokenGeneration(env func(string) string) ([]pretoken.Handler, error) {
	var mods []pretoken.Handler
	if add, suppress := env("CLAIMS_TO_ADD_OR_OVERRIDE"), env("CLAIMS_TO_SUPPRESS"); add != "" || suppress != "" {
		var claims map[string]any
		if add != "" {
			dec := json.NewDecoder(strings.NewReader(add))
			dec.UseNumber()
			if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
				return nil, fmt.Errorf(`CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object such as {"plan":"free"}, got %q`, add)
			}
		}
		h, err := pretoken.OverrideClaims(claims, commaList(suppress))
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS: %w", err)
		}
		mods = append(mods, h)
	}
	if pairs := env("CLAIMS_FROM_ATTRIBUTES"); pairs != "" {
		mapping, err := pairList("CLAIMS_FROM_ATTRIBUTES", pairs)
		if err != nil {
			return nil, err
		}
		h, err := pretoken.ClaimsFromAttributes(mapping)
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_FROM_ATTRIBUTES: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("ENTITLEMENTS_TABLE"); table != "" {
		h, err := pretoken.ClaimsFromDynamoDB(nil, table, "userId",
			map[string]string{"plan": "plan", "permissions": "permissions"})
		if err != nil {
			return nil, fmt.Errorf("ENTITLEMENTS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// commaList splits a comma-separated value and drops blank entries.
func commaList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// pairList reads comma-separated key=value pairs.
func pairList(name, s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range commaList(s) {
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
		}
		out[k] = v
	}
	return out, nil
}
