package presignup

import (
	"cmp"
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
// [RateLimit] counts sign-ups by, unless RateLimitConfig.Key says otherwise.
const DefaultRateLimitKey = "ipAddress"

// RateLimitConfig configures [RateLimit].
type RateLimitConfig struct {
	// Client counts in the table; nil means the process-wide DynamoDB client.
	Client RateLimitClient
	// Table is the DynamoDB table of counters. Required.
	Table string
	// Limit is the number of sign-ups admitted per key and window, 1 to
	// [MaxRateLimit]. Required.
	Limit int
	// Window is the length of a window, whole seconds, at least one. Required.
	Window time.Duration
	// Key tells what to count sign-ups by: the client's IP address, a device
	// identifier, the email domain; nil means MetadataKey(DefaultRateLimitKey).
	Key KeyFunc
	// AllowMissingKey lets a sign-up without a key through uncounted. By default such a
	// sign-up is rejected: the key usually comes from the client, and a limit that a
	// client escapes by leaving the key out limits nothing.
	AllowMissingKey bool
	// Messages are the texts a user sees when turned away; a field left empty keeps its
	// text from [DefaultRateLimitMessages].
	Messages RateLimitMessages
	// Sources are the trigger sources the module acts on; empty means
	// PreSignUp_SignUp.
	Sources triggers.Sources
	// Now is the clock windows are counted by; nil means time.Now.
	Now func() time.Time
}

// KeyFunc returns what [RateLimit] counts a sign-up by. An empty result means the event
// has no key.
type KeyFunc func(e *Event) string

// MetadataKey returns a [KeyFunc] that reads name from the client metadata, or else the
// validation data, trimmed.
func MetadataKey(name string) KeyFunc {
	return func(e *Event) string { return metadata(e, name) }
}

// RateLimitMessages are the texts a user sees when [RateLimit] turns them away.
type RateLimitMessages struct {
	Limited    string // the key has used up its sign-ups for the window
	MissingKey string // the event has no key (see RateLimitConfig.AllowMissingKey)
}

// DefaultRateLimitMessages are the texts [RateLimit] rejects with by default.
var DefaultRateLimitMessages = RateLimitMessages{
	Limited:    "Too many sign-up attempts, please try again later",
	MissingKey: "The sign-up request could not be verified, please try again",
}

// RateLimit admits at most cfg.Limit sign-ups per key in each window and rejects the
// rest with the Limited text of [RateLimitMessages]. The key is by default the
// "ipAddress" entry of the client metadata or validation data (see Key); a sign-up
// without one is rejected unless AllowMissingKey is set. A key sent by the client is
// only as trustworthy as the client: have the application's server, not the browser,
// put it there.
//
// Counting is one atomic DynamoDB UpdateItem per sign-up: ADD to a counter, on the
// condition that it is below the limit, so concurrent sign-ups never admit more than
// the limit. A rejected sign-up is not counted. Windows are fixed, whole seconds long,
// aligned to the Unix epoch, and part of the item's key, so a counter is never read
// after its window ends, whether or not DynamoDB's TTL has deleted it yet (its
// deletions may lag by days, and local servers never delete). The key is stored only as
// a hash, with the user pool ID, so one table can serve several pools without storing
// client addresses.
//
// Cognito may deliver the same event again when an answer is late. Each admitted
// attempt is remembered in the counter's item as a short hash of the event (user name,
// attributes, validation data, client metadata), and a delivery of an identical event
// is admitted again without being counted. Changing anything, such as the invitation
// code, makes a new attempt.
//
// Table: partition key pk (S); the module writes count (N), attempts (SS) and expiresAt
// (N, the window's end): enable TTL on expiresAt. It acts on PreSignUp_SignUp unless
// Sources says otherwise. An empty Table, a Limit out of range and a Window under a
// second are reported here.
func RateLimit(cfg RateLimitConfig) (Handler, error) {
	const name = "presignup.RateLimit"
	src, err := resolveSources(name, cfg.Sources, signUpOnly)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(cfg.Table) == "":
		return nil, errors.New(name + ": Table is empty")
	case cfg.Limit < 1 || cfg.Limit > MaxRateLimit:
		return nil, fmt.Errorf("%s: Limit is %d, want 1 to %d", name, cfg.Limit, MaxRateLimit)
	case cfg.Window < time.Second:
		return nil, fmt.Errorf("%s: Window is %s, want at least 1s", name, cfg.Window)
	}
	key := cfg.Key
	if key == nil {
		key = MetadataKey(DefaultRateLimitKey)
	}
	cfg.Messages = RateLimitMessages{
		Limited:    cmp.Or(cfg.Messages.Limited, DefaultRateLimitMessages.Limited),
		MissingKey: cmp.Or(cfg.Messages.MissingKey, DefaultRateLimitMessages.MissingKey),
	}
	client := cfg.Client
	r := &rateLimiter{sources: src, key: key, allowMissing: cfg.AllowMissingKey, messages: cfg.Messages,
		now: now(cfg.Now), table: cfg.Table, limit: cfg.Limit, window: int64(cfg.Window / time.Second),
		client: awsclient.NewLazy(client, func(ctx context.Context) (RateLimitClient, error) { return lazydynamodb.Default(ctx) })}
	return triggers.Named("RateLimit", r.handle), nil
}

type rateLimiter struct {
	sources      triggers.Sources
	key          KeyFunc
	allowMissing bool
	messages     RateLimitMessages
	now          func() time.Time
	table        string
	limit        int
	window       int64 // seconds
	client       *awsclient.Lazy[RateLimitClient]
}

func (r *rateLimiter) handle(ctx context.Context, e *Event) error {
	if !r.sources.Has(e.TriggerSource) {
		return nil
	}
	key := r.key(e)
	if key == "" {
		if r.allowMissing {
			return nil
		}
		return triggers.Reject(r.messages.MissingKey)
	}
	client, err := r.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("presignup.RateLimit: %w", err)
	}
	now := r.now().Unix()
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
	return triggers.Reject(r.messages.Limited)
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
