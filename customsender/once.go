package customsender

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/triggers"
)

// MarkerClient is the part of the DynamoDB API that the send-once markers need (see
// EmailConfig.Table); *dynamodb.Client satisfies it, and a test can fake its two methods.
type MarkerClient interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DefaultSendOnceTTL is how long a send-once marker keeps a code from being sent again
// unless MarkerTTL says otherwise.
const DefaultSendOnceTTL = 24 * time.Hour

// sendOnce is the send-once part of a module's config: Markers, Table, MarkerTTL and Now.
// Cognito invokes custom senders asynchronously and retries them, so the same event may
// arrive again; before sending, the module writes a marker keyed by a SHA-256 hash of
// the user pool, the trigger source and the encrypted code (never the code) with a
// conditional write, and a delivery that finds the marker does not send. A failed send
// removes its marker, so the retry sends. The table has a string partition key "pk" and
// time to live on "expiresAt" (expiry is also checked on write, as DynamoDB deletes
// expired items late). Events without a code (account takeover notifications) are sent
// every time.
type sendOnce struct {
	markers MarkerClient
	table   string
	ttl     time.Duration
	now     func() time.Time
}

// store returns the marker store, nil when no table is configured.
func (o sendOnce) store() (*onceStore, error) {
	switch {
	case o.table == "" && (o.markers != nil || o.ttl != 0):
		return nil, errors.New("a marker table is needed: Markers or MarkerTTL without Table")
	case o.table == "":
		return nil, nil
	case o.ttl < 0:
		return nil, fmt.Errorf("marker time to live: MarkerTTL %s is negative", o.ttl)
	case o.ttl == 0:
		o.ttl = DefaultSendOnceTTL
	}
	if o.now == nil {
		o.now = time.Now
	}
	return &onceStore{table: o.table, ttl: o.ttl, now: o.now,
		db: awsclient.NewLazy(o.markers, func(ctx context.Context) (MarkerClient, error) { return lazydynamodb.Default(ctx) })}, nil
}

type onceStore struct {
	db    *awsclient.Lazy[MarkerClient]
	table string
	ttl   time.Duration
	now   func() time.Time
}

func replayKey(h *triggers.Header, code triggers.Secret) string {
	sum := sha256.New()
	for _, part := range []string{h.UserPoolID, string(h.TriggerSource), code.Reveal()} {
		sum.Write([]byte(part))
		sum.Write([]byte{0})
	}
	return "custom-sender#" + hex.EncodeToString(sum.Sum(nil))
}

// claim writes the marker unless a live one exists, and reports whether it did.
func (o *onceStore) claim(ctx context.Context, key string) (bool, error) {
	db, err := o.db.Get(ctx)
	if err != nil {
		return false, err
	}
	now := o.now()
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &o.table,
		Item: map[string]types.AttributeValue{
			"pk":        &types.AttributeValueMemberS{Value: key},
			"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(o.ttl).Unix(), 10)},
		},
		ConditionExpression:       strPtr("attribute_not_exists(pk) OR expiresAt < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
	})
	var cond *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &cond):
		return false, nil
	default:
		return false, fmt.Errorf("claim send marker in table %q: %w", o.table, err)
	}
}

func (o *onceStore) release(ctx context.Context, key string) error {
	db, err := o.db.Get(ctx)
	if err != nil {
		return err
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &o.table,
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}}); err != nil {
		return fmt.Errorf("release send marker in table %q: %w", o.table, err)
	}
	return nil
}

func strPtr(s string) *string { return &s }
