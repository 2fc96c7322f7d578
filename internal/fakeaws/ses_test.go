package fakeaws_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
)

func simple(from, to, subject, text, html string) *sesv2.SendEmailInput {
	body := &sestypes.Body{}
	if text != "" {
		body.Text = &sestypes.Content{Data: aws.String(text)}
	}
	if html != "" {
		body.Html = &sestypes.Content{Data: aws.String(html)}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Content:          &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String(subject)}, Body: body}},
	}
	if to != "" {
		in.Destination = &sestypes.Destination{ToAddresses: []string{to}}
	}
	return in
}

func TestSESKeepsWhatItSends(t *testing.T) {
	t.Parallel()
	mail := fakeaws.NewSES()
	ctx := t.Context()
	out, err := mail.SendEmail(ctx, simple("Example <hello@example.com>", "ana@example.com", "Hi", "text body", "<p>html</p>"))
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.MessageId); got != "fake-000001" {
		t.Errorf("MessageId = %q", got)
	}
	in := simple("hello@example.com", "bob@example.com", "Second", "only text", "")
	in.Destination.BccAddresses = []string{"audit@example.com"}
	in.ConfigurationSetName = aws.String("transactional")
	if _, err := mail.SendEmail(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Destination.ToAddresses[0] = "changed@example.com" // the fake kept its own copy

	sent := mail.Sent()
	want := []fakeaws.Email{
		{MessageID: "fake-000001", From: "Example <hello@example.com>", To: []string{"ana@example.com"}, Subject: "Hi",
			Text: "text body", HTML: "<p>html</p>"},
		{MessageID: "fake-000002", From: "hello@example.com", To: []string{"bob@example.com"}, BCC: []string{"audit@example.com"},
			Subject: "Second", Text: "only text", ConfigurationSet: "transactional"},
	}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Errorf("Sent()\n got %+v\nwant %+v", sent, want)
	}
	if got := mail.SentTo("AUDIT@example.com"); len(got) != 1 || got[0].Subject != "Second" {
		t.Errorf("SentTo(audit) = %+v", got)
	}
	mail.Clear()
	if len(mail.Sent()) != 0 {
		t.Error("Clear kept messages")
	}
	if out, _ := mail.SendEmail(ctx, simple("hello@example.com", "ana@example.com", "Third", "x", "")); aws.ToString(out.MessageId) != "fake-000003" {
		t.Errorf("ids restarted after Clear: %s", aws.ToString(out.MessageId))
	}
}

func TestSESRefusesWhatSESRefuses(t *testing.T) {
	t.Parallel()
	tooMany := simple("hello@example.com", "a@example.com", "s", "t", "")
	for i := range 50 {
		tooMany.Destination.CcAddresses = append(tooMany.Destination.CcAddresses, fmt.Sprintf("c%d@example.com", i))
	}
	noSubject := simple("hello@example.com", "a@example.com", "s", "t", "")
	noSubject.Content.Simple.Subject = nil
	tests := []struct {
		name string
		in   *sesv2.SendEmailInput
	}{
		{"no sender", simple("", "a@example.com", "s", "t", "")},
		{"no recipient", simple("hello@example.com", "", "s", "t", "")},
		{"no body", simple("hello@example.com", "a@example.com", "s", "", "")},
		{"no subject", noSubject},
		{"a bad address", simple("hello@example.com", "not an address", "s", "t", "")},
		{"51 recipients", tooMany},
		{"no content", &sesv2.SendEmailInput{FromEmailAddress: aws.String("hello@example.com"),
			Destination: &sestypes.Destination{ToAddresses: []string{"a@example.com"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mail := fakeaws.NewSES()
			_, err := mail.SendEmail(t.Context(), tt.in)
			var bad *sestypes.BadRequestException
			if !errors.As(err, &bad) {
				t.Errorf("error %v, want a BadRequestException", err)
			}
			if len(mail.Sent()) != 0 {
				t.Error("a refused message was kept")
			}
		})
	}
}

func TestSESUnsupportedAndUnverified(t *testing.T) {
	t.Parallel()
	mail := fakeaws.NewSES()
	raw := &sesv2.SendEmailInput{Destination: &sestypes.Destination{ToAddresses: []string{"a@example.com"}},
		Content: &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: []byte("Subject: x\r\n\r\nbody")}}}
	if _, err := mail.SendEmail(t.Context(), raw); !errors.Is(err, fakeaws.ErrUnsupported) {
		t.Errorf("raw message: %v, want ErrUnsupported", err)
	}

	mail.RequireVerified("hello@example.com", "mail.example.org")
	for from, ok := range map[string]bool{"Hello <HELLO@example.com>": true, "any@mail.example.org": true, "other@example.com": false} {
		_, err := mail.SendEmail(t.Context(), simple(from, "a@example.com", "s", "t", ""))
		var rejected *sestypes.MessageRejected
		if ok != (err == nil) || (!ok && !errors.As(err, &rejected)) {
			t.Errorf("from %s: %v, want sent=%v", from, err, ok)
		}
	}
}

func TestSESConcurrentAndCancelled(t *testing.T) {
	t.Parallel()
	mail := fakeaws.NewSES()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := mail.SendEmail(t.Context(), simple("hello@example.com", fmt.Sprintf("u%d@example.com", i), "s", "t", "")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, e := range mail.Sent() {
		ids[e.MessageID] = true
	}
	if len(ids) != 20 {
		t.Errorf("%d distinct message ids for 20 messages", len(ids))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := mail.SendEmail(ctx, simple("hello@example.com", "a@example.com", "s", "t", "")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	mail.FailNext("SendEmail", &sestypes.TooManyRequestsException{Message: aws.String("slow down")})
	_, err := mail.SendEmail(t.Context(), simple("hello@example.com", "a@example.com", "s", "t", ""))
	if err == nil || !strings.Contains(err.Error(), "operation error SESv2: SendEmail") {
		t.Errorf("injected failure: %v", err)
	}
	if got := mail.Calls("SendEmail"); got != 22 {
		t.Errorf("Calls = %d, want 22", got)
	}
	if len(mail.Sent()) != 20 {
		t.Error("a failed call was kept")
	}
}
