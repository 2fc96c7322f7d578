package customauth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/triggers"
)

// These tests look inside the steps: a decoy's wait is a sleep, injected here with the
// clock that measures deliveries, so that nothing depends on real time.

func TestDeliveryPace(t *testing.T) {
	t.Parallel()
	var p deliveryPace
	if got := p.estimate(); got != defaultDecoyWait {
		t.Fatalf("estimate before any delivery = %s, want %s", got, defaultDecoyWait)
	}
	steps := []struct {
		observe time.Duration
		want    time.Duration
	}{
		{300 * time.Millisecond, 300 * time.Millisecond},                                   // the first replaces the default
		{700 * time.Millisecond, 350 * time.Millisecond},                                   // then 1/8 of the gap
		{time.Hour, 350*time.Millisecond + (maxDecoyWait-350*time.Millisecond)/paceWeight}, // capped at a second
	}
	for _, s := range steps {
		p.observe(s.observe)
		if got := p.estimate(); got != s.want {
			t.Fatalf("after %s: estimate %s, want %s", s.observe, got, s.want)
		}
	}
	var fast deliveryPace
	fast.observe(0)
	if got := fast.estimate(); got != minDecoyWait {
		t.Fatalf("after an instant delivery: estimate %s, want the floor %s", got, minDecoyWait)
	}
	for range 200 {
		p.observe(time.Hour)
	}
	if got := p.estimate(); got > maxDecoyWait || got < maxDecoyWait-10*time.Millisecond {
		t.Fatalf("after many slow deliveries: estimate %s, want about %s", got, maxDecoyWait)
	}
}

func TestSleepContextDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepContext on a done context = %v, want context.Canceled", err)
	}
	if err := sleepContext(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
}

// fakePacing is a clock that only moves when told to, and a sleep that records.
type fakePacing struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	sleepE error
}

func (f *fakePacing) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakePacing) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakePacing) sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	f.now = f.now.Add(d)
	return f.sleepE
}

func (f *fakePacing) sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

func (f *fakePacing) pacer() pacer {
	return pacer{pace: new(deliveryPace), now: f.Now, sleep: f.sleep}
}

// slowSES takes d of the fake clock per email.
type slowSES struct {
	clk  *fakePacing
	d    time.Duration
	mu   sync.Mutex
	sent int
}

func (s *slowSES) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	s.clk.advance(s.d)
	s.mu.Lock()
	s.sent++
	s.mu.Unlock()
	return &sesv2.SendEmailOutput{}, nil
}

// mapStore is a CodeStore in a map, enough for Create.
type mapStore struct {
	mu   sync.Mutex
	recs map[string]CodeRecord
}

func (s *mapStore) Get(_ context.Context, key string) (*CodeRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.recs[key]; ok {
		return &r, nil
	}
	return nil, nil
}

func (s *mapStore) Put(_ context.Context, key string, rec CodeRecord, replaces string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recs == nil {
		s.recs = map[string]CodeRecord{}
	}
	if old, ok := s.recs[key]; ok != (replaces != "") || (ok && old.CodeID != replaces) {
		return false, nil
	}
	s.recs[key] = rec
	return true, nil
}

func (s *mapStore) Delete(context.Context, string, string) error { return nil }
func (s *mapStore) Consume(context.Context, string, string, string, int) (bool, error) {
	return false, nil
}
func (s *mapStore) Fail(context.Context, string, string, string) error { return nil }

var paceKey = []byte("pace-test-key-0123456789abcdefghijklmnop")

func challengeFor(user string, notFound bool, metadata map[string]string) *Challenge {
	e := &CreateEvent{Header: triggers.Header{UserPoolID: "us-east-1_pace", UserName: user},
		Request: triggers.CreateAuthChallengeRequest{UserNotFound: notFound, ClientMetadata: metadata}}
	if !notFound {
		e.Request.UserAttributes = map[string]string{"email": user + "@example.com", "email_verified": "true"}
	}
	return &Challenge{Event: e, Attempt: 1, Public: map[string]string{}, Private: map[string]string{}}
}

// TestDecoyWaitsLikeASend checks that where a step sends nothing (no user, or a message
// sent too recently) it waits as long as its real sends took, and that a done context
// ends the wait with an error as it would end a send.
func TestDecoyWaitsLikeASend(t *testing.T) {
	t.Parallel()
	const sendTime = 300 * time.Millisecond
	type step struct {
		create func(context.Context, *Challenge) error
		ses    *slowSES
		clk    *fakePacing
	}
	build := map[string]func(t *testing.T) step{
		"magic link": func(t *testing.T) step {
			clk := &fakePacing{now: time.Unix(1e9, 0)}
			ses := &slowSES{clk: clk, d: sendTime}
			m, err := newMagicLink("test", MagicLinkConfig{From: "sign-in@example.com", Signer: hmacSigner{key: paceKey},
				Store: &mapStore{}, RedirectURL: "https://app.example.com/sign-in", Client: ses, DecoyKey: paceKey})
			if err != nil {
				t.Fatal(err)
			}
			m.pace = clk.pacer()
			return step{create: func(ctx context.Context, c *Challenge) error {
				c.Event.Request.ClientMetadata = map[string]string{MagicLinkActionKey: MagicLinkRequest}
				return m.create(ctx, c)
			}, ses: ses, clk: clk}
		},
		"email OTP": func(t *testing.T) step {
			clk := &fakePacing{now: time.Unix(1e9, 0)}
			ses := &slowSES{clk: clk, d: sendTime}
			o, err := newEmailOTP("test", EmailOTPConfig{From: "sign-in@example.com", Key: paceKey, Client: ses, Store: &mapStore{}})
			if err != nil {
				t.Fatal(err)
			}
			o.pace = clk.pacer()
			return step{create: o.create, ses: ses, clk: clk}
		},
		"code sender": func(t *testing.T) step {
			// The machinery of smsotp's step: CodeStep with a Send of its own.
			clk := &fakePacing{now: time.Unix(1e9, 0)}
			ses := &slowSES{clk: clk, d: sendTime}
			o, err := codeSettings("test", "SMS_OTP", paceKey, nil, 0, 0, 0, &mapStore{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			o.ch = codeChannel{logPrefix: "SMS OTP", hashLabel: "test", storeSuffix: "#SMS_OTP",
				recipient: func(_ []byte, e *CreateEvent) (string, bool) { return "+15550100", !e.Request.UserNotFound },
				public:    func(c *Challenge, dest string) { c.Public["phone"] = dest },
				deliver: func(ctx context.Context, _, _ string) error {
					_, err := ses.SendEmail(ctx, nil)
					return err
				}}
			o.pace = clk.pacer()
			return step{create: o.create, ses: ses, clk: clk}
		},
	}
	for name, build := range build {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := build(t)
			ctx := t.Context()
			if err := s.create(ctx, challengeFor("nobody", true, nil)); err != nil {
				t.Fatal(err)
			}
			if got := s.clk.sleeps(); len(got) != 1 || got[0] != defaultDecoyWait {
				t.Fatalf("decoy before any send slept %v, want [%s]", got, defaultDecoyWait)
			}
			if err := s.create(ctx, challengeFor("alice", false, nil)); err != nil {
				t.Fatal(err)
			}
			if s.ses.sent != 1 || len(s.clk.sleeps()) != 1 {
				t.Fatalf("a real send: %d sent, slept %v; want 1 send and no sleep", s.ses.sent, s.clk.sleeps())
			}
			// Asking again within the interval sends nothing and waits as long as the send.
			if err := s.create(ctx, challengeFor("alice", false, nil)); err != nil {
				t.Fatal(err)
			}
			if err := s.create(ctx, challengeFor("nobody", true, nil)); err != nil {
				t.Fatal(err)
			}
			if got := s.clk.sleeps(); len(got) != 3 || got[1] != sendTime || got[2] != sendTime || s.ses.sent != 1 {
				t.Fatalf("slept %v with %d sent; want two more sleeps of %s and still 1 send", got, s.ses.sent, sendTime)
			}
			s.clk.sleepE = context.DeadlineExceeded
			err := s.create(ctx, challengeFor("nobody", true, nil))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("decoy whose wait is cut short: %v, want the context's error", err)
			}
		})
	}
}
