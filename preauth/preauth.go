package preauth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
//	suspended := preauth.Must(preauth.BlockAttribute("custom:status", []string{"suspended"}))
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
// a module refuses a sign-in. [Message] replaces a module's text.
const (
	DefaultBlockedMessage    = "This account cannot sign in. Please contact support"
	DefaultClientMessage     = "This account cannot sign in through this application"
	DefaultNetworkMessage    = "Sign-in is not allowed from this network"
	DefaultUnverifiedMessage = "Please verify your email address or phone number before signing in"
)

// Option configures a module. Every module takes [Message]; the others say which
// modules take them, and a constructor given an option it does not take reports it.
type Option struct {
	name  string
	apply func(*options) error
}

type options struct {
	message string
	now     func() time.Time
	key     blockKey
	address func(*Event) string
}

// Message is an option that sets the text the user sees when the module refuses a
// sign-in. It must not be blank: Cognito would show the user a bare
// "PreAuthentication failed with error ."
func Message(text string) Option {
	return Option{name: "Message", apply: func(o *options) error {
		if strings.TrimSpace(text) == "" {
			return errors.New("Message: empty text")
		}
		o.message = text
		return nil
	}}
}

// Clock is an option of [BlockList] that replaces time.Now, so that tests can move
// time past a suspension's end.
func Clock(now func() time.Time) Option {
	return Option{name: "Clock", apply: func(o *options) error {
		if now == nil {
			return errors.New("Clock: nil function")
		}
		o.now = now
		return nil
	}}
}

// build applies opts over defaults, refusing an option that module does not take.
func build(module string, defaults options, opts []Option, takes ...string) (options, error) {
	cfg := defaults
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if o.name != "Message" && !slices.Contains(takes, o.name) {
			return cfg, fmt.Errorf("%s: option %s does not apply", module, o.name)
		}
		if err := o.apply(&cfg); err != nil {
			return cfg, fmt.Errorf("%s: %w", module, err)
		}
	}
	return cfg, nil
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
