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
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	mods, err := modules()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pretoken:", err)
		os.Exit(1)
	}
	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PreTokenGeneration(pretoken.Chain(mods...)))
}

// modules returns the pre token generation modules the environment configures, in the
// order a claim from the table overrides a static one.
func modules() ([]pretoken.Handler, error) {
	var mods []pretoken.Handler

	// CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS: the same claims for everyone.
	if add, suppress := os.Getenv("CLAIMS_TO_ADD_OR_OVERRIDE"), os.Getenv("CLAIMS_TO_SUPPRESS"); add != "" || suppress != "" {
		var claims map[string]any
		if add != "" {
			// One JSON object; numbers stay as written (json.Number) instead of float64,
			// which would round large ones.
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

	// CLAIMS_FROM_ATTRIBUTES: attribute=claim pairs.
	if pairs := os.Getenv("CLAIMS_FROM_ATTRIBUTES"); pairs != "" {
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

	// ENTITLEMENTS_TABLE: plan and permissions by the user's sub.
	if table := os.Getenv("ENTITLEMENTS_TABLE"); table != "" {
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

	// CLAIMS_FROM_CLIENT_METADATA, CLAIMS_FROM_CLIENT_METADATA_MAX_LEN: client metadata
	// copied into claims, values up to 128 bytes by default.
	if keys := os.Getenv("CLAIMS_FROM_CLIENT_METADATA"); keys != "" {
		maxLen := 128
		if v := os.Getenv("CLAIMS_FROM_CLIENT_METADATA_MAX_LEN"); v != "" {
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

	if len(mods) == 0 {
		return nil, errors.New("no module configured: set CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS, " +
			"CLAIMS_FROM_ATTRIBUTES, ENTITLEMENTS_TABLE or CLAIMS_FROM_CLIENT_METADATA")
	}
	return mods, nil
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
