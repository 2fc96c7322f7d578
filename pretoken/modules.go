package pretoken

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/lambda-triggers/cognito/triggers"
)

// resolveTokens returns the tokens a claim module writes to: t, or both tokens when t is
// zero.
func resolveTokens(t Token) (Token, error) {
	switch {
	case t == 0:
		return BothTokens, nil
	case t&^BothTokens != 0:
		return 0, fmt.Errorf("Tokens is %d, want IDToken, AccessToken or both", t)
	}
	return t, nil
}

// claim is a claim whose name passed the checks and whose value is encoded once, when
// the chain is built or when a value is cached.
type claim struct {
	name string
	val  value
}

// prepareClaims checks and encodes a map of claims, in name order so that errors and
// writes are the same on every run.
func prepareClaims(tokens Token, m map[string]any) ([]claim, error) {
	out := make([]claim, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := checkAdd(tokens, name); err != nil {
			return nil, err
		}
		v, err := newValue(tokens, name, m[name])
		if err != nil {
			return nil, err
		}
		out = append(out, claim{name: name, val: v})
	}
	return out, nil
}

func putClaims(e *Event, tokens Token, claims []claim) {
	for _, c := range claims {
		putClaim(e, tokens, c.name, c.val)
	}
}

// ClaimsConfig configures [OverrideClaims].
type ClaimsConfig struct {
	// Add maps claim names to the values to add or override: any JSON value, sent as
	// its JSON text in a version 1 response, whose claims are strings (see [AddClaim]).
	// Add or Suppress is required.
	Add map[string]any
	// Suppress lists the claims to remove.
	Suppress []string
	// Tokens are the tokens the claims change; zero means both, as far as each event
	// allows (see [Tokens]): the ID token alone on a version 1 event, the access token
	// alone on a machine-to-machine one.
	Tokens Token
}

// OverrideClaims returns a module that adds or overrides the claims in cfg.Add and
// suppresses the claims in cfg.Suppress, the same for every user: the static "override
// ID token claims" of other Cognito trigger kits, for version 1, 2 and 3 events. It acts
// on every token generation trigger source; on TokenGeneration_ClientCredentials it
// changes the access token, the only token there. Claims already written by earlier
// modules are merged with, not replaced.
//
// The error, returned here rather than at sign-in, names the first claim Cognito would
// refuse (see [AddClaim] and [SuppressClaim]), a claim both added and suppressed, and a
// module that would change nothing.
func OverrideClaims(cfg ClaimsConfig) (Handler, error) {
	tokens, err := resolveTokens(cfg.Tokens)
	if err != nil {
		return nil, fmt.Errorf("pretoken.OverrideClaims: %w", err)
	}
	add, suppress := cfg.Add, cfg.Suppress
	if len(add) == 0 && len(suppress) == 0 {
		return nil, fmt.Errorf("pretoken.OverrideClaims: Add and Suppress are empty; no claim to add or suppress")
	}
	claims, err := prepareClaims(tokens, add)
	if err != nil {
		return nil, fmt.Errorf("pretoken.OverrideClaims: Add: %w", err)
	}
	suppressed := make([]string, 0, len(suppress))
	for _, name := range suppress {
		if err := checkSuppress(tokens, name); err != nil {
			return nil, fmt.Errorf("pretoken.OverrideClaims: Suppress: %w", err)
		}
		if _, ok := add[name]; ok {
			return nil, fmt.Errorf("pretoken.OverrideClaims: claim %q is both added and suppressed; "+
				"Cognito would suppress it: %w", name, ErrInvalidClaim)
		}
		suppressed = appendNew(suppressed, name)
	}
	return triggers.Named("OverrideClaims", func(_ context.Context, e *Event) error {
		putClaims(e, tokens, claims)
		for _, name := range suppressed {
			suppressClaim(e, tokens, name)
		}
		return nil
	}), nil
}

// ScopesConfig configures [OverrideScopes].
type ScopesConfig struct {
	// Add lists the OAuth scopes to add to the access token. Add or Suppress is
	// required.
	Add []string
	// Suppress lists the scopes to remove.
	Suppress []string
}

// OverrideScopes returns a module that adds and suppresses OAuth scopes in the access
// token, for version 2 and 3 events, TokenGeneration_ClientCredentials included. A
// version 1 event cannot change scopes; the module does nothing there. Scopes earlier
// modules added are kept; a suppressed scope is never added.
//
// The error reports an empty scope, one with white space, a scope both added and
// suppressed, and a module that would change nothing.
func OverrideScopes(cfg ScopesConfig) (Handler, error) {
	add, suppress := cfg.Add, cfg.Suppress
	if len(add) == 0 && len(suppress) == 0 {
		return nil, fmt.Errorf("pretoken.OverrideScopes: Add and Suppress are empty; no scope to add or suppress")
	}
	for _, s := range add {
		if err := checkScope(s); err != nil {
			return nil, fmt.Errorf("pretoken.OverrideScopes: Add: %w", err)
		}
	}
	for _, s := range suppress {
		if err := checkScope(s); err != nil {
			return nil, fmt.Errorf("pretoken.OverrideScopes: Suppress: %w", err)
		}
		if slices.Contains(add, s) {
			return nil, fmt.Errorf("pretoken.OverrideScopes: scope %q is both added and suppressed; "+
				"Cognito would suppress it: %w", s, ErrInvalidScope)
		}
	}
	add, suppress = slices.Clone(add), slices.Clone(suppress)
	return triggers.Named("OverrideScopes", func(_ context.Context, e *Event) error {
		addScopes(e, add)
		suppressScopes(e, suppress)
		return nil
	}), nil
}

// AttributesConfig configures [ClaimsFromAttributes].
type AttributesConfig struct {
	// Claims maps a user attribute name, such as "custom:tenant_id", to the claim it
	// becomes, such as "tenant_id". Required.
	Claims map[string]string
	// Tokens are the tokens the claims go to; zero means both, as far as each event
	// allows (see [Tokens]).
	Tokens Token
}

// ClaimsFromAttributes returns a module that copies user attributes into claims, as
// cfg.Claims maps them. Attributes the user lacks, or has empty, are skipped; values are
// strings, as Cognito sends them. It acts on every token generation trigger source with
// a user and does nothing on TokenGeneration_ClientCredentials.
//
// The error, returned here rather than at sign-in, reports an empty mapping or attribute
// name and a claim Cognito would refuse (see [AddClaim]).
func ClaimsFromAttributes(cfg AttributesConfig) (Handler, error) {
	tokens, err := resolveTokens(cfg.Tokens)
	if err != nil {
		return nil, fmt.Errorf("pretoken.ClaimsFromAttributes: %w", err)
	}
	mapping := cfg.Claims
	if len(mapping) == 0 {
		return nil, fmt.Errorf("pretoken.ClaimsFromAttributes: Claims is empty; no attribute to map")
	}
	type pair struct{ attribute, claim string }
	pairs := make([]pair, 0, len(mapping))
	for _, attr := range slices.Sorted(maps.Keys(mapping)) {
		if attr == "" {
			return nil, fmt.Errorf("pretoken.ClaimsFromAttributes: Claims: empty attribute name")
		}
		if err := checkAdd(tokens, mapping[attr]); err != nil {
			return nil, fmt.Errorf("pretoken.ClaimsFromAttributes: Claims: attribute %q: %w", attr, err)
		}
		pairs = append(pairs, pair{attr, mapping[attr]})
	}
	return triggers.Named("ClaimsFromAttributes", func(_ context.Context, e *Event) error {
		if !HasUser(e) {
			return nil
		}
		for _, p := range pairs {
			if v := e.Request.UserAttributes[p.attribute]; v != "" {
				putClaim(e, tokens, p.claim, value{text: v})
			}
		}
		return nil
	}), nil
}

// ClientMetadataConfig configures [ClaimsFromClientMetadata].
type ClientMetadataConfig struct {
	// Keys are the client metadata keys copied, each into a claim of the same name.
	// Required.
	Keys []string
	// MaxLen is the longest value copied, in bytes, at least 1. Required.
	MaxLen int
	// Tokens are the tokens the claims go to; zero means both, as far as each event
	// allows (see [Tokens]).
	Tokens Token
}

// ClaimsFromClientMetadata returns a module that copies client metadata into claims of
// the same name: of the keys the client sent (ClientMetadata of RespondToAuthChallenge,
// InitiateAuth or the token refresh, as Cognito passes it to this trigger), only those in
// cfg.Keys, and only values of at most cfg.MaxLen bytes. An app that asks for a step-up
// before a sensitive action can so carry a transaction ID into the tokens it gets. Longer
// values are left out and logged by key, never by value; empty ones are skipped. It acts
// on every token generation trigger source.
//
// Client metadata is whatever the client sends: a claim from it says only that the
// client asked for it, so use it to correlate, never to authorize.
//
// The error, returned here rather than at sign-in, reports empty Keys, a MaxLen below
// one, and a key whose claim Cognito would refuse (see [AddClaim]), such as sub or a
// cognito: claim.
func ClaimsFromClientMetadata(cfg ClientMetadataConfig) (Handler, error) {
	tokens, err := resolveTokens(cfg.Tokens)
	if err != nil {
		return nil, fmt.Errorf("pretoken.ClaimsFromClientMetadata: %w", err)
	}
	allowlist, maxLen := cfg.Keys, cfg.MaxLen
	if len(allowlist) == 0 {
		return nil, fmt.Errorf("pretoken.ClaimsFromClientMetadata: Keys is empty; no client metadata key to copy")
	}
	if maxLen < 1 {
		return nil, fmt.Errorf("pretoken.ClaimsFromClientMetadata: MaxLen is %d, want at least 1", maxLen)
	}
	keys := make([]string, 0, len(allowlist))
	for _, key := range allowlist {
		if err := checkAdd(tokens, key); err != nil {
			return nil, fmt.Errorf("pretoken.ClaimsFromClientMetadata: Keys: %w", err)
		}
		keys = appendNew(keys, key)
	}
	slices.Sort(keys)
	return func(ctx context.Context, e *Event) error {
		for _, key := range keys {
			v := e.Request.ClientMetadata[key]
			switch {
			case v == "":
			case len(v) > maxLen:
				triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "client metadata value too long for a claim",
					slog.String("key", key), slog.Int("length", len(v)), slog.Int("maxLength", maxLen))
			default:
				putClaim(e, tokens, key, value{text: v})
			}
		}
		return nil
	}, nil
}
