package triggers

import (
	"errors"
	"strings"
)

//go:generate go run ./internal/gen

// The table of triggers. Each row describes one event type: its trigger, the trigger
// source prefixes and sources Cognito sends for it, how to make, decode and encode one,
// and what a failure of its chain means. Everything in the package that depends on the
// trigger reads it from here: [TriggerSource.Trigger], [NewEvent], [Triggers],
// [TriggerSources], the codec's dispatch and [Register].
//
// What must stay code per event type is generated from the rows and the struct
// definitions by `go generate` (see internal/gen): each event's Trigger, LogValue,
// MarshalJSON and UnmarshalJSON methods (events_gen.go) and the router's named methods
// (router_gen.go), whose doc comment is the comment above the row.
//
// Adding a trigger is: its Trigger and TriggerSource constants, its event struct
// (Header, Request, Response), its codec, one row here, and go generate.

// ErrorPolicy says what a failure of a trigger's chain means for the user.
type ErrorPolicy uint8

const (
	// FailTrigger: a failure fails the trigger, and with it the sign-up, sign-in or
	// message that Cognito is in the middle of.
	FailTrigger ErrorPolicy = iota
	// BestEffort: the trigger runs after the fact (the user is confirmed, or signed in,
	// already), so a failure cannot undo anything. Its modules' failures are logged and
	// the trigger succeeds, unless an error wraps [ErrCritical].
	BestEffort
)

// ErrorPolicy reports what a failure of t's chain means, or [FailTrigger] for an unknown
// trigger.
func (t Trigger) ErrorPolicy() ErrorPolicy {
	if d := descriptorOf(t); d != nil {
		return d.onError
	}
	return FailTrigger
}

// Sources returns the trigger sources Cognito documents for t, or nil for an unknown
// trigger.
func (t Trigger) Sources() Sources {
	if d := descriptorOf(t); d != nil {
		return append(Sources(nil), d.sources...)
	}
	return nil
}

// descriptor is one row of the table.
type descriptor struct {
	trigger Trigger
	// prefixes are the parts before the underscore of the trigger's sources; the first
	// is the trigger's own name where Cognito spells it so.
	prefixes []string
	sources  []TriggerSource
	onError  ErrorPolicy

	newEvent func() Event
	// decode decodes into e, replacing all of it; encode appends the JSON of e. Both
	// return errWrongType for an event of another type.
	decode func(d *decoder, e Event) error
	encode func(b []byte, e Event) ([]byte, error)
}

var errWrongType = errors.New("event of another type")

// describe completes the row of event type E from its codec.
func describe[E any, P interface {
	*E
	Event
}](d descriptor, decode func(*decoder, P) error, encode func([]byte, P) ([]byte, error)) descriptor {
	d.newEvent = func() Event { return P(new(E)) }
	d.decode = func(dec *decoder, e Event) error {
		p, ok := e.(P)
		if !ok {
			return errWrongType
		}
		var zero E
		*p = zero
		return decode(dec, p)
	}
	d.encode = func(b []byte, e Event) ([]byte, error) {
		p, ok := e.(P)
		if !ok {
			return b, errWrongType
		}
		return encode(b, p)
	}
	return d
}

// infallible adapts an encoder that cannot fail.
func infallible[P any](f func([]byte, P) []byte) func([]byte, P) ([]byte, error) {
	return func(b []byte, e P) ([]byte, error) { return f(b, e), nil }
}

// table holds one row per trigger, in the order Cognito runs them during a user's
// journey.
var table = [...]descriptor{
	// PreSignUp registers the pre sign-up chain.
	describe[PreSignUpEvent](descriptor{
		trigger:  TriggerPreSignUp,
		prefixes: []string{"PreSignUp"},
		sources:  []TriggerSource{PreSignUpSignUp, PreSignUpAdminCreateUser, PreSignUpExternalProvider},
	}, (*decoder).preSignUp, infallible(appendPreSignUp)),

	// CustomMessage registers the custom message chain.
	describe[CustomMessageEvent](descriptor{
		trigger:  TriggerCustomMessage,
		prefixes: []string{"CustomMessage"},
		sources: []TriggerSource{CustomMessageSignUp, CustomMessageAdminCreateUser, CustomMessageResendCode,
			CustomMessageForgotPassword, CustomMessageUpdateUserAttribute, CustomMessageVerifyUserAttribute,
			CustomMessageAuthentication},
	}, (*decoder).customMessage, infallible(appendCustomMessage)),

	// PostConfirmation registers the post confirmation chain. Its failures are logged and the
	// trigger succeeds, since the user is confirmed already, unless an error wraps
	// [ErrCritical].
	describe[PostConfirmationEvent](descriptor{
		trigger:  TriggerPostConfirmation,
		prefixes: []string{"PostConfirmation"},
		sources:  []TriggerSource{PostConfirmationConfirmSignUp, PostConfirmationConfirmForgotPassword},
		onError:  BestEffort,
	}, (*decoder).postConfirmation, infallible(appendPostConfirmation)),

	// UserMigration registers the user migration chain.
	describe[UserMigrationEvent](descriptor{
		trigger:  TriggerUserMigration,
		prefixes: []string{"UserMigration"},
		sources:  []TriggerSource{UserMigrationAuthentication, UserMigrationForgotPassword},
	}, (*decoder).userMigration, infallible(appendUserMigration)),

	// PreAuthentication registers the pre authentication chain.
	describe[PreAuthenticationEvent](descriptor{
		trigger:  TriggerPreAuthentication,
		prefixes: []string{"PreAuthentication"},
		sources:  []TriggerSource{PreAuthenticationAuthentication},
	}, (*decoder).preAuthentication, infallible(appendPreAuthentication)),

	// DefineAuthChallenge registers the define auth challenge chain.
	describe[DefineAuthChallengeEvent](descriptor{
		trigger:  TriggerDefineAuthChallenge,
		prefixes: []string{"DefineAuthChallenge"},
		sources:  []TriggerSource{DefineAuthChallengeAuthentication},
	}, (*decoder).defineAuthChallenge, infallible(appendDefineAuthChallenge)),

	// CreateAuthChallenge registers the create auth challenge chain.
	describe[CreateAuthChallengeEvent](descriptor{
		trigger:  TriggerCreateAuthChallenge,
		prefixes: []string{"CreateAuthChallenge"},
		sources:  []TriggerSource{CreateAuthChallengeAuthentication},
	}, (*decoder).createAuthChallenge, infallible(appendCreateAuthChallenge)),

	// VerifyAuthChallenge registers the verify auth challenge response chain.
	describe[VerifyAuthChallengeEvent](descriptor{
		trigger: TriggerVerifyAuthChallenge,
		// Cognito sends VerifyAuthChallengeResponse_; older documentation spelled it
		// VerifyAuthChallenge_.
		prefixes: []string{"VerifyAuthChallengeResponse", "VerifyAuthChallenge"},
		sources:  []TriggerSource{VerifyAuthChallengeResponseAuthentication, VerifyAuthChallengeAuthentication},
	}, (*decoder).verifyAuthChallenge, infallible(appendVerifyAuthChallenge)),

	// PostAuthentication registers the post authentication chain.
	describe[PostAuthenticationEvent](descriptor{
		trigger:  TriggerPostAuthentication,
		prefixes: []string{"PostAuthentication"},
		sources:  []TriggerSource{PostAuthenticationAuthentication},
		onError:  BestEffort,
	}, (*decoder).postAuthentication, infallible(appendPostAuthentication)),

	// PreTokenGeneration registers the pre token generation chain, for event versions 1, 2
	// and 3 alike.
	describe[PreTokenGenerationEvent](descriptor{
		trigger: TriggerPreTokenGeneration,
		// The sources name the occasion, not the trigger.
		prefixes: []string{"TokenGeneration"},
		sources: []TriggerSource{TokenGenerationHostedAuth, TokenGenerationAuthentication,
			TokenGenerationNewPasswordChallenge, TokenGenerationAuthenticateDevice, TokenGenerationRefreshTokens,
			TokenGenerationClientCredentials},
	}, (*decoder).preTokenGeneration, appendPreTokenGeneration),

	// CustomEmailSender registers the custom email sender chain.
	describe[CustomEmailSenderEvent](descriptor{
		trigger:  TriggerCustomEmailSender,
		prefixes: []string{"CustomEmailSender"},
		sources: []TriggerSource{CustomEmailSenderSignUp, CustomEmailSenderResendCode,
			CustomEmailSenderForgotPassword, CustomEmailSenderUpdateUserAttribute,
			CustomEmailSenderVerifyUserAttribute, CustomEmailSenderAdminCreateUser,
			CustomEmailSenderAccountTakeOverNotification, CustomEmailSenderAuthentication},
	}, func(d *decoder, e *CustomEmailSenderEvent) error {
		return d.customSender(&e.Header, &e.Request, &e.Response)
	}, infallible(func(b []byte, e *CustomEmailSenderEvent) []byte {
		return appendCustomSender(b, &e.Header, &e.Request, &e.Response)
	})),

	// CustomSMSSender registers the custom SMS sender chain.
	describe[CustomSMSSenderEvent](descriptor{
		trigger:  TriggerCustomSMSSender,
		prefixes: []string{"CustomSMSSender"},
		sources: []TriggerSource{CustomSMSSenderSignUp, CustomSMSSenderResendCode, CustomSMSSenderForgotPassword,
			CustomSMSSenderUpdateUserAttribute, CustomSMSSenderVerifyUserAttribute, CustomSMSSenderAuthentication,
			CustomSMSSenderAdminCreateUser},
	}, func(d *decoder, e *CustomSMSSenderEvent) error {
		return d.customSender(&e.Header, &e.Request, &e.Response)
	}, infallible(func(b []byte, e *CustomSMSSenderEvent) []byte {
		return appendCustomSender(b, &e.Header, &e.Request, &e.Response)
	})),

	// InboundFederation registers the inbound federation chain.
	describe[InboundFederationEvent](descriptor{
		trigger:  TriggerInboundFederation,
		prefixes: []string{"InboundFederation"},
		sources:  []TriggerSource{InboundFederationExternalProvider},
	}, (*decoder).inboundFederation, infallible(appendInboundFederation)),
}

// descriptorOf returns the row of trigger t, or nil.
func descriptorOf(t Trigger) *descriptor {
	for i := range table {
		if table[i].trigger == t {
			return &table[i]
		}
	}
	return nil
}

// descriptorOfSource returns the row of the trigger whose prefix src has, or nil.
func descriptorOfSource(src TriggerSource) *descriptor {
	prefix, _, ok := strings.Cut(string(src), "_")
	if !ok {
		return nil
	}
	for i := range table {
		for _, p := range table[i].prefixes {
			if p == prefix {
				return &table[i]
			}
		}
	}
	return nil
}

func allTriggers() []Trigger {
	out := make([]Trigger, len(table))
	for i := range table {
		out[i] = table[i].trigger
	}
	return out
}

func allSources() []TriggerSource {
	var out []TriggerSource
	for i := range table {
		out = append(out, table[i].sources...)
	}
	return out
}
