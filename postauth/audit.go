package postauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

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

// AuditConfig configures [AuditTrail].
type AuditConfig struct {
	// Client is the DynamoDB client. Nil: the process-wide client, created on first use,
	// whose role needs dynamodb:UpdateItem, GetItem and PutItem on the table.
	Client AuditClient

	// Table is the name of the audit table. Required.
	Table string

	// PartitionKey and SortKey name the table's partition and sort key attributes, both
	// strings, and must differ. Empty: "pk" and "sk".
	PartitionKey, SortKey string

	// TTLAttribute names the number attribute, in seconds since the epoch, that the
	// table's DynamoDB TTL is enabled on. Empty: "expiresAt".
	TTLAttribute string

	// Retention is how long an entry is kept: its TTL attribute is set this far ahead,
	// for the table's DynamoDB TTL to remove it. At least one day. Zero:
	// [DefaultAuditRetention].
	Retention time.Duration

	// RetryWindow is how long after a sign-in a delivery that looks the same is taken
	// for Cognito's retry of it (see [MinRetryWindow] for the rule), between
	// [MinRetryWindow] and [MaxRetryWindow]. Zero: [DefaultRetryWindow].
	RetryWindow time.Duration

	// Now is the clock of the entries. Nil: time.Now.
	Now func() time.Time
}

// AuditTrail writes one DynamoDB item per sign-in, so that a user's sign-ins can be read
// back in order with one Query. The table has a string partition key (default "pk")
// holding the user's sub and a string sort key (default "sk") holding
// the sign-in's time, "2006-01-02T15:04:05.000Z#<fingerprint>": query
// pk = :sub AND sk BETWEEN :from AND :to, or ScanIndexForward false for the latest
// first. Each entry has signedInAt, userName, userPoolId, clientId, newDeviceUsed and a
// TTL attribute (default "expiresAt", seconds since the epoch, [AuditConfig.Retention]
// ahead, default 90 days): enable the table's TTL on it. Client metadata is
// not stored, as applications pass tokens in it.
//
// A retried delivery writes no second entry: the recent sign-ins of each user are kept
// in a guard item of the same table (partition key "<sub>#latest", sort key "latest"),
// as [RecordSignIn] keeps them, which turns the deliveries of one sign-in within the
// retry window ([AuditConfig.RetryWindow]) into one entry keyed by the time of the first; the entry
// is written with attribute_not_exists, so a delivery that finds it does nothing, and
// one that follows a failed write completes it. The bound is [RecordSignIn]'s.
//
// It acts on PostAuthentication_Authentication. A missing table, equal key names, a
// retention shorter than a day and a retry window out of bounds are reported here.
func AuditTrail(cfg AuditConfig) (Handler, error) {
	tm, err := resolveTiming(modAudit, cfg.RetryWindow, cfg.Now)
	if err != nil {
		return nil, err
	}
	if cfg.Retention, err = resolveRetention(modAudit, cfg.Retention, DefaultAuditRetention); err != nil {
		return nil, err
	}
	cfg.PartitionKey = cmp.Or(cfg.PartitionKey, "pk")
	cfg.SortKey = cmp.Or(cfg.SortKey, "sk")
	cfg.TTLAttribute = cmp.Or(cfg.TTLAttribute, "expiresAt")
	switch {
	case cfg.Table == "":
		return nil, errors.New("postauth.AuditTrail: Table is empty")
	case cfg.PartitionKey == cfg.SortKey:
		return nil, fmt.Errorf("postauth.AuditTrail: PartitionKey and SortKey are both %q", cfg.SortKey)
	}
	a := &audit{timing: tm, partitionKey: cfg.PartitionKey, sortKey: cfg.SortKey, ttlAttribute: cfg.TTLAttribute,
		retention: cfg.Retention, table: cfg.Table,
		guard: dedup{table: cfg.Table, window: tm.window, recent: "recentSignIns", version: "version"},
		db:    awsclient.NewLazy(cfg.Client, func(ctx context.Context) (AuditClient, error) { return lazydynamodb.Default(ctx) })}
	return Named(modAudit, a.handle), nil
}

type audit struct {
	timing
	partitionKey, sortKey, ttlAttribute string
	retention                           time.Duration
	table                               string
	guard                               dedup
	db                                  *awsclient.Lazy[AuditClient]
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
	now := a.now()
	fp := fingerprint(e)
	guardKey := map[string]types.AttributeValue{
		a.partitionKey: &types.AttributeValueMemberS{Value: sub + "#latest"},
		a.sortKey:      &types.AttributeValueMemberS{Value: "latest"},
	}
	at, _, err := a.guard.signIn(ctx, db, guardKey, fp, now, extraUpdate{
		set:    "#exp = :exp",
		names:  map[string]string{"#exp": a.ttlAttribute},
		values: map[string]types.AttributeValue{":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(a.retention).Unix(), 10)}},
	})
	if err != nil {
		return err
	}
	item := map[string]types.AttributeValue{
		a.partitionKey:  &types.AttributeValueMemberS{Value: sub},
		a.sortKey:       &types.AttributeValueMemberS{Value: at + "#" + fp},
		"signedInAt":    &types.AttributeValueMemberS{Value: at},
		"userName":      &types.AttributeValueMemberS{Value: e.UserName},
		"userPoolId":    &types.AttributeValueMemberS{Value: e.UserPoolID},
		"clientId":      &types.AttributeValueMemberS{Value: e.CallerContext.ClientID},
		"newDeviceUsed": &types.AttributeValueMemberBOOL{Value: e.Request.NewDeviceUsed},
		a.ttlAttribute:  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(a.retention).Unix(), 10)},
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(a.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": a.sortKey},
	})
	var exists *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("write audit entry in table %q: %w", a.table, err)
	}
	return nil
}
