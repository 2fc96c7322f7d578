package postauth

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/triggers"
)

// RecordClient is the part of the DynamoDB API that [RecordSignIn] calls.
// *dynamodb.Client satisfies it.
type RecordClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Attributes [RecordSignIn] writes on the user's item.
const (
	AttrLastSignInAt  = "lastSignInAt"      // S, UTC, "2006-01-02T15:04:05.000Z"
	AttrFirstSignInAt = "firstSignInAt"     // S, set by the first recorded sign-in only
	AttrSignInCount   = "signInCount"       // N, one per sign-in
	AttrLastClientID  = "lastClientId"      // S, the app client of the latest sign-in
	AttrLastNewDevice = "lastNewDeviceUsed" // BOOL, newDeviceUsed of the latest sign-in
	// AttrRecentSignIns is a map of the sign-ins within the retry window, by their
	// fingerprint, that tells a repeated delivery from a new sign-in.
	AttrRecentSignIns = "recentSignIns"
)

// RecordConfig configures [RecordSignIn].
type RecordConfig struct {
	// Client is the DynamoDB client. Nil: the process-wide client, created on first use,
	// whose role needs dynamodb:GetItem and UpdateItem on the table.
	Client RecordClient

	// Table is the name of the table of records. Required.
	Table string

	// PartitionKey is the name of the table's partition key attribute (a string), which
	// holds the user's sub. Required.
	PartitionKey string

	// RetryWindow is how long after a sign-in a delivery that looks the same is taken
	// for Cognito's retry of it (see [MinRetryWindow] for the rule), between
	// [MinRetryWindow] and [MaxRetryWindow]. Zero: [DefaultRetryWindow].
	RetryWindow time.Duration

	// Now is the clock of the recorded times. Nil: time.Now.
	Now func() time.Time
}

// RecordSignIn keeps a record of the user's sign-ins on one DynamoDB item per user,
// keyed by the user's sub under cfg.PartitionKey (the same item
// postconfirm.CreateProfile writes, if you like): [AttrLastSignInAt],
// [AttrFirstSignInAt] (set once, with if_not_exists), [AttrSignInCount] (an atomic
// ADD), [AttrLastClientID] and [AttrLastNewDevice]. The other attributes of the item are
// left alone; a missing item is created.
//
// Cognito may deliver one sign-in more than once, and its event carries no id of the
// sign-in, so a delivery with the same user, app client, SDK, device flag and client
// metadata as one recorded within the retry window ([RecordConfig.RetryWindow], default
// 30 s) is
// taken for a retry and changes nothing; [AttrRecentSignIns] keeps those fingerprints.
// The bound of that rule: two real sign-ins of a user through the same client with the
// same metadata within the window count once, and a retry later than the window counts
// twice. The item is read, then written on condition that [AttrSignInCount] is still
// what was read, so concurrent and interleaved sign-ins are each counted once.
//
// It acts on PostAuthentication_Authentication. A missing table or key, and a retry
// window out of bounds, are reported here.
func RecordSignIn(cfg RecordConfig) (Handler, error) {
	tm, err := resolveTiming(modRecord, cfg.RetryWindow, cfg.Now)
	if err != nil {
		return nil, err
	}
	if cfg.Table == "" {
		return nil, errors.New("postauth.RecordSignIn: Table is empty")
	}
	if cfg.PartitionKey == "" {
		return nil, errors.New("postauth.RecordSignIn: PartitionKey is empty")
	}
	r := &record{timing: tm, table: cfg.Table, key: cfg.PartitionKey,
		db: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (RecordClient, error) { return lazydynamodb.Default(ctx) })}
	return Named(modRecord, r.handle), nil
}

type record struct {
	timing
	table string
	key   string
	db    *awsclient.Lazy[RecordClient]
}

func (r *record) handle(ctx context.Context, e *Event) error {
	if !actsOn(e) {
		return nil
	}
	sub, err := userSub(e)
	if err != nil {
		return err
	}
	db, err := r.db.Get(ctx)
	if err != nil {
		return err
	}
	now := r.now()
	d := dedup{table: r.table, window: r.window, recent: AttrRecentSignIns, version: AttrSignInCount}
	_, first, err := d.signIn(ctx, db, map[string]types.AttributeValue{r.key: &types.AttributeValueMemberS{Value: sub}},
		fingerprint(e), now, extraUpdate{
			set: "#last = :now, #first = if_not_exists(#first, :now), #client = :client, #newdev = :newdev",
			names: map[string]string{"#last": AttrLastSignInAt, "#first": AttrFirstSignInAt, "#client": AttrLastClientID,
				"#newdev": AttrLastNewDevice},
			values: map[string]types.AttributeValue{
				":now":    &types.AttributeValueMemberS{Value: stamp(now)},
				":client": &types.AttributeValueMemberS{Value: e.CallerContext.ClientID},
				":newdev": &types.AttributeValueMemberBOOL{Value: e.Request.NewDeviceUsed},
			},
		})
	if err != nil {
		return err
	}
	if !first {
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "sign-in recorded already: a repeated delivery",
			slog.String("module", modRecord), slog.String("userName", e.UserName))
	}
	return nil
}
