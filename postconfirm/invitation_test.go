package postconfirm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
)

// invTable is an invitation table keyed by code that evaluates MarkInvitationUsed's
// conditional update: the item must exist, carry the expected email, and be unused or
// used by the same user.
type invTable struct {
	mu      sync.Mutex
	items   map[string]map[string]string // code -> attribute -> value (S or N as text)
	gets    int
	updates int
	err     error
}

func newInvTable() *invTable {
	return &invTable{items: map[string]map[string]string{
		"INV-ADA":  {"email": "Ada@Example.com", "expiresAt": "1900000000"},
		"INV-USED": {"email": "ada@example.com", "usedBy": "bob", "usedAt": "1700000000"},
		"INV-MINE": {"email": "ada@example.com", "usedBy": "ada-sub", "usedAt": "1700000000"},
	}}
}

func (f *invTable) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errors.New("want a consistent read")
	}
	item := f.items[in.Key["code"].(*types.AttributeValueMemberS).Value]
	if item == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	out := map[string]types.AttributeValue{}
	for k, v := range item {
		if strings.HasSuffix(k, "At") {
			out[k] = &types.AttributeValueMemberN{Value: v}
		} else {
			out[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	return &dynamodb.GetItemOutput{Item: out}, nil
}

func (f *invTable) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	val := func(name string) string {
		switch v := in.ExpressionAttributeValues[name].(type) {
		case *types.AttributeValueMemberS:
			return v.Value
		case *types.AttributeValueMemberN:
			return v.Value
		}
		return ""
	}
	item := f.items[in.Key["code"].(*types.AttributeValueMemberS).Value]
	if item == nil || item["email"] != val(":email") || (item["usedBy"] != "" && item["usedBy"] != val(":user")) {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	item["usedBy"] = val(":user")
	if item["usedAt"] == "" {
		item["usedAt"] = val(":now")
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *invTable) item(code string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.items[code]
}

func (f *invTable) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets + f.updates
}

var invNow = time.Unix(1_750_000_000, 0)

// invConfirmed is a sign-up confirmation of ada with the given client metadata.
func invConfirmed(src triggers.TriggerSource, meta map[string]string) *postconfirm.Event {
	e := &postconfirm.Event{}
	e.Version = "1"
	e.TriggerSource = src
	e.UserPoolID = "us-east-1_TestPool"
	e.UserName = "ada-sub"
	e.Request.UserAttributes = map[string]string{"sub": "ada-sub", "email": "ada@example.com", "email_verified": "true"}
	e.Request.ClientMetadata = meta
	return e
}

// invMark builds the module on db at invNow, with the code under codeKey ("" for the
// default key).
func invMark(t testing.TB, db postconfirm.InvitationClient, codeKey string) postconfirm.Handler {
	t.Helper()
	h, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Client: db, Table: "invitations", CodeKey: codeKey,
		Now: func() time.Time { return invNow }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestMarkInvitationUsed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		code       string
		user       string
		want       error
		wantUsedBy string
		wantUsedAt string
	}{
		{name: "first use", code: "INV-ADA", want: nil, wantUsedBy: "ada-sub", wantUsedAt: "1750000000"},
		{name: "surrounding space", code: " INV-ADA ", want: nil, wantUsedBy: "ada-sub", wantUsedAt: "1750000000"},
		{name: "retry by the same user", code: "INV-MINE", want: nil, wantUsedBy: "ada-sub", wantUsedAt: "1700000000"},
		{name: "used by another user", code: "INV-USED", want: postconfirm.ErrInvitationUsed, wantUsedBy: "bob", wantUsedAt: "1700000000"},
		{name: "unknown code", code: "INV-NONE", want: postconfirm.ErrInvitationNotFound},
		{name: "no code", code: "", want: postconfirm.ErrNoInvitationCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newInvTable()
			meta := map[string]string{}
			if tt.code != "" {
				meta["invitationCode"] = tt.code
			}
			err := invMark(t, db, "")(t.Context(), invConfirmed(triggers.PostConfirmationConfirmSignUp, meta))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("MarkInvitationUsed = %v, want %v", err, tt.want)
			}
			var me *postconfirm.ModuleError
			if err != nil && (!errors.As(err, &me) || me.Module != "MarkInvitationUsed") {
				t.Errorf("error %v is not named after the module", err)
			}
			if err != nil && tt.code != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.code)) {
				t.Errorf("error %q shows the invitation code", err)
			}
			item := db.item(strings.TrimSpace(tt.code))
			if item["usedBy"] != tt.wantUsedBy || item["usedAt"] != tt.wantUsedAt {
				t.Errorf("usedBy %q, usedAt %q; want %q, %q", item["usedBy"], item["usedAt"], tt.wantUsedBy, tt.wantUsedAt)
			}
		})
	}
}

// A client must not be able to spend someone else's invitation by naming its code at
// confirmation.
func TestMarkInvitationUsedWrongEmail(t *testing.T) {
	t.Parallel()
	db := newInvTable()
	e := invConfirmed(triggers.PostConfirmationConfirmSignUp, map[string]string{"invitationCode": "INV-ADA"})
	e.UserName = "eve-sub"
	e.Request.UserAttributes["email"] = "eve@example.com"
	if err := invMark(t, db, "")(t.Context(), e); !errors.Is(err, postconfirm.ErrInvitationWrongEmail) {
		t.Fatalf("got %v, want ErrInvitationWrongEmail", err)
	}
	if used := db.item("INV-ADA")["usedBy"]; used != "" {
		t.Errorf("invitation marked used by %q", used)
	}
}

func TestMarkInvitationUsedNoOp(t *testing.T) {
	t.Parallel()
	db := newInvTable()
	h := invMark(t, db, "")
	for _, src := range []triggers.TriggerSource{triggers.PostConfirmationConfirmForgotPassword, "PostConfirmation_Future"} {
		if err := h(t.Context(), invConfirmed(src, map[string]string{"invitationCode": "INV-ADA"})); err != nil {
			t.Errorf("%s: %v, want no-op", src, err)
		}
	}
	if n := db.calls(); n != 0 {
		t.Errorf("%d DynamoDB calls on no-op sources", n)
	}
	if err := h(t.Context(), invConfirmed(triggers.PostConfirmationConfirmSignUp, nil)); !errors.Is(err, postconfirm.ErrNoInvitationCode) {
		t.Errorf("no client metadata = %v, want ErrNoInvitationCode", err)
	}
	if n := db.calls(); n != 0 {
		t.Errorf("%d DynamoDB calls without a code", n)
	}
}

func TestMarkInvitationUsedCodeKey(t *testing.T) {
	t.Parallel()
	db := newInvTable()
	h := invMark(t, db, "invite")
	if err := h(t.Context(), invConfirmed(triggers.PostConfirmationConfirmSignUp, map[string]string{"invitationCode": "INV-ADA"})); !errors.Is(err, postconfirm.ErrNoInvitationCode) {
		t.Errorf("default key with CodeKey invite = %v, want ErrNoInvitationCode", err)
	}
	if err := h(t.Context(), invConfirmed(triggers.PostConfirmationConfirmSignUp, map[string]string{"invite": "INV-ADA"})); err != nil {
		t.Errorf("custom key: %v", err)
	}
	if db.item("INV-ADA")["usedBy"] != "ada-sub" {
		t.Error("custom key did not mark the invitation")
	}
}

func TestMarkInvitationUsedErrors(t *testing.T) {
	t.Parallel()
	db := newInvTable()
	db.err = errors.New("ProvisionedThroughputExceededException")
	err := invMark(t, db, "")(t.Context(), invConfirmed(triggers.PostConfirmationConfirmSignUp, map[string]string{"invitationCode": "INV-ADA"}))
	if err == nil || !strings.Contains(err.Error(), "ProvisionedThroughputExceededException") || strings.Contains(err.Error(), "INV-ADA") {
		t.Errorf("DynamoDB failure = %v, want the cause without the code", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = invMark(t, newInvTable(), "")(ctx, invConfirmed(triggers.PostConfirmationConfirmSignUp, map[string]string{"invitationCode": "INV-ADA"}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context = %v, want context.Canceled", err)
	}

	for name, build := range map[string]func() (postconfirm.Handler, error){
		"no table": func() (postconfirm.Handler, error) {
			return postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Table: ""})
		},
		"blank key": func() (postconfirm.Handler, error) {
			return postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Table: "t", CodeKey: " "})
		},
	} {
		if h, err := build(); err == nil || h != nil || !strings.Contains(err.Error(), "postconfirm.MarkInvitationUsed") {
			t.Errorf("%s: got (%v, %v), want an error naming the module", name, h != nil, err)
		}
	}
}

const invConfirmJSON = `{
  "version": "1",
  "region": "us-east-1",
  "userPoolId": "us-east-1_TestPool",
  "userName": "ada-sub",
  "callerContext": {"awsSdkVersion": "aws-sdk-js-3.0.0", "clientId": "client-1"},
  "triggerSource": "PostConfirmation_ConfirmSignUp",
  "request": {
    "userAttributes": {"sub": "ada-sub", "email": "ada@example.com", "email_verified": "true", "cognito:user_status": "CONFIRMED"},
    "clientMetadata": {"invitationCode": "INV-USED"}
  },
  "response": {}
}`

// Through the router: losing the invitation is logged, not shown to a user who is
// confirmed already, unless the module is marked critical.
func TestMarkInvitationUsedThroughRouter(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(invLockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	mark := invMark(t, newInvTable(), "")
	bestEffort := triggers.NewRouter(triggers.RouterConfig{Logger: logger}).PostConfirmation(postconfirm.BestEffort(mark))
	if _, ierr := bestEffort.Handle(t.Context(), []byte(invConfirmJSON)); ierr != nil {
		t.Errorf("best-effort chain failed the confirmation: %s", ierr.Text())
	}
	mu.Lock()
	logged := logs.String()
	mu.Unlock()
	if !strings.Contains(logged, `"module":"MarkInvitationUsed"`) || !strings.Contains(logged, "another user") {
		t.Errorf("log does not report the lost invitation: %s", logged)
	}
	if strings.Contains(logged, "INV-USED") {
		t.Errorf("log shows the invitation code: %s", logged)
	}

	critical := triggers.NewRouter(triggers.RouterConfig{Logger: logger}).PostConfirmation(postconfirm.BestEffort(postconfirm.Critical(mark)))
	_, ierr := critical.Handle(t.Context(), []byte(invConfirmJSON))
	if ierr == nil || ierr.Type != triggers.ErrorTypeInternal || strings.Contains(ierr.Message, "INV-USED") {
		t.Errorf("critical chain = %+v, want a generic internal error", ierr)
	}
}

type invLockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l invLockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// invExampleTable is a one-invitation table for the example.
func invExampleTable() *invTable {
	return &invTable{items: map[string]map[string]string{"WELCOME-42": {"email": "ada@example.com"}}}
}

func ExampleMarkInvitationUsed() {
	db := invExampleTable() // in a function: nil, for the process-wide DynamoDB client
	mark, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Client: db, Table: "invitations"})
	if err != nil {
		fmt.Println(err)
		return
	}
	confirm := func(user, email string) error {
		e := &postconfirm.Event{}
		e.TriggerSource = triggers.PostConfirmationConfirmSignUp
		e.UserName = user
		e.Request.UserAttributes = map[string]string{"email": email}
		e.Request.ClientMetadata = map[string]string{"invitationCode": "WELCOME-42"}
		return mark(context.Background(), e)
	}
	fmt.Println(confirm("ada", "ada@example.com"))
	fmt.Println(confirm("ada", "ada@example.com")) // Cognito delivering the event again
	fmt.Println(errors.Is(confirm("bob", "ada@example.com"), postconfirm.ErrInvitationUsed))
	fmt.Println(db.item("WELCOME-42")["usedBy"])
	// Output:
	// <nil>
	// <nil>
	// true
	// ada
}
