package presignup

import (
	"errors"
	"fmt"
	"slices"
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
//	deny := presignup.Must(presignup.DenyDomains([]string{"tempmail.test"}))
func Must(h Handler, err error) Handler {
	if err != nil {
		panic(err)
	}
	return h
}

// Trigger sources of the pre sign-up trigger, named here so that options read without
// the triggers prefix.
const (
	SignUp           = triggers.PreSignUpSignUp
	AdminCreateUser  = triggers.PreSignUpAdminCreateUser
	ExternalProvider = triggers.PreSignUpExternalProvider
)

// sources is the set of trigger sources a module acts on.
type sources []triggers.TriggerSource

func (s sources) has(src triggers.TriggerSource) bool { return slices.Contains(s, src) }

var (
	signUpOnly        = sources{SignUp}
	selfServiceSignUp = sources{SignUp, ExternalProvider}
)

// SourcesOption is the option [Sources] returns. Every module that takes options takes
// it, except [LinkFederatedUser], which only makes sense for federated sign-ups.
type SourcesOption struct{ list sources }

// Sources makes a module act on the given pre sign-up trigger sources instead of its
// default ones (each module documents its defaults): for example
// Sources(SignUp, AdminCreateUser, ExternalProvider) applies a domain list to users
// that administrators create as well. The constructor reports an empty list or a source
// that is not a pre sign-up one.
func Sources(list ...triggers.TriggerSource) SourcesOption {
	return SourcesOption{list: slices.Clone(list)}
}

func (o SourcesOption) validate() (sources, error) {
	if len(o.list) == 0 {
		return nil, errors.New("Sources: no trigger source given")
	}
	for _, s := range o.list {
		if s.Trigger() != triggers.TriggerPreSignUp {
			return nil, fmt.Errorf("Sources: %q is not a pre sign-up trigger source", s)
		}
	}
	return o.list, nil
}

// Clock is an option that replaces time.Now for [RequireInvitation] and [RateLimit],
// so that tests can move time.
type Clock func() time.Time

func (c Clock) validate() (func() time.Time, error) {
	if c == nil {
		return nil, errors.New("Clock: nil function")
	}
	return c, nil
}

// metadata returns the first non-blank value of key in the event's client metadata,
// then its validation data, trimmed.
func metadata(e *Event, key string) string {
	if v := strings.TrimSpace(e.Request.ClientMetadata[key]); v != "" {
		return v
	}
	return strings.TrimSpace(e.Request.ValidationData[key])
}
