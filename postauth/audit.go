package postauth

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
)

// AuditClient is the part of the DynamoDB API that [AuditTrail] calls.
// *dynamodb.Client satisfies it.
type AuditClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// AuditTrail writes one DynamoDB item per sign-in, so that a user's sign-ins can be read
// back in order with one Query. The table has a string partition key (default "pk")
// holding the user's sub and a string sort key (default "sk", see [AuditKeys]) holding
// the sign-in's time, "2006-01-02T15:04:05.000Z#<fingerprint>": query
// pk = :sub AND sk BETWEEN :from AND :to, or ScanIndexForward false for the latest
// first. Each entry has signedInAt, userName, userPoolId, clientId, newDeviceUsed and a
// TTL attribute ([TTLAttribute], default "expiresAt", seconds since the epoch,
// [Retention] ahead, default 90 days): enable the table's TTL on it. Client metadata is
// not stored, as applications pass tokens in it.
//
// A retried delivery writes no second entry: the recent sign-ins of each user are kept
// in a guard item of the same table (partition key "<sub>#latest", sort key "latest"),
// as [RecordSignIn] keeps them, which turns the deliveries of one sign-in within the
// retry window ([RetryWindow]) into one entry keyed by the time of the first; the entry
// is written with attribute_not_exists, so a delivery that finds it does nothing, and
// one that follows a failed write completes it. The bound is [RecordSignIn]'s.
//
// It acts on PostAuthentication_Authentication. client may be nil for the process-wide
// DynamoDB client; the role needs dynamodb:UpdateItem, GetItem and PutItem on the
// table. Options: [AuditKeys], [TTLAttribute], [Retention], [RetryWindow], [Clock].
func AuditTrail(client AuditClient, table string, opts ...Option) (Handler, error) {
	cfg, err := build(modAudit, opts)
	if err != nil {
		return nil, err
	}
	if table == "" {
		return nil, errors.New("postauth.AuditTrail: empty table name")
	}
	a := &audit{cfg: cfg, table: table,
		guard: dedup{table: table, window: cfg.window, recent: "recentSignIns", version: "version"},
		db:    awsclient.NewLazy(client, func(ctx context.Context) (AuditClient, error) { return lazydynamodb.Default(ctx) })}
	return Named(modAudit, a.handle), nil
}

type audit struct {
	cfg   config
	table string
	guard dedup
	db    *awsclient.Lazy[AuditClient]
}

func (a *audit) handle(ctx context.Context, e *Event) error {
	if !actsOn(e) {
		return nil
	}
	sub, err := userSub(e)
	if err != nil {
		return err
	}
	db, err := a.db.Get(ctx)
	if err != nil {
		return err
	}
	now := a.cfg.now()
	fp := fingerprint(e)
	guardKey := map[string]types.AttributeValue{
		a.cfg.partitionKey: &types.AttributeValueMemberS{Value: sub + "#latest"},
		a.cfg.sortKey:      &types.AttributeValueMemberS{Value: "latest"},
	}
	at, _, err := a.guard.signIn(ctx, db, guardKey, fp, now, extraUpdate{
		set:    "#exp = :exp",
		names:  map[string]string{"#exp": a.cfg.ttlAttribute},
		values: map[string]types.AttributeValue{":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(a.cfg.retention).Unix(), 10)}},
	})
	if err != nil {
		return err
	}
	item := map[string]types.AttributeValue{
		a.cfg.partitionKey: &types.AttributeValueMemberS{Value: sub},
		a.cfg.sortKey:      &types.AttributeValueMemberS{Value: at + "#" + fp},
		"signedInAt":       &types.AttributeValueMemberS{Value: at},
		"userName":         &types.AttributeValueMemberS{Value: e.UserName},
		"userPoolId":       &types.AttributeValueMemberS{Value: e.UserPoolID},
		"clientId":         &types.AttributeValueMemberS{Value: e.CallerContext.ClientID},
		"newDeviceUsed":    &types.AttributeValueMemberBOOL{Value: e.Request.NewDeviceUsed},
		a.cfg.ttlAttribute: &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(a.cfg.retention).Unix(), 10)},
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(a.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": a.cfg.sortKey},
	})
	var exists *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("write audit entry in table %q: %w", a.table, err)
	}
	return nil
}
