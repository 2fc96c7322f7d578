package preauth

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the pre authentication event every module here receives.
type Event = triggers.PreAuthenticationEvent

// Handler is a pre authentication module, or a chain of them.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order and stops at the first error: the
// first refusal is what the user sees. Nil modules are skipped. See [triggers.Chain].
func Chain(mods ...Handler) Handler { return triggers.Chain(mods...) }

// Must returns h, or panics when err is not nil. It is for building a chain in main or
// in a package variable, where a configuration mistake should stop the function from
// starting at all:
//
//	suspended := preauth.Must(preauth.BlockAttribute(preauth.BlockAttributeConfig{
//		Attribute: "custom:status", Values: []string{"suspended"}}))
func Must(h Handler, err error) Handler {
	if err != nil {
		panic(err)
	}
	return h
}

// Authentication is the one trigger source of the pre authentication trigger,
// PreAuthentication_Authentication. Every module here acts on it.
const Authentication = triggers.PreAuthenticationAuthentication

// Predicate decides whether a module applies to a sign-in. Predicates see the event as
// Cognito sent it, userNotFound included: one that looks only at the attributes and
// request data answers an unknown user as it answers a real one with the same data.
type Predicate func(e *Event) bool

// Default texts the user sees, as "PreAuthentication failed with error <text>.", when
// a module refuses a sign-in. The Message field of a module's config replaces its text.
const (
	DefaultBlockedMessage    = "This account cannot sign in. Please contact support"
	DefaultClientMessage     = "This account cannot sign in through this application"
	DefaultNetworkMessage    = "Sign-in is not allowed from this network"
	DefaultUnverifiedMessage = "Please verify your email address or phone number before signing in"
)

// message validates a config's Message and fills in the module's default.
func message(module, text, def string) (string, error) {
	switch {
	case text == "":
		return def, nil
	case strings.TrimSpace(text) == "":
		// Cognito would show the user a bare "PreAuthentication failed with error ."
		return "", fmt.Errorf("preauth.%s: Message is blank", module)
	}
	return text, nil
}

// AttributeIn returns a predicate that holds when the user attribute name has one of
// values, compared without regard to case or surrounding space. A value that lists
// several items separated by commas ("admin,billing", as group-like custom attributes
// often do) matches when any item does. An empty name, no values or a blank value is
// reported here.
func AttributeIn(name string, values ...string) (Predicate, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("preauth.AttributeIn: no attribute name")
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("preauth.AttributeIn: no values for %q", name)
	}
	set := make([]string, 0, len(values))
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			return nil, fmt.Errorf("preauth.AttributeIn: blank value for %q", name)
		}
		set = append(set, v)
	}
	return func(e *Event) bool {
		got := e.Request.UserAttributes[name]
		if got == "" {
			return false
		}
		for item := range strings.SplitSeq(got, ",") {
			if slices.Contains(set, strings.ToLower(strings.TrimSpace(item))) {
				return true
			}
		}
		return false
	}, nil
}

// requestValue returns the first non-blank value of key in the event's validation data,
// then its client metadata, trimmed.
func requestValue(e *Event, key string) string {
	if v := strings.TrimSpace(e.Request.ValidationData[key]); v != "" {
		return v
	}
	return strings.TrimSpace(e.Request.ClientMetadata[key])
}
