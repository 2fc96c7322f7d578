package triggers

import (
	"fmt"
	"log/slog"
)

// Event is what every Cognito user pool event type has in common. Middleware and the
// router see events through it; modules see the concrete type.
type Event interface {
	// EventHeader returns the fields Cognito sends with every trigger.
	EventHeader() *Header
	// Trigger reports the trigger the event belongs to.
	Trigger() Trigger
	slog.LogValuer
}

// NewEvent returns a new, empty event of the trigger's type, such as a *PreSignUpEvent
// for TriggerPreSignUp, to decode a payload into when its trigger is known only at run
// time: NewEvent(source.Trigger()). It returns nil for an unknown trigger.
func NewEvent(t Trigger) Event {
	return newEventOf(t)
}

// Header holds the fields Cognito sends with every user pool trigger event.
type Header struct {
	// Version is the event version: "1" for most triggers, "1", "2" or "3" for pre token
	// generation. A number on the wire is accepted and kept as its decimal text.
	Version       string        `json:"version"`
	TriggerSource TriggerSource `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
}

// EventHeader returns h, so that every event embedding a Header satisfies [Event].
func (h *Header) EventHeader() *Header { return h }

// CallerContext describes the client that caused the trigger to run.
type CallerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// Attributes is a map of user attributes, validation data or client metadata.
// Cognito sends strings, but real payloads also carry JSON booleans and numbers
// (email_verified: true); those decode as their JSON text ("true", "42").
type Attributes map[string]string

// Get returns the value of key, or "" when the map is nil or lacks it.
func (a Attributes) Get(key string) string { return a[key] }

// Secret is a string that must never be logged: a password, a challenge answer, a code.
// Formatting and logging print "[REDACTED]"; the wire format carries the real value,
// and [Secret.Reveal] returns it to code that needs it.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// Format keeps every fmt verb, %x and %q included, from printing the value.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalJSON keeps encoding/json, and so log/slog's JSON handler, from printing the
// value. The event codec writes the real value on the wire.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// LogValue keeps log/slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

const redacted = "[REDACTED]"

// ChallengeResult is one step of a custom authentication session.
type ChallengeResult struct {
	// ChallengeName is CUSTOM_CHALLENGE, SRP_A, PASSWORD_VERIFIER, SMS_MFA, EMAIL_OTP,
	// SOFTWARE_TOKEN_MFA, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER or ADMIN_NO_SRP_AUTH.
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata,omitempty"`
}

// UnknownMembers holds the members of a response object that the library does not know,
// as their compact JSON text ("name":value,... without the braces), so that members a
// newer Cognito adds to a response go back to it as it sent them instead of being
// dropped by a function built before them. Decoding fills it, encoding writes it after
// the known members; modules normally leave it alone. It is a string so that the
// response types stay comparable.
type UnknownMembers string

// GroupConfiguration is the user's groups and IAM roles as Cognito sends them to pre token
// generation, and the shape of a group override.
//
// In a group override (groupOverrideDetails), members are sent only when set: a nil list
// or a nil PreferredRole is left out, so an override Cognito sent as {} goes back as {};
// a PreferredRole pointing to "" is sent as "preferredRole":null, and an override's null
// preferredRole decodes to a pointer to "". In the request, every member is written, nil
// as null.
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}
