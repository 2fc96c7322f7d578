package pretoken

import (
	"cmp"
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

// KeySource says where [ClaimsFromDynamoDB] takes the value of the lookup key from.
type KeySource uint8

const (
	// KeyFromAttribute takes the key from the user attribute DynamoDBConfig.UserAttribute,
	// the user's sub by default, which never changes for a user. An attribute the user
	// lacks counts as a missing item.
	KeyFromAttribute KeySource = iota
	// KeyFromUsername takes the key from the user's username (the event's userName).
	KeyFromUsername
	// KeyFromClientID takes the key from the app client ID (callerContext.clientId),
	// for claims per application. It is the one key that also works on
	// TokenGeneration_ClientCredentials, so that machine-to-machine tokens get claims
	// per client.
	KeyFromClientID
)

// DynamoDBConfig configures [ClaimsFromDynamoDB].
type DynamoDBConfig struct {
	// Client reads the table; nil means the process-wide DynamoDB client.
	Client GetItemAPI
	// Table is the DynamoDB table of claims. Required.
	Table string
	// KeyAttribute is the name of the table's partition key attribute, a string.
	// Required.
	KeyAttribute string
	// Claims maps an item attribute, such as "permissions", to the claim it becomes,
	// such as "permissions". Required.
	Claims map[string]string
	// KeyFrom says where the key's value comes from; the default is
	// [KeyFromAttribute].
	KeyFrom KeySource
	// UserAttribute is the user attribute whose value is the key with
	// [KeyFromAttribute]; empty means "sub".
	UserAttribute string
	// KeyPrefix is put before the key value, as single-table designs do ("USER#" + sub).
	KeyPrefix string
	// SortKeyAttribute is the name of the table's sort key attribute, for tables whose
	// key has two parts ("pk" = "USER#" + sub, "sk" = "ENTITLEMENTS"); empty means the
	// table has none. Set it with SortKeyValue.
	SortKeyAttribute string
	// SortKeyValue is the fixed string value of the sort key in every lookup. Set it
	// with SortKeyAttribute.
	SortKeyValue string
	// ConsistentRead makes the lookup a strongly consistent read, so that a write a
	// moment before sign-in is seen; it costs twice the read capacity.
	ConsistentRead bool
	// MissingMessage, when set, denies the tokens of a user the table has no item for:
	// sign-in (or token refresh) fails and the user sees this text. By default such a
	// user keeps the tokens as they are.
	MissingMessage string
	// MissingClaims, when set, are added instead for a user the table has no item for,
	// such as a "free" plan. They are checked as [OverrideClaims] checks its claims.
	// Set MissingMessage or MissingClaims, not both.
	MissingClaims map[string]any
	// CacheTTL is how long a looked-up item (or its absence) is reused before the
	// table is asked again; zero means [DefaultCacheTTL] and a negative value turns the
	// cache off. Failed lookups are never cached.
	CacheTTL time.Duration
	// CacheSize bounds the number of users the cache holds; the least recently used is
	// dropped first. Zero means [DefaultCacheSize].
	CacheSize int
	// Now is the clock the cache reads; nil means time.Now.
	Now func() time.Time
	// Tokens are the tokens the claims go to; zero means both, as far as each event
	// allows (see [Tokens]).
	Tokens Token
}

// lookup is one user's looked-up claims, as cached.
type lookup struct {
	found  bool
	claims []claim
}

type dynamoClaims struct {
	client     *awsclient.Lazy[GetItemAPI]
	table      string
	keyAttr    string
	mapping    map[string]string // item attribute -> claim
	projected  string
	names      map[string]string
	tokens     Token
	keyFrom    KeySource
	attribute  string
	prefix     string
	sortAttr   string
	sortValue  string
	consistent bool
	missing    string // rejection text for a missing item, when set
	defaults   []claim
	now        func() time.Time
	cache      *ttlCache[lookup]
}

// ClaimsFromDynamoDB returns a module that looks up the user's item in a DynamoDB table
// and adds claims from it, as cfg.Claims maps its attributes. The item's key attribute
// is cfg.KeyAttribute, a string whose value is the user's sub by default (see KeyFrom,
// UserAttribute, KeyPrefix and the sort key fields of [DynamoDBConfig]).
//
// Values keep their DynamoDB types in version 2 and 3 tokens: a string set becomes a
// sorted list of strings, a number a JSON number, a map an object. A version 1 token
// takes each as its JSON text. Item attributes that are missing or NULL are skipped.
//
// Results are cached in memory, per key, for [DefaultCacheTTL] and up to
// [DefaultCacheSize] users (see CacheTTL and CacheSize); a missing item is cached too,
// a failed lookup is not. A user without an item keeps the tokens unchanged by default;
// MissingMessage denies them, MissingClaims adds fallback claims. A lookup that fails
// (throttling, a timeout within the router's budget) fails the trigger, so that nobody
// gets tokens without their entitlements' restrictions.
//
// It acts on every token generation trigger source with a user, and does nothing on
// TokenGeneration_ClientCredentials unless the key is the client ID.
//
// The error, returned here rather than at sign-in, reports an empty table, key or
// mapping, and a claim name Cognito would refuse.
func ClaimsFromDynamoDB(cfg DynamoDBConfig) (Handler, error) {
	fail := func(format string, args ...any) (Handler, error) {
		return nil, fmt.Errorf("pretoken.ClaimsFromDynamoDB: "+format, args...)
	}
	tokens, err := resolveTokens(cfg.Tokens)
	if err != nil {
		return fail("%w", err)
	}
	claims := cfg.Claims
	switch {
	case cfg.Table == "":
		return fail("Table is empty")
	case cfg.KeyAttribute == "":
		return fail("KeyAttribute is empty")
	case len(claims) == 0:
		return fail("Claims is empty; no item attribute to map to a claim")
	case cfg.KeyFrom > KeyFromClientID:
		return fail("KeyFrom is %d, want KeyFromAttribute, KeyFromUsername or KeyFromClientID", cfg.KeyFrom)
	case cfg.UserAttribute != "" && cfg.KeyFrom != KeyFromAttribute:
		return fail("UserAttribute is set, but KeyFrom is not KeyFromAttribute")
	case (cfg.SortKeyAttribute == "") != (cfg.SortKeyValue == ""):
		return fail("SortKeyAttribute and SortKeyValue: set both or neither")
	case cfg.SortKeyAttribute != "" && cfg.SortKeyAttribute == cfg.KeyAttribute:
		return fail("SortKeyAttribute is the partition key attribute %q", cfg.KeyAttribute)
	case cfg.MissingMessage != "" && strings.TrimSpace(cfg.MissingMessage) == "":
		return fail("MissingMessage is blank")
	case cfg.MissingMessage != "" && len(cfg.MissingClaims) > 0:
		return fail("MissingMessage and MissingClaims are both set; set one")
	case cfg.CacheSize < 0:
		return fail("CacheSize is %d, want a positive size or zero for the default", cfg.CacheSize)
	}
	m := &dynamoClaims{
		client: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (GetItemAPI, error) {
			return lazydynamodb.Default(ctx)
		}),
		table:      cfg.Table,
		keyAttr:    cfg.KeyAttribute,
		mapping:    maps.Clone(claims),
		names:      make(map[string]string, len(claims)),
		tokens:     tokens,
		keyFrom:    cfg.KeyFrom,
		attribute:  cmp.Or(cfg.UserAttribute, "sub"),
		prefix:     cfg.KeyPrefix,
		sortAttr:   cfg.SortKeyAttribute,
		sortValue:  cfg.SortKeyValue,
		consistent: cfg.ConsistentRead,
		missing:    cfg.MissingMessage,
		now:        cfg.Now,
	}
	if m.now == nil {
		m.now = time.Now
	}
	projection := make([]string, 0, len(claims))
	for i, attr := range slices.Sorted(maps.Keys(claims)) {
		if attr == "" {
			return fail("Claims: empty item attribute name")
		}
		if err := checkAdd(tokens, claims[attr]); err != nil {
			return fail("Claims: item attribute %q: %w", attr, err)
		}
		// Placeholders, since attribute names may be DynamoDB reserved words.
		ph := "#a" + strconv.Itoa(i)
		m.names[ph] = attr
		projection = append(projection, ph)
	}
	m.projected = strings.Join(projection, ", ")
	if len(cfg.MissingClaims) > 0 {
		if m.defaults, err = prepareClaims(tokens, cfg.MissingClaims); err != nil {
			return fail("MissingClaims: %w", err)
		}
	}
	ttl, size := cfg.CacheTTL, cfg.CacheSize
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	if size == 0 {
		size = DefaultCacheSize
	}
	if ttl > 0 {
		m.cache = newTTLCache[lookup](ttl, size)
	}
	return triggers.Named("ClaimsFromDynamoDB", m.handle), nil
}

// key returns the lookup key for e, and false when the module has nothing to do.
func (m *dynamoClaims) key(e *Event) (string, bool) {
	switch m.keyFrom {
	case KeyFromClientID:
		return e.CallerContext.ClientID, true
	case KeyFromUsername:
		return e.UserName, HasUser(e)
	}
	return e.Request.UserAttributes[m.attribute], HasUser(e)
}

func (m *dynamoClaims) handle(ctx context.Context, e *Event) error {
	key, ok := m.key(e)
	if !ok {
		return nil
	}
	res := lookup{}
	if key != "" {
		var err error
		if res, err = m.lookup(ctx, m.prefix+key); err != nil {
			return err
		}
	}
	if res.found {
		putClaims(e, m.tokens, res.claims)
		return nil
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "no claims item for the user",
		slog.String("table", m.table), slog.Bool("emptyKey", key == ""))
	if m.missing != "" {
		return triggers.Reject(m.missing)
	}
	putClaims(e, m.tokens, m.defaults)
	return nil
}

func (m *dynamoClaims) lookup(ctx context.Context, key string) (lookup, error) {
	if m.cache != nil {
		if res, ok := m.cache.get(key, m.now()); ok {
			return res, nil
		}
	}
	client, err := m.client.Get(ctx)
	if err != nil {
		return lookup{}, fmt.Errorf("pretoken.ClaimsFromDynamoDB: default DynamoDB client: %w", err)
	}
	in := &dynamodb.GetItemInput{
		TableName:                aws.String(m.table),
		Key:                      map[string]types.AttributeValue{m.keyAttr: &types.AttributeValueMemberS{Value: key}},
		ProjectionExpression:     aws.String(m.projected),
		ExpressionAttributeNames: m.names,
		ConsistentRead:           aws.Bool(m.consistent),
	}
	if m.sortAttr != "" {
		in.Key[m.sortAttr] = &types.AttributeValueMemberS{Value: m.sortValue}
	}
	out, err := client.GetItem(ctx, in)
	if err != nil {
		return lookup{}, fmt.Errorf("pretoken.ClaimsFromDynamoDB: get item from table %q: %w", m.table, err)
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
		val, err := newValue(m.tokens, name, v)
		if err != nil {
			triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "item attribute skipped",
				slog.String("table", m.table), slog.String("attribute", attr), slog.String("error", err.Error()))
			continue
		}
		res.claims = append(res.claims, claim{name: name, val: val})
	}
	if m.cache != nil {
		m.cache.put(key, res, m.now())
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
