package presignup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// AttributeRule is one check of a user attribute for [RequireAttributes].
type AttributeRule struct {
	// Name is the attribute, such as "given_name" or "custom:employee_id".
	Name string
	// Required rejects a sign-up without the attribute, or with only space in it. A
	// blank value of an attribute that is not required counts as absent.
	Required bool
	// Pattern, when not empty, is a regular expression (Go syntax) the whole value must
	// match, as if written between ^(?: and )$: "EMP\d{6}" accepts EMP123456 and not
	// xEMP1234567. An absent attribute that is not Required is not checked.
	Pattern string
	// Message is the text the user sees when the rule fails; empty means
	// "Missing required attribute: <Name>" or "Invalid value for attribute: <Name>".
	Message string
}

// AttributesConfig configures [RequireAttributes].
type AttributesConfig struct {
	// Rules are the checks, in order; the first that fails is the user's message.
	// Required.
	Rules []AttributeRule
	// Sources are the trigger sources the module acts on; empty means
	// PreSignUp_SignUp.
	Sources triggers.Sources
}

// RequireAttributes rejects a sign-up whose user attributes break a rule of cfg.Rules:
// a required attribute is missing, or a value does not match its pattern. Rules are
// checked in order and the first failure is the user's message. No rules, a rule
// without a name, or a pattern that does not compile, is reported here.
//
// It acts on PreSignUp_SignUp, where the user typed the values; attributes that an
// administrator sets or an identity provider maps are the operator's own, and Sources
// can include them.
func RequireAttributes(cfg AttributesConfig) (Handler, error) {
	src, err := resolveSources("presignup.RequireAttributes", cfg.Sources, signUpOnly)
	if err != nil {
		return nil, err
	}
	rules := cfg.Rules
	if len(rules) == 0 {
		return nil, errors.New("presignup.RequireAttributes: Rules is empty")
	}
	type compiled struct {
		AttributeRule
		re *regexp.Regexp
	}
	checks := make([]compiled, len(rules))
	for i, r := range rules {
		if strings.TrimSpace(r.Name) == "" {
			return nil, fmt.Errorf("presignup.RequireAttributes: Rules[%d] has no attribute name", i)
		}
		checks[i].AttributeRule = r
		if r.Pattern != "" {
			// Compiled alone first, so that a pattern such as "a)|(b" cannot close the
			// anchoring group and match anywhere.
			if _, err := regexp.Compile(r.Pattern); err != nil {
				return nil, fmt.Errorf("presignup.RequireAttributes: Rules[%d]: pattern for %q: %w", i, r.Name, err)
			}
			checks[i].re = regexp.MustCompile(`^(?:` + r.Pattern + `)$`)
		}
	}
	return triggers.Named("RequireAttributes", func(_ context.Context, e *Event) error {
		if !src.Has(e.TriggerSource) {
			return nil
		}
		for _, c := range checks {
			v := e.Request.UserAttributes[c.Name]
			if strings.TrimSpace(v) == "" {
				if c.Required {
					return triggers.Reject(cmp.Or(c.Message, "Missing required attribute: "+c.Name))
				}
				continue
			}
			if c.re != nil && !c.re.MatchString(v) {
				return triggers.Reject(cmp.Or(c.Message, "Invalid value for attribute: "+c.Name))
			}
		}
		return nil
	}), nil
}
