package pretoken

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/lambda-triggers/cognito/triggers"
)

// ClaimOption configures [OverrideClaims] and [ClaimsFromAttributes].
type ClaimOption interface{ applyClaims(*claimConfig) error }

type claimConfig struct {
	tokens Token
}

// TokensOption is the option [InTokens] returns. It configures [OverrideClaims],
// [ClaimsFromAttributes] and [ClaimsFromDynamoDB].
type TokensOption struct{ tokens Token }

// InTokens makes a claim module write to the given tokens only. By default the claim
// modules write to both tokens, as far as each event allows (see [Tokens]): the ID token
// alone on a version 1 event, the access token alone on a machine-to-machine one.
func InTokens(t Token) TokensOption { return TokensOption{tokens: t} }

func (o TokensOption) validate() (Token, error) {
	if o.tokens == 0 || o.tokens&^BothTokens != 0 {
		return 0, fmt.Errorf("InTokens(%d): want IDToken, AccessToken or both", o.tokens)
	}
	return o.tokens, nil
}

func (o TokensOption) applyClaims(c *claimConfig) (err error) {
	c.tokens, err = o.validate()
	return err
}

func newClaimConfig(opts []ClaimOption) (claimConfig, error) {
	c := claimConfig{tokens: BothTokens}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyClaims(&c); err != nil {
			return c, err
		}
	}
	return c, nil
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

// OverrideClaims returns a module that adds or overrides the claims in add and
// suppresses the claims in suppress, the same for every user: the static "override ID
// token claims" of other Cognito trigger kits, for version 1, 2 and 3 events. It acts on
// every token generation trigger source; on TokenGeneration_ClientCredentials it changes
// the access token, the only token there.
//
// By default the claims go to both tokens as far as the event allows; [InTokens]
// narrows that. Values are as for [AddClaim]: any JSON value, sent as its JSON text in a
// version 1 response, whose claims are strings. Claims already written by earlier
// modules are merged with, not replaced.
//
// The error, returned here rather than at sign-in, names the first claim Cognito would
// refuse (see [AddClaim] and [SuppressClaim]), a claim both added and suppressed, and a
// module that would change nothing.
func OverrideClaims(add map[string]any, suppress []string, opts ...ClaimOption) (Handler, error) {
	cfg, err := newClaimConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("pretoken: OverrideClaims: %w", err)
	}
	if len(add) == 0 && len(suppress) == 0 {
		return nil, fmt.Errorf("pretoken: OverrideClaims: no claim to add or suppress")
	}
	claims, err := prepareClaims(cfg.tokens, add)
	if err != nil {
		return nil, fmt.Errorf("pretoken: OverrideClaims: %w", err)
	}
	suppressed := make([]string, 0, len(suppress))
	for _, name := range suppress {
		if err := checkSuppress(cfg.tokens, name); err != nil {
			return nil, fmt.Errorf("pretoken: OverrideClaims: %w", err)
		}
		if _, ok := add[name]; ok {
			return nil, fmt.Errorf("pretoken: OverrideClaims: claim %q is both added and suppressed; "+
				"Cognito would suppress it: %w", name, ErrInvalidClaim)
		}
		suppressed = appendNew(suppressed, name)
	}
	tokens := cfg.tokens
	return triggers.Named("OverrideClaims", func(_ context.Context, e *Event) error {
		putClaims(e, tokens, claims)
		for _, name := range suppressed {
			suppressClaim(e, tokens, name)
		}
		return nil
	}), nil
}

// OverrideScopes returns a module that adds and suppresses OAuth scopes in the access
// token, for version 2 and 3 events, TokenGeneration_ClientCredentials included. A
// version 1 event cannot change scopes; the module does nothing there. Scopes earlier
// modules added are kept; a suppressed scope is never added.
//
// The error reports an empty scope, one with white space, a scope both added and
// suppressed, and a module that would change nothing.
func OverrideScopes(add, suppress []string) (Handler, error) {
	if len(add) == 0 && len(suppress) == 0 {
		return nil, fmt.Errorf("pretoken: OverrideScopes: no scope to add or suppress")
	}
	for _, s := range slices.Concat(add, suppress) {
		if err := checkScope(s); err != nil {
			return nil, fmt.Errorf("pretoken: OverrideScopes: %w", err)
		}
	}
	for _, s := range suppress {
		if slices.Contains(add, s) {
			return nil, fmt.Errorf("pretoken: OverrideScopes: scope %q is both added and suppressed; "+
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

// ClaimsFromAttributes returns a module that copies user attributes into claims:
// mapping maps an attribute name, such as "custom:tenant_id", to a claim name, such as
// "tenant_id". Attributes the user lacks, or has empty, are skipped; values are strings,
// as Cognito sends them. It acts on every token generation trigger source with a user
// and does nothing on TokenGeneration_ClientCredentials. By default the claims go to
// both tokens as far as the event allows; [InTokens] narrows that.
//
// The error, returned here rather than at sign-in, reports an empty mapping or attribute
// name and a claim Cognito would refuse (see [AddClaim]).
func ClaimsFromAttributes(mapping map[string]string, opts ...ClaimOption) (Handler, error) {
	cfg, err := newClaimConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("pretoken: ClaimsFromAttributes: %w", err)
	}
	if len(mapping) == 0 {
		return nil, fmt.Errorf("pretoken: ClaimsFromAttributes: no attribute to map")
	}
	type pair struct{ attribute, claim string }
	pairs := make([]pair, 0, len(mapping))
	for _, attr := range slices.Sorted(maps.Keys(mapping)) {
		if attr == "" {
			return nil, fmt.Errorf("pretoken: ClaimsFromAttributes: empty attribute name")
		}
		if err := checkAdd(cfg.tokens, mapping[attr]); err != nil {
			return nil, fmt.Errorf("pretoken: ClaimsFromAttributes: attribute %q: %w", attr, err)
		}
		pairs = append(pairs, pair{attr, mapping[attr]})
	}
	tokens := cfg.tokens
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

// ClaimsFromClientMetadata returns a module that copies client metadata into claims of
// the same name: of the keys the client sent (ClientMetadata of RespondToAuthChallenge,
// InitiateAuth or the token refresh, as Cognito passes it to this trigger), only those in
// allowlist, and only values of at most maxLen bytes. An app that asks for a step-up
// before a sensitive action can so carry a transaction ID into the tokens it gets. Longer
// values are left out and logged by key, never by value; empty ones are skipped. It acts
// on every token generation trigger source. By default the claims go to both tokens as
// far as the event allows; [InTokens] narrows that.
//
// Client metadata is whatever the client sends: a claim from it says only that the
// client asked for it, so use it to correlate, never to authorize.
//
// The error, returned here rather than at sign-in, reports an empty allow list, a
// maxLen below one, and a key whose claim Cognito would refuse (see [AddClaim]), such as
// sub or a cognito: claim.
func ClaimsFromClientMetadata(allowlist []string, maxLen int, opts ...ClaimOption) (Handler, error) {
	cfg, err := newClaimConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("pretoken: ClaimsFromClientMetadata: %w", err)
	}
	if len(allowlist) == 0 {
		return nil, fmt.Errorf("pretoken: ClaimsFromClientMetadata: no client metadata key to copy")
	}
	if maxLen < 1 {
		return nil, fmt.Errorf("pretoken: ClaimsFromClientMetadata: maximum length must be at least 1, got %d", maxLen)
	}
	keys := make([]string, 0, len(allowlist))
	for _, key := range allowlist {
		if err := checkAdd(cfg.tokens, key); err != nil {
			return nil, fmt.Errorf("pretoken: ClaimsFromClientMetadata: %w", err)
		}
		keys = appendNew(keys, key)
	}
	slices.Sort(keys)
	tokens := cfg.tokens
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
