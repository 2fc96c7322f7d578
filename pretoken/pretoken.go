package pretoken

import (
	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the pre token generation event, for versions 1, 2 and 3 alike.
type Event = triggers.PreTokenGenerationEvent

// Handler is a pre token generation module or chain of modules.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order, each seeing the token changes of the
// ones before it, and stops at the first error. Nil modules are skipped. The claims the
// chain adds are held to [DefaultClaimsLimit] per token: a chain that adds more fails,
// naming the claims (see [ClaimsLimit] to change the limit or drop the additions).
func Chain(mods ...Handler) Handler { return ClaimsLimit{}.Chain(mods...) }

// Must returns h, or panics with err. It is for building a chain in a package-level
// variable or in main, where a configuration mistake should stop the program at once:
//
//	var chain = pretoken.Chain(pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: claims})))
func Must(h Handler, err error) Handler {
	if err != nil {
		panic(err)
	}
	return h
}

// Token names the tokens a change applies to. Values combine with |.
type Token uint8

const (
	// IDToken is the ID token, which every event version can change except the
	// machine-to-machine event, where Cognito issues no ID token.
	IDToken Token = 1 << iota
	// AccessToken is the access token, which only version 2 and 3 events can change.
	AccessToken

	// BothTokens is IDToken | AccessToken.
	BothTokens = IDToken | AccessToken
)

// String returns "ID token", "access token", "ID and access tokens" or "no token".
func (t Token) String() string {
	switch t & BothTokens {
	case IDToken:
		return "ID token"
	case AccessToken:
		return "access token"
	case BothTokens:
		return "ID and access tokens"
	}
	return "no token"
}

// Tokens reports which tokens the event lets a function change: the ID token alone for
// a version 1 event, both tokens for a version 2 or 3 event about a user, and the
// access token alone for TokenGeneration_ClientCredentials. Changes aimed at a token
// outside this set are left out of the response, as Cognito would ignore them.
func Tokens(e *Event) Token {
	switch {
	case e.IsV1():
		if !HasUser(e) {
			return 0
		}
		return IDToken
	case !HasUser(e):
		return AccessToken
	}
	return BothTokens
}

// HasUser reports whether the tokens are for a user. It is false for
// TokenGeneration_ClientCredentials, where an app client asks for an access token for
// itself and the event carries no user attributes or groups; modules that need a user
// do nothing then.
func HasUser(e *Event) bool {
	return e.TriggerSource != triggers.TokenGenerationClientCredentials
}
