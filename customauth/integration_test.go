package customauth_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/kmssigner"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// local holds the package's local SES, DynamoDB and KMS servers, started by the first
// test that needs them and shared by all.
var local = localaws.New(awslocal.Config{SES: true, DynamoDB: true, KMS: true})

func TestMain(m *testing.M) { localaws.Main(m, local) }

// TestIntegrationEmailOTP runs the email OTP flow against local SES and DynamoDB
// servers, through the real aws-sdk-go-v2 clients.
func TestIntegrationEmailOTP(t *testing.T) {
	t.Parallel()
	srv := local.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")

	// newFlow returns a router with the flow, a user of its own, and the user's mail.
	newFlow := func(t *testing.T, cfg customauth.EmailOTPConfig, edits ...func(*triggertest.AuthFlowConfig)) (*triggertest.AuthFlow, func() []awslocal.Email, *clock) {
		clk := newClock()
		clk.now = time.Now() // the SES server stamps mail with the real time
		cfg.From, cfg.Key, cfg.Client, cfg.Now = "sign-in@example.com", testKey, srv.SES, clk.Now
		cfg.Store = &customauth.DynamoDBStore{Client: srv.DynamoDB, Table: table}
		r := router(customauth.Must(customauth.EmailOTP(cfg)), &triggertest.Logs{})
		name := awslocal.UniqueName("user")
		addr := name + "@example.com"
		flowCfg := triggertest.AuthFlowConfig{User: triggertest.AuthUser{UserName: name,
			Attributes: map[string]string{"email": addr, "email_verified": "true"}},
			Now: clk.Now, SessionValidity: 15 * time.Minute}
		for _, edit := range edits {
			edit(&flowCfg)
		}
		sim := triggertest.NewAuthFlow(t, r, flowCfg)
		mail := func() []awslocal.Email {
			var out []awslocal.Email
			for _, e := range srv.Emails(t) {
				if slices.Contains(e.To, addr) {
					out = append(out, e)
				}
			}
			return out
		}
		return sim, mail, clk
	}
	codeOf := func(t *testing.T, e awslocal.Email) string {
		t.Helper()
		code := codeRE.FindString(e.Text)
		if code == "" || !strings.Contains(e.HTML, code) {
			t.Fatalf("email %q: no code in both bodies:\n%s\n%s", e.Subject, e.Text, e.HTML)
		}
		return code
	}

	t.Run("the email arrives and its code works once", func(t *testing.T) {
		t.Parallel()
		sim, mail, _ := newFlow(t, customauth.EmailOTPConfig{})
		if step := sim.Start(); step.ChallengeName != "CUSTOM_CHALLENGE" {
			t.Fatalf("Start() = %+v", step)
		}
		got := mail()
		if len(got) != 1 {
			t.Fatalf("%d emails arrived, want 1", len(got))
		}
		if got[0].From != "sign-in@example.com" || got[0].Subject != customauth.DefaultEmailSubject {
			t.Errorf("email from %q subject %q", got[0].From, got[0].Subject)
		}
		code := codeOf(t, got[0])
		if out := sim.Answer(code); !out.Tokens {
			t.Fatalf("first use: %+v, want tokens", out)
		}

		sim.Start()
		if n := len(mail()); n != 2 {
			t.Fatalf("%d emails after a second sign-in, want a new code", n)
		}
		if newCode := codeOf(t, mail()[1]); newCode == code {
			t.Skip("the new code happens to equal the old one")
		}
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("second use of a code signed in")
		}
	})

	t.Run("retries send one email and keep counting", func(t *testing.T) {
		t.Parallel()
		// Cognito retrying each invocation twice: one email, and a right answer still
		// signs in although Verify runs three times.
		sim, mail, _ := newFlow(t, customauth.EmailOTPConfig{}, func(c *triggertest.AuthFlowConfig) { c.Retries = 2 })
		sim.Start()
		got := mail()
		if len(got) != 1 {
			t.Fatalf("%d emails, want 1", len(got))
		}
		code := codeOf(t, got[0])
		sim.Answer(wrongCode(code))
		sim.Answer(wrongCode(code))
		if out := sim.Answer(code); !out.Tokens {
			t.Fatalf("right code on the third try with retries: %+v, want tokens", out)
		}
	})

	t.Run("restarting within the cooldown buys no tries", func(t *testing.T) {
		t.Parallel()
		sim, mail, clk := newFlow(t, customauth.EmailOTPConfig{Cooldown: time.Minute})
		sim.Start()
		code := codeOf(t, mail()[0])
		for range 3 {
			sim.Answer(wrongCode(code))
		}
		sim.Start()
		if out := sim.Answer(code); out.Tokens {
			t.Fatal("the code signed in after three wrong answers in an earlier sign-in")
		}
		if n := len(mail()); n != 1 {
			t.Fatalf("%d emails within the cooldown, want 1", n)
		}
		clk.Advance(time.Minute)
		sim.Start()
		got := mail()
		if len(got) != 2 {
			t.Fatalf("%d emails after the cooldown, want 2", len(got))
		}
		if out := sim.Answer(codeOf(t, got[1])); !out.Tokens {
			t.Fatalf("new code: %+v, want tokens", out)
		}
	})
}

// TestIntegrationDynamoDBStore checks the store's conditional writes against a local
// DynamoDB.
func TestIntegrationDynamoDBStore(t *testing.T) {
	t.Parallel()
	srv := local.Servers(t)
	store := &customauth.DynamoDBStore{Client: srv.DynamoDB, Table: srv.CreateTable(t, "", "id", ""), KeyAttribute: "id"}
	ctx := t.Context()
	key := "pool#" + awslocal.UniqueName("user")
	now := time.Now().Truncate(time.Millisecond)
	rec := customauth.CodeRecord{CodeID: "code-1", Hash: "hash-1", IssuedAt: now, ExpiresAt: now.Add(time.Minute)}

	if got, err := store.Get(ctx, key); err != nil || got != nil {
		t.Fatalf("Get(empty) = %v, %v", got, err)
	}
	mustPut := func(rec customauth.CodeRecord, replaces string, want bool) {
		t.Helper()
		if ok, err := store.Put(ctx, key, rec, replaces); err != nil || ok != want {
			t.Fatalf("Put(%s replacing %q) = %v, %v; want %v", rec.CodeID, replaces, ok, err, want)
		}
	}
	mustPut(rec, "", true)
	mustPut(rec, "", false) // a record exists
	got, err := store.Get(ctx, key)
	if err != nil || got == nil || got.CodeID != "code-1" || got.Hash != "hash-1" || !got.IssuedAt.Equal(now) ||
		!got.ExpiresAt.Equal(rec.ExpiresAt) || got.UsedBy != "" || got.Failures != 0 {
		t.Fatalf("Get = %+v, %v; want the record put", got, err)
	}

	// Wrong answers count once per challenge, and lock the code at the limit.
	for _, nonce := range []string{"n1", "n1", "n2"} {
		if err := store.Fail(ctx, key, "code-1", nonce); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Fail(ctx, key, "another-code", "n9"); err != nil {
		t.Fatalf("Fail for a replaced code: %v", err)
	}
	if got, _ := store.Get(ctx, key); got.Failures != 2 {
		t.Fatalf("Failures = %d, want 2", got.Failures)
	}
	if ok, err := store.Consume(ctx, key, "code-1", "n3", 2); err != nil || ok {
		t.Fatalf("Consume at the limit = %v, %v; want false", ok, err)
	}

	// Consume: once, idempotent for the same challenge, never for another.
	mustPut(customauth.CodeRecord{CodeID: "code-2", Hash: "h", IssuedAt: now, ExpiresAt: now.Add(time.Minute)}, "code-1", true)
	mustPut(customauth.CodeRecord{CodeID: "code-3", Hash: "h", IssuedAt: now, ExpiresAt: now}, "code-1", false)
	if ok, err := store.Consume(ctx, key, "code-1", "n4", 3); err != nil || ok {
		t.Fatalf("Consume of a replaced code = %v, %v", ok, err)
	}
	var wg sync.WaitGroup
	results := make([]bool, 6)
	for i := range results {
		nonce := []string{"a", "b"}[i%2]
		wg.Go(func() {
			ok, err := store.Consume(context.WithoutCancel(ctx), key, "code-2", nonce, 3)
			if err != nil {
				t.Error(err)
			}
			results[i] = ok
		})
	}
	wg.Wait()
	won := map[bool]int{}
	for i, ok := range results {
		if ok {
			won[i%2 == 0]++
		}
	}
	if len(won) != 1 || (won[true] != 3 && won[false] != 3) {
		t.Fatalf("Consume results %v: want exactly one challenge to win, every time", results)
	}
	if got, _ := store.Get(ctx, key); got.UsedBy == "" {
		t.Fatal("UsedBy not recorded")
	}

	if err := store.Delete(ctx, key, "code-1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Get(ctx, key); got == nil {
		t.Fatal("Delete removed a record holding another code")
	}
	if err := store.Delete(ctx, key, "code-2"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, key); err != nil || got != nil {
		t.Fatalf("Get after Delete = %+v, %v", got, err)
	}
}

// TestIntegrationMagicLink runs the magic link flow against local SES, DynamoDB and KMS
// servers, through the real aws-sdk-go-v2 clients, signed with an HMAC key and with an
// ECC_NIST_P256 KMS key through kmssigner: the link arrives, works once, in another
// browser too, and is refused when replayed, expired, tampered with, used for another
// user or pool, or replaced; a second link asked for too soon is not sent.
func TestIntegrationMagicLink(t *testing.T) {
	t.Parallel()
	srv := local.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")
	hmacSigner := mustSigner(t)
	kmsSigner := &kmssigner.Signer{Client: srv.KMS, KeyID: srv.CreateKMSSigningKey(t)}

	type env struct {
		clk   *clock
		logs  *triggertest.Logs
		r     func(edits ...func(*triggertest.AuthFlowConfig)) *triggertest.AuthFlow
		user  triggertest.AuthUser
		links func() []string // tokens of the links that arrived, oldest first
	}
	newEnv := func(t *testing.T, signer customauth.LinkSigner) *env {
		clk := newClock()
		clk.now = time.Now()
		flow := customauth.Must(customauth.MagicLink(customauth.MagicLinkConfig{
			From: "sign-in@example.com", Signer: signer, Client: srv.SES, Now: clk.Now, DecoyKey: testKey,
			Store:       &customauth.DynamoDBStore{Client: srv.DynamoDB, Table: table},
			RedirectURL: appPage,
		}))
		logs := &triggertest.Logs{}
		r := router(flow, logs)
		name := awslocal.UniqueName("user")
		addr := name + "@example.com"
		e := &env{clk: clk, logs: logs, user: triggertest.AuthUser{UserName: name,
			Attributes: map[string]string{"email": addr, "email_verified": "true"}}}
		e.r = func(edits ...func(*triggertest.AuthFlowConfig)) *triggertest.AuthFlow {
			cfg := triggertest.AuthFlowConfig{User: e.user, Now: clk.Now, SessionValidity: 15 * time.Minute}
			for _, edit := range edits {
				edit(&cfg)
			}
			return triggertest.NewAuthFlow(t, r, cfg)
		}
		e.links = func() []string {
			var out []string
			for _, m := range srv.Emails(t) {
				if slices.Contains(m.To, addr) {
					page, token := tokenIn(t, m.Text)
					if page != appPage || !strings.Contains(m.HTML, token) {
						t.Fatalf("email %q links to %s, or its HTML lacks the link", m.Subject, page)
					}
					out = append(out, token)
				}
			}
			return out
		}
		return e
	}
	answer := func(sim *triggertest.AuthFlow, token string) triggertest.AuthStep {
		sim.Start()
		return sim.AnswerWithMetadata(token, answerLink)
	}

	for name, signer := range map[string]customauth.LinkSigner{"HMAC": hmacSigner, "KMS": kmsSigner} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("works once, in another browser", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, signer)
				askForLink(t, e.r(), requestLink)
				links := e.links()
				if len(links) != 1 {
					t.Fatalf("%d links arrived, want 1", len(links))
				}
				if out := answer(e.r(), links[0]); !out.Tokens {
					t.Fatalf("first use: %+v, want tokens", out)
				}
				if out := answer(e.r(), links[0]); out.Tokens {
					t.Fatal("a replayed link signed in")
				}
			})
			t.Run("an unknown user gets the same challenges and no email", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, signer)
				e.user = triggertest.AuthUser{UserName: e.user.UserName, NotFound: true}
				askForLink(t, e.r(), requestLink)
				if n := len(e.links()); n != 0 {
					t.Fatalf("%d links to an unknown user", n)
				}
			})
			t.Run("refused", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, signer)
				askForLink(t, e.r(), requestLink)
				token := e.links()[0]
				other := newEnv(t, signer)
				body, sig, _ := strings.Cut(token, ".")
				raw, _ := base64.RawURLEncoding.DecodeString(sig)
				raw[len(raw)-1] ^= 1 // the signature's last byte, inside its value
				badSig := body + "." + base64.RawURLEncoding.EncodeToString(raw)
				payload, _ := base64.RawURLEncoding.DecodeString(body)
				longer := strings.Replace(string(payload), `"exp":`, `"exp":9`, 1) // a later expiry, same signature
				badBody := base64.RawURLEncoding.EncodeToString([]byte(longer)) + "." + sig
				if out := answer(other.r(), token); out.Tokens {
					t.Error("another user's link signed in")
				}
				if out := answer(e.r(func(c *triggertest.AuthFlowConfig) { c.UserPoolID = "us-east-1_OTHER" }), token); out.Tokens {
					t.Error("another pool's link signed in")
				}
				for _, tampered := range []string{badSig, badBody} {
					// A wrong answer, not a failed check: the next challenge follows.
					if out := answer(e.r(), tampered); out.Tokens || out.ChallengeName != "CUSTOM_CHALLENGE" {
						t.Errorf("a tampered link: %+v, want another challenge", out)
					}
				}
				// Refused by the signer, not only by the store's hash of the token.
				badSignatures := 0
				for _, l := range e.logs.Find(t, "magic link rejected") {
					if l["reason"] == "bad signature" {
						badSignatures++
					}
				}
				if badSignatures != 2 {
					t.Errorf("%d answers refused for their signature, want the 2 tampered ones", badSignatures)
				}

				// Too soon: no second email; then, after the interval, a new link that
				// replaces the first.
				askForLink(t, e.r(), requestLink)
				if n := len(e.links()); n != 1 {
					t.Fatalf("%d links within the interval, want 1", n)
				}
				e.clk.Advance(customauth.DefaultLinkInterval)
				askForLink(t, e.r(), requestLink)
				links := e.links()
				if len(links) != 2 {
					t.Fatalf("%d links after the interval, want 2", len(links))
				}
				if out := answer(e.r(), token); out.Tokens {
					t.Error("a replaced link signed in")
				}
				e.clk.Advance(customauth.DefaultLinkTTL)
				if out := answer(e.r(), links[1]); out.Tokens {
					t.Error("an expired link signed in")
				}
			})
		})
	}
}
