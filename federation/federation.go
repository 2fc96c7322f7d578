package federation

import (
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the inbound federation event every module here receives.
type Event = triggers.InboundFederationEvent

// Handler is an inbound federation module, or a chain of them.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order and stops at the first error, as
// [triggers.Chain] does: a refusal ends the sign-in with its text.
func Chain(mods ...Handler) Handler { return triggers.Chain(mods...) }

// Must returns h, or panics with err: for chains built in package variables.
func Must(h Handler, err error) Handler {
	if err != nil {
		panic(err)
	}
	return h
}

// actsOn reports whether a module acts on e: every module here acts on
// InboundFederation_ExternalProvider, the trigger's only source.
func actsOn(e *Event) bool { return e.TriggerSource == triggers.InboundFederationExternalProvider }

// Part is the part of the provider's answer a value is read from.
type Part int

// The parts of a provider's answer.
const (
	// IDToken is the claims of the OIDC or social provider's ID token.
	IDToken Part = iota + 1
	// UserInfo is the provider's userInfo answer.
	UserInfo
	// SAML is the attributes of the SAML assertion.
	SAML
)

func (p Part) String() string {
	switch p {
	case IDToken:
		return "idToken"
	case UserInfo:
		return "userInfo"
	case SAML:
		return "samlResponse"
	}
	return "unknown part"
}

// Source names a provider value: a part of the answer, or all of them (see [Claim]), and
// a path into nested objects.
type Source struct {
	parts []Part
	path  []string
}

// Claim is the value at path in the ID token's claims, or else in userInfo, or else
// among the SAML attributes: Claim("groups"), Claim("address", "locality"). Every
// element of path is a member name as the provider sends it, so a SAML attribute named
// by a URL is one element.
func Claim(path ...string) Source { return Source{parts: []Part{IDToken, UserInfo, SAML}, path: path} }

// From is the value at path in one part of the answer only.
func From(part Part, path ...string) Source { return Source{parts: []Part{part}, path: path} }

func (s Source) String() string {
	prefix := ""
	if len(s.parts) == 1 {
		prefix = s.parts[0].String() + ":"
	}
	return prefix + strings.Join(s.path, ".")
}

// values returns the part's values.
func values(e *Event, p Part) triggers.ProviderValues {
	a := e.Request.Attributes
	switch p {
	case IDToken:
		return a.IDTokenValues()
	case UserInfo:
		return a.UserInfoValues()
	}
	return a.SAMLValues()
}

// lookup returns the value s names in e.
func (s Source) lookup(e *Event) (any, bool) {
	for _, p := range s.parts {
		if v, ok := values(e, p).Lookup(s.path...); ok {
			return v, true
		}
	}
	return nil, false
}
