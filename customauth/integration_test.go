package customauth_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationEmailOTP runs the email OTP flow against local SES and DynamoDB
// servers, through the real aws-sdk-go-v2 clients.
func TestIntegrationEmailOTP(t *testing.T) {
	t.Parallel()
	srv := awslocal.Start(t, awslocal.WithSES(), awslocal.WithDynamoDB())
	table := srv.CreateTable(t, "", "pk", "")

	// newFlow returns a router with the flow, a user of its own, and the user's mail.
	newFlow := func(t *testing.T, cfg customauth.EmailOTPConfig, opts ...triggertest.AuthFlowOption) (*triggertest.AuthFlow, func() []awslocal.Email, *clock) {
		clk := newClock()
		clk.now = time.Now() // the SES server stamps mail with the real time
		cfg.From, cfg.Key, cfg.SES, cfg.Now = "sign-in@example.com", testKey, srv.SES, clk.Now
		cfg.Store = &customauth.DynamoDBStore{Client: srv.DynamoDB, Table: table}
		r := router(customauth.Must(customauth.EmailOTP(cfg)), &triggertest.Logs{})
		name := awslocal.UniqueName("user")
		addr := name + "@example.com"
		sim := triggertest.NewAuthFlow(t, r, triggertest.AuthUser{UserName: name,
			Attributes: map[string]string{"email": addr, "email_verified": "true"}},
			append([]triggertest.AuthFlowOption{triggertest.WithAuthClock(clk.Now),
				triggertest.WithAuthSessionValidity(15 * time.Minute)}, opts...)...)
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
		sim, mail, _ := newFlow(t, customauth.EmailOTPConfig{}, triggertest.WithAuthRetries(2))
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
	srv := awslocal.Start(t, awslocal.WithDynamoDB())
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
