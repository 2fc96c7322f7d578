package federation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lambda-triggers/cognito/triggers"
)

// MaxValueLength is the longest attribute value Cognito stores, in characters. A
// longer mapped value makes the whole sign-in fail with an error the user cannot act on.
const MaxValueLength = 2048

// standardAttributes are the user pool attributes that need no custom: prefix.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
	"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
	"picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
}

// CheckAttributeName reports whether name can be a user pool attribute that a
// federated sign-in writes: a standard attribute (email, given_name, address, ...) or a
// custom one, "custom:" and 1 to 20 characters without white space or control
// characters. Other names are refused because Cognito fails the sign-in on them.
func CheckAttributeName(name string) error {
	if slices.Contains(standardAttributes, name) {
		return nil
	}
	rest, ok := strings.CutPrefix(name, "custom:")
	if !ok {
		return fmt.Errorf("attribute %q is neither a standard attribute nor custom:<name>", name)
	}
	if n := utf8.RuneCountInString(rest); n < 1 || n > 20 {
		return fmt.Errorf("attribute %q: want 1 to 20 characters after the custom: prefix", name)
	}
	for _, r := range rest {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return fmt.Errorf("attribute %q: white space or a control character in the name", name)
		}
	}
	return nil
}

// OverLimit says what happens to a mapped value longer than [MaxValueLength].
type OverLimit int

const (
	// DropOverLimit leaves the attribute out of the answer and logs its name: the user
	// signs in without it.
	DropOverLimit OverLimit = iota
	// RefuseOverLimit refuses the sign-in with the limit message (see
	// [DefaultOverLimitMessage]).
	RefuseOverLimit
)

// DefaultOverLimitMessage is what a user refused by [RefuseOverLimit] sees.
const DefaultOverLimitMessage = "Your identity provider sent a profile value that is too long to store"

// enforce applies the limits to the response map: each value over the limit is dropped
// and logged, or refuses the sign-in.
func enforce(ctx context.Context, e *Event, module string, mode OverLimit, message string) error {
	m := e.Response.UserAttributesToMap
	var over []string
	for k, v := range m {
		if len(v) > MaxValueLength && utf8.RuneCountInString(v) > MaxValueLength {
			over = append(over, k)
		}
	}
	if len(over) == 0 {
		return nil
	}
	slices.Sort(over)
	if mode == RefuseOverLimit {
		return &triggers.Rejected{Message: message,
			Cause: fmt.Errorf("attributes %s over %d characters", strings.Join(over, ", "), MaxValueLength)}
	}
	for _, k := range over {
		delete(m, k)
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "attributes over the length limit left out",
		slog.String("module", module), slog.String("userName", e.UserName),
		slog.Any("attributes", over), slog.Int("limit", MaxValueLength))
	return nil
}

// LimitsConfig configures [EnforceLimits].
type LimitsConfig struct {
	// OverLimit says what happens to a value longer than [MaxValueLength]; the zero
	// value is [DropOverLimit]: left out and logged.
	OverLimit OverLimit
	// Message is the text a user refused under [RefuseOverLimit] sees; "" means
	// [DefaultOverLimitMessage].
	Message string
}

// EnforceLimits checks the answer that the modules before it wrote: a value longer than
// [MaxValueLength] is left out and logged (DropOverLimit) or refuses the sign-in with
// cfg.Message (RefuseOverLimit), instead of reaching
// Cognito and failing the sign-in with an error the user cannot act on. [MapAttributes]
// does this itself; put EnforceLimits last when your own modules write the answer. An
// empty answer (keep what Cognito maps) is left alone.
//
// It acts on InboundFederation_ExternalProvider.
func EnforceLimits(cfg LimitsConfig) (Handler, error) {
	mode := cfg.OverLimit
	if mode != DropOverLimit && mode != RefuseOverLimit {
		return nil, fmt.Errorf("federation.EnforceLimits: OverLimit: unknown mode %d", mode)
	}
	msg, err := message("EnforceLimits", cfg.Message, DefaultOverLimitMessage)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, e *Event) error {
		if !actsOn(e) {
			return nil
		}
		return enforce(ctx, e, "EnforceLimits", mode, msg)
	}, nil
}
