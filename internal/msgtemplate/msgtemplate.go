// Package msgtemplate is what the modules that write messages from templates share:
// catalogs of messages by locale and trigger source, the locale fallback from most to
// least specific, and the parsing of text and HTML templates.
package msgtemplate

import (
	htemplate "html/template"
	"slices"
	"strings"
	ttemplate "text/template"

	"github.com/lambda-triggers/cognito/triggers"
)

// Set holds compiled messages by normalized locale and trigger source.
type Set[M any] struct {
	byLocale map[string]map[triggers.TriggerSource]M
}

// Compile builds a Set from a catalog (locale → trigger source → message), calling
// compile on every message, in sorted locale order so that errors are deterministic.
// Two keys that normalize to the same locale ("de_AT" and "de-at") are an error.
func Compile[C ~map[string]Ms, Ms ~map[triggers.TriggerSource]In, In, M any](catalog C,
	compile func(locale string, src triggers.TriggerSource, in In) (M, error)) (*Set[M], error) {
	s := &Set[M]{byLocale: make(map[string]map[triggers.TriggerSource]M, len(catalog))}
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		locale := NormalizeLocale(key)
		if _, dup := s.byLocale[locale]; dup {
			return nil, &DuplicateLocaleError{Key: key, Locale: locale}
		}
		msgs := catalog[key]
		byKey := make(map[triggers.TriggerSource]M, len(msgs))
		s.byLocale[locale] = byKey
		srcs := make([]triggers.TriggerSource, 0, len(msgs))
		for src := range msgs {
			srcs = append(srcs, src)
		}
		slices.Sort(srcs)
		for _, src := range srcs {
			m, err := compile(locale, src, msgs[src])
			if err != nil {
				return nil, err
			}
			byKey[src] = m
		}
	}
	return s, nil
}

// DuplicateLocaleError reports two catalog keys that mean the same locale.
type DuplicateLocaleError struct {
	Key, Locale string
}

func (e *DuplicateLocaleError) Error() string {
	return "locales " + `"` + e.Key + `"` + " and another key both mean " + `"` + e.Locale + `"`
}

// Lookup finds the message for src in the most specific locale of userLocale that has
// one: "de-AT", then "de", then the default "". It returns the catalog locale the
// message came from.
func (s *Set[M]) Lookup(userLocale string, src triggers.TriggerSource) (M, string, bool) {
	tag := NormalizeLocale(userLocale)
	for {
		if m, ok := s.byLocale[tag][src]; ok {
			return m, tag, true
		}
		if tag == "" {
			var zero M
			return zero, "", false
		}
		if i := strings.LastIndexByte(tag, '-'); i >= 0 {
			tag = tag[:i]
		} else {
			tag = ""
		}
	}
}

// Has reports whether any locale has a message for src.
func (s *Set[M]) Has(src triggers.TriggerSource) bool {
	for _, msgs := range s.byLocale {
		if _, ok := msgs[src]; ok {
			return true
		}
	}
	return false
}

// NormalizeLocale turns the spellings users and platforms store ("de_AT", "DE-at",
// "de_AT.UTF-8") into one lower-case, hyphenated tag.
func NormalizeLocale(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(strings.ToLower(strings.ReplaceAll(s, "_", "-")), "-")
}

// LocaleName is how messages name a normalized locale: "default" for "".
func LocaleName(locale string) string {
	if locale == "" {
		return "default"
	}
	return locale
}

// Text parses a text/template that renders a missing map key as "".
func Text(name, text string, funcs ttemplate.FuncMap) (*ttemplate.Template, error) {
	return ttemplate.New(name).Option("missingkey=zero").Funcs(funcs).Parse(text)
}

// HTML parses an html/template, which escapes what it inserts for its context, that
// renders a missing map key as "".
func HTML(name, text string, funcs htemplate.FuncMap) (*htemplate.Template, error) {
	return htemplate.New(name).Option("missingkey=zero").Funcs(funcs).Parse(text)
}

// OneLine joins a rendered subject into one line: a line break from an attribute value
// would otherwise end up in a mail header.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
