package presignup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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

// RateLimitClient is the part of the DynamoDB API that [RateLimit] calls.
// *dynamodb.Client satisfies it.
type RateLimitClient interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Attribute names of the [RateLimit] table: partition key pk (S), the number of
// sign-ups admitted in the window (N), the admitted attempts (SS of short hashes) and
// the window's end in Unix seconds (N), which is the table's TTL attribute.
const (
	RateLimitAttrKey       = "pk"
	RateLimitAttrCount     = "count"
	RateLimitAttrAttempts  = "attempts"
	RateLimitAttrExpiresAt = "expiresAt"
)

// MaxRateLimit is the largest limit [RateLimit] accepts: the attempts admitted in a
// window are remembered in the counter's item, which DynamoDB caps at 400 KB.
const MaxRateLimit = 10_000

// DefaultRateLimitKey is the client metadata or validation data key whose value
// [RateLimit] counts sign-ups by, unless a [KeyFunc] says otherwise.
const DefaultRateLimitKey = "ipAddress"

// RateLimitOption configures [RateLimit]. [Sources], [KeyFunc], [AllowMissingKey],
// [RateLimitMessages] and [Clock] are rate limit options.
type RateLimitOption interface{ applyRateLimit(*rateLimitConfig) error }

type rateLimitConfig struct {
	sources      sources
	key          KeyFunc
	allowMissing bool
	messages     RateLimitMessages
	now          func() time.Time
}

func (o SourcesOption) applyRateLimit(c *rateLimitConfig) (err error) {
	c.sources, err = o.validate()
	return err
}

func (c Clock) applyRateLimit(cfg *rateLimitConfig) (err error) {
	cfg.now, err = c.validate()
	return err
}

// KeyFunc is an option that tells [RateLimit] what to count sign-ups by: the client's
// IP address, a device identifier, the email domain. An empty result means the event
// has no key. The default is MetadataKey(DefaultRateLimitKey).
type KeyFunc func(e *Event) string

func (k KeyFunc) applyRateLimit(c *rateLimitConfig) error {
	if k == nil {
		return errors.New("KeyFunc: nil function")
	}
	c.key = k
	return nil
}

// MetadataKey returns a [KeyFunc] that reads name from the client metadata, or else the
// validation data, trimmed.
func MetadataKey(name string) KeyFunc {
	return func(e *Event) string { return metadata(e, name) }
}

type allowMissingKey struct{}

func (allowMissingKey) applyRateLimit(c *rateLimitConfig) error {
	c.allowMissing = true
	return nil
}

// AllowMissingKey is an option that lets a sign-up without a key through uncounted.
// By default such a sign-up is rejected: the key usually comes from the client, and a
// limit that a client escapes by leaving the key out limits nothing.
func AllowMissingKey() RateLimitOption { return allowMissingKey{} }

// RateLimitMessages is an option holding the texts a user sees when [RateLimit] turns
// them away. A field left empty keeps its default from [DefaultRateLimitMessages].
type RateLimitMessages struct {
	Limited    string // the key has used up its sign-ups for the window
	MissingKey string // the event has no key (see [AllowMissingKey])
}

// DefaultRateLimitMessages are the texts [RateLimit] rejects with by default.
var DefaultRateLimitMessages = RateLimitMessages{
	Limited:    "Too many sign-up attempts, please try again later",
	MissingKey: "The sign-up request could not be verified, please try again",
}

func (m RateLimitMessages) applyRateLimit(c *rateLimitConfig) error {
	if m.Limited != "" {
		c.messages.Limited = m.Limited
	}
	if m.MissingKey != "" {
		c.messages.MissingKey = m.MissingKey
	}
	return nil
}

// RateLimit admits at most limit sign-ups per key in each window and rejects the rest
// with the Limited text of [RateLimitMessages]. The key is by default the "ipAddress"
// entry of the client metadata or validation data (see [KeyFunc]); a sign-up without
// one is rejected unless [AllowMissingKey] is given. A key sent by the client is only
// as trustworthy as the client: have the application's server, not the browser, put it
// there.
//
// Counting is one atomic DynamoDB UpdateItem per sign-up: ADD to a counter, on the
// condition that it is below limit, so concurrent sign-ups never admit more than limit.
// A rejected sign-up is not counted. Windows are fixed, whole seconds long, aligned to
// the Unix epoch, and part of the item's key, so a counter is never read after its
// window ends, whether or not DynamoDB's TTL has deleted it yet (its deletions may lag
// by days, and local servers never delete). The key is stored only as a hash, with the
// user pool ID, so one table can serve several pools without storing client addresses.
//
// Cognito may deliver the same event again when an answer is late. Each admitted
// attempt is remembered in the counter's item as a short hash of the event (user name,
// attributes, validation data, client metadata), and a delivery of an identical event
// is admitted again without being counted. Changing anything, such as the invitation
// code, makes a new attempt.
//
// Table: partition key pk (S); the module writes count (N), attempts (SS) and expiresAt
// (N, the window's end): enable TTL on expiresAt. It acts on PreSignUp_SignUp unless
// [Sources] says otherwise. limit must be 1 to [MaxRateLimit] and window at least one
// second; client may be nil for the process-wide DynamoDB client.
func RateLimit(client RateLimitClient, table string, limit int, window time.Duration, opts ...RateLimitOption) (Handler, error) {
	cfg := rateLimitConfig{sources: signUpOnly, key: MetadataKey(DefaultRateLimitKey),
		messages: DefaultRateLimitMessages, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyRateLimit(&cfg); err != nil {
			return nil, fmt.Errorf("presignup.RateLimit: %w", err)
		}
	}
	switch {
	case strings.TrimSpace(table) == "":
		return nil, errors.New("presignup.RateLimit: no table name")
	case limit < 1 || limit > MaxRateLimit:
		return nil, fmt.Errorf("presignup.RateLimit: limit %d, want 1 to %d", limit, MaxRateLimit)
	case window < time.Second:
		return nil, fmt.Errorf("presignup.RateLimit: window %s, want at least 1s", window)
	}
	r := &rateLimiter{cfg: cfg, table: table, limit: limit, window: int64(window / time.Second),
		client: awsclient.NewLazy(client, func(ctx context.Context) (RateLimitClient, error) { return lazydynamodb.Default(ctx) })}
	return triggers.Named("RateLimit", r.handle), nil
}

type rateLimiter struct {
	cfg    rateLimitConfig
	table  string
	limit  int
	window int64 // seconds
	client *awsclient.Lazy[RateLimitClient]
}

func (r *rateLimiter) handle(ctx context.Context, e *Event) error {
	if !r.cfg.sources.has(e.TriggerSource) {
		return nil
	}
	key := r.cfg.key(e)
	if key == "" {
		if r.cfg.allowMissing {
			return nil
		}
		return triggers.Reject(r.cfg.messages.MissingKey)
	}
	client, err := r.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("presignup.RateLimit: %w", err)
	}
	now := r.cfg.now().Unix()
	start := now - mod(now, r.window)
	pk := hashHex(e.UserPoolID, key)[:32] + "#" + strconv.FormatInt(start, 10)
	attempt := attemptHash(e)
	itemKey := map[string]types.AttributeValue{RateLimitAttrKey: &types.AttributeValueMemberS{Value: pk}}

	_, err = client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(r.table),
		Key:              itemKey,
		UpdateExpression: aws.String("ADD #count :one, #attempts :attempts SET #expiresAt = if_not_exists(#expiresAt, :end)"),
		ConditionExpression: aws.String("(attribute_not_exists(#count) OR #count < :limit) AND " +
			"NOT contains(#attempts, :attempt)"),
		ExpressionAttributeNames: map[string]string{
			"#count": RateLimitAttrCount, "#attempts": RateLimitAttrAttempts, "#expiresAt": RateLimitAttrExpiresAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one":      &types.AttributeValueMemberN{Value: "1"},
			":limit":    &types.AttributeValueMemberN{Value: strconv.Itoa(r.limit)},
			":attempts": &types.AttributeValueMemberSS{Value: []string{attempt}},
			":attempt":  &types.AttributeValueMemberS{Value: attempt},
			":end":      &types.AttributeValueMemberN{Value: strconv.FormatInt(start+r.window, 10)},
		},
	})
	var failed *types.ConditionalCheckFailedException
	if err == nil {
		return nil
	}
	if !errors.As(err, &failed) {
		return fmt.Errorf("presignup.RateLimit: count sign-up in table %q: %w", r.table, err)
	}
	// The condition fails for a full window and for an attempt counted already; only the
	// item tells which.
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(r.table),
		Key:                  itemKey,
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("#attempts"),
		ExpressionAttributeNames: map[string]string{
			"#attempts": RateLimitAttrAttempts,
		},
	})
	if err != nil {
		return fmt.Errorf("presignup.RateLimit: read counter in table %q: %w", r.table, err)
	}
	if set, ok := out.Item[RateLimitAttrAttempts].(*types.AttributeValueMemberSS); ok && slices.Contains(set.Value, attempt) {
		return nil
	}
	return triggers.Reject(r.cfg.messages.Limited)
}

// mod is the non-negative remainder, so that windows stay aligned before 1970 too.
func mod(a, b int64) int64 { return ((a % b) + b) % b }

// hashHex hashes parts with separators that cannot occur in them ambiguously.
func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// attemptHash identifies one sign-up attempt: the same event delivered again hashes
// the same, and any change to what the user sent hashes differently. 16 hex digits keep
// the item small while a collision inside one window stays out of reach.
func attemptHash(e *Event) string {
	parts := []string{string(e.TriggerSource), e.UserPoolID, e.UserName, e.CallerContext.ClientID}
	for _, m := range []triggers.Attributes{e.Request.UserAttributes, e.Request.ValidationData, e.Request.ClientMetadata} {
		keys := slices.Sorted(maps.Keys(m))
		parts = append(parts, strconv.Itoa(len(keys)))
		for _, k := range keys {
			parts = append(parts, k, m[k])
		}
	}
	return hashHex(parts...)[:16]
}
