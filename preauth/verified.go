package preauth

import (
	"context"
	"log/slog"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// VerifiedConfig configures [RequireVerifiedEmail], [RequireVerifiedPhone] and
// [RequireVerifiedEmailOrPhone].
type VerifiedConfig struct {
	// Message is the text an unverified user sees. Empty: [DefaultUnverifiedMessage].
	Message string
}

// RequireVerifiedEmail refuses the sign-in of users whose email_verified attribute is
// not true. A blank message is reported here.
func RequireVerifiedEmail(cfg VerifiedConfig) (Handler, error) {
	return requireVerified("RequireVerifiedEmail", []string{"email_verified"}, cfg)
}

// RequireVerifiedPhone is [RequireVerifiedEmail] for phone_number_verified.
func RequireVerifiedPhone(cfg VerifiedConfig) (Handler, error) {
	return requireVerified("RequireVerifiedPhone", []string{"phone_number_verified"}, cfg)
}

// RequireVerifiedEmailOrPhone lets users sign in whose email address or phone number,
// either, is verified.
//
// Cognito sends an unknown user (userNotFound) no attributes, so this module refuses it
// as it refuses a real user with nothing verified, with the same text; a real user with
// a verified address passes on to Cognito's password check. The text therefore tells
// whoever tries a user name that it is either unknown or unverified, never which.
func RequireVerifiedEmailOrPhone(cfg VerifiedConfig) (Handler, error) {
	return requireVerified("RequireVerifiedEmailOrPhone", []string{"email_verified", "phone_number_verified"}, cfg)
}

func requireVerified(module string, anyOf []string, cfg VerifiedConfig) (Handler, error) {
	msg, err := message(module, cfg.Message, DefaultUnverifiedMessage)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication {
			return nil
		}
		for _, a := range anyOf {
			if strings.EqualFold(strings.TrimSpace(e.Request.UserAttributes[a]), "true") {
				return nil
			}
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in refused: not verified",
			slog.String("module", module), slog.String("userName", e.UserName))
		return triggers.Reject(msg)
	}, nil
}
