package triggers

import (
	"errors"
	"strings"
)

//go:generate go run ./internal/gen

// The table of triggers. Each row describes one event type: its trigger, the trigger
// source prefixes and sources Cognito sends for it, how to decode and encode one, and
// what a failure of its chain means. Everything in the package that depends on the
// trigger reads it from here: [TriggerSource.Trigger], [NewEvent], [Triggers],
// [TriggerSources], [Trigger.Sources], [Trigger.ErrorPolicy], the codec's dispatch and
// [Register]. The lookups by trigger and by prefix, NewEvent's constructors and the
// setting of each row's codec hooks are generated from the rows (table_gen.go).
//
// What must stay code per event type is generated from the rows and the struct
// definitions by `go generate` (see internal/gen): each event's Trigger, LogValue,
// MarshalJSON and UnmarshalJSON methods (events_gen.go), the router's named methods
// (router_gen.go), whose doc comment is the comment above the row, and each event's
// decoder and encoder, member by member (codec_gen.go).
//
// Adding a trigger X is: its TriggerX and TriggerSource constants, its event struct
// XEvent (Header, Request, Response), one row here, and go generate. Only a member of a
// type the generator does not know, or a rule that encoding/json's tags cannot say, needs
// code by hand (codec_events.go): a readJSON or appendJSON method on the request or
// response type, or the whole decodeXEvent or encodeXEvent.

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

// descriptor is one row of the table. The row of trigger TriggerX describes the event
// type XEvent.
type descriptor struct {
	trigger Trigger
	// prefixes are the parts before the underscore of the trigger's sources; the first
	// is the trigger's own name where Cognito spells it so.
	prefixes []string
	sources  []TriggerSource
	onError  ErrorPolicy

	// The codec hooks, decodeXEvent and encodeXEvent of codec_gen.go (or written by
	// hand), set by table_gen.go. decode decodes data into e, replacing all of it;
	// encode appends the JSON of e. Both return errWrongType for an event of another
	// type. They use type assertions only.
	//
	// The row holds no constructor returning an Event: converting every event type to an
	// interface would make every function link every event type's methods (LogValue,
	// MarshalJSON and what they call). [NewEvent] is a generated switch instead, and
	// [Register] makes events only of the types registered.
	decode func(data []byte, e Event) error
	encode func(b []byte, e Event) ([]byte, error)
}

var errWrongType = errors.New("event of another type")

// takes reports whether e is of the row's event type, by encoding it once.
func (d *descriptor) takes(e Event) bool {
	_, err := d.encode(nil, e)
	return err != errWrongType
}

// table holds one row per trigger, in the order Cognito runs them during a user's
// journey.
var table = [...]descriptor{
	// PreSignUp registers the pre sign-up chain.
	{
		trigger:  TriggerPreSignUp,
		prefixes: []string{"PreSignUp"},
		sources:  []TriggerSource{PreSignUpSignUp, PreSignUpAdminCreateUser, PreSignUpExternalProvider},
	},

	// CustomMessage registers the custom message chain.
	{
		trigger:  TriggerCustomMessage,
		prefixes: []string{"CustomMessage"},
		sources: []TriggerSource{CustomMessageSignUp, CustomMessageAdminCreateUser, CustomMessageResendCode,
			CustomMessageForgotPassword, CustomMessageUpdateUserAttribute, CustomMessageVerifyUserAttribute,
			CustomMessageAuthentication},
	},

	// PostConfirmation registers the post confirmation chain. Its failures are logged and the
	// trigger succeeds, since the user is confirmed already, unless an error wraps
	// [ErrCritical].
	{
		trigger:  TriggerPostConfirmation,
		prefixes: []string{"PostConfirmation"},
		sources:  []TriggerSource{PostConfirmationConfirmSignUp, PostConfirmationConfirmForgotPassword},
		onError:  BestEffort,
	},

	// UserMigration registers the user migration chain.
	{
		trigger:  TriggerUserMigration,
		prefixes: []string{"UserMigration"},
		sources:  []TriggerSource{UserMigrationAuthentication, UserMigrationForgotPassword},
	},

	// PreAuthentication registers the pre authentication chain.
	{
		trigger:  TriggerPreAuthentication,
		prefixes: []string{"PreAuthentication"},
		sources:  []TriggerSource{PreAuthenticationAuthentication},
	},

	// DefineAuthChallenge registers the define auth challenge chain.
	{
		trigger:  TriggerDefineAuthChallenge,
		prefixes: []string{"DefineAuthChallenge"},
		sources:  []TriggerSource{DefineAuthChallengeAuthentication},
	},

	// CreateAuthChallenge registers the create auth challenge chain.
	{
		trigger:  TriggerCreateAuthChallenge,
		prefixes: []string{"CreateAuthChallenge"},
		sources:  []TriggerSource{CreateAuthChallengeAuthentication},
	},

	// VerifyAuthChallenge registers the verify auth challenge response chain.
	{
		trigger: TriggerVerifyAuthChallenge,
		// Cognito sends VerifyAuthChallengeResponse_; older documentation spelled it
		// VerifyAuthChallenge_.
		prefixes: []string{"VerifyAuthChallengeResponse", "VerifyAuthChallenge"},
		sources:  []TriggerSource{VerifyAuthChallengeResponseAuthentication, VerifyAuthChallengeAuthentication},
	},

	// PostAuthentication registers the post authentication chain. Its failures are logged
	// and the trigger succeeds, since the user is signed in already, unless an error wraps
	// [ErrCritical].
	{
		trigger:  TriggerPostAuthentication,
		prefixes: []string{"PostAuthentication"},
		sources:  []TriggerSource{PostAuthenticationAuthentication},
		onError:  BestEffort,
	},

	// PreTokenGeneration registers the pre token generation chain, for event versions 1, 2
	// and 3 alike.
	{
		trigger: TriggerPreTokenGeneration,
		// The sources name the occasion, not the trigger.
		prefixes: []string{"TokenGeneration"},
		sources: []TriggerSource{TokenGenerationHostedAuth, TokenGenerationAuthentication,
			TokenGenerationNewPasswordChallenge, TokenGenerationAuthenticateDevice, TokenGenerationRefreshTokens,
			TokenGenerationClientCredentials},
	},

	// CustomEmailSender registers the custom email sender chain.
	{
		trigger:  TriggerCustomEmailSender,
		prefixes: []string{"CustomEmailSender"},
		sources: []TriggerSource{CustomEmailSenderSignUp, CustomEmailSenderResendCode,
			CustomEmailSenderForgotPassword, CustomEmailSenderUpdateUserAttribute,
			CustomEmailSenderVerifyUserAttribute, CustomEmailSenderAdminCreateUser,
			CustomEmailSenderAccountTakeOverNotification, CustomEmailSenderAuthentication},
	},

	// CustomSMSSender registers the custom SMS sender chain.
	{
		trigger:  TriggerCustomSMSSender,
		prefixes: []string{"CustomSMSSender"},
		sources: []TriggerSource{CustomSMSSenderSignUp, CustomSMSSenderResendCode, CustomSMSSenderForgotPassword,
			CustomSMSSenderUpdateUserAttribute, CustomSMSSenderVerifyUserAttribute, CustomSMSSenderAuthentication,
			CustomSMSSenderAdminCreateUser},
	},

	// InboundFederation registers the inbound federation chain.
	{
		trigger:  TriggerInboundFederation,
		prefixes: []string{"InboundFederation"},
		sources:  []TriggerSource{InboundFederationExternalProvider},
	},
}

// descriptorOf returns the row of trigger t, or nil.
func descriptorOf(t Trigger) *descriptor {
	if i := rowOf(t); i >= 0 {
		return &table[i]
	}
	return nil
}

// descriptorOfSource returns the row of the trigger whose prefix src has, or nil.
func descriptorOfSource(src TriggerSource) *descriptor {
	prefix, _, ok := strings.Cut(string(src), "_")
	if !ok {
		return nil
	}
	if i := rowOfPrefix(prefix); i >= 0 {
		return &table[i]
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
