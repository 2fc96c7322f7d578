package customauth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
)

// CodeRecord is the state [EmailOTPStep] keeps per user in a [CodeStore]: the latest
// code's id, keyed hash and times, never the code.
type CodeRecord struct {
	CodeID    string
	Hash      string // base64url HMAC-SHA256, see EmailOTPConfig.Key
	IssuedAt  time.Time
	ExpiresAt time.Time
	UsedBy    string // nonce of the challenge that signed in with the code; "" while unused
	Failures  int    // challenges answered wrongly with the code
}

func (r *CodeRecord) issued() issued {
	return issued{codeID: r.CodeID, issuedAt: r.IssuedAt, hash: r.Hash}
}

// CodeStore keeps one [CodeRecord] per user, keyed by "<user pool id>#<user name>". Every
// method must be atomic on its record: concurrent sign-in attempts and Cognito's retries
// rely on it. [DynamoDBStore] implements it.
type CodeStore interface {
	// Get returns the user's record, or nil when there is none.
	Get(ctx context.Context, key string) (*CodeRecord, error)

	// Put stores rec if the user's record is still the one with code id replaces ("":
	// there is none), and reports whether it did.
	Put(ctx context.Context, key string, rec CodeRecord, replaces string) (bool, error)

	// Delete removes the user's record if it still holds codeID.
	Delete(ctx context.Context, key, codeID string) error

	// Consume marks code codeID as used by the challenge nonce and reports whether the
	// code may sign in: it is still the user's code, unused or used by this same
	// challenge (a retried Verify), and had fewer than maxFailures wrong answers.
	Consume(ctx context.Context, key, codeID, nonce string, maxFailures int) (bool, error)

	// Fail records that the challenge nonce was answered wrongly with code codeID. A
	// challenge counts once however often it is recorded. A code that is no longer the
	// user's is ignored.
	Fail(ctx context.Context, key, codeID, nonce string) error
}

// DynamoDBAPI is the part of the DynamoDB client that [DynamoDBStore] uses;
// *dynamodb.Client satisfies it.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DynamoDBStore is a [CodeStore] in a DynamoDB table whose partition key is a string
// attribute (KeyAttribute) and that has no sort key. Items hold codeId, codeHash,
// issuedAt and expiresAt (Unix milliseconds), usedBy, failed (a string set of challenge
// nonces) and ttl (Unix seconds, a day after expiry): enable time to live on ttl to purge
// old items. Expiry is checked in code, since DynamoDB deletes expired items late.
type DynamoDBStore struct {
	// Client is the DynamoDB client; nil uses the process-wide client, created on
	// first use.
	Client DynamoDBAPI
	// Table is the table name. Required.
	Table string
	// KeyAttribute is the partition key's name: "pk" when empty.
	KeyAttribute string
}

// ttlMargin is how long an item outlives its code, for DynamoDB's time to live.
const ttlMargin = 24 * time.Hour

func (s *DynamoDBStore) client(ctx context.Context) (DynamoDBAPI, error) {
	if s.Client != nil {
		return s.Client, nil
	}
	return lazydynamodb.Default(ctx)
}

func (s *DynamoDBStore) keyName() string {
	if s.KeyAttribute == "" {
		return "pk"
	}
	return s.KeyAttribute
}

func (s *DynamoDBStore) key(key string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{s.keyName(): &ddbtypes.AttributeValueMemberS{Value: key}}
}

func str(v string) *ddbtypes.AttributeValueMemberS { return &ddbtypes.AttributeValueMemberS{Value: v} }

func num(n int64) *ddbtypes.AttributeValueMemberN {
	return &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func isConditionFailed(err error) bool {
	var ccf *ddbtypes.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// Get implements [CodeStore] with a strongly consistent read.
func (s *DynamoDBStore) Get(ctx context.Context, key string) (*CodeRecord, error) {
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            s.key(key),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get code record from %s: %w", s.Table, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	rec := &CodeRecord{}
	getS := func(name string) string {
		if v, ok := out.Item[name].(*ddbtypes.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	getMs := func(name string) (time.Time, error) {
		v, ok := out.Item[name].(*ddbtypes.AttributeValueMemberN)
		if !ok {
			return time.Time{}, fmt.Errorf("code record in %s: %s is missing", s.Table, name)
		}
		ms, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("code record in %s: %s: %w", s.Table, name, err)
		}
		return time.UnixMilli(ms), nil
	}
	rec.CodeID, rec.Hash, rec.UsedBy = getS("codeId"), getS("codeHash"), getS("usedBy")
	if rec.IssuedAt, err = getMs("issuedAt"); err != nil {
		return nil, err
	}
	if rec.ExpiresAt, err = getMs("expiresAt"); err != nil {
		return nil, err
	}
	if v, ok := out.Item["failed"].(*ddbtypes.AttributeValueMemberSS); ok {
		rec.Failures = len(v.Value)
	}
	return rec, nil
}

// Put implements [CodeStore] with a conditional PutItem.
func (s *DynamoDBStore) Put(ctx context.Context, key string, rec CodeRecord, replaces string) (bool, error) {
	c, err := s.client(ctx)
	if err != nil {
		return false, err
	}
	item := s.key(key)
	item["codeId"] = str(rec.CodeID)
	item["codeHash"] = str(rec.Hash)
	item["issuedAt"] = num(rec.IssuedAt.UnixMilli())
	item["expiresAt"] = num(rec.ExpiresAt.UnixMilli())
	item["ttl"] = num(rec.ExpiresAt.Add(ttlMargin).Unix())
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if replaces == "" {
		in.ConditionExpression = aws.String("attribute_not_exists(#k)")
		in.ExpressionAttributeNames = map[string]string{"#k": s.keyName()}
	} else {
		in.ConditionExpression = aws.String("codeId = :old")
		in.ExpressionAttributeValues = map[string]ddbtypes.AttributeValue{":old": str(replaces)}
	}
	if _, err := c.PutItem(ctx, in); err != nil {
		if isConditionFailed(err) {
			return false, nil
		}
		return false, fmt.Errorf("put code record in %s: %w", s.Table, err)
	}
	return true, nil
}

// Delete implements [CodeStore] with a conditional DeleteItem.
func (s *DynamoDBStore) Delete(ctx context.Context, key, codeID string) error {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       s.key(key),
		ConditionExpression:       aws.String("codeId = :id"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":id": str(codeID)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("delete code record from %s: %w", s.Table, err)
	}
	return nil
}

// Consume implements [CodeStore] with a conditional UpdateItem.
func (s *DynamoDBStore) Consume(ctx context.Context, key, codeID, nonce string, maxFailures int) (bool, error) {
	c, err := s.client(ctx)
	if err != nil {
		return false, err
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.Table),
		Key:              s.key(key),
		UpdateExpression: aws.String("SET usedBy = :n"),
		ConditionExpression: aws.String("codeId = :id AND (attribute_not_exists(usedBy) OR usedBy = :n) " +
			"AND (attribute_not_exists(failed) OR size(failed) < :max)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":id": str(codeID), ":n": str(nonce), ":max": num(int64(maxFailures)),
		},
	})
	if err != nil {
		if isConditionFailed(err) {
			return false, nil
		}
		return false, fmt.Errorf("consume code in %s: %w", s.Table, err)
	}
	return true, nil
}

// Fail implements [CodeStore] by adding nonce to the item's failed set.
func (s *DynamoDBStore) Fail(ctx context.Context, key, codeID, nonce string) error {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 s.key(key),
		UpdateExpression:    aws.String("ADD failed :n"),
		ConditionExpression: aws.String("codeId = :id"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":id": str(codeID), ":n": &ddbtypes.AttributeValueMemberSS{Value: []string{nonce}},
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("record wrong answer in %s: %w", s.Table, err)
	}
	return nil
}
