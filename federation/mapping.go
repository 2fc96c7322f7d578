package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// Mapping maps user pool attributes to the provider values they are set from:
//
//	federation.Mapping{
//		"custom:groups": federation.Claim("groups"),
//		"custom:city":   federation.From(federation.UserInfo, "address", "locality"),
//	}
type Mapping map[string]Source

// MapOption configures [MapAttributes].
type MapOption interface{ applyMap(*mapConfig) error }

type mapConfig struct {
	sep       string
	asJSON    bool
	overLimit OverLimit
	message   string
	suppress  []string
}

type mapOptionFunc func(*mapConfig) error

func (f mapOptionFunc) applyMap(c *mapConfig) error { return f(c) }

// JoinWith sets the separator a list value (a groups claim, a SAML attribute with
// several values) is joined with; the default is ",". A list of one value maps to that
// value, an empty list to nothing.
func JoinWith(sep string) MapOption {
	return mapOptionFunc(func(c *mapConfig) error {
		if sep == "" {
			return errors.New("JoinWith: empty separator")
		}
		c.sep = sep
		return nil
	})
}

// ListsAsJSON maps a list of two or more values to its JSON text, ["staff","sso"],
// instead of joining it: for values that may contain the separator.
func ListsAsJSON() MapOption {
	return mapOptionFunc(func(c *mapConfig) error { c.asJSON = true; return nil })
}

// OnOverLimit says what happens to a value longer than [MaxValueLength]: left out and
// logged ([DropOverLimit], the default) or the sign-in refused with message
// ([RefuseOverLimit]; "" is [DefaultOverLimitMessage]).
func OnOverLimit(mode OverLimit, message string) MapOption {
	return mapOptionFunc(func(c *mapConfig) error {
		if mode != DropOverLimit && mode != RefuseOverLimit {
			return fmt.Errorf("OnOverLimit: unknown mode %d", mode)
		}
		c.overLimit = mode
		if message != "" {
			c.message = message
		}
		return nil
	})
}

// Suppress leaves the named attributes out of the answer, whatever the pool's mapping
// or an earlier module set, so that Cognito does not store them. That needs an answer
// that lists some other attribute: an empty answer makes Cognito map every attribute,
// the suppressed ones too, so an answer that suppression leaves empty is logged as a
// warning. Give poolMapping or mapping an attribute the provider always sends.
func Suppress(names ...string) MapOption {
	return mapOptionFunc(func(c *mapConfig) error {
		for _, n := range names {
			if err := CheckAttributeName(n); err != nil {
				return fmt.Errorf("Suppress: %w", err)
			}
		}
		c.suppress = append(c.suppress, names...)
		return nil
	})
}

// MapAttributes sets user pool attributes from what the provider sent, with the values
// in their JSON shape (see [triggers.ProviderValues]): a string as it is, a number or a
// boolean as its JSON text, a list joined (see [JoinWith], [ListsAsJSON]), an object as
// its compact JSON text; a nested value is reached by its path. A source the provider
// did not send leaves its attribute as it was.
//
// Cognito stores exactly the attributes the answer lists once it lists any, and all it
// would map itself when the answer is empty. So that every attribute the module does
// not map stays as Cognito would map it, give poolMapping: the provider's attribute
// mapping as configured in the user pool (user pool attribute → provider attribute name,
// as in CreateIdentityProvider's AttributeMapping). The module starts the answer from
// what an earlier module wrote or, when that is empty, from poolMapping applied to the
// provider's values, then sets mapping's attributes on top, then leaves out the
// [Suppress]ed ones. A nil poolMapping starts from nothing: the answer is then only
// mapping's attributes.
//
// Every value is checked against Cognito's limit of [MaxValueLength] characters (see
// [OnOverLimit]); attribute names must pass [CheckAttributeName], which the
// constructor checks with the rest of the configuration. Values never reach a log line.
//
// It acts on InboundFederation_ExternalProvider.
func MapAttributes(poolMapping map[string]string, mapping Mapping, opts ...MapOption) (Handler, error) {
	cfg := mapConfig{sep: ",", message: DefaultOverLimitMessage}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyMap(&cfg); err != nil {
			return nil, fmt.Errorf("federation.MapAttributes: %w", err)
		}
	}
	if len(poolMapping) == 0 && len(mapping) == 0 {
		return nil, errors.New("federation.MapAttributes: no attribute to map")
	}
	m := &mapper{cfg: cfg}
	for attr, name := range poolMapping {
		if err := CheckAttributeName(attr); err != nil {
			return nil, fmt.Errorf("federation.MapAttributes: pool mapping: %w", err)
		}
		if name == "" {
			return nil, fmt.Errorf("federation.MapAttributes: pool mapping: attribute %q has no provider attribute", attr)
		}
		m.base = append(m.base, rule{attr, Claim(name)})
	}
	for attr, src := range mapping {
		if err := CheckAttributeName(attr); err != nil {
			return nil, fmt.Errorf("federation.MapAttributes: %w", err)
		}
		if len(src.parts) == 0 || len(src.path) == 0 || slices.Contains(src.path, "") {
			return nil, fmt.Errorf("federation.MapAttributes: attribute %q: empty source path", attr)
		}
		m.rules = append(m.rules, rule{attr, src})
	}
	sortRules := func(r []rule) { slices.SortFunc(r, func(a, b rule) int { return strings.Compare(a.attr, b.attr) }) }
	sortRules(m.base)
	sortRules(m.rules)
	return m.handle, nil
}

type rule struct {
	attr string
	src  Source
}

type mapper struct {
	cfg   mapConfig
	base  []rule
	rules []rule
}

func (m *mapper) handle(ctx context.Context, e *Event) error {
	if !actsOn(e) {
		return nil
	}
	out := triggers.Attributes{}
	for k, v := range e.Response.UserAttributesToMap {
		out[k] = v
	}
	if len(out) == 0 {
		m.apply(e, m.base, out)
	}
	m.apply(e, m.rules, out)
	var suppressed []string
	for _, k := range m.cfg.suppress {
		if _, ok := out[k]; ok {
			suppressed = append(suppressed, k)
			delete(out, k)
		}
	}
	if len(out) == 0 && len(suppressed) > 0 {
		// An empty answer makes Cognito map every attribute, these included.
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "suppressed attributes left the answer empty: Cognito maps them anyway",
			slog.String("module", "MapAttributes"), slog.String("userName", e.UserName), slog.Any("attributes", suppressed))
	}
	if len(out) == 0 && len(e.Response.UserAttributesToMap) == 0 {
		// Nothing to say: Cognito keeps what it maps.
		return nil
	}
	e.Response.UserAttributesToMap = out
	return enforce(ctx, e, "MapAttributes", m.cfg.overLimit, m.cfg.message)
}

func (m *mapper) apply(e *Event, rules []rule, out triggers.Attributes) {
	for _, r := range rules {
		v, ok := r.src.lookup(e)
		if !ok {
			continue
		}
		if s, ok := m.text(v); ok {
			out[r.attr] = s
		}
	}
}

// text turns a provider value into an attribute value; false for nothing to store.
func (m *mapper) text(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case []any:
		items := make([]string, 0, len(v))
		for _, el := range v {
			if s, ok := m.text(el); ok {
				items = append(items, s)
			}
		}
		switch {
		case len(items) == 0:
			return "", false
		case len(items) == 1:
			return items[0], true
		case m.cfg.asJSON:
			b, _ := json.Marshal(items)
			return string(b), true
		}
		return strings.Join(items, m.cfg.sep), true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
