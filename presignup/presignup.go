package presignup

import (
	"fmt"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the pre sign-up event every module here receives.
type Event = triggers.PreSignUpEvent

// Handler is a pre sign-up module, or a chain of them.
type Handler = triggers.Handler[Event]

// Chain returns a handler that runs mods in order, each seeing the response flags the
// ones before it set, and stops at the first error: the first rejection is what the
// user sees. Nil modules are skipped. See [triggers.Chain].
func Chain(mods ...Handler) Handler { return triggers.Chain(mods...) }

// Must returns h, or panics when err is not nil. It is for building a chain in main or
// in a package variable, where a configuration mistake should stop the function from
// starting at all:
//
//	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"tempmail.test"}}))
func Must(h Handler, err error) Handler {
	if err != nil {
		panic(err)
	}
	return h
}

// Trigger sources of the pre sign-up trigger, named here so that a Sources field reads
// without the triggers prefix: Sources: triggers.Sources{presignup.SignUp}.
const (
	SignUp           = triggers.PreSignUpSignUp
	AdminCreateUser  = triggers.PreSignUpAdminCreateUser
	ExternalProvider = triggers.PreSignUpExternalProvider
)

var (
	signUpOnly        = triggers.Sources{SignUp}
	selfServiceSignUp = triggers.Sources{SignUp, ExternalProvider}
)

// resolveSources returns the sources a module named name acts on: src, or def when src
// is empty; the error names the module and the field.
func resolveSources(name string, src, def triggers.Sources) (triggers.Sources, error) {
	s, err := src.Resolve(triggers.TriggerPreSignUp, def)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// now returns f, or time.Now when f is nil.
func now(f func() time.Time) func() time.Time {
	if f == nil {
		return time.Now
	}
	return f
}

// metadata returns the first non-blank value of key in the event's client metadata,
// then its validation data, trimmed.
func metadata(e *Event, key string) string {
	if v := strings.TrimSpace(e.Request.ClientMetadata[key]); v != "" {
		return v
	}
	return strings.TrimSpace(e.Request.ValidationData[key])
}
