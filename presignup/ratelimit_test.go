package presignup_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

// fakeCounters models the one conditional counter update RateLimit makes: the item's
// count goes up by one and the attempt joins its set, unless the count has reached
// :limit or the set holds the attempt already.
type fakeCounters struct {
	mu      sync.Mutex
	items   map[string]map[string]types.AttributeValue
	updates int
	err     error
	getErr  error
}

func newFakeCounters() *fakeCounters {
	return &fakeCounters{items: map[string]map[string]types.AttributeValue{}}
}

func (f *fakeCounters) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	pk := in.Key["pk"].(*types.AttributeValueMemberS).Value
	limit, _ := strconv.Atoi(in.ExpressionAttributeValues[":limit"].(*types.AttributeValueMemberN).Value)
	attempt := in.ExpressionAttributeValues[":attempt"].(*types.AttributeValueMemberS).Value
	item := f.items[pk]
	count := 0
	var attempts []string
	if item != nil {
		count, _ = strconv.Atoi(item["count"].(*types.AttributeValueMemberN).Value)
		attempts = item["attempts"].(*types.AttributeValueMemberSS).Value
	}
	if count >= limit || slices.Contains(attempts, attempt) {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	expires := in.ExpressionAttributeValues[":end"]
	if item != nil {
		expires = item["expiresAt"]
	}
	f.items[pk] = map[string]types.AttributeValue{
		"pk":        &types.AttributeValueMemberS{Value: pk},
		"count":     &types.AttributeValueMemberN{Value: strconv.Itoa(count + 1)},
		"attempts":  &types.AttributeValueMemberSS{Value: append(slices.Clone(attempts), attempt)},
		"expiresAt": expires,
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *fakeCounters) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return nil, f.getErr
	}
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errors.New("want a consistent read")
	}
	return &dynamodb.GetItemOutput{Item: f.items[in.Key["pk"].(*types.AttributeValueMemberS).Value]}, nil
}

func (f *fakeCounters) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.items {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// clock is a settable time source for the configs' Now fields.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// attempt is a sign-up from ip by user, with one distinguishing field so that each call
// is a different attempt.
func attempt(ip, user string) *presignup.Event {
	e := withEmail(user + "@example.com")
	e.UserName = user
	e.Request.ValidationData = map[string]string{"ipAddress": ip}
	return e
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	db := newFakeCounters()
	clk := &clock{now: time.Unix(1_750_000_000, 0)} // 1_749_999_600 is the hour's start
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 3, Window: time.Hour, Now: clk.Now}))
	limited := presignup.DefaultRateLimitMessages.Limited

	for i := range 3 {
		if err := h(t.Context(), attempt("203.0.113.7", "user"+strconv.Itoa(i))); err != nil {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	if got := outcome(h(t.Context(), attempt("203.0.113.7", "user3"))); got != limited {
		t.Fatalf("sign-up 4 = %q, want %q", got, limited)
	}
	if err := h(t.Context(), attempt("198.51.100.1", "other")); err != nil {
		t.Errorf("another key is limited too: %v", err)
	}
	// Cognito delivering an admitted attempt again is not a new sign-up.
	if err := h(t.Context(), attempt("203.0.113.7", "user1")); err != nil {
		t.Errorf("redelivered admitted attempt = %v, want success", err)
	}
	// The next window starts afresh.
	clk.Add(3200 * time.Second) // 1_750_003_200
	if err := h(t.Context(), attempt("203.0.113.7", "user4")); err != nil {
		t.Errorf("first sign-up of the next window: %v", err)
	}
	for _, k := range db.keys() {
		if strings.Contains(k, "203.0.113.7") {
			t.Errorf("key %q stores the client address", k)
		}
	}
	windows := map[string]int{}
	for _, k := range db.keys() {
		_, start, _ := strings.Cut(k, "#")
		windows[start]++
	}
	if len(windows) != 2 || windows["1749999600"] != 2 || windows["1750003200"] != 1 {
		t.Errorf("counters per window start = %v, want two in 1749999600 and one in 1750003200", windows)
	}
}

func TestRateLimitMissingKey(t *testing.T) {
	t.Parallel()
	db := newFakeCounters()
	strict := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute}))
	lenient := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute, AllowMissingKey: true}))
	custom := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute,
		Messages: presignup.RateLimitMessages{MissingKey: "Please update the app"}}))
	e := withEmail("a@example.com")
	e.Request.ClientMetadata = map[string]string{"ipAddress": "  "}
	if got := outcome(strict(t.Context(), e)); got != presignup.DefaultRateLimitMessages.MissingKey {
		t.Errorf("missing key, default = %q", got)
	}
	if got := outcome(custom(t.Context(), e)); got != "Please update the app" {
		t.Errorf("missing key, custom text = %q", got)
	}
	for range 3 {
		if err := lenient(t.Context(), e); err != nil {
			t.Errorf("missing key with AllowMissingKey = %v", err)
		}
	}
	if db.updates != 0 {
		t.Errorf("%d counter updates for sign-ups without a key", db.updates)
	}
}

func TestRateLimitKeyFunc(t *testing.T) {
	t.Parallel()
	db := newFakeCounters()
	byDomain := presignup.KeyFunc(func(e *presignup.Event) string {
		_, domain, _ := strings.Cut(e.Request.UserAttributes["email"], "@")
		return domain
	})
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute,
		Key: byDomain, Messages: presignup.RateLimitMessages{Limited: "Slow down"}}))
	if err := h(t.Context(), withEmail("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := outcome(h(t.Context(), withEmail("b@example.com"))); got != "Slow down" {
		t.Errorf("second sign-up of the domain = %q, want Slow down", got)
	}
	meta := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute, Key: presignup.MetadataKey("device")}))
	e := withEmail("c@example.com")
	e.Request.ClientMetadata = map[string]string{"device": "d-1"}
	if err := meta(t.Context(), e); err != nil {
		t.Errorf("MetadataKey(device): %v", err)
	}
}

func TestRateLimitNoOp(t *testing.T) {
	t.Parallel()
	db := newFakeCounters()
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute}))
	for _, src := range []triggers.TriggerSource{presignup.AdminCreateUser, presignup.ExternalProvider} {
		e := event(src, map[string]string{"email": "a@example.com"})
		if err := h(t.Context(), e); err != nil {
			t.Errorf("%s without a key = %v, want no-op", src, err)
		}
	}
	if db.updates != 0 {
		t.Errorf("no-op sources updated counters %d times", db.updates)
	}
}

func TestRateLimitErrors(t *testing.T) {
	t.Parallel()
	db := newFakeCounters()
	db.err = errBoom
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute}))
	err := h(t.Context(), attempt("203.0.113.7", "a"))
	if _, ok := triggers.AsRejection(err); ok || !errors.Is(err, errBoom) {
		t.Errorf("update failure = %v, want the wrapped DynamoDB error", err)
	}

	db = newFakeCounters()
	db.getErr = errBoom
	h = presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 1, Window: time.Minute}))
	if err := h(t.Context(), attempt("203.0.113.7", "a")); err != nil {
		t.Fatal(err)
	}
	err = h(t.Context(), attempt("203.0.113.7", "b"))
	if _, ok := triggers.AsRejection(err); ok || !errors.Is(err, errBoom) {
		t.Errorf("read-back failure = %v, want the wrapped DynamoDB error", err)
	}
}

func TestRateLimitConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  presignup.RateLimitConfig
		want string
	}{
		{"no table", presignup.RateLimitConfig{Limit: 1, Window: time.Minute}, "presignup.RateLimit: Table is empty"},
		{"zero limit", presignup.RateLimitConfig{Table: "t", Window: time.Minute}, "presignup.RateLimit: Limit is 0"},
		{"short window", presignup.RateLimitConfig{Table: "t", Limit: 1, Window: time.Millisecond}, "presignup.RateLimit: Window is 1ms"},
		{"no window", presignup.RateLimitConfig{Table: "t", Limit: 1}, "presignup.RateLimit: Window is 0s"},
		{"huge limit", presignup.RateLimitConfig{Table: "t", Limit: presignup.MaxRateLimit + 1, Window: time.Minute}, "presignup.RateLimit: Limit is 10001"},
		{"foreign source", presignup.RateLimitConfig{Table: "t", Limit: 1, Window: time.Minute, Sources: triggers.Sources{"Nope"}},
			`presignup.RateLimit: Sources: "Nope"`},
	}
	for _, tt := range tests {
		if h, err := presignup.RateLimit(tt.cfg); err == nil || h != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got (%v, %v), want an error containing %q", tt.name, h != nil, err, tt.want)
		}
	}
}
