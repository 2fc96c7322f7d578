package presignup

import (
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

// DomainOption configures [AllowDomains], [DenyDomains], [Domains] and
// [DomainsFromEnv]. [Sources] and [DomainMessage] are domain options.
type DomainOption interface{ applyDomain(*domainConfig) error }

type domainConfig struct {
	sources sources
	message DomainMessage
}

func (o SourcesOption) applyDomain(c *domainConfig) (err error) {
	c.sources, err = o.validate()
	return err
}

// DomainMessage is an option that words the rejection: it receives the domain as the
// user typed it (after the last "@", trimmed), or "" when the email address is missing
// or has no domain. The default is [DefaultDomainMessage].
type DomainMessage func(domain string) string

func (m DomainMessage) applyDomain(c *domainConfig) error {
	if m == nil {
		return errors.New("DomainMessage: nil function")
	}
	c.message = m
	return nil
}

// DefaultDomainMessage is the text Amplify's domain filters reject with,
// "Invalid email domain: <domain>", or "Invalid email address" when there is no domain
// to name.
func DefaultDomainMessage(domain string) string {
	if domain == "" {
		return "Invalid email address"
	}
	return "Invalid email domain: " + domain
}

// AllowDomains rejects a sign-up whose email domain is not in domains, and one with a
// missing or malformed email address.
//
// An entry is a domain ("example.com"), matched exactly, or a wildcard
// ("*.example.com"), which matches every subdomain at any depth (a.example.com,
// b.a.example.com) but not example.com itself: list both for both. Nothing is ever a
// suffix match, so evilexample.com is not example.com. Matching ignores case and
// surrounding space, and compares internationalised domains in their IDNA form, so
// "bücher.example" and "xn--bcher-kva.example" are one domain. The email's domain is
// what follows its last "@".
//
// It acts on PreSignUp_SignUp and PreSignUp_ExternalProvider: the list polices who may
// sign themselves up, directly or through a social or enterprise identity provider.
// Users that an administrator creates are let through, because the administrator
// decides deliberately and a failing AdminCreateUser would only get in their way; add
// AdminCreateUser with [Sources] to police them too.
//
// An empty list or an invalid entry is reported here.
func AllowDomains(domains []string, opts ...DomainOption) (Handler, error) {
	if len(trimmedEntries(domains)) == 0 {
		return nil, errors.New("presignup.AllowDomains: no domains; an empty allow list would reject everyone")
	}
	return newDomainFilter("presignup.AllowDomains", domains, nil, opts)
}

// DenyDomains rejects a sign-up whose email domain is in domains, matched as
// [AllowDomains] describes. A missing or malformed email address is let through, since
// it names no denied domain (other modules, or Cognito's own validation, deal with it),
// unless what follows its last "@" is still, in plain lower case, a denied domain
// ("@evil.test", "user@under_score.evil.test" against "*.evil.test"). An empty list
// denies nothing. It acts on the same trigger sources as [AllowDomains].
func DenyDomains(domains []string, opts ...DomainOption) (Handler, error) {
	return newDomainFilter("presignup.DenyDomains", nil, domains, opts)
}

// Domains is [AllowDomains] and [DenyDomains] in one module: a domain must be allowed
// (when allow is not empty) and not denied, so a domain in both lists is rejected, and
// a wildcard allow ("*.example.com") can carve out a denied subdomain
// ("test.example.com"). Chaining AllowDomains and DenyDomains in either order has the
// same outcome.
func Domains(allow, deny []string, opts ...DomainOption) (Handler, error) {
	return newDomainFilter("presignup.Domains", allow, deny, opts)
}

// DomainsFromEnv is [Domains] with the lists read from the environment variables
// DOMAINALLOWLIST and DOMAINDENYLIST, as comma-separated domains. A variable that is
// set but holds no domain gives no list. When neither variable is set the function is
// misconfigured, and an error says so, rather than letting everyone sign up.
func DomainsFromEnv(opts ...DomainOption) (Handler, error) {
	allow, allowSet := os.LookupEnv(EnvDomainAllowList)
	deny, denySet := os.LookupEnv(EnvDomainDenyList)
	if !allowSet && !denySet {
		return nil, fmt.Errorf("presignup.DomainsFromEnv: neither %s nor %s is set", EnvDomainAllowList, EnvDomainDenyList)
	}
	return newDomainFilter("presignup.DomainsFromEnv", strings.Split(allow, ","), strings.Split(deny, ","), opts)
}

func newDomainFilter(name string, allow, deny []string, opts []DomainOption) (Handler, error) {
	cfg := domainConfig{sources: selfServiceSignUp, message: DefaultDomainMessage}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyDomain(&cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	allowList, err := parseDomainList(allow)
	if err != nil {
		return nil, fmt.Errorf("%s: allow list: %w", name, err)
	}
	denyList, err := parseDomainList(deny)
	if err != nil {
		return nil, fmt.Errorf("%s: deny list: %w", name, err)
	}
	return triggers.Named(strings.TrimPrefix(name, "presignup."), func(_ context.Context, e *Event) error {
		if !cfg.sources.has(e.TriggerSource) {
			return nil
		}
		typed, domain, ok := emailDomain(e.Request.UserAttributes["email"])
		if !ok {
			// A domain that is not a valid IDNA name can still be a name mail is
			// delivered to (under_score.example.com), so the deny list is still asked,
			// in plain lower case.
			if typed != "" && denyList.match(strings.TrimSuffix(strings.ToLower(typed), ".")) {
				return triggers.Reject(cfg.message(typed))
			}
			if allowList.empty() {
				return nil
			}
			if _, valid := normalizeDomain(typed); valid {
				typed = "" // the domain is fine; the address around it is not
			}
			return triggers.Reject(cfg.message(typed))
		}
		if denyList.match(domain) || (!allowList.empty() && !allowList.match(domain)) {
			return triggers.Reject(cfg.message(typed))
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
