package mailonce_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/internal/mailonce"
)

const table = "markers"

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type data struct{ Name string }

func setup(t *testing.T) (*fakeaws.SES, *fakeaws.DynamoDB, *mailonce.Message, *sesv2.SendEmailInput) {
	t.Helper()
	ses, db := fakeaws.NewSES(), fakeaws.NewDynamoDB()
	db.AddTable(table, "pk", "")
	msg, err := mailonce.Parse(mailonce.Template{From: "from@example.com", Subject: "Hi\n{{.Name}}", Text: "Hello {{.Name}}",
		HTML: "<p>{{.Name}}</p>"}, &data{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := msg.Render(&data{Name: "<Ana>"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Hi <Ana>" || r.Text != "Hello <Ana>" || r.HTML != "<p>&lt;Ana&gt;</p>" {
		t.Fatalf("rendered %+v", r)
	}
	return ses, db, msg, msg.Input("ana@example.com", r)
}

func marker(t *testing.T, db *fakeaws.DynamoDB, key string) map[string]types.AttributeValue {
	t.Helper()
	for _, it := range db.Items(table) {
		if pk, ok := it["pk"].(*types.AttributeValueMemberS); ok && pk.Value == key {
			return it
		}
	}
	return nil
}

func str(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// A send claims the marker, sends, and records it as sent with the message id; every
// later send of the key finds the marker and sends nothing.
func TestSendOnce(t *testing.T) {
	t.Parallel()
	ses, db, _, in := setup(t)
	o := &mailonce.Once{Table: table, KeyName: "pk", TTL: time.Hour, Now: func() time.Time { return start }}
	id, claimed, err := o.Send(context.Background(), ses, db, "k1", in)
	if err != nil || !claimed || id == "" {
		t.Fatalf("first send: id %q claimed %v err %v", id, claimed, err)
	}
	m := marker(t, db, "k1")
	if str(m, "status") != "sent" || str(m, "messageId") != id {
		t.Errorf("marker after the send: %v", m)
	}
	if exp, ok := m["expiresAt"].(*types.AttributeValueMemberN); !ok || exp.Value != "1772370000" {
		t.Errorf("expiresAt %v, want an hour after the claim in epoch seconds", m["expiresAt"])
	}
	for range 2 {
		id, claimed, err = o.Send(context.Background(), ses, db, "k1", in)
		if err != nil || claimed || id != "" {
			t.Fatalf("repeated send: id %q claimed %v err %v", id, claimed, err)
		}
	}
	if n := len(ses.Sent()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
	if _, claimed, _ := o.Send(context.Background(), ses, db, "k2", in); !claimed || len(ses.Sent()) != 2 {
		t.Error("another key did not send")
	}
}

// When SES answers with an error nothing was sent: the claim is released and the next
// delivery sends. When the outcome is unknown (not an API error), the claim stays and
// nothing is sent again.
func TestSendFailures(t *testing.T) {
	t.Parallel()
	ses, db, _, in := setup(t)
	o := &mailonce.Once{Table: table, KeyName: "pk"}
	ctx := context.Background()

	ses.FailNext("SendEmail", &smithy.GenericAPIError{Code: "MessageRejected", Message: "no"})
	_, claimed, err := o.Send(ctx, ses, db, "rejected", in)
	if err == nil || !claimed || !strings.Contains(err.Error(), "MessageRejected") {
		t.Fatalf("API error: claimed %v err %v", claimed, err)
	}
	if m := marker(t, db, "rejected"); m != nil {
		t.Fatalf("claim not released after an API error: %v", m)
	}
	if id, claimed, err := o.Send(ctx, ses, db, "rejected", in); err != nil || !claimed || id == "" {
		t.Fatalf("retry after a released claim: id %q claimed %v err %v", id, claimed, err)
	}

	ses.FailNext("SendEmail", errors.New("connection reset"))
	if _, claimed, err := o.Send(ctx, ses, db, "unknown", in); err == nil || !claimed {
		t.Fatalf("unknown outcome: claimed %v err %v", claimed, err)
	}
	if m := marker(t, db, "unknown"); str(m, "status") != "claimed" {
		t.Fatalf("claim after an unknown outcome: %v", m)
	}
	if _, claimed, err := o.Send(ctx, ses, db, "unknown", in); err != nil || claimed {
		t.Fatalf("retry after an unknown outcome: claimed %v err %v", claimed, err)
	}

	db.FailNext("UpdateItem", errors.New("throttled"))
	id, claimed, err := o.Send(ctx, ses, db, "unrecorded", in)
	if err == nil || !claimed || id == "" || !strings.Contains(err.Error(), "not recorded") {
		t.Fatalf("mark failure: id %q claimed %v err %v", id, claimed, err)
	}
	if _, claimed, _ := o.Send(ctx, ses, db, "unrecorded", in); claimed {
		t.Fatal("an email SES accepted was sent again")
	}

	db.FailNext("PutItem", errors.New("throttled"))
	if _, claimed, err := o.Send(ctx, ses, db, "noclaim", in); err == nil || claimed {
		t.Fatalf("claim failure: claimed %v err %v", claimed, err)
	}

	if want := 2; len(ses.Sent()) != want {
		t.Errorf("%d emails sent, want %d", len(ses.Sent()), want)
	}
}

// With ReclaimAfter, a claim never recorded as sent is taken over once it is that old,
// and not before; a sent marker never is.
func TestReclaimAfter(t *testing.T) {
	t.Parallel()
	ses, db, _, in := setup(t)
	now := start
	o := &mailonce.Once{Table: table, KeyName: "pk", ReclaimAfter: time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	ses.FailNext("SendEmail", errors.New("timeout"))
	if _, claimed, _ := o.Send(ctx, ses, db, "k", in); !claimed {
		t.Fatal("first send not claimed")
	}
	now = start.Add(30 * time.Second)
	if _, claimed, err := o.Send(ctx, ses, db, "k", in); claimed || err != nil {
		t.Fatalf("fresh claim taken over: claimed %v err %v", claimed, err)
	}
	now = start.Add(2 * time.Minute)
	if _, claimed, err := o.Send(ctx, ses, db, "k", in); !claimed || err != nil {
		t.Fatalf("stale claim not taken over: claimed %v err %v", claimed, err)
	}
	now = start.Add(time.Hour)
	if _, claimed, _ := o.Send(ctx, ses, db, "k", in); claimed {
		t.Fatal("a sent marker was taken over")
	}
	if len(ses.Sent()) != 1 {
		t.Errorf("%d emails, want 1", len(ses.Sent()))
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	ok := mailonce.Template{From: "a@example.com", Subject: "s", Text: "t"}
	for _, tt := range []struct {
		name string
		edit func(*mailonce.Template)
		want string
	}{
		{"sender", func(t *mailonce.Template) { t.From = "not an address" }, "sender"},
		{"reply-to", func(t *mailonce.Template) { t.ReplyTo = []string{"x"} }, "reply-to"},
		{"subject", func(t *mailonce.Template) { t.Subject = "" }, "empty subject"},
		{"body", func(t *mailonce.Template) { t.Text = "" }, "no body"},
		{"syntax", func(t *mailonce.Template) { t.Text = "{{.Name" }, "text template"},
		{"misspelt field", func(t *mailonce.Template) { t.HTML = "{{.Nmae}}" }, "HTML template"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tpl := ok
			tt.edit(&tpl)
			if _, err := mailonce.Parse(tpl, &data{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	if !mailonce.PlainAddress("a@example.com") || mailonce.PlainAddress("Ana <a@example.com>") || mailonce.PlainAddress("a@b.c, d@e.f") {
		t.Error("PlainAddress")
	}
}
