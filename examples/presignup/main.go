// Command presignup is a pre sign-up trigger configured by environment variables: email
// domain allow and deny lists, a limit of sign-ups per client, invitation codes, and
// automatic confirmation and email verification. Each module is on when its variables
// are set; a function with none set refuses to start.
//
//	DOMAINDENYLIST=tempmail.test go run ./examples/presignup -event event.json
//	DOMAINDENYLIST=tempmail.test go run ./examples/presignup -serve 127.0.0.1:9300
//
// Environment:
//
//	DOMAINALLOWLIST       comma-separated email domains that may sign up ("*.example.com" for subdomains)
//	DOMAINDENYLIST        comma-separated email domains that may not
//	RATE_LIMIT_TABLE      DynamoDB table that counts sign-ups per client (partition key pk (S), TTL on expiresAt);
//	                      the client sends its address as "ipAddress" in ClientMetadata or ValidationData
//	RATE_LIMIT            sign-ups per client and window (default 10)
//	RATE_LIMIT_WINDOW     the window, such as 1h or 30m (default 1h)
//	INVITATIONS_TABLE     DynamoDB table of invitations (partition key code (S)); sign-up then needs
//	                      "invitationCode" in ClientMetadata or ValidationData
//	AUTO_CONFIRM          true: confirm users without a code
//	AUTO_CONFIRM_DOMAINS  confirm only users of these comma-separated email domains
//	AUTO_VERIFY_EMAIL     true: mark the email address of automatically confirmed users verified
//
// The modules run in that order, so a rejected sign-up is never counted or confirmed.
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presignup:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := preSignUp(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set DOMAINALLOWLIST, DOMAINDENYLIST, RATE_LIMIT_TABLE, " +
			"INVITATIONS_TABLE, AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS")
	}
	return triggers.NewRouter().PreSignUp(presignup.Chain(mods...)), nil
}

// preSignUp returns the pre sign-up modules the environment configures, cheap checks
// first and the modules that set response flags last.
func preSignUp(env func(string) string) ([]presignup.Handler, error) {
	var mods []presignup.Handler
	if allow, deny := env("DOMAINALLOWLIST"), env("DOMAINDENYLIST"); allow != "" || deny != "" {
		h, err := presignup.Domains(commaList(allow), commaList(deny))
		if err != nil {
			return nil, fmt.Errorf("DOMAINALLOWLIST, DOMAINDENYLIST: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("RATE_LIMIT_TABLE"); table != "" {
		limit, err := intVar(env, "RATE_LIMIT", 10)
		if err != nil {
			return nil, err
		}
		window, err := durationVar(env, "RATE_LIMIT_WINDOW", time.Hour)
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
	confirmAll, err := boolVar(env, "AUTO_CONFIRM")
	if err != nil {
		return nil, err
	}
	verify, err := boolVar(env, "AUTO_VERIFY_EMAIL")
	if err != nil {
		return nil, err
	}
	var when presignup.Predicate
	if domains := commaList(env("AUTO_CONFIRM_DOMAINS")); len(domains) > 0 {
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

// commaList splits a comma-separated value and drops blank entries.
func commaList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// boolVar reads a true/false variable; unset is false.
func boolVar(env func(string) string, name string) (bool, error) {
	s := env(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, s)
	}
	return b, nil
}

// intVar reads a whole number; unset is def.
func intVar(env func(string) string, name string, def int) (int, error) {
	s := env(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: want a whole number, got %q", name, s)
	}
	return n, nil
}

// durationVar reads a duration such as 1h or 30m; unset is def.
func durationVar(env func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := env(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: want a duration such as 1h or 30m, got %q", name, s)
	}
	return d, nil
}
