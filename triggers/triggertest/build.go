package triggertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Option changes a fixture event before it is decoded. Options edit the event's JSON, so
// one option serves every event type that has the field, and a field can be given a value
// of any JSON type, as Cognito sometimes does (see [Set]). Options apply in order.
//
// An option that names a field the trigger does not have (a password on a pre sign-up
// event) panics when the event is built: the test is wrong.
type Option struct {
	version string
	edit    func(*draft)
}

// draft is a fixture event being edited: its JSON as nested maps.
type draft struct {
	source triggers.TriggerSource
	doc    map[string]any
}

// object returns the object at path, creating it (and replacing a null) on the way.
func (d *draft) object(path ...string) map[string]any {
	m := d.doc
	for _, key := range path {
		next, ok := m[key].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[key] = next
		}
		m = next
	}
	return m
}

// require panics unless the event belongs to one of triggers; option names the option
// in the message.
func (d *draft) require(option string, trigger ...triggers.Trigger) {
	if !slices.Contains(trigger, d.source.Trigger()) {
		panic(fmt.Sprintf("triggertest: %s does not apply to %s events", option, d.source.Trigger()))
	}
}

// WithVersion picks the fixture of the given event version ("2" or "3" for pre token
// generation) instead of the default one.
func WithVersion(version string) Option { return Option{version: version} }

// WithUserName sets the event's userName.
func WithUserName(name string) Option {
	return Option{edit: func(d *draft) { d.doc["userName"] = name }}
}

// WithClientID sets callerContext.clientId, the app client the request came from.
func WithClientID(id string) Option {
	return Option{edit: func(d *draft) { d.object("callerContext")["clientId"] = id }}
}

// WithAttribute sets the user attribute name to value in request.userAttributes. Use
// [Set] to give an attribute a JSON boolean or number, as Cognito sometimes sends. It
// does not apply to inbound federation events, which carry the provider's claims
// instead.
func WithAttribute(name, value string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithAttribute", withUserAttributes...)
		d.object("request", "userAttributes")[name] = value
	}}
}

// WithoutAttribute removes the user attribute name from request.userAttributes.
func WithoutAttribute(name string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithoutAttribute", withUserAttributes...)
		delete(d.object("request", "userAttributes"), name)
	}}
}

var withUserAttributes = []triggers.Trigger{
	triggers.TriggerPreSignUp, triggers.TriggerPostConfirmation, triggers.TriggerPreAuthentication,
	triggers.TriggerPostAuthentication, triggers.TriggerDefineAuthChallenge, triggers.TriggerCreateAuthChallenge,
	triggers.TriggerVerifyAuthChallenge, triggers.TriggerPreTokenGeneration, triggers.TriggerCustomMessage,
	triggers.TriggerCustomEmailSender, triggers.TriggerCustomSMSSender,
}

var withClientMetadata = append([]triggers.Trigger{triggers.TriggerUserMigration}, withUserAttributes...)

// WithClientMetadata sets key to value in request.clientMetadata, the map an app passes
// as ClientMetadata to the API call that fired the trigger.
func WithClientMetadata(key, value string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithClientMetadata", withClientMetadata...)
		d.object("request", "clientMetadata")[key] = value
	}}
}

// WithValidationData sets key to value in request.validationData, the map an app passes
// as ValidationData to SignUp or InitiateAuth. Pre sign-up, pre authentication and user
// migration events carry it.
func WithValidationData(key, value string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithValidationData", triggers.TriggerPreSignUp, triggers.TriggerPreAuthentication,
			triggers.TriggerUserMigration)
		d.object("request", "validationData")[key] = value
	}}
}

// WithPassword sets request.password of a user migration event.
func WithPassword(password string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithPassword", triggers.TriggerUserMigration)
		d.object("request")["password"] = password
	}}
}

// WithChallengeAnswer sets request.challengeAnswer of a verify auth challenge event.
func WithChallengeAnswer(answer string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithChallengeAnswer", triggers.TriggerVerifyAuthChallenge)
		d.object("request")["challengeAnswer"] = answer
	}}
}

// WithPrivateChallengeParameter sets key to value in request.privateChallengeParameters
// of a verify auth challenge event: what the create step put there for the verify step.
func WithPrivateChallengeParameter(key, value string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithPrivateChallengeParameter", triggers.TriggerVerifyAuthChallenge)
		d.object("request", "privateChallengeParameters")[key] = value
	}}
}

// WithSession replaces request.session of a define or create auth challenge event: the
// challenges of the custom authentication flow so far, oldest first. No results means an
// empty session, the first call of a flow.
func WithSession(results ...triggers.ChallengeResult) Option {
	return Option{edit: func(d *draft) {
		d.require("WithSession", triggers.TriggerDefineAuthChallenge, triggers.TriggerCreateAuthChallenge)
		session := make([]any, 0, len(results))
		for _, r := range results {
			session = append(session, map[string]any{
				"challengeName": r.ChallengeName, "challengeResult": r.ChallengeResult,
				"challengeMetadata": r.ChallengeMetadata,
			})
		}
		d.object("request")["session"] = session
	}}
}

// WithGroups replaces the user's groups in request.groupConfiguration.groupsToOverride
// of a pre token generation event.
func WithGroups(groups ...string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithGroups", triggers.TriggerPreTokenGeneration)
		d.object("request", "groupConfiguration")["groupsToOverride"] = stringList(groups)
	}}
}

// WithScopes replaces request.scopes of a pre token generation event (versions 2 and 3).
func WithScopes(scopes ...string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithScopes", triggers.TriggerPreTokenGeneration)
		d.object("request")["scopes"] = stringList(scopes)
	}}
}

// WithCode sets request.code of a custom email or SMS sender event: the one-time code,
// encrypted with the user pool's KMS key.
func WithCode(code string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithCode", triggers.TriggerCustomEmailSender, triggers.TriggerCustomSMSSender)
		d.object("request")["code"] = code
	}}
}

// CodeEncrypter encrypts a code for a user pool the way Cognito encrypts the codes of
// its custom sender triggers, returning the base64 text of request.code. The local KMS of
// triggertest/awslocal provides one: srv.CodeEncrypter(t, keyARN).
type CodeEncrypter func(userPoolID, code string) string

// WithEncryptedCode sets request.code of a custom email or SMS sender event to code,
// encrypted by enc for the event's user pool (its userPoolId when the option applies, so
// put it after an option that changes the pool).
func WithEncryptedCode(enc CodeEncrypter, code string) Option {
	return Option{edit: func(d *draft) {
		d.require("WithEncryptedCode", triggers.TriggerCustomEmailSender, triggers.TriggerCustomSMSSender)
		pool, _ := d.doc["userPoolId"].(string)
		d.object("request")["code"] = enc(pool, code)
	}}
}

// Set sets the field at a dot-separated path, such as "request.userNotFound" or
// "request.userAttributes.email_verified", to value, which may be any value
// encoding/json can encode: a JSON boolean or number where Cognito sends one, or nil for
// a JSON null. Missing objects on the way are created.
func Set(path string, value any) Option {
	return Option{edit: func(d *draft) {
		keys := strings.Split(path, ".")
		d.object(keys[:len(keys)-1]...)[keys[len(keys)-1]] = value
	}}
}

// Unset removes the field at a dot-separated path, to test an event that lacks it.
func Unset(path string) Option {
	return Option{edit: func(d *draft) {
		keys := strings.Split(path, ".")
		delete(d.object(keys[:len(keys)-1]...), keys[len(keys)-1])
	}}
}

func stringList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Payload returns the fixture event for src with opts applied, as JSON: what Cognito
// would send. Use it to test through the JSON boundary with the exact bytes, quirks
// included; the typed builders ([PreSignUp] and the others) return the decoded event.
func Payload(src triggers.TriggerSource, opts ...Option) []byte {
	version := ""
	for _, o := range opts {
		if o.version != "" {
			version = o.version
		}
	}
	data := FixtureVersion(src, version)
	edits := false
	for _, o := range opts {
		edits = edits || o.edit != nil
	}
	if !edits {
		return data
	}
	d := draft{source: src}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&d.doc); err != nil {
		panic(fmt.Sprintf("triggertest: fixture %s: %v", src, err))
	}
	for _, o := range opts {
		if o.edit != nil {
			o.edit(&d)
		}
	}
	out, err := json.Marshal(d.doc)
	if err != nil {
		panic(fmt.Sprintf("triggertest: encode %s event: %v", src, err))
	}
	return out
}

// NewEvent returns the fixture event for src with opts applied, decoded into the event
// type of its trigger: a *triggers.PreSignUpEvent for a PreSignUp_ source, and so on.
func NewEvent(src triggers.TriggerSource, opts ...Option) triggers.Event {
	e := triggers.NewEvent(src.Trigger())
	if e == nil {
		panic(fmt.Sprintf("triggertest: unknown triggerSource %q", src))
	}
	decode(src, Payload(src, opts...), e)
	return e
}

func decode(src triggers.TriggerSource, data []byte, e triggers.Event) {
	if err := json.Unmarshal(data, e); err != nil {
		panic(fmt.Sprintf("triggertest: decode %s event: %v", src, err))
	}
}

// build is the body of every typed builder: it checks that src belongs to the builder's
// trigger and decodes the edited fixture into a new event.
func build[E any, P interface {
	*E
	triggers.Event
}](builder string, src triggers.TriggerSource, opts []Option) *E {
	e := P(new(E))
	if src.Trigger() != e.Trigger() {
		panic(fmt.Sprintf("triggertest: %s: %q is not a %s trigger source", builder, src, e.Trigger()))
	}
	decode(src, Payload(src, opts...), e)
	return (*E)(e)
}

// PreSignUp returns the fixture pre sign-up event for src (PreSignUp_SignUp,
// PreSignUp_AdminCreateUser or PreSignUp_ExternalProvider) with opts applied. Each call
// returns a new event.
func PreSignUp(src triggers.TriggerSource, opts ...Option) *triggers.PreSignUpEvent {
	return build[triggers.PreSignUpEvent]("PreSignUp", src, opts)
}

// PostConfirmation returns the fixture post confirmation event for src
// (PostConfirmation_ConfirmSignUp or PostConfirmation_ConfirmForgotPassword) with opts
// applied.
func PostConfirmation(src triggers.TriggerSource, opts ...Option) *triggers.PostConfirmationEvent {
	return build[triggers.PostConfirmationEvent]("PostConfirmation", src, opts)
}

// PreAuthentication returns the fixture PreAuthentication_Authentication event with opts
// applied.
func PreAuthentication(opts ...Option) *triggers.PreAuthenticationEvent {
	return build[triggers.PreAuthenticationEvent]("PreAuthentication", triggers.PreAuthenticationAuthentication, opts)
}

// PostAuthentication returns the fixture PostAuthentication_Authentication event with
// opts applied.
func PostAuthentication(opts ...Option) *triggers.PostAuthenticationEvent {
	return build[triggers.PostAuthenticationEvent]("PostAuthentication", triggers.PostAuthenticationAuthentication, opts)
}

// DefineAuthChallenge returns the fixture DefineAuthChallenge_Authentication event with
// opts applied. Its session holds one failed custom challenge; [WithSession] replaces it.
func DefineAuthChallenge(opts ...Option) *triggers.DefineAuthChallengeEvent {
	return build[triggers.DefineAuthChallengeEvent]("DefineAuthChallenge", triggers.DefineAuthChallengeAuthentication, opts)
}

// CreateAuthChallenge returns the fixture CreateAuthChallenge_Authentication event with
// opts applied.
func CreateAuthChallenge(opts ...Option) *triggers.CreateAuthChallengeEvent {
	return build[triggers.CreateAuthChallengeEvent]("CreateAuthChallenge", triggers.CreateAuthChallengeAuthentication, opts)
}

// VerifyAuthChallenge returns the fixture VerifyAuthChallengeResponse_Authentication
// event with opts applied. Its answer matches the private parameter "answer".
func VerifyAuthChallenge(opts ...Option) *triggers.VerifyAuthChallengeEvent {
	return build[triggers.VerifyAuthChallengeEvent]("VerifyAuthChallenge", triggers.VerifyAuthChallengeResponseAuthentication, opts)
}

// PreTokenGeneration returns the fixture pre token generation event for src in the given
// version ("1", "2" or "3"; TokenGeneration_ClientCredentials has only "3") with opts
// applied.
func PreTokenGeneration(src triggers.TriggerSource, version string, opts ...Option) *triggers.PreTokenGenerationEvent {
	return build[triggers.PreTokenGenerationEvent]("PreTokenGeneration", src, append([]Option{WithVersion(version)}, opts...))
}

// UserMigration returns the fixture user migration event for src
// (UserMigration_Authentication, which carries a password, or UserMigration_ForgotPassword)
// with opts applied.
func UserMigration(src triggers.TriggerSource, opts ...Option) *triggers.UserMigrationEvent {
	return build[triggers.UserMigrationEvent]("UserMigration", src, opts)
}

// CustomMessage returns the fixture custom message event for src with opts applied.
func CustomMessage(src triggers.TriggerSource, opts ...Option) *triggers.CustomMessageEvent {
	return build[triggers.CustomMessageEvent]("CustomMessage", src, opts)
}

// CustomEmailSender returns the fixture custom email sender event for src with opts
// applied.
func CustomEmailSender(src triggers.TriggerSource, opts ...Option) *triggers.CustomEmailSenderEvent {
	return build[triggers.CustomEmailSenderEvent]("CustomEmailSender", src, opts)
}

// CustomSMSSender returns the fixture custom SMS sender event for src with opts applied.
func CustomSMSSender(src triggers.TriggerSource, opts ...Option) *triggers.CustomSMSSenderEvent {
	return build[triggers.CustomSMSSenderEvent]("CustomSMSSender", src, opts)
}

// InboundFederation returns the fixture InboundFederation_ExternalProvider event (a
// Google sign-in) with opts applied.
func InboundFederation(opts ...Option) *triggers.InboundFederationEvent {
	return build[triggers.InboundFederationEvent]("InboundFederation", triggers.InboundFederationExternalProvider, opts)
}
