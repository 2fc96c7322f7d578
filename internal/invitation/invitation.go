// Package invitation is the DynamoDB store of sign-up invitations that
// presignup.RequireInvitation checks and postconfirm.MarkInvitationUsed marks as used,
// kept in one place so that both trigger packages read and write the same schema.
//
// One item per invitation, in a table whose partition key is the code:
//
//	code       S  partition key: the invitation code, as given to the invitee
//	email      S  the address the invitation was issued to (compared case-insensitively)
//	expiresAt  N  optional: Unix seconds after which the code is no longer accepted
//	usedAt     N  set when used: Unix seconds of the confirmation that used it
//	usedBy     S  set when used: the userName of the user who used it
//
// Operators create items with code and email (and usually expiresAt); this package only
// ever reads them and sets usedAt and usedBy, with a conditional write, once. Other
// attributes are left alone, so the table may carry the operator's own bookkeeping
// (who invited whom, when).
//
// Codes are secrets: they appear in no error text and no log line.
package invitation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/net/idna"
)

// Attribute names of the table schema.
const (
	AttrCode      = "code"
	AttrEmail     = "email"
	AttrExpiresAt = "expiresAt"
	AttrUsedAt    = "usedAt"
	AttrUsedBy    = "usedBy"
)

// MaxCodeLength bounds the codes looked up. DynamoDB refuses longer partition keys with
// a validation error; an over-long code from a client is simply not an invitation.
const MaxCodeLength = 512

// Reasons an invitation is not accepted. Callers turn them into user-facing texts.
var (
	ErrNotFound   = errors.New("invitation not found")
	ErrWrongEmail = errors.New("invitation was issued to a different email address")
	ErrUsed       = errors.New("invitation already used by another user")
	ErrExpired    = errors.New("invitation expired")
)

// Getter is the part of the DynamoDB API that [Get] calls. *dynamodb.Client satisfies it.
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Client is the part of the DynamoDB API that [MarkUsed] calls. *dynamodb.Client
// satisfies it.
type Client interface {
	Getter
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Invitation is one item of the table.
type Invitation struct {
	Code      string
	Email     string
	ExpiresAt time.Time // zero: never expires
	UsedAt    time.Time // zero: not used
	UsedBy    string    // "": not used
}

// Used reports whether a user has used the invitation.
func (inv Invitation) Used() bool { return inv.UsedBy != "" }

// Expired reports whether the invitation is past its expiry at now.
func (inv Invitation) Expired(now time.Time) bool {
	return !inv.ExpiresAt.IsZero() && !now.Before(inv.ExpiresAt)
}

// Check reports why the invitation cannot be used by a new user with email at now:
// [ErrWrongEmail], [ErrUsed] or [ErrExpired], in that order, or nil. The address is
// checked first so that someone holding another person's code learns nothing about
// its state.
func (inv Invitation) Check(email string, now time.Time) error {
	switch {
	case !EmailsMatch(inv.Email, email):
		return ErrWrongEmail
	case inv.Used():
		return ErrUsed
	case inv.Expired(now):
		return ErrExpired
	}
	return nil
}

// Get reads the invitation with code, with a strongly consistent read so that a code
// used a moment ago is seen as used. It returns [ErrNotFound] when there is none.
func Get(ctx context.Context, client Getter, table, code string) (Invitation, error) {
	if code == "" || len(code) > MaxCodeLength {
		return Invitation{}, ErrNotFound
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            key(code),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("read invitation from table %q: %w", table, err)
	}
	if len(out.Item) == 0 {
		return Invitation{}, ErrNotFound
	}
	inv, err := decode(out.Item)
	if err != nil {
		return Invitation{}, fmt.Errorf("invitation in table %q: %w", table, err)
	}
	inv.Code = code
	return inv, nil
}

// MarkUsed records that user, whose address is email, used the invitation with code
// at now. The write is conditional: it succeeds only while nobody else has used the
// invitation, so when two confirmations race exactly one wins, and the loser gets
// [ErrUsed] and changes nothing. A repeat by the same user succeeds without changing
// usedAt, so a delivered-again event is harmless. The address must match the
// invitation's ([ErrWrongEmail]), so that a client cannot use up someone else's code
// by naming it; expiry is not checked, since the code was accepted at sign-up.
func MarkUsed(ctx context.Context, client Client, table, code, email, user string, now time.Time) error {
	if user == "" {
		return errors.New("mark invitation used: no user name")
	}
	inv, err := Get(ctx, client, table, code)
	if err != nil {
		return err
	}
	if !EmailsMatch(inv.Email, email) {
		return ErrWrongEmail
	}
	switch inv.UsedBy {
	case user:
		return nil
	case "":
	default:
		return ErrUsed
	}
	_, err = client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(table),
		Key:              key(code),
		UpdateExpression: aws.String("SET #usedBy = :user, #usedAt = if_not_exists(#usedAt, :now)"),
		// The stored address is part of the condition so that an item replaced between
		// the read and the write is not marked for the wrong person.
		ConditionExpression: aws.String("attribute_exists(#code) AND #email = :email AND " +
			"(attribute_not_exists(#usedBy) OR #usedBy = :user)"),
		ExpressionAttributeNames: map[string]string{
			"#code": AttrCode, "#email": AttrEmail, "#usedBy": AttrUsedBy, "#usedAt": AttrUsedAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":user":  &types.AttributeValueMemberS{Value: user},
			":email": &types.AttributeValueMemberS{Value: inv.Email},
			":now":   &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		// Someone wrote between the read and the write: look again to tell a racing
		// retry of this same user (success) from another user (lost the race).
		again, gerr := Get(ctx, client, table, code)
		switch {
		case gerr != nil:
			return gerr
		case !EmailsMatch(again.Email, email):
			return ErrWrongEmail
		case again.UsedBy == user:
			return nil
		}
		return ErrUsed
	}
	if err != nil {
		return fmt.Errorf("mark invitation used in table %q: %w", table, err)
	}
	return nil
}

func key(code string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrCode: &types.AttributeValueMemberS{Value: code}}
}

func decode(item map[string]types.AttributeValue) (Invitation, error) {
	var inv Invitation
	var err error
	if inv.Email, err = stringAttr(item, AttrEmail); err != nil {
		return inv, err
	}
	if inv.UsedBy, err = stringAttr(item, AttrUsedBy); err != nil {
		return inv, err
	}
	if inv.ExpiresAt, err = timeAttr(item, AttrExpiresAt); err != nil {
		return inv, err
	}
	if inv.UsedAt, err = timeAttr(item, AttrUsedAt); err != nil {
		return inv, err
	}
	return inv, nil
}

func stringAttr(item map[string]types.AttributeValue, name string) (string, error) {
	switch v := item[name].(type) {
	case nil, *types.AttributeValueMemberNULL:
		return "", nil
	case *types.AttributeValueMemberS:
		return v.Value, nil
	default:
		return "", fmt.Errorf("attribute %s has type %T, want S", name, v)
	}
}

// timeAttr reads Unix seconds. A fractional or exponent form is accepted, since tools
// that write numbers through floating point produce them.
func timeAttr(item map[string]types.AttributeValue, name string) (time.Time, error) {
	switch v := item[name].(type) {
	case nil, *types.AttributeValueMemberNULL:
		return time.Time{}, nil
	case *types.AttributeValueMemberN:
		if s, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return time.Unix(s, 0), nil
		}
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("attribute %s is not a number of Unix seconds", name)
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	default:
		return time.Time{}, fmt.Errorf("attribute %s has type %T, want N", name, v)
	}
}

// domainProfile maps a domain the way a resolver would before lookup (UTS #46
// non-transitional: case, width and compatibility mappings), so that the Unicode and
// the Punycode spelling of one domain compare equal.
var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// EmailsMatch reports whether a and b are the same address, ignoring surrounding
// space and case, with the domain compared in its IDNA ASCII form. Two empty or
// malformed addresses never match.
func EmailsMatch(a, b string) bool {
	na, ok := normalizeEmail(a)
	if !ok {
		return false
	}
	nb, ok := normalizeEmail(b)
	return ok && na == nb
}

func normalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", false
	}
	domain, err := domainProfile.ToASCII(strings.TrimSuffix(s[at+1:], "."))
	if err != nil || domain == "" {
		return "", false
	}
	return strings.ToLower(s[:at]) + "@" + domain, true
}
