package presignup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/idna"

	"github.com/lambda-triggers/cognito/triggers"
)

// Environment variables that [DomainsFromEnv] reads: comma-separated domains, the
// names Amplify's email domain filter modules use, so that an existing function's
// configuration keeps working.
const (
	EnvDomainAllowList = "DOMAINALLOWLIST"
	EnvDomainDenyList  = "DOMAINDENYLIST"
)

// DomainsConfig configures [AllowDomains], [DenyDomains], [Domains] and
// [DomainsFromEnv]. Each constructor says which lists it takes and reports a list it
// does not take.
//
// A list entry is a domain ("example.com"), matched exactly, or a wildcard
// ("*.example.com"), which matches every subdomain at any depth (a.example.com,
// b.a.example.com) but not example.com itself: list both for both. Nothing is ever a
// suffix match, so evilexample.com is not example.com. Matching ignores case and
// surrounding space, and compares internationalised domains in their IDNA form, so
// "bücher.example" and "xn--bcher-kva.example" are one domain. The email's domain is
// what follows its last "@". Blank entries are ignored; an invalid entry is reported
// by the constructor.
type DomainsConfig struct {
	// Allow lists the domains that may sign up; a sign-up with any other domain, or
	// with a missing or malformed email address, is rejected. Required by
	// [AllowDomains]; optional in [Domains] (empty: every domain not denied).
	Allow []string
	// Deny lists the domains that may not sign up. Required by [DenyDomains] (an empty
	// list denies nothing, though); optional in [Domains].
	Deny []string
	// Sources are the trigger sources the module acts on; empty means PreSignUp_SignUp
	// and PreSignUp_ExternalProvider.
	Sources triggers.Sources
	// Messages word the rejections; a field left empty keeps its text from
	// [DefaultDomainMessages].
	Messages DomainMessages
}

// DomainMessages are the texts a user sees when a domain list turns them away.
type DomainMessages struct {
	// Refused is the text for a domain the lists refuse; "{domain}" in it becomes the
	// domain as the user typed it (after the last "@", trimmed).
	Refused string
	// Invalid is the text for an email address that is missing or names no domain.
	Invalid string
}

// DefaultDomainMessages are the texts Amplify's domain filters reject with:
// "Invalid email domain: <domain>", or "Invalid email address" when there is no domain
// to name.
var DefaultDomainMessages = DomainMessages{
	Refused: "Invalid email domain: {domain}",
	Invalid: "Invalid email address",
}

// text returns the rejection text for domain, "" when the address names none.
func (m DomainMessages) text(domain string) string {
	if domain == "" {
		return m.Invalid
	}
	return strings.ReplaceAll(m.Refused, "{domain}", domain)
}

// AllowDomains rejects a sign-up whose email domain is not in cfg.Allow, and one with a
// missing or malformed email address, matched as [DomainsConfig] describes. It takes
// Allow, which must not be empty (an empty allow list would reject everyone), Sources
// and Messages; use [Domains] to combine it with a deny list.
//
// It acts on PreSignUp_SignUp and PreSignUp_ExternalProvider: the list polices who may
// sign themselves up, directly or through a social or enterprise identity provider.
// Users that an administrator creates are let through, because the administrator
// decides deliberately and a failing AdminCreateUser would only get in their way; add
// AdminCreateUser to Sources to police them too.
func AllowDomains(cfg DomainsConfig) (Handler, error) {
	const name = "presignup.AllowDomains"
	if len(trimmedEntries(cfg.Allow)) == 0 {
		return nil, errors.New(name + ": Allow is empty; an empty allow list would reject everyone")
	}
	if len(cfg.Deny) > 0 {
		return nil, errors.New(name + ": Deny is set; use Domains for both lists")
	}
	return newDomainFilter(name, cfg, "Allow", "Deny")
}

// DenyDomains rejects a sign-up whose email domain is in cfg.Deny, matched as
// [DomainsConfig] describes. A missing or malformed email address is let through, since
// it names no denied domain (other modules, or Cognito's own validation, deal with it),
// unless what follows its last "@" is still, in plain lower case, a denied domain
// ("@evil.test", "user@under_score.evil.test" against "*.evil.test"). An empty list
// denies nothing. It takes Deny, Sources and Messages, and acts on the same trigger
// sources as [AllowDomains].
func DenyDomains(cfg DomainsConfig) (Handler, error) {
	const name = "presignup.DenyDomains"
	if len(cfg.Allow) > 0 {
		return nil, errors.New(name + ": Allow is set; use Domains for both lists")
	}
	return newDomainFilter(name, cfg, "Allow", "Deny")
}

// Domains is [AllowDomains] and [DenyDomains] in one module: a domain must be allowed
// (when Allow is not empty) and not denied, so a domain in both lists is rejected, and
// a wildcard allow ("*.example.com") can carve out a denied subdomain
// ("test.example.com"). Chaining AllowDomains and DenyDomains in either order has the
// same outcome. It takes every field of [DomainsConfig]; with both lists empty it lets
// everyone through.
func Domains(cfg DomainsConfig) (Handler, error) {
	return newDomainFilter("presignup.Domains", cfg, "Allow", "Deny")
}

// DomainsFromEnv is [Domains] with the lists read from the environment variables
// DOMAINALLOWLIST and DOMAINDENYLIST, as comma-separated domains. It takes Sources and
// Messages; the lists come from the environment only. A variable that is set but holds
// no domain gives no list. When neither variable is set the function is misconfigured,
// and an error says so, rather than letting everyone sign up.
func DomainsFromEnv(cfg DomainsConfig) (Handler, error) {
	const name = "presignup.DomainsFromEnv"
	if len(cfg.Allow) > 0 || len(cfg.Deny) > 0 {
		return nil, fmt.Errorf("%s: Allow or Deny is set; the lists come from %s and %s", name, EnvDomainAllowList, EnvDomainDenyList)
	}
	allow, allowSet := os.LookupEnv(EnvDomainAllowList)
	deny, denySet := os.LookupEnv(EnvDomainDenyList)
	if !allowSet && !denySet {
		return nil, fmt.Errorf("%s: neither %s nor %s is set", name, EnvDomainAllowList, EnvDomainDenyList)
	}
	cfg.Allow, cfg.Deny = strings.Split(allow, ","), strings.Split(deny, ",")
	return newDomainFilter(name, cfg, EnvDomainAllowList, EnvDomainDenyList)
}

// newDomainFilter builds the filter of cfg; allowName and denyName name the lists in
// errors.
func newDomainFilter(name string, cfg DomainsConfig, allowName, denyName string) (Handler, error) {
	src, err := resolveSources(name, cfg.Sources, selfServiceSignUp)
	if err != nil {
		return nil, err
	}
	msgs := DomainMessages{
		Refused: cmp.Or(cfg.Messages.Refused, DefaultDomainMessages.Refused),
		Invalid: cmp.Or(cfg.Messages.Invalid, DefaultDomainMessages.Invalid),
	}
	allowList, err := parseDomainList(cfg.Allow)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, allowName, err)
	}
	denyList, err := parseDomainList(cfg.Deny)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, denyName, err)
	}
	return triggers.Named(strings.TrimPrefix(name, "presignup."), func(_ context.Context, e *Event) error {
		if !src.Has(e.TriggerSource) {
			return nil
		}
		typed, domain, ok := emailDomain(e.Request.UserAttributes["email"])
		if !ok {
			// A domain that is not a valid IDNA name can still be a name mail is
			// delivered to (under_score.example.com), so the deny list is still asked,
			// in plain lower case.
			if typed != "" && denyList.match(strings.TrimSuffix(strings.ToLower(typed), ".")) {
				return triggers.Reject(msgs.text(typed))
			}
			if allowList.empty() {
				return nil
			}
			if _, valid := normalizeDomain(typed); valid {
				typed = "" // the domain is fine; the address around it is not
			}
			return triggers.Reject(msgs.text(typed))
		}
		if denyList.match(domain) || (!allowList.empty() && !allowList.match(domain)) {
			return triggers.Reject(msgs.text(typed))
		}
		return nil
	}), nil
}

// domainList is a parsed allow or deny list, with every domain in IDNA ASCII form.
type domainList struct {
	exact map[string]struct{}
	// wild holds each wildcard's parent with its leading dot (".example.com"), so that
	// a domain matches when one of its dot-suffixes is a key.
	wild map[string]struct{}
}

func (l domainList) empty() bool { return len(l.exact) == 0 && len(l.wild) == 0 }

func (l domainList) match(domain string) bool {
	if _, ok := l.exact[domain]; ok {
		return true
	}
	if len(l.wild) == 0 {
		return false
	}
	for i := 0; i < len(domain); i++ {
		if domain[i] == '.' {
			if _, ok := l.wild[domain[i:]]; ok {
				return true
			}
		}
	}
	return false
}

func trimmedEntries(entries []string) []string {
	var out []string
	for _, e := range entries {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func parseDomainList(entries []string) (domainList, error) {
	l := domainList{exact: map[string]struct{}{}, wild: map[string]struct{}{}}
	for _, entry := range trimmedEntries(entries) {
		parent, wildcard := strings.CutPrefix(entry, "*.")
		if strings.ContainsAny(parent, "*@") || strings.ContainsFunc(parent, isSpace) {
			return l, fmt.Errorf("invalid domain %q: want a domain such as example.com or a wildcard such as *.example.com", entry)
		}
		ascii, ok := normalizeDomain(parent)
		if !ok {
			return l, fmt.Errorf("invalid domain %q", entry)
		}
		if wildcard {
			l.wild["."+ascii] = struct{}{}
		} else {
			l.exact[ascii] = struct{}{}
		}
	}
	return l, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// domainProfile maps a domain the way a resolver does before a lookup (UTS #46
// non-transitional: case, width and compatibility mappings, then Punycode), and checks
// label lengths, so that equal domains compare equal as ASCII strings.
var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(),
	idna.VerifyDNSLength(true), idna.Transitional(false))

// normalizeDomain returns d in lower-case IDNA ASCII form, without a trailing root dot.
func normalizeDomain(d string) (string, bool) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if d == "" {
		return "", false
	}
	ascii, err := domainProfile.ToASCII(d)
	if err != nil || ascii == "" {
		return "", false
	}
	return ascii, true
}

// emailDomain splits an address at its last "@" and returns the domain as typed and
// normalised; ok is false when the address is missing, has no "@", has nothing before
// or after it, or the domain is not a valid name.
func emailDomain(email string) (typed, normalized string, ok bool) {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "", "", false
	}
	typed = strings.TrimSpace(email[at+1:])
	if at == 0 {
		return typed, "", false
	}
	normalized, ok = normalizeDomain(typed)
	return typed, normalized, ok
}
