package postconfirm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/triggers"
)

// ProfileClient is the part of the DynamoDB API that [CreateProfile] calls.
// *dynamodb.Client satisfies it.
type ProfileClient interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// ItemBuilder builds the profile item of a user. [Columns] and [ItemFunc] are the two
// kinds.
type ItemBuilder interface {
	Item(e *Event) (map[string]types.AttributeValue, error)
}

// ItemFunc builds the profile item in code, for types other than strings, derived
// values or a key of its own (such as "USER#" + sub in a single-table design).
type ItemFunc func(e *Event) (map[string]types.AttributeValue, error)

// Item calls f.
func (f ItemFunc) Item(e *Event) (map[string]types.AttributeValue, error) { return f(e) }

// Columns maps user attribute names to item attribute names ("given_name" to
// "firstName"). Each becomes a string; an attribute the user does not have is left out
// of the item rather than written empty.
type Columns map[string]string

// Item copies the mapped attributes of the user.
func (c Columns) Item(e *Event) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(c)+2)
	for attr, column := range c {
		if v, ok := e.Request.UserAttributes[attr]; ok {
			item[column] = &types.AttributeValueMemberS{Value: v}
		}
	}
	return item, nil
}

func (c Columns) validate(partitionKey string) error {
	seen := make(map[string]string, len(c))
	for _, attr := range slices.Sorted(maps.Keys(c)) {
		column := c[attr]
		switch {
		case attr == "" || column == "":
			return fmt.Errorf("Columns: empty name in %q -> %q", attr, column)
		case column == partitionKey:
			return fmt.Errorf("Columns: %q is mapped to the partition key %q, which holds the user's sub", attr, column)
		case seen[column] != "":
			return fmt.Errorf("Columns: %q and %q are both mapped to %q", seen[column], attr, column)
		}
		seen[column] = attr
	}
	return nil
}

// ProfileConfig configures [CreateProfile].
type ProfileConfig struct {
	// Client is the DynamoDB client. Nil: the process-wide client, created on first use,
	// whose role needs dynamodb:PutItem on the table.
	Client ProfileClient

	// Table is the name of the profile table. Required.
	Table string

	// PartitionKey is the name of the table's partition key attribute (a string), which
	// holds the user's sub (the stable, unique identifier Cognito gives every user)
	// unless Item sets it itself. Required.
	PartitionKey string

	// Item builds the item of a user: [Columns] or an [ItemFunc]. Required.
	Item ItemBuilder

	// CreatedAt, if set, names an item attribute holding the time the profile was
	// written, as RFC 3339 text in UTC, which sorts by time. Default "": none.
	CreatedAt string

	// Sources are the trigger sources the module acts on. Empty:
	// PostConfirmation_ConfirmSignUp alone. Adding
	// PostConfirmation_ConfirmForgotPassword creates the profiles of users who predate
	// the module; an existing profile is left as is.
	Sources triggers.Sources

	// Now is the clock of CreatedAt. Nil: time.Now.
	Now func() time.Time
}

// CreateProfile writes one item per user to cfg.Table, built by cfg.Item from the user's
// attributes. The write is conditional (attribute_not_exists), so a delivered-again event
// never overwrites a profile, not even one the user has changed since: finding the item
// there already counts as success.
//
// It acts on PostConfirmation_ConfirmSignUp unless cfg.Sources says otherwise. A missing
// table, key or item builder, and [Columns] that map two attributes to one column or one
// to the partition key, are reported here.
func CreateProfile(cfg ProfileConfig) (Handler, error) {
	sources, err := cfg.Sources.Resolve(triggers.TriggerPostConfirmation, signUpOnly)
	if err != nil {
		return nil, fmt.Errorf("postconfirm.CreateProfile: %w", err)
	}
	switch {
	case cfg.Table == "":
		return nil, errors.New("postconfirm.CreateProfile: Table is empty")
	case cfg.PartitionKey == "":
		return nil, errors.New("postconfirm.CreateProfile: PartitionKey is empty")
	case cfg.Item == nil:
		return nil, errors.New("postconfirm.CreateProfile: Item is nil")
	case cfg.CreatedAt != "" && cfg.CreatedAt == cfg.PartitionKey:
		return nil, fmt.Errorf("postconfirm.CreateProfile: CreatedAt %q is the partition key", cfg.PartitionKey)
	}
	if c, ok := cfg.Item.(Columns); ok {
		if err := c.validate(cfg.PartitionKey); err != nil {
			return nil, fmt.Errorf("postconfirm.CreateProfile: Item: %w", err)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &profileWriter{sources: sources, createdAt: cfg.CreatedAt, now: cfg.Now, table: cfg.Table, key: cfg.PartitionKey, item: cfg.Item,
		client: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (ProfileClient, error) { return lazydynamodb.Default(ctx) })}
	return Named("CreateProfile", p.handle), nil
}

type profileWriter struct {
	sources   triggers.Sources
	createdAt string
	now       func() time.Time
	table     string
	key       string
	item      ItemBuilder
	client    *awsclient.Lazy[ProfileClient]
}

func (p *profileWriter) handle(ctx context.Context, e *Event) error {
	if !p.sources.Has(e.TriggerSource) {
		return nil
	}
	item, err := p.item.Item(e)
	if err != nil {
		return fmt.Errorf("build profile item: %w", err)
	}
	if item == nil {
		item = make(map[string]types.AttributeValue, 2)
	}
	if _, ok := item[p.key]; !ok {
		sub := e.Request.UserAttributes.Get("sub")
		if sub == "" {
			return errors.New("event has no sub attribute to key the profile by")
		}
		item[p.key] = &types.AttributeValueMemberS{Value: sub}
	}
	if p.createdAt != "" {
		item[p.createdAt] = &types.AttributeValueMemberS{Value: p.now().UTC().Format(time.RFC3339)}
	}
	client, err := p.client.Get(ctx)
	if err != nil {
		return err
	}
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(p.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": p.key},
	})
	var exists *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &exists):
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "profile exists already",
			slog.String("module", "CreateProfile"), slog.String("table", p.table), slog.String("userName", e.UserName))
		return nil
	case err != nil:
		return fmt.Errorf("put profile in table %q: %w", p.table, err)
	}
	return nil
}
