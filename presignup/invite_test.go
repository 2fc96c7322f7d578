package presignup_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

// fakeInvitations serves GetItem from a map of code to item.
type fakeInvitations struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
	err   error
	reads int
}

func (f *fakeInvitations) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errBoom // a stale read could miss a use made a moment ago
	}
	code := in.Key["code"].(*types.AttributeValueMemberS).Value
	return &dynamodb.GetItemOutput{Item: f.items[code]}, nil
}

func (f *fakeInvitations) Reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

var inviteNow = time.Unix(1_750_000_000, 0)

func invitationItem(email string, expiresAt int64, usedBy string) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{"email": &types.AttributeValueMemberS{Value: email}}
	if expiresAt != 0 {
		item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expiresAt, 10)}
	}
	if usedBy != "" {
		item["usedBy"] = &types.AttributeValueMemberS{Value: usedBy}
		item["usedAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(inviteNow.Unix()-60, 10)}
	}
	return item
}

func newFakeInvitations() *fakeInvitations {
	future := inviteNow.Add(24 * time.Hour).Unix()
	return &fakeInvitations{items: map[string]map[string]types.AttributeValue{
		"VALID-CODE":    invitationItem("Ada@Example.com", future, ""),
		"NO-EXPIRY":     invitationItem("ada@example.com", 0, ""),
		"USED-CODE":     invitationItem("ada@example.com", future, "someone-else"),
		"EXPIRED-CODE":  invitationItem("ada@example.com", inviteNow.Add(-time.Second).Unix(), ""),
		"EXPIRES-NOW":   invitationItem("ada@example.com", inviteNow.Unix(), ""),
		"IDN-CODE":      invitationItem("ada@xn--bcher-kva.example", future, ""),
		"FRACTION-CODE": {"email": &types.AttributeValueMemberS{Value: "ada@example.com"}, "expiresAt": &types.AttributeValueMemberN{Value: "1.75e9"}},
		"BROKEN-CODE":   {"email": &types.AttributeValueMemberN{Value: "7"}},
	}}
}

func invitee(email string, clientMetadata, validationData map[string]string) *presignup.Event {
	e := withEmail(email)
	e.Request.ClientMetadata = clientMetadata
	e.Request.ValidationData = validationData
	return e
}

func TestRequireInvitation(t *testing.T) {
	t.Parallel()
	d := presignup.DefaultInvitationMessages
	tests := []struct {
		name       string
		email      string
		meta, vdat map[string]string
		want       string
	}{
		{"valid, client metadata", "ada@example.com", map[string]string{"invitationCode": "VALID-CODE"}, nil, ""},
		{"valid, validation data", "ada@example.com", nil, map[string]string{"invitationCode": "VALID-CODE"}, ""},
		{"valid, surrounding space", "ada@example.com", map[string]string{"invitationCode": "  VALID-CODE\n"}, nil, ""},
		{"email case differs", "ADA@EXAMPLE.COM", map[string]string{"invitationCode": "VALID-CODE"}, nil, ""},
		{"IDNA spelling differs", "ada@bücher.example", map[string]string{"invitationCode": "IDN-CODE"}, nil, ""},
		{"never expires", "ada@example.com", map[string]string{"invitationCode": "NO-EXPIRY"}, nil, ""},
		{"blank metadata falls back to validation data", "ada@example.com",
			map[string]string{"invitationCode": " "}, map[string]string{"invitationCode": "VALID-CODE"}, ""},
		{"missing", "ada@example.com", nil, nil, d.Missing},
		{"missing, other keys", "ada@example.com", map[string]string{"code": "VALID-CODE"}, nil, d.Missing},
		{"not found", "ada@example.com", map[string]string{"invitationCode": "NOPE"}, nil, d.NotFound},
		{"code is case-sensitive", "ada@example.com", map[string]string{"invitationCode": "valid-code"}, nil, d.NotFound},
		{"over-long code", "ada@example.com", map[string]string{"invitationCode": strings.Repeat("x", 600)}, nil, d.NotFound},
		{"wrong email", "eve@example.com", map[string]string{"invitationCode": "VALID-CODE"}, nil, d.WrongEmail},
		{"similar email", "ada@example.com.evil.test", map[string]string{"invitationCode": "VALID-CODE"}, nil, d.WrongEmail},
		{"no email", "", map[string]string{"invitationCode": "VALID-CODE"}, nil, d.WrongEmail},
		{"used", "ada@example.com", map[string]string{"invitationCode": "USED-CODE"}, nil, d.Used},
		{"used, wrong email says wrong email", "eve@example.com", map[string]string{"invitationCode": "USED-CODE"}, nil, d.WrongEmail},
		{"expired", "ada@example.com", map[string]string{"invitationCode": "EXPIRED-CODE"}, nil, d.Expired},
		{"expires this second", "ada@example.com", map[string]string{"invitationCode": "EXPIRES-NOW"}, nil, d.Expired},
		{"fractional expiry", "ada@example.com", map[string]string{"invitationCode": "FRACTION-CODE"}, nil, d.Expired},
	}
	db := newFakeInvitations()
	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: db, Table: "invitations", Now: func() time.Time { return inviteNow }}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := h(t.Context(), invitee(tt.email, tt.meta, tt.vdat))
			if got := outcome(err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequireInvitationMessagesDiffer(t *testing.T) {
	t.Parallel()
	d := presignup.DefaultInvitationMessages
	seen := map[string]bool{}
	for _, m := range []string{d.Missing, d.NotFound, d.WrongEmail, d.Used, d.Expired} {
		if m == "" || seen[m] {
			t.Errorf("message %q is empty or repeated", m)
		}
		seen[m] = true
	}
}

func TestRequireInvitationConfig(t *testing.T) {
	t.Parallel()
	db := newFakeInvitations()
	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{
		Client:   db,
		Table:    "invitations",
		CodeKey:  "invite",
		Messages: presignup.InvitationMessages{Used: "Already taken", Expired: "Too late"},
		Now:      func() time.Time { return inviteNow },
		Sources:  triggers.Sources{presignup.SignUp, presignup.AdminCreateUser},
	}))
	tests := []struct {
		name string
		e    *presignup.Event
		want string
	}{
		{"custom key", invitee("ada@example.com", map[string]string{"invite": "VALID-CODE"}, nil), ""},
		{"default key is ignored", invitee("ada@example.com", map[string]string{"invitationCode": "VALID-CODE"}, nil),
			presignup.DefaultInvitationMessages.Missing},
		{"custom used text", invitee("ada@example.com", map[string]string{"invite": "USED-CODE"}, nil), "Already taken"},
		{"custom expired text", invitee("ada@example.com", map[string]string{"invite": "EXPIRED-CODE"}, nil), "Too late"},
		{"unset text keeps default", invitee("ada@example.com", map[string]string{"invite": "NOPE"}, nil),
			presignup.DefaultInvitationMessages.NotFound},
		{"admin create user checked when listed", event(presignup.AdminCreateUser, map[string]string{"email": "ada@example.com"}),
			presignup.DefaultInvitationMessages.Missing},
	}
	for _, tt := range tests {
		if got := outcome(h(t.Context(), tt.e)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRequireInvitationNoOp(t *testing.T) {
	t.Parallel()
	db := newFakeInvitations()
	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: db, Table: "invitations"}))
	for _, src := range []presignup.Event{
		*event(presignup.AdminCreateUser, map[string]string{"email": "ada@example.com"}),
		*event(presignup.ExternalProvider, map[string]string{"email": "ada@example.com"}),
		*event("PreSignUp_Future", nil),
	} {
		if err := h(t.Context(), &src); err != nil {
			t.Errorf("%s: %v, want no-op", src.TriggerSource, err)
		}
	}
	if n := db.Reads(); n != 0 {
		t.Errorf("no-op sources read DynamoDB %d times", n)
	}
}

func TestRequireInvitationErrors(t *testing.T) {
	t.Parallel()
	db := newFakeInvitations()
	db.err = errBoom
	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: db, Table: "invitations"}))
	err := h(t.Context(), invitee("ada@example.com", map[string]string{"invitationCode": "SECRET-CODE-1"}, nil))
	if _, ok := triggers.AsRejection(err); ok || err == nil {
		t.Fatalf("DynamoDB failure = %v, want an internal error, not a rejection", err)
	}
	if strings.Contains(err.Error(), "SECRET-CODE-1") {
		t.Errorf("error %q shows the invitation code", err)
	}

	broken := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: newFakeInvitations(), Table: "invitations"}))
	err = broken(t.Context(), invitee("ada@example.com", map[string]string{"invitationCode": "BROKEN-CODE"}, nil))
	if _, ok := triggers.AsRejection(err); ok || err == nil || strings.Contains(err.Error(), "BROKEN-CODE") {
		t.Errorf("malformed item = %v, want an internal error without the code", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = broken(ctx, invitee("ada@example.com", map[string]string{"invitationCode": "VALID-CODE"}, nil))
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Errorf("cancelled context = %v, want the context's error", err)
	}
}

func TestRequireInvitationConfiguration(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  presignup.InvitationConfig
		want string
	}{
		{"no table", presignup.InvitationConfig{Table: " "}, "presignup.RequireInvitation: Table is empty"},
		{"blank key", presignup.InvitationConfig{Table: "t", CodeKey: " "}, "presignup.RequireInvitation: CodeKey is blank"},
		{"foreign source", presignup.InvitationConfig{Table: "t", Sources: triggers.Sources{triggers.PostConfirmationConfirmSignUp}},
			"presignup.RequireInvitation: Sources:"},
	} {
		if h, err := presignup.RequireInvitation(tt.cfg); err == nil || h != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got (%v, %v), want an error containing %q", tt.name, h != nil, err, tt.want)
		}
	}
}

// A config that sets only the table takes the defaults: the code under DefaultCodeKey,
// PreSignUp_SignUp only, and time.Now as the clock, by which the invitation valid at
// inviteNow has long expired.
func TestRequireInvitationDefaults(t *testing.T) {
	t.Parallel()
	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: newFakeInvitations(), Table: "invitations"}))
	e := invitee("ada@example.com", map[string]string{presignup.DefaultCodeKey: "VALID-CODE"}, nil)
	if got := outcome(h(t.Context(), e)); got != presignup.DefaultInvitationMessages.Expired {
		t.Errorf("VALID-CODE by the real clock = %q, want %q", got, presignup.DefaultInvitationMessages.Expired)
	}
	if err := h(t.Context(), event(presignup.AdminCreateUser, map[string]string{"email": "ada@example.com"})); err != nil {
		t.Errorf("default sources on AdminCreateUser = %v, want no-op", err)
	}
}
