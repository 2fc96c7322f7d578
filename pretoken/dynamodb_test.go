package pretoken_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/pretoken"
)

// fakeDB is a table keyed by the string value of its partition key, whatever the key
// attribute is called. It records every request.
type fakeDB struct {
	mu     sync.Mutex
	items  map[string]map[string]types.AttributeValue
	err    error
	inputs []*dynamodb.GetItemInput
}

func (f *fakeDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, in)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	for name, v := range in.Key {
		if name == "sk" {
			continue
		}
		return &dynamodb.GetItemOutput{Item: f.items[v.(*types.AttributeValueMemberS).Value]}, nil
	}
	return nil, errors.New("no key")
}

func (f *fakeDB) put(key string, item map[string]types.AttributeValue) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.items == nil {
		f.items = map[string]map[string]types.AttributeValue{}
	}
	f.items[key] = item
}

func (f *fakeDB) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeDB) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.inputs)
}

func (f *fakeDB) lastInput() *dynamodb.GetItemInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inputs[len(f.inputs)-1]
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// userEvent returns a version 2 sign-in event for the user with the given sub.
func userEvent(t testing.TB, sub string) *pretoken.Event {
	e := newEvent(t, "v2_authentication.json")
	e.Request.UserAttributes["sub"] = sub
	return e
}

func accessClaims(e *pretoken.Event) map[string]any {
	d := e.Response.ClaimsAndScopeOverrideDetails
	if d == nil || d.AccessTokenGeneration == nil {
		return nil
	}
	return d.AccessTokenGeneration.ClaimsToAddOrOverride
}

func TestDynamoDBCacheHitMissAndExpiry(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	db.put("u1", map[string]types.AttributeValue{"plan": s("pro")})
	clk := newClock()
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "entitlements", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}, CacheTTL: time.Minute, Now: clk.Now}))
	run := func(sub string) *pretoken.Event {
		t.Helper()
		e := userEvent(t, sub)
		if err := h(context.Background(), e); err != nil {
			t.Fatalf("%s: %v", sub, err)
		}
		return e
	}

	if got := accessClaims(run("u1"))["plan"]; got != "pro" {
		t.Fatalf("first lookup: plan = %v, want pro", got)
	}
	if db.calls() != 1 {
		t.Fatalf("first lookup: %d GetItem calls, want 1", db.calls())
	}

	db.put("u1", map[string]types.AttributeValue{"plan": s("enterprise")})
	clk.advance(59 * time.Second)
	if got := accessClaims(run("u1"))["plan"]; got != "pro" || db.calls() != 1 {
		t.Errorf("within the TTL: plan = %v after %d calls, want the cached pro after 1", got, db.calls())
	}

	clk.advance(time.Second)
	if got := accessClaims(run("u1"))["plan"]; got != "enterprise" || db.calls() != 2 {
		t.Errorf("at the TTL: plan = %v after %d calls, want the new enterprise after 2", got, db.calls())
	}

	// A user without an item is cached as such too.
	run("nobody")
	run("nobody")
	if db.calls() != 3 {
		t.Errorf("missing item looked up %d times in all, want it cached after the first", db.calls()-2)
	}
	clk.advance(time.Minute)
	run("nobody")
	if db.calls() != 4 {
		t.Errorf("missing item not looked up again after the TTL")
	}
}

func TestDynamoDBCacheIsBounded(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	clk := newClock()
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}, CacheSize: 2, Now: clk.Now}))
	wantCalls := 0
	for i, step := range []struct {
		sub     string
		fetched bool
	}{
		{"a", true}, {"b", true}, {"a", false}, // a is now the most recently used
		{"c", true},  // evicts b, the least recently used
		{"a", false}, // still there
		{"b", true},  // evicted before, evicts c
		{"c", true},
	} {
		if err := h(context.Background(), userEvent(t, step.sub)); err != nil {
			t.Fatal(err)
		}
		if step.fetched {
			wantCalls++
		}
		if db.calls() != wantCalls {
			t.Fatalf("step %d (%s): %d GetItem calls, want %d", i, step.sub, db.calls(), wantCalls)
		}
	}
}

func TestDynamoDBCacheOffAndErrorsNotCached(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	db.put("u1", map[string]types.AttributeValue{"plan": s("pro")})
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}, CacheTTL: -1}))
	for range 3 {
		if err := h(context.Background(), userEvent(t, "u1")); err != nil {
			t.Fatal(err)
		}
	}
	if db.calls() != 3 {
		t.Errorf("cache off: %d calls for 3 sign-ins, want 3", db.calls())
	}

	db2 := &fakeDB{}
	db2.put("u1", map[string]types.AttributeValue{"plan": s("pro")})
	cached := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db2, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}}))
	db2.setErr(errors.New("ProvisionedThroughputExceededException"))
	e := userEvent(t, "u1")
	if err := cached(context.Background(), e); err == nil || !errors.Is(err, db2.err) {
		t.Fatalf("failed lookup: %v, want the DynamoDB error wrapped", err)
	}
	if e.Response.ClaimsAndScopeOverrideDetails != nil {
		t.Errorf("failed lookup wrote a response: %+v", e.Response.ClaimsAndScopeOverrideDetails)
	}
	db2.setErr(nil)
	e = userEvent(t, "u1")
	if err := cached(context.Background(), e); err != nil || accessClaims(e)["plan"] != "pro" {
		t.Errorf("after the failure: err %v, claims %v; want a fresh lookup", err, accessClaims(e))
	}
}

func TestDynamoDBMissingItem(t *testing.T) {
	t.Parallel()
	mapping := map[string]string{"plan": "plan"}
	tests := []struct {
		name    string
		cfg     pretoken.DynamoDBConfig
		want    string // response JSON
		wantErr string // user-facing text
	}{
		{"skip by default", pretoken.DynamoDBConfig{}, `{}`, ""},
		{"reject", pretoken.DynamoDBConfig{MissingMessage: "Your account is not set up yet"}, "", "Your account is not set up yet"},
		{"default", pretoken.DynamoDBConfig{MissingClaims: map[string]any{"plan": "free", "seats": 1}},
			`{"claimsAndScopeOverrideDetails":{` +
				`"accessTokenGeneration":{"claimsToAddOrOverride":{"plan":"free","seats":1}},` +
				`"idTokenGeneration":{"claimsToAddOrOverride":{"plan":"free","seats":1}}}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Client, cfg.Table, cfg.KeyAttribute, cfg.Claims = &fakeDB{}, "t", "pk", mapping
			h := pretoken.Must(pretoken.ClaimsFromDynamoDB(cfg))
			event, ierr := handle(t, h, "v2_authentication.json")
			if tt.wantErr != "" {
				if ierr == nil || ierr.Message != tt.wantErr || ierr.Type != "Rejected" {
					t.Fatalf("error = %+v, want rejection %q", ierr, tt.wantErr)
				}
				return
			}
			if ierr != nil {
				t.Fatal(ierr.Text())
			}
			if got := jsonText(t, response(t, h, "v2_authentication.json")); got != tt.want || event["response"] == nil {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDynamoDBKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     pretoken.DynamoDBConfig
		fixture string
		wantKey map[string]string // nil: no lookup at all
	}{
		{"sub by default", pretoken.DynamoDBConfig{}, "v2_authentication.json",
			map[string]string{"pk": "5f2c9b1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f"}},
		{"username", pretoken.DynamoDBConfig{KeyFrom: pretoken.KeyFromUsername}, "v0_cognito_local.json",
			map[string]string{"pk": "ada"}},
		{"attribute with prefix and sort key",
			pretoken.DynamoDBConfig{UserAttribute: "email", KeyPrefix: "USER#", SortKeyAttribute: "sk", SortKeyValue: "ENTITLEMENTS"},
			"v1_authentication.json", map[string]string{"pk": "USER#ada@example.com", "sk": "ENTITLEMENTS"}},
		{"client ID", pretoken.DynamoDBConfig{KeyFrom: pretoken.KeyFromClientID}, "v2_authentication.json",
			map[string]string{"pk": "3n4b5urk1ft4fl3mg5e62d9ado"}},
		{"client ID for a machine", pretoken.DynamoDBConfig{KeyFrom: pretoken.KeyFromClientID}, "v3_client_credentials.json",
			map[string]string{"pk": "1m2achine3client4id5example"}},
		{"no user for a machine", pretoken.DynamoDBConfig{}, "v3_client_credentials.json", nil},
		{"attribute the user lacks", pretoken.DynamoDBConfig{UserAttribute: "custom:none"}, "v2_authentication.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{}
			cfg := tt.cfg
			cfg.Client, cfg.Table, cfg.KeyAttribute = db, "entitlements", "pk"
			cfg.Claims = map[string]string{"plan": "plan", "size": "team_size"}
			h := pretoken.Must(pretoken.ClaimsFromDynamoDB(cfg))
			response(t, h, tt.fixture)
			if tt.wantKey == nil {
				if db.calls() != 0 {
					t.Fatalf("looked up %v, want no lookup", db.lastInput().Key)
				}
				return
			}
			if db.calls() != 1 {
				t.Fatalf("%d lookups, want 1", db.calls())
			}
			in := db.lastInput()
			got := map[string]string{}
			for k, v := range in.Key {
				got[k] = v.(*types.AttributeValueMemberS).Value
			}
			if jsonText(t, got) != jsonText(t, tt.wantKey) {
				t.Errorf("key = %v, want %v", got, tt.wantKey)
			}
			// Only the mapped attributes are read, through placeholders, since "size"
			// is a DynamoDB reserved word.
			if aws.ToString(in.TableName) != "entitlements" || aws.ToString(in.ProjectionExpression) != "#a0, #a1" ||
				in.ExpressionAttributeNames["#a0"] != "plan" || in.ExpressionAttributeNames["#a1"] != "size" {
				t.Errorf("request = table %q, projection %q, names %v", aws.ToString(in.TableName),
					aws.ToString(in.ProjectionExpression), in.ExpressionAttributeNames)
			}
		})
	}
}

func TestDynamoDBValueTypes(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	db.put("5f2c9b1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f", map[string]types.AttributeValue{
		"perms":    &types.AttributeValueMemberSS{Value: []string{"write", "read", "admin"}},
		"seats":    &types.AttributeValueMemberN{Value: "25"},
		"trial":    &types.AttributeValueMemberBOOL{Value: false},
		"limits":   &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"api": &types.AttributeValueMemberN{Value: "100"}, "note": &types.AttributeValueMemberNULL{Value: true}}},
		"regions":  &types.AttributeValueMemberL{Value: []types.AttributeValue{s("eu"), &types.AttributeValueMemberN{Value: "1.5"}}},
		"nothing":  &types.AttributeValueMemberNULL{Value: true},
		"unmapped": s("never"),
	})
	mapping := map[string]string{"perms": "permissions", "seats": "seats", "trial": "trial",
		"limits": "limits", "regions": "regions", "nothing": "nothing", "absent": "absent"}
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk", Claims: mapping, Tokens: pretoken.IDToken}))

	v2 := at(response(t, h, "v2_authentication.json"), "claimsAndScopeOverrideDetails")
	want := `{"idTokenGeneration":{"claimsToAddOrOverride":{"limits":{"api":100,"note":null},` +
		`"permissions":["admin","read","write"],"regions":["eu",1.5],"seats":25,"trial":false}}}`
	if got := jsonText(t, v2); got != want {
		t.Errorf("v2:\n got %s\nwant %s", got, want)
	}
	v1 := at(response(t, h, "v1_authentication.json"), "claimsOverrideDetails", "claimsToAddOrOverride")
	want = `{"limits":"{\"api\":100,\"note\":null}","permissions":"[\"admin\",\"read\",\"write\"]",` +
		`"regions":"[\"eu\",1.5]","seats":"25","trial":"false"}`
	if got := jsonText(t, v1); got != want {
		t.Errorf("v1:\n got %s\nwant %s", got, want)
	}
}

// Concurrent invocations share one cache; run with -race.
func TestDynamoDBConcurrent(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	for i := range 10 {
		db.put(fmt.Sprint("u", i), map[string]types.AttributeValue{"plan": s(fmt.Sprint("plan", i))})
	}
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: db, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}, CacheSize: 5}))
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			sub := fmt.Sprint("u", i%10)
			e := userEvent(t, sub)
			if err := h(context.Background(), e); err != nil {
				t.Error(err)
				return
			}
			if got, want := accessClaims(e)["plan"], fmt.Sprint("plan", i%10); got != want {
				t.Errorf("%s: plan = %v, want %s", sub, got, want)
			}
		})
	}
	wg.Wait()
}

// The lookup honours the router's budget: a table that does not answer fails the
// trigger in time instead of hanging until Cognito gives up.
func TestDynamoDBHonoursContext(t *testing.T) {
	t.Parallel()
	h := pretoken.Must(pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: blockingDB{}, Table: "t", KeyAttribute: "pk", Claims: map[string]string{"plan": "plan"}}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := h(ctx, userEvent(t, "u1"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
}

type blockingDB struct{}

func (blockingDB) GetItem(ctx context.Context, _ *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
