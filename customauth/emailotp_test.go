package customauth_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// otpEnv is an email OTP flow with fake SES, clock and (optionally) store.
type otpEnv struct {
	clock  *clock
	mail   *mailbox
	store  *memStore
	logs   *triggertest.Logs
	router *triggers.Router
}

func newOTP(t *testing.T, cfg customauth.EmailOTPConfig, withStore bool) *otpEnv {
	t.Helper()
	env := &otpEnv{clock: newClock(), mail: &mailbox{}, logs: &triggertest.Logs{}}
	if cfg.From == "" {
		cfg.From = "sign-in@example.com"
	}
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	cfg.Client, cfg.Now = env.mail, env.clock.Now
	if withStore {
		env.store = newMemStore()
		cfg.Store = env.store
	}
	flow, err := customauth.EmailOTP(cfg)
	if err != nil {
		t.Fatalf("EmailOTP: %v", err)
	}
	env.router = router(flow, env.logs)
	return env
}

func (e *otpEnv) sim(t *testing.T, cfg triggertest.AuthFlowConfig) *triggertest.AuthFlow {
	cfg.Now, cfg.SessionValidity = e.clock.Now, 15*time.Minute
	return triggertest.NewAuthFlow(t, e.router, cfg)
}

// containsCode reports whether s shows code as a number of its own.
func containsCode(s, code string) bool {
	return regexp.MustCompile(`(^|[^0-9])` + code + `([^0-9]|$)`).MatchString(s)
}

func TestAuthFlowEmailOTPRightCode(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{}, false)
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})

	step := sim.Start()
	if step.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("Start() = %+v, want a custom challenge", step)
	}
	if got, want := keysOf(step.Public), []string{"USERNAME", "codeLength", "email", "step"}; !slices.Equal(got, want) {
		t.Errorf("public parameters %v, want %v", got, want)
	}
	if step.Public["email"] != "a***@e***.com" || step.Public["codeLength"] != "6" || step.Public["step"] != "EMAIL_OTP" {
		t.Errorf("public parameters = %v", step.Public)
	}
	if env.mail.count() != 1 {
		t.Fatalf("%d emails sent, want 1", env.mail.count())
	}
	in := env.mail.sent[0]
	if *in.FromEmailAddress != "sign-in@example.com" || !slices.Equal(in.Destination.ToAddresses, []string{"alice@example.com"}) ||
		*in.Content.Simple.Subject.Data != customauth.DefaultEmailSubject {
		t.Errorf("email from %s to %v subject %q", *in.FromEmailAddress, in.Destination.ToAddresses, *in.Content.Simple.Subject.Data)
	}
	code := env.mail.lastCode(t)
	if len(code) != 6 || !containsCode(*in.Content.Simple.Body.Html.Data, code) {
		t.Errorf("code %q not a 6 digit code shown in the HTML body", code)
	}

	// The code is nowhere but in the email.
	ch := sim.Challenge()
	for name, s := range map[string]string{
		"public": fmt.Sprint(ch.Public), "private": fmt.Sprint(ch.Private), "metadata": ch.Metadata,
	} {
		if containsCode(s, code) {
			t.Errorf("%s challenge data shows the code: %s", name, s)
		}
	}
	if ch.Private["issuedAt"] != fmt.Sprint(env.clock.Now().UnixMilli()) || ch.Private["codeHash"] == "" {
		t.Errorf("private parameters %v lack the issue time or the hash", keysOf(ch.Private))
	}
	if !strings.HasPrefix(ch.Metadata, "EMAIL_OTP:") {
		t.Errorf("metadata %q does not name the step", ch.Metadata)
	}

	if out := sim.Answer(" " + code[:3] + " " + code[3:]); !out.Tokens {
		t.Fatalf("Answer(code with spaces) = %+v, want tokens", out)
	}
}

func TestAuthFlowEmailOTPWrongCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		limit    int // MaxWrongAnswers
		maxWrong int
	}{
		{"default limit", 0, 3},
		{"one try", 1, 1},
		{"five tries", 5, 5},
	}
	for _, tt := range tests {
		for _, withStore := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/store=%v", tt.name, withStore), func(t *testing.T) {
				t.Parallel()
				env := newOTP(t, customauth.EmailOTPConfig{MaxWrongAnswers: tt.limit}, withStore)
				sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
				sim.Start()
				wrong := wrongCode(env.mail.lastCode(t))
				for i := 1; i < tt.maxWrong; i++ {
					if out := sim.Answer(wrong); out.ChallengeName != "CUSTOM_CHALLENGE" {
						t.Fatalf("wrong answer %d of %d: %+v, want another try", i, tt.maxWrong, out)
					}
				}
				out := sim.Answer(wrong)
				if !out.Failed || out.Err.Code != triggertest.AuthNotAuthorized {
					t.Fatalf("wrong answer %d: %+v, want the sign-in to fail", tt.maxWrong, out)
				}
				if env.mail.count() != 1 {
					t.Errorf("%d emails sent, want the same code throughout", env.mail.count())
				}
			})
		}
	}
}

// wrongCode returns a code that differs from code in every digit.
func wrongCode(code string) string {
	b := []byte(code)
	for i := range b {
		b[i] = '0' + (b[i]-'0'+1)%10
	}
	return string(b)
}

func TestAuthFlowEmailOTPWrongThenRight(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{}, false)
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	code := env.mail.lastCode(t)
	for _, answer := range []string{wrongCode(code), "", "12345", "abcdef"} {
		if out := sim.Answer(answer); out.ChallengeName != "CUSTOM_CHALLENGE" {
			if out.Failed {
				break // the limit of three
			}
			t.Fatalf("Answer(%q) = %+v", answer, out)
		}
	}
	sim.Start()
	code = env.mail.lastCode(t)
	sim.Answer(wrongCode(code))
	sim.Answer(wrongCode(code))
	if out := sim.Answer(code); !out.Tokens {
		t.Fatalf("right code after two wrong ones: %+v, want tokens", out)
	}
}

func TestAuthFlowEmailOTPExpiredCode(t *testing.T) {
	t.Parallel()
	t.Run("last try", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{CodeTTL: time.Minute, MaxWrongAnswers: 1}, false)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		code := env.mail.lastCode(t)
		env.clock.Advance(time.Minute)
		if out := sim.Answer(code); !out.Failed {
			t.Fatalf("expired code: %+v, want failure", out)
		}
	})
	t.Run("a new code is sent on the next try", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{CodeTTL: time.Minute}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		old := env.mail.lastCode(t)
		env.clock.Advance(59 * time.Second)
		sim.Answer(wrongCode(old)) // still valid: the same code stays
		if env.mail.count() != 1 {
			t.Fatalf("%d emails before expiry, want 1", env.mail.count())
		}
		env.clock.Advance(2 * time.Second)
		if out := sim.Answer(old); out.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("expired code: %+v, want another try", out)
		}
		if env.mail.count() != 2 {
			t.Fatalf("%d emails, want a new code after expiry", env.mail.count())
		}
		if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
			t.Fatalf("new code: %+v, want tokens", out)
		}
	})
}

func TestAuthFlowEmailOTPRetriedCreate(t *testing.T) {
	t.Parallel()
	// Cognito retries every invocation twice: Create runs three times per challenge.
	for _, withStore := range []bool{false, true} {
		t.Run(fmt.Sprintf("store=%v", withStore), func(t *testing.T) {
			t.Parallel()
			env := newOTP(t, customauth.EmailOTPConfig{}, withStore)
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice, Retries: 2})
			sim.Start()
			code := env.mail.lastCode(t)
			wrong := wrongCode(code)
			sim.Answer(wrong)
			sim.Answer(wrong)
			if out := sim.Answer(wrong); !out.Failed {
				t.Fatalf("third wrong answer with retried Creates: %+v, want failure", out)
			}
			want := 3 // without a store each retried first Create sends its own code
			if withStore {
				want = 1
			}
			if env.mail.count() != want {
				t.Errorf("%d emails, want %d", env.mail.count(), want)
			}

			env.clock.Advance(customauth.DefaultCodeCooldown) // past the cooldown: a new code
			sim.Start()
			if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
				t.Fatalf("latest code with retried invocations: %+v, want tokens", out)
			}
		})
	}
}

func TestAuthFlowEmailOTPCooldown(t *testing.T) {
	t.Parallel()
	t.Run("restarting does not buy more tries", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{Cooldown: time.Minute}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		code := env.mail.lastCode(t)
		for range 3 {
			sim.Answer(wrongCode(code))
		}
		// A new sign-in within the cooldown: no email, and the code has had its tries.
		if out := sim.Start(); out.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("restart: %+v", out)
		}
		if env.mail.count() != 1 {
			t.Fatalf("%d emails within the cooldown, want 1", env.mail.count())
		}
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("the right code signed in after the limit of wrong answers was reached")
		}
		env.clock.Advance(time.Minute)
		sim.Start()
		if env.mail.count() != 2 {
			t.Fatalf("%d emails after the cooldown, want 2", env.mail.count())
		}
		if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
			t.Fatalf("new code after the cooldown: %+v, want tokens", out)
		}
	})
	t.Run("an abandoned sign-in's code works in the next", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		code := env.mail.lastCode(t)
		sim.Start()
		if env.mail.count() != 1 {
			t.Fatalf("%d emails, want 1 within the cooldown", env.mail.count())
		}
		if out := sim.Answer(code); !out.Tokens {
			t.Fatalf("code from the first sign-in: %+v, want tokens", out)
		}
	})
	t.Run("a code signs in once", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{}, true)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		code := env.mail.lastCode(t)
		if out := sim.Answer(code); !out.Tokens {
			t.Fatalf("first use: %+v", out)
		}
		sim.Start()
		if env.mail.count() != 2 {
			t.Fatalf("%d emails, want a new code for a new sign-in after a successful one", env.mail.count())
		}
		if code2 := env.mail.lastCode(t); code2 == code {
			t.Skip("the new code happens to equal the old one")
		}
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("a used code signed in again")
		}
	})
}

func TestEmailOTPConcurrentSignInsSendOneEmail(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{}, true)
	var wg sync.WaitGroup
	steps := make([]triggertest.AuthStep, 8)
	for i := range steps {
		wg.Go(func() { steps[i] = env.sim(t, triggertest.AuthFlowConfig{User: alice}).Start() })
	}
	wg.Wait()
	for i, s := range steps {
		if s.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Errorf("sign-in %d: %+v", i, s)
		}
	}
	if env.mail.count() != 1 {
		t.Errorf("%d emails for 8 simultaneous sign-ins, want 1", env.mail.count())
	}
}

func TestAuthFlowEmailOTPUserNotFound(t *testing.T) {
	t.Parallel()
	for _, withStore := range []bool{false, true} {
		t.Run(fmt.Sprintf("store=%v", withStore), func(t *testing.T) {
			t.Parallel()
			env := newOTP(t, customauth.EmailOTPConfig{}, withStore)
			type run struct {
				trace []string
				keys  [][]string
				email []string
				err   triggertest.AuthError
			}
			play := func(user triggertest.AuthUser, answer func() string) run {
				var r run
				sim := env.sim(t, triggertest.AuthFlowConfig{User: user})
				out := sim.Start()
				for out.ChallengeName != "" {
					r.keys = append(r.keys, keysOf(out.Public))
					r.email = append(r.email, out.Public["email"])
					out = sim.Answer(answer())
				}
				r.trace, r.err = sim.Trace(), *out.Err
				return r
			}
			real := play(alice, func() string { return wrongCode(env.mail.lastCode(t)) })
			sent := env.mail.count()
			ghostRun := play(ghost, func() string { return "123456" })
			if env.mail.count() != sent {
				t.Errorf("an email was sent for a user that does not exist")
			}
			if !slices.Equal(real.trace, ghostRun.trace) {
				t.Errorf("sequence differs:\nexisting %v\nmissing  %v", real.trace, ghostRun.trace)
			}
			if !slices.EqualFunc(real.keys, ghostRun.keys, slices.Equal) {
				t.Errorf("public parameter keys differ: %v vs %v", real.keys, ghostRun.keys)
			}
			if real.err != ghostRun.err {
				t.Errorf("errors differ: %v vs %v", real.err, ghostRun.err)
			}
			if ghostRun.email[0] != "g***@e***.com" {
				t.Errorf("masked address for a missing email-like user name = %q", ghostRun.email[0])
			}
		})
	}
}

func TestEmailOTPMaskedAddressForMissingUser(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{}, false)
	shape := regexp.MustCompile(`^[a-z]\*\*\*@[a-z]\*\*\*\.[a-z]+$`)
	nobody := triggertest.AuthUser{UserName: "nobody42", NotFound: true}
	first := env.sim(t, triggertest.AuthFlowConfig{User: nobody}).Start().Public["email"]
	again := env.sim(t, triggertest.AuthFlowConfig{User: nobody}).Start().Public["email"]
	if !shape.MatchString(first) || first != again {
		t.Errorf("masked addresses %q, %q: want one plausible address, the same each time", first, again)
	}
	if env.mail.count() != 0 {
		t.Errorf("%d emails sent", env.mail.count())
	}
}

func TestAuthFlowEmailOTPUndeliverable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   customauth.EmailOTPConfig
		attrs map[string]string
	}{
		{"no email attribute", customauth.EmailOTPConfig{}, map[string]string{"sub": "1"}},
		{"unverified email when verified is required", customauth.EmailOTPConfig{RequireVerifiedEmail: true},
			map[string]string{"email": "bob@example.com", "email_verified": "false"}},
		{"other attribute named", customauth.EmailOTPConfig{EmailAttribute: "custom:work_email"},
			map[string]string{"email": "bob@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newOTP(t, tt.cfg, false)
			sim := env.sim(t, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "bob", Attributes: tt.attrs}})
			out := sim.Start()
			for out.ChallengeName != "" {
				out = sim.Answer("000000")
			}
			if !out.Failed || env.mail.count() != 0 {
				t.Errorf("outcome %+v with %d emails, want a failure and none", out, env.mail.count())
			}
		})
	}
	t.Run("verified email with RequireVerifiedEmail", func(t *testing.T) {
		t.Parallel()
		env := newOTP(t, customauth.EmailOTPConfig{RequireVerifiedEmail: true}, false)
		sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
		sim.Start()
		if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
			t.Fatalf("%+v, want tokens", out)
		}
	})
}

func TestAuthFlowEmailOTPSendFailure(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{}, true)
	env.mail.err = errSES
	out := env.sim(t, triggertest.AuthFlowConfig{User: alice}).Start()
	if !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation ||
		out.Err.Message != "CreateAuthChallenge failed with error "+triggers.DefaultErrorMessage+"." {
		t.Fatalf("Start with SES down: %+v, want the generic error", out)
	}
	if strings.Contains(out.Err.Message, "throttled") {
		t.Error("the SES error reached the client")
	}
	// The unsent code was forgotten: the next attempt sends one at once.
	env.mail.err = nil
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if env.mail.count() != 1 {
		t.Fatalf("%d emails after SES recovered, want 1", env.mail.count())
	}
	if out := sim.Answer(env.mail.lastCode(t)); !out.Tokens {
		t.Fatalf("%+v, want tokens", out)
	}
}

func TestEmailOTPTemplates(t *testing.T) {
	t.Parallel()
	env := newOTP(t, customauth.EmailOTPConfig{
		CodeLength: 8,
		CodeTTL:    90 * time.Second,
		Subject:    "Code for {{.Email}}\nsecond line",
		Text:       "Use {{.Code}} within {{.Minutes}} minutes.",
		HTML:       `<b>{{.Code}}</b> for <i>{{.Email}}</i>`,
	}, false)
	out := env.sim(t, triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: "eve",
		Attributes: map[string]string{"email": "eve<x>@example.com"}}}).Start()
	if out.Public["codeLength"] != "8" {
		t.Errorf("codeLength = %q", out.Public["codeLength"])
	}
	code := env.mail.lastCode(t)
	msg := env.mail.sent[0].Content.Simple
	if got, want := *msg.Subject.Data, "Code for eve<x>@example.com second line"; got != want {
		t.Errorf("subject %q, want %q (one line)", got, want)
	}
	if got, want := *msg.Body.Text.Data, "Use "+code+" within 2 minutes."; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if got, want := *msg.Body.Html.Data, "<b>"+code+"</b> for <i>eve&lt;x&gt;@example.com</i>"; got != want {
		t.Errorf("HTML %q, want %q", got, want)
	}
}

func TestEmailOTPConfigErrors(t *testing.T) {
	valid := func() customauth.EmailOTPConfig {
		return customauth.EmailOTPConfig{From: "a@example.com", Key: testKey}
	}
	tests := []struct {
		name string
		edit func(*customauth.EmailOTPConfig)
		env  string // OTP_HMAC_KEY
		want string
	}{
		{"no from", func(c *customauth.EmailOTPConfig) { c.From = "" }, "", "customauth.EmailOTP: From"},
		{"no key", func(c *customauth.EmailOTPConfig) { c.Key = nil }, "", "hash key"},
		{"short key", func(c *customauth.EmailOTPConfig) { c.Key = []byte("short") }, "", "hash key"},
		{"short key in env", func(c *customauth.EmailOTPConfig) { c.Key = nil }, "short", "hash key"},
		{"code too short", func(c *customauth.EmailOTPConfig) { c.CodeLength = 3 }, "", "customauth.EmailOTP: CodeLength"},
		{"code too long", func(c *customauth.EmailOTPConfig) { c.CodeLength = 13 }, "", "customauth.EmailOTP: CodeLength"},
		{"TTL too short", func(c *customauth.EmailOTPConfig) { c.CodeTTL = time.Millisecond }, "", "TTL"},
		{"bad text template", func(c *customauth.EmailOTPConfig) { c.Text = "{{.Code" }, "", "text template"},
		{"bad HTML template", func(c *customauth.EmailOTPConfig) { c.HTML = "{{if}}" }, "", "HTML template"},
		{"template field unknown", func(c *customauth.EmailOTPConfig) { c.Subject = "{{.Nope}}" }, "", "templates"},
		{"no code shown", func(c *customauth.EmailOTPConfig) { c.Text, c.HTML = "Hello", "<p>Hello</p>" }, "", "{{.Code}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(customauth.OTPKeyEnv, tt.env)
			cfg := valid()
			tt.edit(&cfg)
			_, err := customauth.EmailOTP(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EmailOTP() error = %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), string(testKey)) {
				t.Error("error shows the key")
			}
		})
	}
	t.Run("key from env", func(t *testing.T) {
		t.Setenv(customauth.OTPKeyEnv, string(testKey))
		cfg := valid()
		cfg.Key = nil
		if _, err := customauth.EmailOTP(cfg); err != nil {
			t.Fatalf("EmailOTP() with the key in %s: %v", customauth.OTPKeyEnv, err)
		}
	})
}

func TestNewCodeLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4, 6, 12, 33, 64} {
		code, err := customauth.NewCode(n)
		if err != nil || len(code) != n || strings.Trim(code, "0123456789") != "" {
			t.Errorf("NewCode(%d) = %q, %v; want %d digits", n, code, err, n)
		}
	}
	for _, n := range []int{-1, 0, 65} {
		if _, err := customauth.NewCode(n); err == nil {
			t.Errorf("NewCode(%d) succeeded", n)
		}
	}
}

// TestNewCodeUniform checks with a chi-square test that every digit is equally likely,
// overall and at each position (a leading zero included). With 9 degrees of freedom,
// a statistic above 44.81 has probability 1e-6 for uniform digits, so the test fails by
// chance about once in 150,000 runs.
func TestNewCodeUniform(t *testing.T) {
	t.Parallel()
	const (
		codes    = 10000
		length   = 6
		critical = 44.81
	)
	var overall [10]int
	var byPos [length][10]int
	for range codes {
		code, err := customauth.NewCode(length)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range []byte(code) {
			overall[c-'0']++
			byPos[i][c-'0']++
		}
	}
	chi2 := func(counts [10]int) float64 {
		n := 0
		for _, c := range counts {
			n += c
		}
		exp := float64(n) / 10
		s := 0.0
		for _, c := range counts {
			d := float64(c) - exp
			s += d * d / exp
		}
		return s
	}
	if s := chi2(overall); s > critical {
		t.Errorf("digits over %d codes: chi-square %.1f > %.2f: %v", codes, s, critical, overall)
	}
	for i, counts := range byPos {
		if s := chi2(counts); s > critical {
			t.Errorf("position %d: chi-square %.1f > %.2f: %v", i, s, critical, counts)
		}
	}
}

// BenchmarkAuthFlowEmailOTP measures one passwordless sign-in (Define, Create, Verify,
// Define through the JSON boundary, with in-memory SES and store): the CPU cost of the
// flow itself, without network.
func BenchmarkAuthFlowEmailOTP(b *testing.B) {
	env := &otpEnv{clock: newClock(), mail: &mailbox{}, store: newMemStore(), logs: &triggertest.Logs{}}
	flow := customauth.Must(customauth.EmailOTP(customauth.EmailOTPConfig{
		From: "sign-in@example.com", Key: testKey, Client: env.mail, Store: env.store, Now: env.clock.Now, Cooldown: -1}))
	r := flow.Register(triggers.NewRouter(quietLogger()))
	sim := triggertest.NewAuthFlow(b, r, triggertest.AuthFlowConfig{User: alice, Now: env.clock.Now})
	for b.Loop() {
		sim.Start()
		code := *env.mail.sent[len(env.mail.sent)-1].Content.Simple.Body.Text.Data
		if out := sim.Answer(codeRE.FindString(code)); !out.Tokens {
			b.Fatalf("%+v", out)
		}
	}
}
