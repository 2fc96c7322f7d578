package pretoken

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefaultClaimsLimit is the most bytes the claims a chain adds may take in one token,
// counted as they travel: the JSON of each added claim ("name":value), base64url-encoded
// as in a JWT. Tokens travel in HTTP headers, which many servers, load balancers and API
// gateways cap at about 8 KB; Cognito's own claims, the JWT header and the signature take
// about 1 to 2 KB of that. Keep claims small: put an identifier in the token and look the
// rest up where it is needed.
const DefaultClaimsLimit = 4096

// ErrClaimsTooLarge is wrapped by the error a chain returns when the claims it adds would
// take more than its [ClaimsLimit].
var ErrClaimsTooLarge = errors.New("claims too large")

// ClaimsLimit is the size guard that [Chain] puts around its modules. After the last
// module, it adds up the claims the chain adds or overrides in each token (see
// [DefaultClaimsLimit] for how), and when a token's additions take more than the limit
// it reports the token, the size and the claim names, largest first, never their values.
// Then it refuses the sign-in, with an error wrapping [ErrClaimsTooLarge] that the router
// logs at error level and answers with its generic text, or, with DropAdditions, logs at
// error level and drops that token's additions, so that the user signs in with Cognito's
// own claims (suppressions, scopes and group changes stay).
//
// Chain(mods...) is ClaimsLimit{}.Chain(mods...).
type ClaimsLimit struct {
	// Bytes is the limit per token; 0 is DefaultClaimsLimit and a negative value turns
	// the guard off.
	Bytes int
	// DropAdditions drops the additions of a token over the limit instead of refusing
	// the sign-in.
	DropAdditions bool
}

// Chain returns a handler that runs mods in order, as [Chain] does, inside the guard.
func (l ClaimsLimit) Chain(mods ...Handler) Handler {
	chain := triggers.Chain(mods...)
	limit := l.Bytes
	if limit == 0 {
		limit = DefaultClaimsLimit
	}
	if limit < 0 {
		return chain
	}
	drop := l.DropAdditions
	return func(ctx context.Context, e *Event) error {
		if err := chain(ctx, e); err != nil {
			return err
		}
		return guardClaims(ctx, e, limit, drop)
	}
}

// claimSize is one added claim and the bytes it takes in the token.
type claimSize struct {
	name  string
	bytes int
}

func guardClaims(ctx context.Context, e *Event, limit int, drop bool) error {
	if e.IsV1() {
		d := e.Response.ClaimsOverrideDetails
		if d == nil || len(d.ClaimsToAddOrOverride) == 0 {
			return nil
		}
		sizes := make([]claimSize, 0, len(d.ClaimsToAddOrOverride))
		for k, v := range d.ClaimsToAddOrOverride {
			sizes = append(sizes, claimSize{k, jsonLen(k) + 1 + jsonLen(v)})
		}
		return checkClaims(ctx, IDToken, sizes, limit, drop, func() { d.ClaimsToAddOrOverride = nil })
	}
	d := e.Response.ClaimsAndScopeOverrideDetails
	if d == nil {
		return nil
	}
	var errs []error
	if g := d.IDTokenGeneration; g != nil && len(g.ClaimsToAddOrOverride) > 0 {
		errs = append(errs, checkClaims(ctx, IDToken, anySizes(g.ClaimsToAddOrOverride), limit, drop,
			func() { g.ClaimsToAddOrOverride = nil }))
	}
	if g := d.AccessTokenGeneration; g != nil && len(g.ClaimsToAddOrOverride) > 0 {
		errs = append(errs, checkClaims(ctx, AccessToken, anySizes(g.ClaimsToAddOrOverride), limit, drop,
			func() { g.ClaimsToAddOrOverride = nil }))
	}
	return errors.Join(errs...)
}

func anySizes(m map[string]any) []claimSize {
	sizes := make([]claimSize, 0, len(m))
	for k, v := range m {
		n := 4 // null, for a value that cannot be encoded; the encoder reports it
		if b, err := json.Marshal(v); err == nil {
			n = len(b)
		}
		sizes = append(sizes, claimSize{k, jsonLen(k) + 1 + n})
	}
	return sizes
}

// jsonLen is the length of s as a JSON string, close enough for a size guard.
func jsonLen(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

func checkClaims(ctx context.Context, token Token, sizes []claimSize, limit int, drop bool, dropAll func()) error {
	raw := len(sizes) - 1 + 2 // commas and braces
	for _, c := range sizes {
		raw += c.bytes
	}
	encoded := (raw*4 + 2) / 3 // base64url without padding
	if encoded <= limit {
		return nil
	}
	slices.SortFunc(sizes, func(a, b claimSize) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.name, b.name))
	})
	names := make([]string, len(sizes))
	for i, c := range sizes {
		names[i] = fmt.Sprintf("%s (%d bytes)", c.name, c.bytes)
	}
	if !drop {
		return fmt.Errorf("pretoken: the claims added to the %s take %d bytes encoded, over the limit of %d; largest first: %s: %w",
			token, encoded, limit, quoteNames(sizes), ErrClaimsTooLarge)
	}
	dropAll()
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelError, "claims over the token size limit dropped",
		slog.String("token", token.String()), slog.Int("bytes", encoded), slog.Int("limit", limit),
		slog.String("claims", strings.Join(names, ", ")))
	return nil
}

func quoteNames(sizes []claimSize) string {
	parts := make([]string, len(sizes))
	for i, c := range sizes {
		parts[i] = fmt.Sprintf("%q (%d bytes)", c.name, c.bytes)
	}
	return strings.Join(parts, ", ")
}
