package customauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/kmssigner"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const appPage = "https://app.example.com/sign-in"

var linkRE = regexp.MustCompile(`(https?://[^\s"#]+)#magic_link=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)`)

// tokenIn returns the page and token of the link in an email's text body.
func tokenIn(t testing.TB, text string) (page, token string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in the email:\n%s", text)
	}
	return m[1], m[2]
}

func (m *mailbox) lastLink(t testing.TB) (page, token string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no email sent")
	}
	in := m.sent[len(m.sent)-1]
	page, token = tokenIn(t, *in.Content.Simple.Body.Text.Data)
	if !strings.Contains(*in.Content.Simple.Body.Html.Data, token) {
		t.Fatal("the HTML body lacks the link")
	}
	return page, token
}

// fakeKMS signs with an ECDSA P-256 key as KMS does with an ECC_NIST_P256 key, and
// answers a bad signature with KMSInvalidSignatureException.
type fakeKMS struct {
	key   *ecdsa.PrivateKey
	keyID string
	err   error
}

func newFakeKMS(t *testing.T) *fakeKMS {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeKMS{key: k, keyID: "alias/sign-in-links"}
}

func (f *fakeKMS) check(id *string, alg kmstypes.SigningAlgorithmSpec, mt kmstypes.MessageType) error {
	if f.err != nil {
		return f.err
	}
	if aws.ToString(id) != f.keyID {
		return &kmstypes.NotFoundException{Message: aws.String("no such key")}
	}
	if alg != kmstypes.SigningAlgorithmSpecEcdsaSha256 || mt != kmstypes.MessageTypeRaw {
		return &kmstypes.InvalidKeyUsageException{Message: aws.String("wrong algorithm or message type")}
	}
	return nil
}

func (f *fakeKMS) Sign(_ context.Context, in *kms.SignInput, _ ...func(*kms.Options)) (*kms.SignOutput, error) {
	if err := f.check(in.KeyId, in.SigningAlgorithm, in.MessageType); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(in.Message)
	sig, err := ecdsa.SignASN1(rand.Reader, f.key, digest[:])
	return &kms.SignOutput{Signature: sig, KeyId: in.KeyId, SigningAlgorithm: in.SigningAlgorithm}, err
}

func (f *fakeKMS) Verify(_ context.Context, in *kms.VerifyInput, _ ...func(*kms.Options)) (*kms.VerifyOutput, error) {
	if err := f.check(in.KeyId, in.SigningAlgorithm, in.MessageType); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(in.Message)
	if !ecdsa.VerifyASN1(&f.key.PublicKey, digest[:], in.Signature) {
		return nil, &kmstypes.KMSInvalidSignatureException{Message: aws.String("invalid signature")}
	}
	return &kms.VerifyOutput{SignatureValid: true, KeyId: in.KeyId}, nil
}

type linkEnv struct {
	clock *clock
	mail  *mailbox
	store *memStore
	flow  *customauth.Flow
	logs  *triggertest.Logs
}

func newLinks(t testing.TB, cfg customauth.MagicLinkConfig) *linkEnv {
	t.Helper()
	env := &linkEnv{clock: newClock(), mail: &mailbox{}, store: newMemStore(), logs: &triggertest.Logs{}}
	cfg.From, cfg.Client, cfg.Store, cfg.Now, cfg.DecoyKey = "sign-in@example.com", env.mail, env.store, env.clock.Now, testKey
	if cfg.Signer == nil {
		cfg.Signer = mustSigner(t)
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = appPage
	}
	flow, err := customauth.MagicLink(cfg)
	if err != nil {
		t.Fatalf("MagicLink: %v", err)
	}
	env.flow = flow
	return env
}

func mustSigner(t testing.TB) customauth.LinkSigner {
	t.Helper()
	s, err := customauth.HMACSigner([]byte("link-signing-key-0123456789abcdefghijklmnop"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *linkEnv) sim(t *testing.T, cfg triggertest.AuthFlowConfig) *triggertest.AuthFlow {
	cfg.Now, cfg.SessionValidity = e.clock.Now, 15*time.Minute
	return triggertest.NewAuthFlow(t, router(e.flow, e.logs), cfg)
}

var (
	requestLink = map[string]string{customauth.MagicLinkActionKey: customauth.MagicLinkRequest}
	answerLink  = map[string]string{customauth.MagicLinkActionKey: customauth.MagicLinkAnswer}
)

func requestTo(page string) map[string]string {
	return map[string]string{customauth.MagicLinkActionKey: customauth.MagicLinkRequest, customauth.MagicLinkRedirectKey: page}
}

// askForLink starts a sign-in for user and asks for a link.
func askForLink(t *testing.T, sim *triggertest.AuthFlow, metadata map[string]string) triggertest.AuthStep {
	t.Helper()
	step := sim.Start()
	if step.Public["step"] != customauth.MagicLinkStepName || step.Public["linkState"] != customauth.LinkStateNone {
		t.Fatalf("Start() = %+v, want the magic link step in state none", step)
	}
	step = sim.AnswerWithMetadata("send me a link", metadata)
	if step.Public["linkState"] != customauth.LinkStateSent {
		t.Fatalf("after asking for a link: %+v, want state sent", step)
	}
	return step
}

func TestAuthFlowMagicLinkSameBrowser(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{})
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	step := sim.Start()
	if got, want := keysOf(step.Public), []string{"USERNAME", "email", "linkState", "step"}; !slices.Equal(got, want) {
		t.Errorf("public parameters %v, want %v", got, want)
	}
	if env.mail.count() != 0 {
		t.Fatal("an email went out before the client asked for a link")
	}
	if step = sim.AnswerWithMetadata("link please", requestLink); step.Public["linkState"] != customauth.LinkStateSent || step.Public["email"] != "a***@e***.com" {
		t.Fatalf("after the request: %+v", step)
	}
	if env.mail.count() != 1 {
		t.Fatalf("%d emails, want 1", env.mail.count())
	}
	page, token := env.mail.lastLink(t)
	if page != appPage {
		t.Errorf("link opens %s, want %s", page, appPage)
	}
	user, pool, err := customauth.ParseLinkToken(token)
	if err != nil || user != "alice" || pool != "us-east-1_EXAMPLE" {
		t.Errorf("ParseLinkToken = %q, %q, %v", user, pool, err)
	}
	ch := sim.Challenge()
	for _, s := range []string{ch.Metadata, strings.Join(keysOf(ch.Private), ","), ch.Private["nonce"]} {
		if strings.Contains(s, token) {
			t.Error("the challenge holds the token")
		}
	}
	if out := sim.AnswerWithMetadata(token, answerLink); !out.Tokens {
		t.Fatalf("answer with the link: %+v, want tokens", out)
	}
	if env.store.recs["us-east-1_EXAMPLE#alice#MAGIC_LINK"] == nil || strings.Contains(env.store.recs["us-east-1_EXAMPLE#alice#MAGIC_LINK"].rec.Hash, token) {
		t.Error("the store lacks the link's record or holds the token")
	}
	if logs := env.logs.String(); strings.Contains(logs, token) || strings.Contains(logs, token[strings.IndexByte(token, '.')+1:]) {
		t.Error("the logs show the token")
	}
}

func TestAuthFlowMagicLinkAnotherBrowser(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{})
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
	_, token := env.mail.lastLink(t)

	// The link is opened elsewhere: a new sign-in answers at once, and no email goes out.
	other := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	other.Start()
	if out := other.AnswerWithMetadata(token, answerLink); !out.Tokens {
		t.Fatalf("link opened in another browser: %+v, want tokens", out)
	}
	if env.mail.count() != 1 {
		t.Errorf("%d emails, want 1", env.mail.count())
	}

	// Replayed, in a third browser: refused.
	third := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	third.Start()
	if out := third.AnswerWithMetadata(token, nil); out.Tokens {
		t.Fatal("a used link signed in again")
	}
}

func TestAuthFlowMagicLinkRefused(t *testing.T) {
	t.Parallel()
	bobUser := triggertest.AuthUser{UserName: "bob", Attributes: map[string]string{"email": "bob@example.com", "email_verified": "true"}}
	tests := []struct {
		name   string
		answer func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep
	}{
		{"expired", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			env.clock.Advance(customauth.DefaultLinkTTL)
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
			sim.Start()
			return sim.AnswerWithMetadata(token, answerLink)
		}},
		{"tampered payload", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			body, sig, _ := strings.Cut(token, ".")
			raw, _ := base64.RawURLEncoding.DecodeString(body)
			var p map[string]any
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			p["exp"] = p["exp"].(float64) + 3600
			raw, _ = json.Marshal(p)
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
			sim.Start()
			return sim.AnswerWithMetadata(base64.RawURLEncoding.EncodeToString(raw)+"."+sig, answerLink)
		}},
		{"tampered signature", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			b := []byte(token)
			if b[len(b)-2] == 'A' {
				b[len(b)-2] = 'B'
			} else {
				b[len(b)-2] = 'A'
			}
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
			sim.Start()
			return sim.AnswerWithMetadata(string(b), answerLink)
		}},
		{"another user", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			sim := env.sim(t, triggertest.AuthFlowConfig{User: bobUser})
			sim.Start()
			return sim.AnswerWithMetadata(token, answerLink)
		}},
		{"another pool", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice, Region: "us-east-1", UserPoolID: "us-east-1_OTHER"})
			sim.Start()
			return sim.AnswerWithMetadata(token, answerLink)
		}},
		{"garbage", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
			sim.Start()
			return sim.AnswerWithMetadata("not.a-token", answerLink)
		}},
		{"replaced by a newer link", func(t *testing.T, env *linkEnv, token string) triggertest.AuthStep {
			env.clock.Advance(customauth.DefaultLinkInterval)
			askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
			if env.mail.count() != 2 {
				t.Fatalf("%d emails after the interval, want 2", env.mail.count())
			}
			sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
			sim.Start()
			return sim.AnswerWithMetadata(token, answerLink)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLinks(t, customauth.MagicLinkConfig{})
			askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
			_, token := env.mail.lastLink(t)
			if out := tt.answer(t, env, token); out.Tokens {
				t.Fatalf("%+v, want no tokens", out)
			}
		})
	}
}

func TestAuthFlowMagicLinkOneLinkPerInterval(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{})
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice, Retries: 2}), requestLink)
	_, first := env.mail.lastLink(t)
	env.clock.Advance(59 * time.Second)
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
	if env.mail.count() != 1 {
		t.Fatalf("%d emails within the interval (and with retried invocations), want 1", env.mail.count())
	}
	// The open link still works.
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.AnswerWithMetadata(first, answerLink); !out.Tokens {
		t.Fatalf("the link sent first: %+v, want tokens", out)
	}
	// A used link does not hold back a new one.
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
	if env.mail.count() != 2 {
		t.Fatalf("%d emails after the link was used, want 2", env.mail.count())
	}
}

func TestAuthFlowMagicLinkRedirects(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{AllowedRedirects: []string{"https://admin.example.com/"}})
	for _, bad := range []string{"https://evil.example/", "https://app.example.com.evil.example/sign-in", "//evil.example/",
		"https://app.example.com/other", "https://app.example.com/sign-in/../x", "javascript:alert(1)", "https://app.example.com/sign-in#x",
		"http://app.example.com/sign-in"} {
		askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestTo(bad))
		if env.mail.count() != 0 {
			t.Fatalf("a link went out for redirect %q", bad)
		}
	}
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestTo("https://admin.example.com/console?tab=1"))
	if page, _ := env.mail.lastLink(t); page != "https://admin.example.com/console?tab=1" {
		t.Errorf("link opens %s", page)
	}
}

func TestAuthFlowMagicLinkNoLinkLooksTheSame(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{})
	play := func(user triggertest.AuthUser) (*triggertest.AuthFlow, []triggertest.AuthStep) {
		sim := env.sim(t, triggertest.AuthFlowConfig{User: user})
		steps := []triggertest.AuthStep{askForLink(t, sim, requestLink)}
		steps = append(steps, sim.AnswerWithMetadata("eyJ2IjoxfQ.AAAA", answerLink), sim.AnswerWithMetadata("x.y", answerLink),
			sim.AnswerWithMetadata("x.y", answerLink))
		return sim, steps
	}
	ref, refSteps := play(alice)
	for _, user := range []triggertest.AuthUser{
		{UserName: "ghost@example.com", NotFound: true},
		{UserName: "ghost", NotFound: true},
		{UserName: "erin", Attributes: map[string]string{"email": "erin@example.com"}},
	} {
		t.Run(user.UserName, func(t *testing.T) {
			sim, steps := play(user)
			if !slices.Equal(sim.Trace(), ref.Trace()) {
				t.Errorf("trace\n%v\nwant\n%v", sim.Trace(), ref.Trace())
			}
			for i := range steps {
				if !slices.Equal(keysOf(steps[i].Public), keysOf(refSteps[i].Public)) || steps[i].Public["linkState"] != refSteps[i].Public["linkState"] {
					t.Errorf("step %d: %v, want the shape of %v", i, steps[i].Public, refSteps[i].Public)
				}
			}
		})
	}
	if env.mail.count() != 1 {
		t.Errorf("%d emails, want only alice's", env.mail.count())
	}
	if keys := slices.Collect(maps.Keys(env.store.recs)); !slices.Equal(keys, []string{"us-east-1_EXAMPLE#alice#MAGIC_LINK"}) {
		t.Errorf("store records %v, want only alice's", keys)
	}
}

func TestAuthFlowMagicLinkKMS(t *testing.T) {
	t.Parallel()
	f := newFakeKMS(t)
	env := newLinks(t, customauth.MagicLinkConfig{Signer: &kmssigner.Signer{Client: f, KeyID: f.keyID}})
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
	_, token := env.mail.lastLink(t)
	bad := token[:len(token)-4] + "AAAA"
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.AnswerWithMetadata(bad, answerLink); out.Tokens {
		t.Fatal("a forged signature signed in")
	}
	if out := sim.AnswerWithMetadata(token, answerLink); !out.Tokens {
		t.Fatalf("KMS-signed link: %+v, want tokens", out)
	}
	f.err = errors.New("kms: throttled")
	sim = env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.AnswerWithMetadata(token, answerLink); !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation || strings.Contains(out.Err.Message, "throttled") {
		t.Fatalf("KMS failing: %+v, want a generic trigger error", out)
	}

	other := newFakeKMS(t)
	env2 := newLinks(t, customauth.MagicLinkConfig{Signer: &kmssigner.Signer{Client: other, KeyID: other.keyID}})
	sim = env2.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.AnswerWithMetadata(token, answerLink); out.Tokens {
		t.Fatal("a link signed with another key signed in")
	}
}

func TestAuthFlowMagicLinkSendFails(t *testing.T) {
	t.Parallel()
	env := newLinks(t, customauth.MagicLinkConfig{})
	env.mail.err = errSES
	sim := env.sim(t, triggertest.AuthFlowConfig{User: alice})
	sim.Start()
	if out := sim.AnswerWithMetadata("x", requestLink); !out.Failed || out.Err.Code != triggertest.AuthUserLambdaValidation {
		t.Fatalf("failed send: %+v, want a trigger error", out)
	}
	env.mail.err = nil
	askForLink(t, env.sim(t, triggertest.AuthFlowConfig{User: alice}), requestLink)
	if env.mail.count() != 1 {
		t.Fatal("after a failed send, a new request within the interval sent nothing")
	}
}

func TestMagicLinkConfigErrors(t *testing.T) {
	t.Parallel()
	signer, store := mustSigner(t), newMemStore()
	good := customauth.MagicLinkConfig{From: "s@example.com", Signer: signer, Store: store, RedirectURL: appPage}
	with := func(f func(*customauth.MagicLinkConfig)) customauth.MagicLinkConfig { c := good; f(&c); return c }
	tests := []struct {
		name string
		cfg  customauth.MagicLinkConfig
		want string
	}{
		{"no from", with(func(c *customauth.MagicLinkConfig) { c.From = "" }), "From"},
		{"no signer", with(func(c *customauth.MagicLinkConfig) { c.Signer = nil }), "Signer"},
		{"no store", with(func(c *customauth.MagicLinkConfig) { c.Store = nil }), "Store"},
		{"no redirect", with(func(c *customauth.MagicLinkConfig) { c.RedirectURL = "" }), "RedirectURL"},
		{"http redirect", with(func(c *customauth.MagicLinkConfig) { c.RedirectURL = "http://app.example.com/" }), "https"},
		{"redirect with fragment", with(func(c *customauth.MagicLinkConfig) { c.RedirectURL = appPage + "#x" }), "fragment"},
		{"bad allow list", with(func(c *customauth.MagicLinkConfig) { c.AllowedRedirects = []string{"https://x.example/?q=1"} }), "query"},
		{"short ttl", with(func(c *customauth.MagicLinkConfig) { c.TTL = time.Second }), "TTL"},
		{"no link in email", with(func(c *customauth.MagicLinkConfig) { c.Text, c.HTML = "hello", "<p>hello</p>" }), "{{.Link}}"},
		{"short decoy key", with(func(c *customauth.MagicLinkConfig) { c.DecoyKey = []byte("short") }), "decoy key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := customauth.MagicLinkStep(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("MagicLinkStep: %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := customauth.HMACSigner([]byte("short")); err == nil {
		t.Error("HMACSigner accepted a short key")
	}
	if _, err := customauth.MagicLinkStep(good); err != nil {
		t.Errorf("good configuration: %v", err)
	}
}

func TestHMACSignerDoesNotPrintItsKey(t *testing.T) {
	t.Parallel()
	const key = "link-signing-key-0123456789abcdefghijklmnop"
	s, err := customauth.HMACSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(s)
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("signer", "signer", s)
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x %q", s, s, s, s, s, s), string(js), logged.String()} {
		if strings.Contains(out, key) || strings.Contains(out, fmt.Sprintf("%x", key)) ||
			strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(key))) || strings.Contains(out, "108 105 110 107") {
			t.Errorf("the signer's key shows in %s", out)
		}
	}
}
