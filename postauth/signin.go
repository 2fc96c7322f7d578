package postauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/triggers"
)

// stampLayout writes times in UTC with milliseconds at a fixed width, so that the
// stamps compare as strings in DynamoDB conditions and sort keys as they do as times.
const stampLayout = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// errNoSub is returned for an event without the sub attribute the records are keyed by.
var errNoSub = errors.New("event has no sub attribute to key the record by")

// fingerprint is what the event says about one sign-in: Cognito sends no sign-in or
// request id, and a retry carries the same event, so deliveries with equal fingerprints
// within the retry window are taken for one sign-in. Attribute values are left out: a
// retry may follow an attribute change by another trigger.
func fingerprint(e *Event) string {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	write(e.UserPoolID)
	write(e.UserName)
	write(e.CallerContext.ClientID)
	write(e.CallerContext.AWSSDKVersion)
	write(strconv.FormatBool(e.Request.NewDeviceUsed))
	keys := make([]string, 0, len(e.Request.ClientMetadata))
	for k := range e.Request.ClientMetadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		write(k)
		write(e.Request.ClientMetadata[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// dedupClient is what [dedup] calls.
type dedupClient interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// dedup keeps, on one item per user, the fingerprints of the user's sign-ins within the
// retry window with the time each was first delivered (a map attribute), and turns the
// deliveries of one sign-in into one: the first delivery is told so and gets its own
// time as the sign-in's id, the later ones get that same id. The item is read, then
// written with a condition on a version number attribute, and read again when another
// sign-in wrote in between, so that interleaved and concurrent deliveries are told
// apart exactly; entries older than the window are dropped on each write.
type dedup struct {
	table   string
	window  time.Duration
	recent  string // the map attribute
	version string // the number attribute the write is conditional on
}

// extraUpdate is what a first delivery also writes: SET clauses and an ADD clause, with
// their names and values.
type extraUpdate struct {
	set, add string
	names    map[string]string
	values   map[string]types.AttributeValue
}

// maxDedupAttempts bounds the reads and writes of one delivery when other sign-ins of
// the same user keep writing the item in between.
const maxDedupAttempts = 10

func (d *dedup) signIn(ctx context.Context, db dedupClient, key map[string]types.AttributeValue, fp string, now time.Time, extra extraUpdate) (id string, first bool, err error) {
	since := stamp(now.Add(-d.window))
	for range maxDedupAttempts {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(d.table), Key: key, ConsistentRead: aws.Bool(true),
			ProjectionExpression:     aws.String("#recent, #version"),
			ExpressionAttributeNames: map[string]string{"#recent": d.recent, "#version": d.version},
		})
		if err != nil {
			return "", false, fmt.Errorf("read sign-ins in table %q: %w", d.table, err)
		}
		recent := map[string]types.AttributeValue{}
		if m, ok := out.Item[d.recent].(*types.AttributeValueMemberM); ok {
			for k, v := range m.Value {
				if at, ok := v.(*types.AttributeValueMemberS); ok && at.Value >= since {
					recent[k] = at
				}
			}
		}
		if at, ok := recent[fp].(*types.AttributeValueMemberS); ok {
			return at.Value, false, nil
		}
		at := stamp(now)
		recent[fp] = &types.AttributeValueMemberS{Value: at}
		in := d.update(key, recent, out.Item[d.version], extra)
		_, err = db.UpdateItem(ctx, in)
		var raced *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			return at, true, nil
		case !errors.As(err, &raced):
			return "", false, fmt.Errorf("record sign-in in table %q: %w", d.table, err)
		}
		if ctx.Err() != nil {
			return "", false, ctx.Err()
		}
	}
	return "", false, fmt.Errorf("record sign-in in table %q: still contended after %d attempts", d.table, maxDedupAttempts)
}

func (d *dedup) update(key map[string]types.AttributeValue, recent map[string]types.AttributeValue, version types.AttributeValue, extra extraUpdate) *dynamodb.UpdateItemInput {
	names := map[string]string{"#recent": d.recent, "#version": d.version}
	values := map[string]types.AttributeValue{":recent": &types.AttributeValueMemberM{Value: recent}, ":one": &types.AttributeValueMemberN{Value: "1"}}
	for k, v := range extra.names {
		names[k] = v
	}
	for k, v := range extra.values {
		values[k] = v
	}
	set := "SET #recent = :recent"
	if extra.set != "" {
		set += ", " + extra.set
	}
	add := " ADD #version :one"
	if extra.add != "" {
		add += ", " + extra.add
	}
	cond := "attribute_not_exists(#version)"
	if n, ok := version.(*types.AttributeValueMemberN); ok {
		cond = "#version = :version"
		values[":version"] = n
	}
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       key,
		UpdateExpression:          aws.String(set + add),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}
}

// userSub returns the sub the records are keyed by.
func userSub(e *Event) (string, error) {
	sub := e.Request.UserAttributes.Get("sub")
	if sub == "" {
		return "", errNoSub
	}
	return sub, nil
}

// actsOn reports whether a module acts on e: every module here acts on
// PostAuthentication_Authentication, the trigger's only source.
func actsOn(e *Event) bool { return e.TriggerSource == triggers.PostAuthenticationAuthentication }
