package preauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// BlockConfig configures [Block].
type BlockConfig struct {
	// When decides whether a sign-in is refused. Required.
	When Predicate

	// Message is the text the user sees. Empty: [DefaultBlockedMessage].
	Message string
}

// Block refuses the sign-in when cfg.When holds. A nil predicate and a blank message
// are reported here.
func Block(cfg BlockConfig) (Handler, error) {
	if cfg.When == nil {
		return nil, errors.New("preauth.Block: When is nil")
	}
	msg, err := message("Block", cfg.Message, DefaultBlockedMessage)
	if err != nil {
		return nil, err
	}
	return blocker("Block", cfg.When, msg), nil
}

// BlockAttributeConfig configures [BlockAttribute].
type BlockAttributeConfig struct {
	// Attribute is the user attribute to look at, such as "custom:status". Required.
	Attribute string

	// Values are the values that keep the user out, matched as [AttributeIn]
	// describes. Required.
	Values []string

	// Message is the text the user sees. Empty: [DefaultBlockedMessage].
	Message string
}

// BlockAttribute refuses the sign-in of users whose attribute cfg.Attribute has one of
// cfg.Values: BlockAttributeConfig{Attribute: "custom:status", Values:
// []string{"suspended", "disabled"}} keeps suspended and disabled users out. Users
// without the attribute sign in. A missing attribute name, no values, a blank value and
// a blank message are reported here.
func BlockAttribute(cfg BlockAttributeConfig) (Handler, error) {
	switch {
	case strings.TrimSpace(cfg.Attribute) == "":
		return nil, errors.New("preauth.BlockAttribute: Attribute is empty")
	case len(cfg.Values) == 0:
		return nil, errors.New("preauth.BlockAttribute: Values is empty")
	}
	when, err := AttributeIn(cfg.Attribute, cfg.Values...)
	if err != nil {
		return nil, fmt.Errorf("preauth.BlockAttribute: %w", err)
	}
	msg, err := message("BlockAttribute", cfg.Message, DefaultBlockedMessage)
	if err != nil {
		return nil, err
	}
	return blocker("BlockAttribute", when, msg), nil
}

func blocker(module string, when Predicate, message string) Handler {
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication || !when(e) {
			return nil
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in blocked",
			slog.String("module", module), slog.String("userName", e.UserName))
		return triggers.Reject(message)
	}
}

// BlockListClient is the part of the DynamoDB API that [BlockList] calls.
// *dynamodb.Client satisfies it.
type BlockListClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Attribute names of the [BlockList] table: partition key pk (S), the user's sub or
// user name; an optional reason (S) that the operator's log shows and the user never
// sees; and an optional end of the block in Unix seconds (N), which can be the table's
// TTL attribute.
const (
	BlockListAttrKey       = "pk"
	BlockListAttrReason    = "reason"
	BlockListAttrExpiresAt = "expiresAt"
)

// noUserKey is looked up when the event has no key (an unknown user has no sub): no
// sub or Cognito user name contains a space, so it never matches a real entry, and the
// lookup keeps the same shape and time as any other.
const noUserKey = "no such user"

// BlockListConfig configures [BlockList].
type BlockListConfig struct {
	// Client is the DynamoDB client. Nil: the process-wide client, created on first use,
	// whose role needs dynamodb:GetItem on the table.
	Client BlockListClient

	// Table is the name of the block list table. Required.
	Table string

	// KeyByUserName looks users up by the event's userName instead of their sub. That
	// is the user name Cognito stores, which in a pool whose users sign in with an email
	// address or phone number (UsernameAttributes) is an identifier Cognito chose, not
	// what the user types; an unknown user's event carries what was typed. User names
	// are unique only within a pool: give each pool its own table. Default false: by
	// sub.
	KeyByUserName bool

	// Message is the text the user sees. Empty: [DefaultBlockedMessage].
	Message string

	// Now is the clock that ends suspensions, for tests to move time past one. Nil:
	// time.Now.
	Now func() time.Time
}

// BlockList refuses the sign-in of users listed in a DynamoDB table, keyed by the
// user's sub (or user name, see [BlockListConfig.KeyByUserName]). An item with an
// expiresAt in the past no longer blocks, so a temporary suspension lifts itself: the
// module checks the time itself, since DynamoDB's TTL deletes expired items only some
// time later. An item without expiresAt blocks until it is deleted. An expiresAt that is
// not a number blocks, and is logged.
//
// Every sign-in, an unknown user's too, costs one strongly consistent GetItem, so that
// a block takes effect at once and an unknown user's answer takes as long as a real
// one's. A failed lookup fails the sign-in with the generic error: a block list that
// cannot be read keeps everyone out rather than let a blocked user in.
//
// A missing table and a blank message are reported here.
func BlockList(cfg BlockListConfig) (Handler, error) {
	msg, err := message("BlockList", cfg.Message, DefaultBlockedMessage)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Table) == "" {
		return nil, errors.New("preauth.BlockList: Table is empty")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	b := &blockList{message: msg, byUserName: cfg.KeyByUserName, now: cfg.Now, table: cfg.Table,
		client: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (BlockListClient, error) { return lazydynamodb.Default(ctx) })}
	return b.handle, nil
}

type blockList struct {
	message    string
	byUserName bool
	now        func() time.Time
	table      string
	client     *awsclient.Lazy[BlockListClient]
}

func (b *blockList) key(e *Event) string {
	var k string
	if b.byUserName {
		k = e.UserName
	} else {
		k = e.Request.UserAttributes["sub"]
	}
	if strings.TrimSpace(k) == "" {
		return noUserKey
	}
	return k
}

func (b *blockList) handle(ctx context.Context, e *Event) error {
	if e.TriggerSource != Authentication {
		return nil
	}
	client, err := b.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("preauth.BlockList: %w", err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(b.table),
		Key:                      map[string]types.AttributeValue{BlockListAttrKey: &types.AttributeValueMemberS{Value: b.key(e)}},
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#reason, #expiresAt"),
		ExpressionAttributeNames: map[string]string{"#reason": BlockListAttrReason, "#expiresAt": BlockListAttrExpiresAt},
	})
	if err != nil {
		return fmt.Errorf("preauth.BlockList: read table %q: %w", b.table, err)
	}
	if out.Item == nil {
		return nil
	}
	log := triggers.Logger(ctx)
	attrs := []slog.Attr{slog.String("module", "BlockList"), slog.String("userName", e.UserName)}
	if r, ok := out.Item[BlockListAttrReason].(*types.AttributeValueMemberS); ok {
		attrs = append(attrs, slog.String("reason", r.Value))
	}
	if v, ok := out.Item[BlockListAttrExpiresAt]; ok {
		n, isNumber := v.(*types.AttributeValueMemberN)
		var end int64
		if isNumber {
			f, perr := strconv.ParseFloat(n.Value, 64)
			isNumber = perr == nil
			end = int64(f)
		}
		if !isNumber {
			log.LogAttrs(ctx, slog.LevelWarn, "block list entry has an invalid expiresAt; blocking", attrs...)
			return triggers.Reject(b.message)
		}
		if b.now().Unix() >= end {
			return nil
		}
		attrs = append(attrs, slog.Time("until", time.Unix(end, 0).UTC()))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "sign-in blocked", attrs...)
	return triggers.Reject(b.message)
}
