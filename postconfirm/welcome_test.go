package postconfirm_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

var testEmail = postconfirm.Email{
	From:    "Example <hello@example.com>",
	Subject: "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}",
	Text:    "Hello {{.Attributes.given_name}},\nyour account {{.Attributes.email}} is ready.",
	HTML:    `<p>Hello {{.Attributes.given_name}},</p><p><a href="https://example.com/u/{{.Attributes.sub}}">your account</a></p>`,
	ReplyTo: []string{"support@example.com"},
}

func verified(attrs map[string]string) map[string]string {
	out := map[string]string{"sub": "user-1", "email": "ana@example.com", "email_verified": "true"}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

func TestWelcomeEmailContent(t *testing.T) {
	t.Parallel()
	ses := &fakeSES{}
	markers := newFakeDynamo("pk")
	email := testEmail
	email.ConfigurationSet = "welcome"
	h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{Sender: ses, Markers: markers, Table: "markers", Email: email}))
	name := `<script>alert("x")</script> & Bob`
	if err := h(t.Context(), signUp(verified(map[string]string{"given_name": name}))); err != nil {
		t.Fatal(err)
	}
	sent := ses.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d emails sent", len(sent))
	}
	in := sent[0]
	msg := in.Content.Simple
	html := aws.ToString(msg.Body.Html.Data)
	text := aws.ToString(msg.Body.Text.Data)
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Bob") {
		t.Errorf("HTML part does not escape the attribute: %s", html)
	}
	if !strings.Contains(html, `href="https://example.com/u/user-1"`) {
		t.Errorf("HTML part %s lost its link", html)
	}
	if !strings.Contains(text, "Hello "+name+",") || !strings.Contains(text, "ana@example.com is ready") {
		t.Errorf("text part %q does not carry the attributes as they are", text)
	}
	if got := aws.ToString(msg.Subject.Data); got != "Welcome, "+name {
		t.Errorf("subject %q", got)
	}
	if aws.ToString(in.FromEmailAddress) != email.From || !slices.Equal(in.Destination.ToAddresses, []string{"ana@example.com"}) ||
		!slices.Equal(in.ReplyToAddresses, email.ReplyTo) || aws.ToString(in.ConfigurationSetName) != "welcome" {
		t.Errorf("envelope from %q to %v reply-to %v set %q", aws.ToString(in.FromEmailAddress),
			in.Destination.ToAddresses, in.ReplyToAddresses, aws.ToString(in.ConfigurationSetName))
	}
	if m := markers.Item("welcome-email#user-1"); str(m["status"]) != "sent" || str(m["messageId"]) != "message-1" {
		t.Errorf("marker %s, want sent with the message ID", itemString(m))
	}
}

func TestWelcomeEmailTemplates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		email             postconfirm.Email
		attrs             map[string]string
		subject, text, ht string
		noText, noHTML    bool
	}{
		{
			name:    "missing attribute is empty",
			email:   postconfirm.Email{From: "a@example.com", Subject: "Hi {{.Attributes.given_name}}!", Text: "[{{.Attributes.nickname}}]"},
			subject: "Hi !", text: "[]", noHTML: true,
		},
		{
			name:    "line breaks in the subject become spaces",
			email:   postconfirm.Email{From: "a@example.com", Subject: "Hi {{.Attributes.given_name}}", HTML: "<b>{{.UserName}}</b>"},
			attrs:   map[string]string{"given_name": "Ana\r\nBcc: eve@example.com"},
			subject: "Hi Ana Bcc: eve@example.com", ht: "<b>user-1</b>", noText: true,
		},
		{
			name:    "custom attribute by index, user pool",
			email:   postconfirm.Email{From: "a@example.com", Subject: `{{index .Attributes "custom:plan"}} plan`, Text: "{{.UserPoolID}}"},
			attrs:   map[string]string{"custom:plan": "pro"},
			subject: "pro plan", text: "us-east-1_TestPool", noHTML: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ses := &fakeSES{}
			h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Sender:  ses,
				Markers: newFakeDynamo("pk"),
				Table:   "markers",
				Email:   tt.email,
			}))
			if err := h(t.Context(), signUp(verified(tt.attrs))); err != nil {
				t.Fatal(err)
			}
			if len(ses.Sent()) != 1 {
				t.Fatalf("%d emails sent", len(ses.Sent()))
			}
			msg := ses.Sent()[0].Content.Simple
			if got := aws.ToString(msg.Subject.Data); got != tt.subject {
				t.Errorf("subject %q, want %q", got, tt.subject)
			}
			if (msg.Body.Text == nil) != tt.noText || (msg.Body.Html == nil) != tt.noHTML {
				t.Fatalf("body parts text %v html %v", msg.Body.Text != nil, msg.Body.Html != nil)
			}
			if msg.Body.Text != nil && aws.ToString(msg.Body.Text.Data) != tt.text {
				t.Errorf("text %q, want %q", aws.ToString(msg.Body.Text.Data), tt.text)
			}
			if msg.Body.Html != nil && aws.ToString(msg.Body.Html.Data) != tt.ht {
				t.Errorf("html %q, want %q", aws.ToString(msg.Body.Html.Data), tt.ht)
			}
		})
	}
}

func TestWelcomeEmailSkips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		attrs           map[string]string
		allowUnverified bool
		wantLog         string
		sends           bool
	}{
		{name: "no email attribute", attrs: map[string]string{"sub": "user-1"}, wantLog: "welcome email skipped: user has no email attribute"},
		{name: "unverified", attrs: map[string]string{"sub": "user-1", "email": "ana@example.com", "email_verified": "false"}, wantLog: "welcome email skipped: email address not verified"},
		{name: "verification unknown", attrs: map[string]string{"sub": "user-1", "email": "ana@example.com"}, wantLog: "welcome email skipped: email address not verified"},
		{name: "unverified allowed", attrs: map[string]string{"sub": "user-1", "email": "ana@example.com"}, allowUnverified: true, sends: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ses := &fakeSES{}
			markers := newFakeDynamo("pk")
			h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Sender:               ses,
				Markers:              markers,
				Table:                "markers",
				Email:                testEmail,
				AllowUnverifiedEmail: tt.allowUnverified,
			}))
			ctx, logs := loggerContext(t)
			if err := h(ctx, signUp(tt.attrs)); err != nil {
				t.Fatal(err)
			}
			if got := len(ses.Sent()); got != map[bool]int{true: 1}[tt.sends] {
				t.Errorf("%d emails sent", got)
			}
			if !tt.sends {
				if len(markers.Calls()) != 0 {
					t.Errorf("a skipped user was marked: %v", markers.Calls())
				}
				if lines := logs.Find(t, tt.wantLog); len(lines) != 1 || lines[0]["userName"] != "user-1" {
					t.Errorf("skip not logged as %q:\n%s", tt.wantLog, logs)
				}
			}
		})
	}
}

// TestWelcomeEmailOnce replays the event three times, one after another and at once:
// one email.
func TestWelcomeEmailOnce(t *testing.T) {
	t.Parallel()
	for name, replay := range map[string]func(context.Context, int, func(context.Context) error) []error{
		"sequential": awslocal.Replay, "concurrent": awslocal.ReplayConcurrent,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ses := &fakeSES{latency: 5 * time.Millisecond}
			h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Sender:  ses,
				Markers: newFakeDynamo("pk"),
				Table:   "markers",
				Email:   testEmail,
			}))
			e := signUp(verified(nil))
			for i, err := range replay(t.Context(), 3, func(ctx context.Context) error { return h(ctx, e) }) {
				if err != nil {
					t.Errorf("delivery %d: %v", i, err)
				}
			}
			if n := len(ses.Sent()); n != 1 {
				t.Errorf("%d emails sent, want 1", n)
			}
		})
	}
}

// TestWelcomeEmailFailures walks the failure cases between claim and send.
func TestWelcomeEmailFailures(t *testing.T) {
	t.Parallel()
	rejected := &sestypes.MessageRejected{Message: aws.String("Email address is not verified.")}

	t.Run("SES rejects: claim released, a later delivery sends", func(t *testing.T) {
		t.Parallel()
		ses := &fakeSES{err: rejected}
		markers := newFakeDynamo("pk")
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		}))
		e := signUp(verified(nil))
		if err := h(t.Context(), e); !errors.As(err, new(*sestypes.MessageRejected)) {
			t.Fatalf("error %v, want SES's rejection", err)
		}
		if markers.Len() != 0 {
			t.Fatalf("claim kept after a definite failure")
		}
		ses.mu.Lock()
		ses.err = nil
		ses.mu.Unlock()
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		if len(ses.Sent()) != 1 {
			t.Errorf("%d emails sent after the retry, want 1", len(ses.Sent()))
		}
	})

	t.Run("outcome unknown: claim kept, nothing sent again", func(t *testing.T) {
		t.Parallel()
		ses := &fakeSES{latency: time.Minute}
		markers := newFakeDynamo("pk")
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		}))
		e := signUp(verified(nil))
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		if err := h(ctx, e); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the deadline", err)
		}
		ses.mu.Lock()
		ses.latency = 0
		ses.mu.Unlock()
		if err := h(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		if len(ses.Sent()) != 0 {
			t.Errorf("sent again after an unknown outcome: at-most-once broken")
		}
		if str(markers.Item("welcome-email#user-1")["status"]) != "claimed" {
			t.Errorf("marker %s, want claimed", itemString(markers.Item("welcome-email#user-1")))
		}
	})

	t.Run("stale claim reclaimed only with ReclaimAfter", func(t *testing.T) {
		t.Parallel()
		for _, reclaim := range []bool{false, true} {
			ses := &fakeSES{}
			markers := newFakeDynamo("pk")
			markers.Put(map[string]types.AttributeValue{
				"pk": s("welcome-email#user-1"), "status": s("claimed"), "claim": s("crashed"),
				"claimedAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)},
			})
			cfg := postconfirm.WelcomeConfig{Sender: ses, Markers: markers, Table: "markers", Email: testEmail}
			if reclaim {
				cfg.ReclaimAfter = time.Minute
			}
			h := must(postconfirm.WelcomeEmail(cfg))
			for range 2 {
				if err := h(t.Context(), signUp(verified(nil))); err != nil {
					t.Fatal(err)
				}
			}
			want := map[bool]int{true: 1}[reclaim]
			if len(ses.Sent()) != want {
				t.Errorf("ReclaimAfter %v: %d emails, want %d", reclaim, len(ses.Sent()), want)
			}
		}
	})

	t.Run("fresh claim is not reclaimed", func(t *testing.T) {
		t.Parallel()
		ses := &fakeSES{}
		markers := newFakeDynamo("pk")
		markers.Put(map[string]types.AttributeValue{
			"pk": s("welcome-email#user-1"), "status": s("claimed"), "claim": s("other"),
			"claimedAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixMilli(), 10)},
		})
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:       ses,
			Markers:      markers,
			Table:        "markers",
			Email:        testEmail,
			ReclaimAfter: time.Minute,
		}))
		if err := h(t.Context(), signUp(verified(nil))); err != nil {
			t.Fatal(err)
		}
		if len(ses.Sent()) != 0 {
			t.Error("a claim in progress was taken over")
		}
	})

	t.Run("sent but not recorded is reported", func(t *testing.T) {
		t.Parallel()
		ses := &fakeSES{}
		markers := newFakeDynamo("pk")
		markers.fail["UpdateItem"] = errBoom
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		}))
		err := h(t.Context(), signUp(verified(nil)))
		if err == nil || !strings.Contains(err.Error(), "sent (message message-1) but not recorded") {
			t.Errorf("error %v", err)
		}
		if err := h(t.Context(), signUp(verified(nil))); err != nil || len(ses.Sent()) != 1 {
			t.Errorf("second delivery: %v, %d emails", err, len(ses.Sent()))
		}
	})

	t.Run("claim fails: nothing sent", func(t *testing.T) {
		t.Parallel()
		ses := &fakeSES{}
		markers := newFakeDynamo("pk")
		markers.fail["PutItem"] = errBoom
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  ses,
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		}))
		if err := h(t.Context(), signUp(verified(nil))); err == nil || len(ses.Sent()) != 0 {
			t.Errorf("error %v, %d emails; want an error and none", err, len(ses.Sent()))
		}
	})

	t.Run("bad address: nothing claimed", func(t *testing.T) {
		t.Parallel()
		markers := newFakeDynamo("pk")
		h := must(postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Sender:  &fakeSES{},
			Markers: markers,
			Table:   "markers",
			Email:   testEmail,
		}))
		err := h(t.Context(), signUp(verified(map[string]string{"email": "Ana <ana@example.com>, eve@example.com"})))
		if err == nil || markers.Len() != 0 {
			t.Errorf("error %v, markers %d", err, markers.Len())
		}
	})
}

func TestWelcomeEmailConfiguration(t *testing.T) {
	t.Parallel()
	ok := testEmail
	with := func(f func(*postconfirm.Email)) postconfirm.Email { e := ok; f(&e); return e }
	tests := []struct {
		name         string
		table        string
		email        postconfirm.Email
		reclaimAfter time.Duration
	}{
		{"no table", "", ok, 0},
		{"no from", "m", with(func(e *postconfirm.Email) { e.From = "" }), 0},
		{"bad from", "m", with(func(e *postconfirm.Email) { e.From = "not an address" }), 0},
		{"bad reply-to", "m", with(func(e *postconfirm.Email) { e.ReplyTo = []string{"@"} }), 0},
		{"no subject", "m", with(func(e *postconfirm.Email) { e.Subject = "" }), 0},
		{"no body", "m", with(func(e *postconfirm.Email) { e.Text, e.HTML = "", "" }), 0},
		{"subject does not parse", "m", with(func(e *postconfirm.Email) { e.Subject = "{{.Attributes" }), 0},
		{"HTML does not parse", "m", with(func(e *postconfirm.Email) { e.HTML = "{{if}}" }), 0},
		{"misspelt field", "m", with(func(e *postconfirm.Email) { e.Text = "{{.Attribute.email}}" }), 0},
		{"reclaim too soon", "m", ok, time.Second},
		{"negative reclaim", "m", ok, -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
				Table:        tt.table,
				Email:        tt.email,
				ReclaimAfter: tt.reclaimAfter,
			}); err == nil {
				t.Error("WelcomeEmail accepted the configuration")
			}
		})
	}
}
