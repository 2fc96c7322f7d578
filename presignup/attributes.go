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

// AttributeOption configures [RequireAttributes]. [Sources] is one.
type AttributeOption interface{ applyAttribute(*attributeConfig) error }

type attributeConfig struct{ sources sources }

func (o SourcesOption) applyAttribute(c *attributeConfig) (err error) {
	c.sources, err = o.validate()
	return err
}

// RequireAttributes rejects a sign-up whose user attributes break a rule: a required
// attribute is missing, or a value does not match its pattern. Rules are checked in
// order and the first failure is the user's message. A rule without a name, or a
// pattern that does not compile, is reported here.
//
// It acts on PreSignUp_SignUp, where the user typed the values; attributes that an
// administrator sets or an identity provider maps are the operator's own, and [Sources]
// can include them.
func RequireAttributes(rules []AttributeRule, opts ...AttributeOption) (Handler, error) {
	cfg := attributeConfig{sources: signUpOnly}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyAttribute(&cfg); err != nil {
			return nil, fmt.Errorf("presignup.RequireAttributes: %w", err)
		}
	}
	if len(rules) == 0 {
		return nil, errors.New("presignup.RequireAttributes: no rules")
	}
	type compiled struct {
		AttributeRule
		re *regexp.Regexp
	}
	checks := make([]compiled, len(rules))
	for i, r := range rules {
		if strings.TrimSpace(r.Name) == "" {
			return nil, fmt.Errorf("presignup.RequireAttributes: rule %d has no attribute name", i)
		}
		checks[i].AttributeRule = r
		if r.Pattern != "" {
			// Compiled alone first, so that a pattern such as "a)|(b" cannot close the
			// anchoring group and match anywhere.
			if _, err := regexp.Compile(r.Pattern); err != nil {
				return nil, fmt.Errorf("presignup.RequireAttributes: pattern for %q: %w", r.Name, err)
			}
			checks[i].re = regexp.MustCompile(`^(?:` + r.Pattern + `)$`)
		}
	}
	return triggers.Named("RequireAttributes", func(_ context.Context, e *Event) error {
		if !cfg.sources.has(e.TriggerSource) {
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
