// Package presignupchain builds the pre sign-up chain of examples/presignup and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package presignupchain

import (
	"errors"
	"fmt"
	"time"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/presignup"
)

// FromEnv returns the pre sign-up modules the environment configures, cheap checks
// first and the modules that set response flags last, so that a rejected sign-up is never
// counted or confirmed:
//
//	DOMAINALLOWLIST, DOMAINDENYLIST                  presignup.Domains
//	RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW  presignup.RateLimit
//	INVITATIONS_TABLE                                presignup.RequireInvitation
//	AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS             presignup.AutoConfirm
//	AUTO_VERIFY_EMAIL                                presignup.AutoVerifyEmail, of the users confirmed
func FromEnv(env func(string) string) ([]presignup.Handler, error) {
	var mods []presignup.Handler
	if allow, deny := env("DOMAINALLOWLIST"), env("DOMAINDENYLIST"); allow != "" || deny != "" {
		h, err := presignup.Domains(envvar.List(allow), envvar.List(deny))
		if err != nil {
			return nil, fmt.Errorf("DOMAINALLOWLIST, DOMAINDENYLIST: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("RATE_LIMIT_TABLE"); table != "" {
		limit, err := envvar.Int(env, "RATE_LIMIT", 10)
		if err != nil {
			return nil, err
		}
		window, err := envvar.Duration(env, "RATE_LIMIT_WINDOW", time.Hour)
		if err != nil {
			return nil, err
		}
		h, err := presignup.RateLimit(nil, table, limit, window)
		if err != nil {
			return nil, fmt.Errorf("RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("INVITATIONS_TABLE"); table != "" {
		h, err := presignup.RequireInvitation(nil, table)
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	confirmAll, err := envvar.Bool(env, "AUTO_CONFIRM")
	if err != nil {
		return nil, err
	}
	verify, err := envvar.Bool(env, "AUTO_VERIFY_EMAIL")
	if err != nil {
		return nil, err
	}
	var when presignup.Predicate
	if domains := envvar.List(env("AUTO_CONFIRM_DOMAINS")); len(domains) > 0 {
		if confirmAll {
			return nil, errors.New("AUTO_CONFIRM and AUTO_CONFIRM_DOMAINS: set one, not both")
		}
		if when, err = presignup.EmailDomainIn(domains...); err != nil {
			return nil, fmt.Errorf("AUTO_CONFIRM_DOMAINS: %w", err)
		}
	} else if !confirmAll {
		if verify {
			return nil, errors.New("AUTO_VERIFY_EMAIL needs AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS")
		}
		return mods, nil
	}
	confirm, err := presignup.AutoConfirm(when)
	if err != nil {
		return nil, fmt.Errorf("AUTO_CONFIRM: %w", err)
	}
	mods = append(mods, confirm)
	if verify {
		h, err := presignup.AutoVerifyEmail(when)
		if err != nil {
			return nil, fmt.Errorf("AUTO_VERIFY_EMAIL: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}
