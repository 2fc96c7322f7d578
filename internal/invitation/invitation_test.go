package invitation_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/invitation"
)

func TestEmailsMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"ada@example.com", "ada@example.com", true},
		{"Ada@Example.COM", "ada@example.com", true},
		{" ada@example.com\n", "ada@example.com", true},
		{"ada@example.com.", "ada@example.com", true},
		{"ada@bücher.example", "ada@xn--bcher-kva.example", true},
		{"ada@BÜCHER.example", "ADA@XN--BCHER-KVA.EXAMPLE", true},
		{"ada@example.com", "ada@example.org", false},
		{"ada@example.com", "ada2@example.com", false},
		{"ada@example.com", "ada@sub.example.com", false},
		{"a@b@example.com", "a@b@example.com", true},
		{"", "", false},
		{"ada", "ada", false},
		{"@example.com", "@example.com", false},
		{"ada@", "ada@", false},
		{"ada@exa mple.com", "ada@exa mple.com", false},
	}
	for _, tt := range tests {
		if got := invitation.EmailsMatch(tt.a, tt.b); got != tt.want {
			t.Errorf("EmailsMatch(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := invitation.EmailsMatch(tt.b, tt.a); got != tt.want {
			t.Errorf("EmailsMatch(%q, %q) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name  string
		inv   invitation.Invitation
		email string
		want  error
	}{
		{"valid", invitation.Invitation{Email: "a@x.test", ExpiresAt: now.Add(time.Second)}, "A@X.test", nil},
		{"no expiry", invitation.Invitation{Email: "a@x.test"}, "a@x.test", nil},
		{"expires now", invitation.Invitation{Email: "a@x.test", ExpiresAt: now}, "a@x.test", invitation.ErrExpired},
		{"used", invitation.Invitation{Email: "a@x.test", UsedBy: "u"}, "a@x.test", invitation.ErrUsed},
		{"wrong email before used", invitation.Invitation{Email: "a@x.test", UsedBy: "u"}, "b@x.test", invitation.ErrWrongEmail},
		{"wrong email before expired", invitation.Invitation{Email: "a@x.test", ExpiresAt: now.Add(-time.Hour)}, "b@x.test", invitation.ErrWrongEmail},
		{"used before expired", invitation.Invitation{Email: "a@x.test", UsedBy: "u", ExpiresAt: now.Add(-time.Hour)}, "a@x.test", invitation.ErrUsed},
		{"no address on the invitation", invitation.Invitation{}, "a@x.test", invitation.ErrWrongEmail},
	}
	for _, tt := range tests {
		if got := tt.inv.Check(tt.email, now); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: Check = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// fakeTable is one DynamoDB table keyed by code that evaluates MarkUsed's condition.
type fakeTable struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
	// beforeUpdate runs before an update is applied, to model a concurrent writer.
	beforeUpdate func(items map[string]map[string]types.AttributeValue)
	updates      int
	getErr       error
	updateErr    error
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func (f *fakeTable) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return nil, f.getErr
	}
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errors.New("want a consistent read")
	}
	item := f.items[str(in.Key, "code")]
	if item == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	out := map[string]types.AttributeValue{}
	for k, v := range item {
		out[k] = v
	}
	return &dynamodb.GetItemOutput{Item: out}, nil
}

func (f *fakeTable) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	if f.updateErr != nil {
		return nil, f.updateErr
	}
	if f.beforeUpdate != nil {
		f.beforeUpdate(f.items)
		f.beforeUpdate = nil
	}
	item := f.items[str(in.Key, "code")]
	user := str(in.ExpressionAttributeValues, ":user")
	if item == nil || str(item, "email") != str(in.ExpressionAttributeValues, ":email") ||
		(str(item, "usedBy") != "" && str(item, "usedBy") != user) {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	item["usedBy"] = s(user)
	if _, ok := item["usedAt"]; !ok {
		item["usedAt"] = in.ExpressionAttributeValues[":now"]
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func newFakeTable() *fakeTable {
	return &fakeTable{items: map[string]map[string]types.AttributeValue{
		"C1":     {"code": s("C1"), "email": s("Ada@Example.com"), "expiresAt": n(2_000_000), "note": s("kept")},
		"USED":   {"code": s("USED"), "email": s("ada@example.com"), "usedBy": s("bob"), "usedAt": n(900_000)},
		"BYADA":  {"code": s("BYADA"), "email": s("ada@example.com"), "usedBy": s("ada"), "usedAt": n(900_000)},
		"BADNUM": {"code": s("BADNUM"), "email": s("ada@example.com"), "expiresAt": s("soon")},
	}}
}

func TestGet(t *testing.T) {
	t.Parallel()
	tbl := newFakeTable()
	inv, err := invitation.Get(t.Context(), tbl, "inv", "C1")
	if err != nil {
		t.Fatal(err)
	}
	want := invitation.Invitation{Code: "C1", Email: "Ada@Example.com", ExpiresAt: time.Unix(2_000_000, 0)}
	if inv != want {
		t.Errorf("Get = %+v, want %+v", inv, want)
	}
	for _, code := range []string{"", "nope", strings.Repeat("x", invitation.MaxCodeLength+1)} {
		if _, err := invitation.Get(t.Context(), tbl, "inv", code); !errors.Is(err, invitation.ErrNotFound) {
			t.Errorf("Get(%.10q) = %v, want ErrNotFound", code, err)
		}
	}
	_, err = invitation.Get(t.Context(), tbl, "inv", "BADNUM")
	if err == nil || errors.Is(err, invitation.ErrNotFound) || strings.Contains(err.Error(), "BADNUM") {
		t.Errorf("malformed item: %v, want an error that does not show the code", err)
	}
	tbl.getErr = errors.New("throttled")
	if _, err := invitation.Get(t.Context(), tbl, "inv", "C1"); err == nil || strings.Contains(err.Error(), "C1") {
		t.Errorf("failed read: %v, want an error that does not show the code", err)
	}
}

func TestMarkUsed(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name, code, email, user string
		before                  func(map[string]map[string]types.AttributeValue)
		want                    error
		wantUsedBy              string
		wantUpdates             int
	}{
		{name: "first use", code: "C1", email: "ada@example.com", user: "ada", wantUsedBy: "ada", wantUpdates: 1},
		{name: "same user again", code: "BYADA", email: "ada@example.com", user: "ada", wantUsedBy: "ada"},
		{name: "other user", code: "USED", email: "ada@example.com", user: "ada", want: invitation.ErrUsed, wantUsedBy: "bob"},
		{name: "wrong email", code: "C1", email: "eve@example.com", user: "eve", want: invitation.ErrWrongEmail},
		{name: "unknown code", code: "NOPE", email: "ada@example.com", user: "ada", want: invitation.ErrNotFound},
		{name: "loses a race", code: "C1", email: "ada@example.com", user: "ada", want: invitation.ErrUsed,
			before:     func(items map[string]map[string]types.AttributeValue) { items["C1"]["usedBy"] = s("bob") },
			wantUsedBy: "bob", wantUpdates: 1},
		{name: "races its own retry", code: "C1", email: "ada@example.com", user: "ada",
			before: func(items map[string]map[string]types.AttributeValue) {
				items["C1"]["usedBy"], items["C1"]["usedAt"] = s("ada"), n(999_999)
			},
			wantUsedBy: "ada", wantUpdates: 1},
		{name: "item replaced meanwhile", code: "C1", email: "ada@example.com", user: "ada", want: invitation.ErrWrongEmail,
			before: func(items map[string]map[string]types.AttributeValue) {
				items["C1"] = map[string]types.AttributeValue{"code": s("C1"), "email": s("eve@example.com")}
			}, wantUpdates: 1},
		{name: "item deleted meanwhile", code: "C1", email: "ada@example.com", user: "ada", want: invitation.ErrNotFound,
			before: func(items map[string]map[string]types.AttributeValue) { delete(items, "C1") }, wantUpdates: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tbl := newFakeTable()
			tbl.beforeUpdate = tt.before
			err := invitation.MarkUsed(t.Context(), tbl, "inv", tt.code, tt.email, tt.user, now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("MarkUsed = %v, want %v", err, tt.want)
			}
			if got := str(tbl.items[tt.code], "usedBy"); got != tt.wantUsedBy {
				t.Errorf("usedBy = %q, want %q", got, tt.wantUsedBy)
			}
			if tbl.updates != tt.wantUpdates {
				t.Errorf("%d updates, want %d", tbl.updates, tt.wantUpdates)
			}
		})
	}
}

func TestMarkUsedKeepsOtherAttributes(t *testing.T) {
	t.Parallel()
	tbl := newFakeTable()
	if err := invitation.MarkUsed(t.Context(), tbl, "inv", "C1", "ADA@example.com", "ada", time.Unix(1_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	item := tbl.items["C1"]
	if str(item, "note") != "kept" || str(item, "email") != "Ada@Example.com" {
		t.Errorf("item after MarkUsed = %v, want the operator's attributes unchanged", item)
	}
	if v, ok := item["usedAt"].(*types.AttributeValueMemberN); !ok || v.Value != "1000000" {
		t.Errorf("usedAt = %v, want 1000000", item["usedAt"])
	}
}

func TestMarkUsedErrors(t *testing.T) {
	t.Parallel()
	tbl := newFakeTable()
	if err := invitation.MarkUsed(t.Context(), tbl, "inv", "C1", "ada@example.com", "", time.Now()); err == nil {
		t.Error("MarkUsed without a user: want an error")
	}
	tbl.updateErr = errors.New("throttled")
	err := invitation.MarkUsed(t.Context(), tbl, "inv", "C1", "ada@example.com", "ada", time.Now())
	if err == nil || !strings.Contains(err.Error(), "throttled") || strings.Contains(err.Error(), "C1") {
		t.Errorf("failed update: %v, want the cause without the code", err)
	}
}
