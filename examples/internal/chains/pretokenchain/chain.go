// Package pretokenchain builds the pre token generation chain of examples/pretoken and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package pretokenchain

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/pretoken"
)

// FromEnv returns the pre token generation modules the environment configures, in this
// order, so that a claim from the table overrides a static one:
//
//	CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS  pretoken.OverrideClaims
//	CLAIMS_FROM_ATTRIBUTES                         pretoken.ClaimsFromAttributes
//	ENTITLEMENTS_TABLE                             pretoken.ClaimsFromDynamoDB, plan and permissions by the user's sub
//	CLAIMS_FROM_CLIENT_METADATA, ..._MAX_LEN       pretoken.ClaimsFromClientMetadata, values up to 128 bytes by default
func FromEnv(env func(string) string) ([]pretoken.Handler, error) {
	var mods []pretoken.Handler
	if add, suppress := env("CLAIMS_TO_ADD_OR_OVERRIDE"), env("CLAIMS_TO_SUPPRESS"); add != "" || suppress != "" {
		var claims map[string]any
		if add != "" {
			var err error
			if claims, err = ParseClaims(add); err != nil {
				return nil, err
			}
		}
		h, err := pretoken.OverrideClaims(claims, envvar.List(suppress))
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS: %w", err)
		}
		mods = append(mods, h)
	}
	if pairs := env("CLAIMS_FROM_ATTRIBUTES"); pairs != "" {
		mapping, err := envvar.Pairs("CLAIMS_FROM_ATTRIBUTES", pairs)
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
	if keys := env("CLAIMS_FROM_CLIENT_METADATA"); keys != "" {
		maxLen, err := envvar.Int(env, "CLAIMS_FROM_CLIENT_METADATA_MAX_LEN", 128)
		if err != nil {
			return nil, err
		}
		h, err := pretoken.ClaimsFromClientMetadata(envvar.List(keys), maxLen)
		if err != nil {
			return nil, fmt.Errorf("CLAIMS_FROM_CLIENT_METADATA, CLAIMS_FROM_CLIENT_METADATA_MAX_LEN: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}

// ParseClaims reads add, the value of CLAIMS_TO_ADD_OR_OVERRIDE: one JSON object of
// claims. Numbers stay as written (json.Number) instead of float64, which would round
// large ones.
func ParseClaims(add string) (map[string]any, error) {
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(add))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
		return nil, fmt.Errorf(`CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object such as {"plan":"free"}, got %q`, add)
	}
	return claims, nil
}
