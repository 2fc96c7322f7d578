package customauth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// testKey is the hash key of the tests; long enough, and easy to spot in logs.
var testKey = []byte("test-key-0123456789abcdefghijklmnopqrstuvwxyz")

// clock is a settable clock shared by the simulator and the triggers.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mailbox is a fake SES: it keeps what it is asked to send.
type mailbox struct {
	mu   sync.Mutex
	sent []*sesv2.SendEmailInput
	err  error // returned by SendEmail when set
}

func (m *mailbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	m.sent = append(m.sent, in)
	return &sesv2.SendEmailOutput{}, nil
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

var codeRE = regexp.MustCompile(`\b\d{4,12}\b`)

// lastCode returns the code in the latest email's text body.
func (m *mailbox) lastCode(t *testing.T) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no email sent")
	}
	code := codeRE.FindString(*m.sent[len(m.sent)-1].Content.Simple.Body.Text.Data)
	if code == "" {
		t.Fatal("no code in the email")
	}
	return code
}

// memStore is an in-memory CodeStore with the atomicity the interface asks for.
type memStore struct {
	mu   sync.Mutex
	recs map[string]*storedRecord
}

type storedRecord struct {
	rec    customauth.CodeRecord
	failed map[string]bool
}

func newMemStore() *memStore { return &memStore{recs: map[string]*storedRecord{}} }

func (s *memStore) Get(_ context.Context, key string) (*customauth.CodeRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recs[key]
	if r == nil {
		return nil, nil
	}
	rec := r.rec
	rec.Failures = len(r.failed)
	return &rec, nil
}

func (s *memStore) Put(_ context.Context, key string, rec customauth.CodeRecord, replaces string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.recs[key]
	if (replaces == "" && cur != nil) || (replaces != "" && (cur == nil || cur.rec.CodeID != replaces)) {
		return false, nil
	}
	s.recs[key] = &storedRecord{rec: rec, failed: map[string]bool{}}
	return true, nil
}

func (s *memStore) Delete(_ context.Context, key, codeID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.recs[key]; r != nil && r.rec.CodeID == codeID {
		delete(s.recs, key)
	}
	return nil
}

func (s *memStore) Consume(_ context.Context, key, codeID, nonce string, maxFailures int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recs[key]
	if r == nil || r.rec.CodeID != codeID || (r.rec.UsedBy != "" && r.rec.UsedBy != nonce) || len(r.failed) >= maxFailures {
		return false, nil
	}
	r.rec.UsedBy = nonce
	return true, nil
}

func (s *memStore) Fail(_ context.Context, key, codeID, nonce string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.recs[key]; r != nil && r.rec.CodeID == codeID {
		r.failed[nonce] = true
	}
	return nil
}

// router returns a router with flow registered, logging JSON at debug level to logs;
// cfg, at most one, configures it further.
func router(flow *customauth.Flow, logs *triggertest.Logs, cfg ...triggers.RouterConfig) *triggers.Router {
	var c triggers.RouterConfig
	if len(cfg) > 0 {
		c = cfg[0]
	}
	c.Logger = logs.Logger()
	return flow.Register(triggers.NewRouter(c))
}

var (
	alice = triggertest.AuthUser{
		UserName:   "alice",
		Attributes: map[string]string{"sub": "0001", "email": "alice@example.com", "email_verified": "true"},
	}
	ghost = triggertest.AuthUser{UserName: "ghost@example.com", NotFound: true}
)

var errSES = errors.New("ses: throttled")

// keysOf returns the sorted keys of m.
func keysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quietLogger() triggers.RouterConfig {
	return triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}
