package pretoken

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/triggers"
)

// GetItemAPI is the part of the DynamoDB client that [ClaimsFromDynamoDB] uses;
// *dynamodb.Client satisfies it as is.
type GetItemAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Defaults of [ClaimsFromDynamoDB]'s cache.
const (
	// DefaultCacheTTL bounds how long a change to an item takes to reach new tokens.
	DefaultCacheTTL = time.Minute
	// DefaultCacheSize bounds the memory the cache takes: a few hundred bytes per user.
	DefaultCacheSize = 10000
)

// DynamoDBOption configures [ClaimsFromDynamoDB].
type DynamoDBOption interface{ applyDynamoDB(*dynamoConfig) error }

type dynamoOption func(*dynamoConfig) error

func (f dynamoOption) applyDynamoDB(c *dynamoConfig) error { return f(c) }

func (o TokensOption) applyDynamoDB(c *dynamoConfig) (err error) {
	c.tokens, err = o.validate()
	return err
}

type keySource uint8

const (
	keyAttribute keySource = iota
	keyUsername
	keyClientID
)

type missPolicy uint8

const (
	missSkip missPolicy = iota
	missReject
	missDefault
)

type dynamoConfig struct {
	tokens        Token
	source        keySource
	attribute     string
	prefix        string
	sortAttribute string
	sortValue     string
	consistent    bool
	miss          missPolicy
	missMessage   string
	defaults      map[string]any
	ttl           time.Duration
	size          int
	now           func() time.Time
}

// KeyFromAttribute makes the lookup key the value of the user attribute name. The
// default is the sub attribute, which never changes for a user; an attribute the user
// lacks counts as a missing item (see [OnMissingReject]).
func KeyFromAttribute(name string) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if name == "" {
			return fmt.Errorf("KeyFromAttribute: empty attribute name")
		}
		c.source, c.attribute = keyAttribute, name
		return nil
	})
}

// KeyFromUsername makes the lookup key the user's username (the event's userName).
func KeyFromUsername() DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error { c.source = keyUsername; return nil })
}

// KeyFromClientID makes the lookup key the app client ID (callerContext.clientId), for
// claims per application. It is the one key that also works on
// TokenGeneration_ClientCredentials, so that machine-to-machine tokens get claims per
// client.
func KeyFromClientID() DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error { c.source = keyClientID; return nil })
}

// WithKeyPrefix puts prefix before the key value, as single-table designs do
// ("USER#" + sub).
func WithKeyPrefix(prefix string) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error { c.prefix = prefix; return nil })
}

// WithSortKey adds a sort key attribute with a fixed string value to the lookup, for
// tables whose key has two parts ("pk" = "USER#" + sub, "sk" = "ENTITLEMENTS").
func WithSortKey(attribute, value string) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if attribute == "" || value == "" {
			return fmt.Errorf("WithSortKey: empty attribute name or value")
		}
		c.sortAttribute, c.sortValue = attribute, value
		return nil
	})
}

// ConsistentRead makes the lookup a strongly consistent read, so that a write a moment
// before sign-in is seen; it costs twice the read capacity.
func ConsistentRead() DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error { c.consistent = true; return nil })
}

// OnMissingSkip leaves the tokens as they are when the table has no item for the user.
// It is the default.
func OnMissingSkip() DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error { c.miss, c.defaults = missSkip, nil; return nil })
}

// OnMissingReject denies the tokens when the table has no item for the user: sign-in
// (or token refresh) fails and the user sees message.
func OnMissingReject(message string) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if strings.TrimSpace(message) == "" {
			return fmt.Errorf("OnMissingReject: empty message")
		}
		c.miss, c.missMessage, c.defaults = missReject, message, nil
		return nil
	})
}

// OnMissingDefault adds claims instead when the table has no item for the user, such
// as a "free" plan. They are checked as [OverrideClaims] checks its claims.
func OnMissingDefault(claims map[string]any) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if len(claims) == 0 {
			return fmt.Errorf("OnMissingDefault: no claims")
		}
		c.miss, c.defaults = missDefault, maps.Clone(claims)
		return nil
	})
}

// WithCacheTTL sets how long a looked-up item (or its absence) is reused before the
// table is asked again; the default is [DefaultCacheTTL]. Zero turns the cache off.
// Failed lookups are never cached.
func WithCacheTTL(ttl time.Duration) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if ttl < 0 {
			return fmt.Errorf("WithCacheTTL(%s): negative", ttl)
		}
		c.ttl = ttl
		return nil
	})
}

// WithCacheSize bounds the number of users the cache holds; the least recently used is
// dropped first. The default is [DefaultCacheSize].
func WithCacheSize(n int) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if n <= 0 {
			return fmt.Errorf("WithCacheSize(%d): want a positive size", n)
		}
		c.size = n
		return nil
	})
}

// WithClock sets the clock the cache reads, for tests; the default is time.Now.
func WithClock(now func() time.Time) DynamoDBOption {
	return dynamoOption(func(c *dynamoConfig) error {
		if now == nil {
			return fmt.Errorf("WithClock: nil clock")
		}
		c.now = now
		return nil
	})
}

// lookup is one user's looked-up claims, as cached.
type lookup struct {
	found  bool
	claims []claim
}

type dynamoClaims struct {
	client    *awsclient.Lazy[GetItemAPI]
	table     string
	keyAttr   string
	mapping   map[string]string // item attribute -> claim
	projected string
	names     map[string]string
	cfg       dynamoConfig
	defaults  []claim
	cache     *ttlCache[lookup]
}

// ClaimsFromDynamoDB returns a module that looks up the user's item in a DynamoDB table
// and adds claims from it: claims maps an item attribute, such as "permissions", to a
// claim name, such as "permissions". The item's key attribute is keyAttribute, a string
// whose value is the user's sub by default (see [KeyFromAttribute], [KeyFromUsername],
// [KeyFromClientID], [WithKeyPrefix] and [WithSortKey]). A nil client means the
// process-wide default client.
//
// Values keep their DynamoDB types in version 2 and 3 tokens: a string set becomes a
// sorted list of strings, a number a JSON number, a map an object. A version 1 token
// takes each as its JSON text. Item attributes that are missing or NULL are skipped.
//
// Results are cached in memory, per key, for [DefaultCacheTTL] and up to
// [DefaultCacheSize] users (see [WithCacheTTL], [WithCacheSize]); a missing item is
// cached too, a failed lookup is not. A user without an item keeps the tokens unchanged
// by default; [OnMissingReject] denies them, [OnMissingDefault] adds fallback claims. A
// lookup that fails (throttling, a timeout within the router's budget) fails the
// trigger, so that nobody gets tokens without their entitlements' restrictions.
//
// It acts on every token generation trigger source with a user, and does nothing on
// TokenGeneration_ClientCredentials unless the key is the client ID. By default the
// claims go to both tokens as far as the event allows; [InTokens] narrows that.
//
// The error, returned here rather than at sign-in, reports an empty table, key or
// mapping, and a claim name Cognito would refuse.
func ClaimsFromDynamoDB(client GetItemAPI, table, keyAttribute string, claims map[string]string, opts ...DynamoDBOption) (Handler, error) {
	fail := func(err error) (Handler, error) {
		return nil, fmt.Errorf("pretoken: ClaimsFromDynamoDB: %w", err)
	}
	cfg := dynamoConfig{tokens: BothTokens, attribute: "sub", ttl: DefaultCacheTTL, size: DefaultCacheSize, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyDynamoDB(&cfg); err != nil {
			return fail(err)
		}
	}
	switch {
	case table == "":
		return fail(fmt.Errorf("empty table name"))
	case keyAttribute == "":
		return fail(fmt.Errorf("empty key attribute name"))
	case len(claims) == 0:
		return fail(fmt.Errorf("no item attribute to map to a claim"))
	case keyAttribute == cfg.sortAttribute:
		return fail(fmt.Errorf("the sort key attribute is the partition key attribute %q", keyAttribute))
	}
	m := &dynamoClaims{
		client: awsclient.NewLazy(client, func(ctx context.Context) (GetItemAPI, error) {
			return lazydynamodb.Default(ctx)
		}),
		table:   table,
		keyAttr: keyAttribute,
		mapping: maps.Clone(claims),
		names:   make(map[string]string, len(claims)),
		cfg:     cfg,
	}
	projection := make([]string, 0, len(claims))
	for i, attr := range slices.Sorted(maps.Keys(claims)) {
		if attr == "" {
			return fail(fmt.Errorf("empty item attribute name"))
		}
		if err := checkAdd(cfg.tokens, claims[attr]); err != nil {
			return fail(fmt.Errorf("item attribute %q: %w", attr, err))
		}
		// Placeholders, since attribute names may be DynamoDB reserved words.
		ph := "#a" + strconv.Itoa(i)
		m.names[ph] = attr
		projection = append(projection, ph)
	}
	m.projected = strings.Join(projection, ", ")
	if cfg.miss == missDefault {
		var err error
		if m.defaults, err = prepareClaims(cfg.tokens, cfg.defaults); err != nil {
			return fail(fmt.Errorf("OnMissingDefault: %w", err))
		}
	}
	if cfg.ttl > 0 {
		m.cache = newTTLCache[lookup](cfg.ttl, cfg.size)
	}
	return triggers.Named("ClaimsFromDynamoDB", m.handle), nil
}

// key returns the lookup key for e, and false when the module has nothing to do.
func (m *dynamoClaims) key(e *Event) (string, bool) {
	switch m.cfg.source {
	case keyClientID:
		return e.CallerContext.ClientID, true
	case keyUsername:
		return e.UserName, HasUser(e)
	}
	return e.Request.UserAttributes[m.cfg.attribute], HasUser(e)
}

func (m *dynamoClaims) handle(ctx context.Context, e *Event) error {
	key, ok := m.key(e)
	if !ok {
		return nil
	}
	res := lookup{}
	if key != "" {
		var err error
		if res, err = m.lookup(ctx, m.cfg.prefix+key); err != nil {
			return err
		}
	}
	if res.found {
		putClaims(e, m.cfg.tokens, res.claims)
		return nil
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "no claims item for the user",
		slog.String("table", m.table), slog.Bool("emptyKey", key == ""))
	switch m.cfg.miss {
	case missReject:
		return triggers.Reject(m.cfg.missMessage)
	case missDefault:
		putClaims(e, m.cfg.tokens, m.defaults)
	}
	return nil
}

func (m *dynamoClaims) lookup(ctx context.Context, key string) (lookup, error) {
	if m.cache != nil {
		if res, ok := m.cache.get(key, m.cfg.now()); ok {
			return res, nil
		}
	}
	client, err := m.client.Get(ctx)
	if err != nil {
		return lookup{}, fmt.Errorf("pretoken: ClaimsFromDynamoDB: default DynamoDB client: %w", err)
	}
	in := &dynamodb.GetItemInput{
		TableName:                aws.String(m.table),
		Key:                      map[string]types.AttributeValue{m.keyAttr: &types.AttributeValueMemberS{Value: key}},
		ProjectionExpression:     aws.String(m.projected),
		ExpressionAttributeNames: m.names,
		ConsistentRead:           aws.Bool(m.cfg.consistent),
	}
	if m.cfg.sortAttribute != "" {
		in.Key[m.cfg.sortAttribute] = &types.AttributeValueMemberS{Value: m.cfg.sortValue}
	}
	out, err := client.GetItem(ctx, in)
	if err != nil {
		return lookup{}, fmt.Errorf("pretoken: ClaimsFromDynamoDB: get item from table %q: %w", m.table, err)
	}
	res := lookup{found: len(out.Item) > 0}
	for _, attr := range slices.Sorted(maps.Keys(m.mapping)) {
		av, ok := out.Item[attr]
		if !ok {
			continue
		}
		v, ok := fromAttributeValue(av)
		if !ok {
			continue
		}
		name := m.mapping[attr]
		val, err := newValue(m.cfg.tokens, name, v)
		if err != nil {
			triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "item attribute skipped",
				slog.String("table", m.table), slog.String("attribute", attr), slog.String("error", err.Error()))
			continue
		}
		res.claims = append(res.claims, claim{name: name, val: val})
	}
	if m.cache != nil {
		m.cache.put(key, res, m.cfg.now())
	}
	return res, nil
}

// fromAttributeValue returns a DynamoDB value as a value encoding/json writes as the
// matching JSON: strings, json.Number, bool, lists, objects, base64 for binary. Sets
// are sorted, since DynamoDB returns them in no particular order and tokens should not
// change from one sign-in to the next. NULL at the top level reports false.
func fromAttributeValue(av types.AttributeValue) (any, bool) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value, true
	case *types.AttributeValueMemberN:
		return json.Number(v.Value), true
	case *types.AttributeValueMemberBOOL:
		return v.Value, true
	case *types.AttributeValueMemberB:
		return v.Value, true
	case *types.AttributeValueMemberSS:
		return slices.Sorted(slices.Values(v.Value)), true
	case *types.AttributeValueMemberNS:
		nums := make([]json.Number, 0, len(v.Value))
		for _, n := range slices.Sorted(slices.Values(v.Value)) {
			nums = append(nums, json.Number(n))
		}
		return nums, true
	case *types.AttributeValueMemberBS:
		return slices.SortedFunc(slices.Values(v.Value), func(a, b []byte) int { return strings.Compare(string(a), string(b)) }), true
	case *types.AttributeValueMemberL:
		list := make([]any, 0, len(v.Value))
		for _, el := range v.Value {
			x, _ := fromAttributeValue(el)
			list = append(list, x)
		}
		return list, true
	case *types.AttributeValueMemberM:
		obj := make(map[string]any, len(v.Value))
		for k, el := range v.Value {
			obj[k], _ = fromAttributeValue(el)
		}
		return obj, true
	}
	return nil, false
}
