package presignup_test

import (
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

// listed is the list both the allow and the deny tables below are built from.
var listed = []string{"example.com", "*.corp.test", "bücher.example", "xn--caf-dma.test", " spaced.test "}

func TestDomainMatching(t *testing.T) {
	t.Parallel()
	allow := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: listed}))
	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: listed}))

	const bad = "Invalid email address"
	tests := []struct {
		name   string
		email  string
		listed bool   // the domain is on the list: the allow list passes, the deny list rejects
		allow  string // the allow list's rejection when not listed ("" = default for the domain)
		deny   string // "pass" when the deny list passes an address it cannot read
	}{
		{name: "exact", email: "user@example.com", listed: true},
		{name: "upper case", email: "User@EXAMPLE.COM", listed: true},
		{name: "mixed case", email: "user@Example.Com", listed: true},
		{name: "space around address", email: "  user@example.com\t", listed: true},
		{name: "space around domain", email: "user@ example.com ", listed: true},
		{name: "trailing root dot", email: "user@example.com.", listed: true},
		{name: "entry with spaces in list", email: "user@spaced.test", listed: true},
		{name: "suffix is not a match", email: "user@evilexample.com"},
		{name: "listed domain as prefix", email: "user@example.com.evil.test"},
		{name: "subdomain of exact entry", email: "user@sub.example.com"},
		{name: "wildcard one level", email: "user@a.corp.test", listed: true},
		{name: "wildcard two levels", email: "user@b.a.corp.test", listed: true},
		{name: "wildcard upper case", email: "user@A.CORP.TEST", listed: true},
		{name: "wildcard excludes parent", email: "user@corp.test"},
		{name: "wildcard suffix is not a match", email: "user@evilcorp.test"},
		{name: "wildcard suffix subdomain", email: "user@a.evilcorp.test"},
		{name: "IDNA unicode entry, unicode address", email: "user@bücher.example", listed: true},
		{name: "IDNA unicode entry, punycode address", email: "user@xn--bcher-kva.example", listed: true},
		{name: "IDNA unicode entry, upper-case unicode", email: "user@BÜCHER.EXAMPLE", listed: true},
		{name: "IDNA unicode entry, upper-case punycode", email: "user@XN--BCHER-KVA.EXAMPLE", listed: true},
		{name: "IDNA punycode entry, unicode address", email: "user@café.test", listed: true},
		{name: "IDNA punycode entry, punycode address", email: "user@xn--caf-dma.test", listed: true},
		{name: "IDNA full-width letters", email: "user@ｅｘａｍｐｌｅ.com", listed: true},
		{name: "IDNA ideographic full stop", email: "user@example。com", listed: true},
		{name: "IDNA lookalike is another domain", email: "user@bucher.example"},
		{name: "multiple @, last is listed", email: `"a@evil.test"@example.com`, listed: true},
		{name: "multiple @ unquoted, last is listed", email: "a@evil.test@example.com", listed: true},
		{name: "multiple @, listed one first", email: "a@example.com@evil.test"},
		{name: "missing", email: "", allow: bad, deny: "pass"},
		{name: "only space", email: "   ", allow: bad, deny: "pass"},
		{name: "no @", email: "user.example.com", allow: bad, deny: "pass"},
		{name: "nothing after @", email: "user@", allow: bad, deny: "pass"},
		// Malformed, but it names a denied domain: the deny list still rejects.
		{name: "nothing before @", email: "@example.com", allow: bad, deny: "Invalid email domain: example.com"},
		{name: "space inside domain", email: "user@exa mple.com", allow: "Invalid email domain: exa mple.com", deny: "pass"},
		{name: "empty label", email: "user@example..com", allow: "Invalid email domain: example..com", deny: "pass"},
		{name: "leading hyphen label", email: "user@-example.com", allow: "Invalid email domain: -example.com", deny: "pass"},
		{name: "invalid name under a denied wildcard", email: "user@under_score.corp.test",
			allow: "Invalid email domain: under_score.corp.test", deny: "Invalid email domain: under_score.corp.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typed := tt.email[strings.LastIndex(tt.email, "@")+1:]
			typed = strings.TrimSpace(typed)
			listedMsg := "Invalid email domain: " + typed

			wantAllow, wantDeny := "", listedMsg
			if !tt.listed {
				wantAllow, wantDeny = listedMsg, ""
			}
			if tt.allow != "" {
				wantAllow = tt.allow
			}
			switch tt.deny {
			case "pass":
				wantDeny = ""
			case "":
			default:
				wantDeny = tt.deny
			}

			if got := outcome(allow(t.Context(), withEmail(tt.email))); got != wantAllow {
				t.Errorf("AllowDomains(%q) = %q, want %q", tt.email, got, wantAllow)
			}
			if got := outcome(deny(t.Context(), withEmail(tt.email))); got != wantDeny {
				t.Errorf("DenyDomains(%q) = %q, want %q", tt.email, got, wantDeny)
			}
		})
	}
}

func TestDomainsWithoutEmailAttribute(t *testing.T) {
	t.Parallel()
	allow := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"example.com"}}))
	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"example.com"}}))
	for _, attrs := range []map[string]string{nil, {"phone_number": "+15555550100"}} {
		e := event(presignup.SignUp, attrs)
		if got := outcome(allow(t.Context(), e)); got != "Invalid email address" {
			t.Errorf("AllowDomains with attributes %v = %q, want Invalid email address", attrs, got)
		}
		if err := deny(t.Context(), e); err != nil {
			t.Errorf("DenyDomains with attributes %v = %v, want pass", attrs, err)
		}
	}
}

func TestDenyWins(t *testing.T) {
	t.Parallel()
	allowList := []string{"example.com", "*.example.com", "both.test"}
	denyList := []string{"test.example.com", "both.test", "evil.test"}
	allow := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: allowList}))
	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: denyList}))
	handlers := map[string]presignup.Handler{
		"Chain(allow, deny)":   presignup.Chain(allow, deny),
		"Chain(deny, allow)":   presignup.Chain(deny, allow),
		"Domains(allow, deny)": presignup.Must(presignup.Domains(presignup.DomainsConfig{Allow: allowList, Deny: denyList})),
	}
	tests := []struct {
		email string
		want  string
	}{
		{"a@example.com", ""},
		{"a@www.example.com", ""},
		{"a@test.example.com", "Invalid email domain: test.example.com"}, // carved out of a wildcard
		{"a@deep.test.example.com", ""},                                  // the deny entry is exact
		{"a@both.test", "Invalid email domain: both.test"},               // in both lists
		{"a@evil.test", "Invalid email domain: evil.test"},               // denied, not allowed
		{"a@other.test", "Invalid email domain: other.test"},             // not allowed
		{"", "Invalid email address"},                                    // the allow list rejects
	}
	for name, h := range handlers {
		for _, tt := range tests {
			if got := outcome(h(t.Context(), withEmail(tt.email))); got != tt.want {
				t.Errorf("%s on %q = %q, want %q", name, tt.email, got, tt.want)
			}
		}
	}
}

func TestDomainsDenyOnlyAndEmptyLists(t *testing.T) {
	t.Parallel()
	deny := presignup.Must(presignup.Domains(presignup.DomainsConfig{Deny: []string{"evil.test"}}))
	if err := deny(t.Context(), withEmail("a@good.test")); err != nil {
		t.Errorf("deny-only Domains on a good domain = %v", err)
	}
	if err := deny(t.Context(), withEmail("")); err != nil {
		t.Errorf("deny-only Domains on a missing email = %v, want pass", err)
	}
	none := presignup.Must(presignup.Domains(presignup.DomainsConfig{}))
	if err := none(t.Context(), withEmail("not an email")); err != nil {
		t.Errorf("Domains with no lists = %v, want pass", err)
	}
	emptyDeny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{" ", ""}}))
	if err := emptyDeny(t.Context(), withEmail("a@evil.test")); err != nil {
		t.Errorf("DenyDomains of blank entries = %v, want pass", err)
	}
}

func TestDomainMessages(t *testing.T) {
	t.Parallel()
	msgs := presignup.DomainMessages{
		Refused: "We do not accept addresses at {domain}",
		Invalid: "Please give an email address",
	}
	deny := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"evil.test"}, Messages: msgs}))
	if got := rejection(t, deny(t.Context(), withEmail("a@Evil.Test"))); got != "We do not accept addresses at Evil.Test" {
		t.Errorf("message = %q", got)
	}
	allow := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"good.test"}, Messages: msgs}))
	if got := rejection(t, allow(t.Context(), withEmail("nope"))); got != "Please give an email address" {
		t.Errorf("message for a malformed address = %q", got)
	}
	// A field left empty keeps its default.
	refusedOnly := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"good.test"},
		Messages: presignup.DomainMessages{Refused: "No {domain} here"}}))
	if got := rejection(t, refusedOnly(t.Context(), withEmail("a@x.test"))); got != "No x.test here" {
		t.Errorf("message = %q", got)
	}
	if got := rejection(t, refusedOnly(t.Context(), withEmail(""))); got != presignup.DefaultDomainMessages.Invalid {
		t.Errorf("message for a missing address = %q, want the default", got)
	}
	if got := presignup.DefaultDomainMessages; got.Refused != "Invalid email domain: {domain}" || got.Invalid != "Invalid email address" {
		t.Errorf("DefaultDomainMessages = %+v", got)
	}
}

func TestDomainSources(t *testing.T) {
	t.Parallel()
	def := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"evil.test"}}))
	admin := presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"evil.test"}, Sources: triggers.Sources{presignup.AdminCreateUser}}))
	all := presignup.Must(presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"good.test"},
		Sources: triggers.Sources{presignup.SignUp, presignup.AdminCreateUser, presignup.ExternalProvider}}))
	const rejected = "Invalid email domain: evil.test"
	tests := []struct {
		src             triggers.TriggerSource
		def, admin, all string
	}{
		{presignup.SignUp, rejected, "", rejected},
		{presignup.ExternalProvider, rejected, "", rejected},
		{presignup.AdminCreateUser, "", rejected, rejected},
		{"PreSignUp_SomethingNew", "", "", ""},
	}
	for _, tt := range tests {
		e := event(tt.src, map[string]string{"email": "a@evil.test"})
		if got := outcome(def(t.Context(), e)); got != tt.def {
			t.Errorf("default sources on %s = %q, want %q", tt.src, got, tt.def)
		}
		if got := outcome(admin(t.Context(), e)); got != tt.admin {
			t.Errorf("Sources{AdminCreateUser} on %s = %q, want %q", tt.src, got, tt.admin)
		}
		if got := outcome(all(t.Context(), e)); got != tt.all {
			t.Errorf("all sources allow list on %s = %q, want %q", tt.src, got, tt.all)
		}
	}
}

func TestDomainConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() (presignup.Handler, error)
		want  string
	}{
		{"empty allow list", func() (presignup.Handler, error) { return presignup.AllowDomains(presignup.DomainsConfig{}) }, "AllowDomains: Allow is empty"},
		{"blank allow list", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{" ", ""}})
		}, "AllowDomains: Allow is empty"},
		{"address as entry", func() (presignup.Handler, error) {
			return presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"user@evil.test"}})
		}, `"user@evil.test"`},
		{"space inside entry", func() (presignup.Handler, error) {
			return presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"evil .test"}})
		}, `"evil .test"`},
		{"bare star", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"*"}})
		}, `"*"`},
		{"star in the middle", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"a.*.test"}})
		}, `"a.*.test"`},
		{"star without dot", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"*example.com"}})
		}, `"*example.com"`},
		{"double star", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"*.*.example.com"}})
		}, `"*.*.example.com"`},
		{"wildcard of nothing", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"*."}})
		}, `"*."`},
		{"empty label", func() (presignup.Handler, error) {
			return presignup.Domains(presignup.DomainsConfig{Allow: []string{"a..test"}})
		}, "Domains: Allow: invalid domain"},
		{"invalid deny entry", func() (presignup.Handler, error) {
			return presignup.Domains(presignup.DomainsConfig{Deny: []string{"-evil.test"}})
		}, "Domains: Deny: invalid domain"},
		{"deny list in AllowDomains", func() (presignup.Handler, error) {
			return presignup.AllowDomains(presignup.DomainsConfig{Allow: []string{"good.test"}, Deny: []string{"evil.test"}})
		}, "AllowDomains: Deny is set"},
		{"allow list in DenyDomains", func() (presignup.Handler, error) {
			return presignup.DenyDomains(presignup.DomainsConfig{Allow: []string{"good.test"}, Deny: []string{"evil.test"}})
		}, "DenyDomains: Allow is set"},
		{"lists in DomainsFromEnv", func() (presignup.Handler, error) {
			return presignup.DomainsFromEnv(presignup.DomainsConfig{Deny: []string{"evil.test"}})
		}, "DomainsFromEnv: Allow or Deny is set"},
		{"foreign source", func() (presignup.Handler, error) {
			return presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"evil.test"}, Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}})
		}, "DenyDomains: Sources: \"PostConfirmation_ConfirmSignUp\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := tt.build()
			if err == nil || h != nil {
				t.Fatalf("got (%v, %v), want an error", h != nil, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "presignup.") {
				t.Errorf("error %q does not name the module and %q", err, tt.want)
			}
		})
	}
}

// TestDomainsFromEnv sets environment variables, so it cannot run in parallel.
func TestDomainsFromEnv(t *testing.T) {
	t.Setenv(presignup.EnvDomainAllowList, " example.com, *.corp.test ,,")
	t.Setenv(presignup.EnvDomainDenyList, "bad.corp.test")
	h := presignup.Must(presignup.DomainsFromEnv(presignup.DomainsConfig{}))
	for email, want := range map[string]string{
		"a@example.com":      "",
		"a@x.corp.test":      "",
		"a@bad.corp.test":    "Invalid email domain: bad.corp.test",
		"a@other.test":       "Invalid email domain: other.test",
		"a@evilexample.com":  "Invalid email domain: evilexample.com",
		"no address at all!": "Invalid email address",
	} {
		if got := outcome(h(t.Context(), withEmail(email))); got != want {
			t.Errorf("DomainsFromEnv on %q = %q, want %q", email, got, want)
		}
	}

	t.Setenv(presignup.EnvDomainAllowList, "")
	h = presignup.Must(presignup.DomainsFromEnv(presignup.DomainsConfig{}))
	if err := h(t.Context(), withEmail("a@anything.test")); err != nil {
		t.Errorf("empty DOMAINALLOWLIST should give no allow list, got %v", err)
	}
	if got := outcome(h(t.Context(), withEmail("a@bad.corp.test"))); got != "Invalid email domain: bad.corp.test" {
		t.Errorf("deny list from the environment = %q", got)
	}

	t.Setenv(presignup.EnvDomainDenyList, "bad entry.test")
	if _, err := presignup.DomainsFromEnv(presignup.DomainsConfig{}); err == nil || !strings.Contains(err.Error(), "DomainsFromEnv: DOMAINDENYLIST: invalid domain") {
		t.Errorf("invalid DOMAINDENYLIST: err = %v, want an error naming the variable", err)
	}
}

// TestDomainsFromEnvUnset unsets environment variables, so it cannot run in parallel.
func TestDomainsFromEnvUnset(t *testing.T) {
	t.Setenv(presignup.EnvDomainAllowList, "")
	t.Setenv(presignup.EnvDomainDenyList, "")
	unsetenv(t, presignup.EnvDomainAllowList)
	unsetenv(t, presignup.EnvDomainDenyList)
	h, err := presignup.DomainsFromEnv(presignup.DomainsConfig{})
	if err == nil || h != nil {
		t.Fatalf("DomainsFromEnv with nothing set = (%v, %v), want an error", h != nil, err)
	}
	for _, name := range []string{"DOMAINALLOWLIST", "DOMAINDENYLIST"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestEmailDomainIn(t *testing.T) {
	t.Parallel()
	p := mustPredicate(t)(presignup.EmailDomainIn("example.com", "*.corp.test"))
	for email, want := range map[string]bool{
		"a@example.com": true, "a@EXAMPLE.com": true, "a@x.corp.test": true,
		"a@corp.test": false, "a@evilexample.com": false, "": false, "a@": false,
	} {
		if got := p(withEmail(email)); got != want {
			t.Errorf("EmailDomainIn(%q) = %v, want %v", email, got, want)
		}
	}
	if _, err := presignup.EmailDomainIn(); err == nil {
		t.Error("EmailDomainIn() with no domains: want an error")
	}
	if _, err := presignup.EmailDomainIn("bad domain"); err == nil {
		t.Error("EmailDomainIn with an invalid domain: want an error")
	}
}

func BenchmarkDomains(b *testing.B) {
	h := presignup.Must(presignup.Domains(presignup.DomainsConfig{Allow: []string{"example.com", "*.corp.test"}, Deny: []string{"tempmail.test", "*.evil.test"}}))
	events := []*presignup.Event{withEmail("ada@example.com"), withEmail("bob@eu.corp.test"), withEmail("eve@bücher.example")}
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = h(ctx, events[i%len(events)])
	}
}
