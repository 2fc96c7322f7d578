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
	mods, err := modules()
	if err != nil {
		fmt.Fprintln(os.Stderr, "presignup:", err)
		os.Exit(1)
	}
	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PreSignUp(presignup.Chain(mods...)))
}

// modules returns the pre sign-up modules the environment configures, cheap checks first
// and the modules that set response flags last, so that a rejected sign-up is never
// counted or confirmed.
func modules() ([]presignup.Handler, error) {
	var mods []presignup.Handler

	// DOMAINALLOWLIST, DOMAINDENYLIST: email domain lists.
	if allow, deny := list(os.Getenv("DOMAINALLOWLIST")), list(os.Getenv("DOMAINDENYLIST")); allow != nil || deny != nil {
		h, err := presignup.Domains(presignup.DomainsConfig{Allow: allow, Deny: deny})
		if err != nil {
			return nil, fmt.Errorf("DOMAINALLOWLIST, DOMAINDENYLIST: %w", err)
		}
		mods = append(mods, h)
	}

	// RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW: sign-ups per client address.
	if table := os.Getenv("RATE_LIMIT_TABLE"); table != "" {
		limit := 10
		if v := os.Getenv("RATE_LIMIT"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("RATE_LIMIT: want a whole number, got %q", v)
			}
			limit = n
		}
		window := time.Hour
		if v := os.Getenv("RATE_LIMIT_WINDOW"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("RATE_LIMIT_WINDOW: want a duration such as 1h or 30m, got %q", v)
			}
			window = d
		}
		h, err := presignup.RateLimit(presignup.RateLimitConfig{Table: table, Limit: limit, Window: window})
		if err != nil {
			return nil, fmt.Errorf("RATE_LIMIT_TABLE, RATE_LIMIT, RATE_LIMIT_WINDOW: %w", err)
		}
		mods = append(mods, h)
	}

	// INVITATIONS_TABLE: sign-up by invitation only.
	if table := os.Getenv("INVITATIONS_TABLE"); table != "" {
		h, err := presignup.RequireInvitation(presignup.InvitationConfig{Table: table})
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}

	// AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS, and AUTO_VERIFY_EMAIL of the users confirmed.
	confirmAll, err := flag("AUTO_CONFIRM")
	if err != nil {
		return nil, err
	}
	verify, err := flag("AUTO_VERIFY_EMAIL")
	if err != nil {
		return nil, err
	}
	var when presignup.Predicate
	if domains := list(os.Getenv("AUTO_CONFIRM_DOMAINS")); domains != nil {
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
		return configured(mods)
	}
	confirm, err := presignup.AutoConfirm(presignup.FlagConfig{When: when})
	if err != nil {
		return nil, fmt.Errorf("AUTO_CONFIRM: %w", err)
	}
	mods = append(mods, confirm)
	if verify {
		h, err := presignup.AutoVerifyEmail(presignup.FlagConfig{When: when})
		if err != nil {
			return nil, fmt.Errorf("AUTO_VERIFY_EMAIL: %w", err)
		}
		mods = append(mods, h)
	}
	return configured(mods)
}

// configured refuses to start a function that would let every sign-up through.
func configured(mods []presignup.Handler) ([]presignup.Handler, error) {
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set DOMAINALLOWLIST, DOMAINDENYLIST, RATE_LIMIT_TABLE, " +
			"INVITATIONS_TABLE, AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS")
	}
	return mods, nil
}

// list splits a comma-separated value and drops blank entries; nil when none is left.
func list(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// flag reads a true/false variable; unset is false.
func flag(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, v)
	}
	return b, nil
}
