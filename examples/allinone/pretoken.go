package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambda-triggers/cognito/pretoken"
)

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
