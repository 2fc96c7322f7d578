package presignup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Predicate decides whether a module applies to a sign-up. A nil Predicate means
// every sign-up.
type Predicate func(e *Event) bool

// EmailDomainIn returns a predicate that holds when the email address's domain is in
// domains, matched as [AllowDomains] describes (exact or "*." wildcard, case and IDNA
// insensitive, never a suffix match). A missing or malformed address never matches.
// An empty list or an invalid entry is reported here.
func EmailDomainIn(domains ...string) (Predicate, error) {
	if len(trimmedEntries(domains)) == 0 {
		return nil, errors.New("presignup.EmailDomainIn: no domains")
	}
	list, err := parseDomainList(domains)
	if err != nil {
		return nil, fmt.Errorf("presignup.EmailDomainIn: %w", err)
	}
	return func(e *Event) bool {
		_, domain, ok := emailDomain(e.Request.UserAttributes["email"])
		return ok && list.match(domain)
	}, nil
}

// FlagConfig configures [AutoConfirm], [AutoVerifyEmail] and [AutoVerifyPhone].
type FlagConfig struct {
	// When decides which sign-ups get the flag; nil means every sign-up. See
	// [EmailDomainIn].
	When Predicate
	// Sources are the trigger sources the module acts on; empty means
	// PreSignUp_SignUp.
	Sources triggers.Sources
}

// AutoConfirm confirms the user without a confirmation code when cfg.When holds (every
// user when it is nil), by setting autoConfirmUser. It never clears a flag that a
// module before it set. Put it after the modules that reject, so that only accepted
// sign-ups reach it; pair it with [AutoVerifyEmail] when the user should also be able to
// sign in with, or recover the password through, the email address.
//
// It acts on PreSignUp_SignUp: federated users are confirmed by Cognito anyway, and
// users created by an administrator follow the temporary password flow. Set Sources to
// change that.
func AutoConfirm(cfg FlagConfig) (Handler, error) {
	return newFlag("presignup.AutoConfirm", cfg, "", func(e *Event) { e.Response.AutoConfirmUser = true })
}

// AutoVerifyEmail marks the email address verified when cfg.When holds (every user when
// it is nil) and the user has a non-blank email attribute, by setting autoVerifyEmail.
// Without the attribute the flag is left unset, because Cognito fails the sign-up when
// it is set and there is no address to verify. It acts on PreSignUp_SignUp unless
// Sources says otherwise.
func AutoVerifyEmail(cfg FlagConfig) (Handler, error) {
	return newFlag("presignup.AutoVerifyEmail", cfg, "email", func(e *Event) { e.Response.AutoVerifyEmail = true })
}

// AutoVerifyPhone is [AutoVerifyEmail] for the phone_number attribute and the
// autoVerifyPhone flag.
func AutoVerifyPhone(cfg FlagConfig) (Handler, error) {
	return newFlag("presignup.AutoVerifyPhone", cfg, "phone_number", func(e *Event) { e.Response.AutoVerifyPhone = true })
}

func newFlag(name string, cfg FlagConfig, needs string, set func(*Event)) (Handler, error) {
	src, err := resolveSources(name, cfg.Sources, signUpOnly)
	if err != nil {
		return nil, err
	}
	when := cfg.When
	return triggers.Named(strings.TrimPrefix(name, "presignup."), func(_ context.Context, e *Event) error {
		if !src.Has(e.TriggerSource) {
			return nil
		}
		if needs != "" && strings.TrimSpace(e.Request.UserAttributes[needs]) == "" {
			return nil
		}
		if when == nil || when(e) {
			set(e)
		}
		return nil
	}), nil
}
