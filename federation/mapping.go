package federation

import (
	"context"
	"encoding/json"
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

// MapConfig configures [MapAttributes]. At least one of PoolMapping and Mapping is
// required.
type MapConfig struct {
	// PoolMapping is the provider's attribute mapping as configured in the user pool
	// (user pool attribute → provider attribute name, as in CreateIdentityProvider's
	// AttributeMapping), so that the attributes Mapping does not set stay as Cognito
	// would map them. Nil starts the answer from nothing: it is then only Mapping's
	// attributes.
	PoolMapping map[string]string
	// Mapping sets user pool attributes from provider values, on top of PoolMapping.
	Mapping Mapping
	// Separator joins a list value (a groups claim, a SAML attribute with several
	// values); "" means ",". A list of one value maps to that value, an empty list to
	// nothing.
	Separator string
	// ListsAsJSON maps a list of two or more values to its JSON text, ["staff","sso"],
	// instead of joining it: for values that may contain the separator.
	ListsAsJSON bool
	// Suppress names attributes left out of the answer, whatever PoolMapping or an
	// earlier module set, so that Cognito does not store them. That needs an answer that
	// lists some other attribute: an empty answer makes Cognito map every attribute, the
	// suppressed ones too, so an answer that suppression leaves empty is logged as a
	// warning. Give PoolMapping or Mapping an attribute the provider always sends.
	Suppress []string
	// OverLimit says what happens to a value longer than [MaxValueLength]; the zero
	// value is [DropOverLimit]: left out and logged.
	OverLimit OverLimit
	// Message is the text a user refused under [RefuseOverLimit] sees; "" means
	// [DefaultOverLimitMessage].
	Message string
}

// MapAttributes sets user pool attributes from what the provider sent, with the values
// in their JSON shape (see [triggers.ProviderValues]): a string as it is, a number or a
// boolean as its JSON text, a list joined (see Separator and ListsAsJSON of [MapConfig]), an object as
// its compact JSON text; a nested value is reached by its path. A source the provider
// did not send leaves its attribute as it was.
//
// Cognito stores exactly the attributes the answer lists once it lists any, and all it
// would map itself when the answer is empty. So that every attribute the module does
// not map stays as Cognito would map it, give PoolMapping. The module starts the answer
// from what an earlier module wrote or, when that is empty, from PoolMapping applied to
// the provider's values, then sets Mapping's attributes on top, then leaves out the
// Suppress ones.
//
// Every value is checked against Cognito's limit of [MaxValueLength] characters (see
// OverLimit); attribute names must pass [CheckAttributeName], which the
// constructor checks with the rest of the configuration. Values never reach a log line.
//
// It acts on InboundFederation_ExternalProvider.
func MapAttributes(cfg MapConfig) (Handler, error) {
	fail := func(format string, args ...any) (Handler, error) {
		return nil, fmt.Errorf("federation.MapAttributes: "+format, args...)
	}
	if len(cfg.PoolMapping) == 0 && len(cfg.Mapping) == 0 {
		return fail("PoolMapping and Mapping are empty: no attribute to map")
	}
	m := &mapper{sep: cfg.Separator, asJSON: cfg.ListsAsJSON, overLimit: cfg.OverLimit, suppress: slices.Clone(cfg.Suppress)}
	if m.sep == "" {
		m.sep = ","
	}
	if cfg.OverLimit != DropOverLimit && cfg.OverLimit != RefuseOverLimit {
		return fail("OverLimit: unknown mode %d", cfg.OverLimit)
	}
	var err error
	if m.message, err = message("MapAttributes", cfg.Message, DefaultOverLimitMessage); err != nil {
		return nil, err
	}
	for _, n := range cfg.Suppress {
		if err := CheckAttributeName(n); err != nil {
			return fail("Suppress: %w", err)
		}
	}
	for attr, name := range cfg.PoolMapping {
		if err := CheckAttributeName(attr); err != nil {
			return fail("PoolMapping: %w", err)
		}
		if name == "" {
			return fail("PoolMapping: attribute %q has no provider attribute", attr)
		}
		m.base = append(m.base, rule{attr, Claim(name)})
	}
	for attr, src := range cfg.Mapping {
		if err := CheckAttributeName(attr); err != nil {
			return fail("Mapping: %w", err)
		}
		if len(src.parts) == 0 || len(src.path) == 0 || slices.Contains(src.path, "") {
			return fail("Mapping: attribute %q: empty source path", attr)
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
	sep       string
	asJSON    bool
	overLimit OverLimit
	message   string
	suppress  []string
	base      []rule
	rules     []rule
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
	for _, k := range m.suppress {
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
	return enforce(ctx, e, "MapAttributes", m.overLimit, m.message)
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
		case m.asJSON:
			b, _ := json.Marshal(items)
			return string(b), true
		}
		return strings.Join(items, m.sep), true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
