package custommessage_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
)

func TestConfirmLinkURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, confirm, redirect string
		clientID, username      string
		want                    string
	}{
		{
			name:    "plain values",
			confirm: "https://confirm.example.com/confirm", redirect: "https://app.example.com/welcome",
			clientID: "client1", username: "alice",
			want: "https://confirm.example.com/confirm?client_id=client1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome&username=alice&code={####}",
		},
		{
			name:    "special characters are query-escaped",
			confirm: "https://confirm.example.com/confirm", redirect: "https://app.example.com/welcome?from=mail&lang=de#x",
			clientID: "id/with=&?", username: "jürgen+test@example.com",
			want: "https://confirm.example.com/confirm?client_id=id%2Fwith%3D%26%3F" +
				"&redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome%3Ffrom%3Dmail%26lang%3Dde%23x" +
				"&username=j%C3%BCrgen%2Btest%40example.com&code={####}",
		},
		{
			name:    "the confirm URL's own query is kept, a code in it dropped",
			confirm: "https://confirm.example.com/c?lang=de&code=stale", redirect: "https://app.example.com/",
			clientID: "c", username: "u",
			want: "https://confirm.example.com/c?client_id=c&lang=de&redirect_uri=https%3A%2F%2Fapp.example.com%2F&username=u&code={####}",
		},
		{
			name:    "http on localhost for development",
			confirm: "http://localhost:8080/confirm", redirect: "http://127.0.0.1:3000/done",
			clientID: "c", username: "u",
			want: "http://localhost:8080/confirm?client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fdone&username=u&code={####}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			link := must(custommessage.NewConfirmLink(tt.confirm, tt.redirect))(t)
			e := newEvent(triggers.CustomMessageSignUp)
			e.CallerContext.ClientID, e.UserName = tt.clientID, tt.username
			got, err := link.URL(e)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("URL:\n got %s\nwant %s", got, tt.want)
			}

			// What the user clicks, once Cognito has put the code in: every value
			// comes back exactly.
			clicked, err := url.Parse(strings.Replace(got, "{####}", "123456", 1))
			if err != nil {
				t.Fatal(err)
			}
			q := clicked.Query()
			for param, want := range map[string]string{
				custommessage.ParamClientID: tt.clientID, custommessage.ParamUsername: tt.username,
				custommessage.ParamRedirect: tt.redirect, custommessage.ParamCode: "123456",
			} {
				if vs := q[param]; len(vs) != 1 || vs[0] != want {
					t.Errorf("after substitution %s = %q, want %q", param, vs, want)
				}
			}
		})
	}
}

func TestConfirmLinkURLNeedsEventFields(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/"))(t)
	for name, edit := range map[string]func(*custommessage.Event){
		"client ID":        func(e *custommessage.Event) { e.CallerContext.ClientID = "" },
		"user name":        func(e *custommessage.Event) { e.UserName = "" },
		"code placeholder": func(e *custommessage.Event) { e.Request.CodeParameter = "" },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEvent(triggers.CustomMessageSignUp)
			edit(e)
			if u, err := link.URL(e); err == nil {
				t.Fatalf("URL = %q, want an error", u)
			}
		})
	}
}

func TestNewConfirmLinkRejects(t *testing.T) {
	t.Parallel()
	const okConfirm, okRedirect = "https://confirm.example.com/c", "https://app.example.com/welcome"
	tests := []struct{ name, confirm, redirect string }{
		{"http confirm URL", "http://confirm.example.com/c", okRedirect},
		{"http redirect", okConfirm, "http://app.example.com/welcome"},
		{"http on a host merely named like localhost", "http://localhost.example.com/c", okRedirect},
		{"relative confirm URL", "/confirm", okRedirect},
		{"protocol-relative confirm URL", "//confirm.example.com/c", okRedirect},
		{"user info", "https://user:pw@confirm.example.com/c", okRedirect},
		{"fragment", "https://confirm.example.com/c#top", okRedirect},
		{"empty fragment", "https://confirm.example.com/c#", okRedirect},
		{"javascript redirect", okConfirm, "javascript:alert(1)"},
		{"empty confirm URL", "", okRedirect},
		{"empty redirect", okConfirm, ""},
		{"opaque", "https:confirm.example.com", okRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := custommessage.NewConfirmLink(tt.confirm, tt.redirect); err == nil {
				t.Fatalf("NewConfirmLink(%q, %q) succeeded, want an error", tt.confirm, tt.redirect)
			}
		})
	}
}

func TestVerificationLinkThroughRouter(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/confirm", "https://app.example.com/welcome?from=mail"))(t)
	h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{
		Link:     link,
		Subject:  "Bitte bestätigen",
		Text:     "Hallo <Freund> & willkommen!\nEin Klick genügt.",
		LinkText: "E-Mail bestätigen",
	}))(t)

	const wantMessage = `<p>Hallo &lt;Freund&gt; &amp; willkommen!<br>Ein Klick genügt.</p>` +
		`<p><a href="https://confirm.example.com/confirm?client_id=4tu98tl1sh8bsqq5fhjdk0udqm` +
		`&amp;redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome%3Ffrom%3Dmail` +
		`&amp;username=j%C3%BCrgen%2Btest%40example.com&amp;code={####}">E-Mail bestätigen</a></p>`

	for _, src := range []triggers.TriggerSource{triggers.CustomMessageSignUp, triggers.CustomMessageResendCode} {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			resp, ierr, _ := invoke(t, h, fixture(t, "signup.json", source(src)))
			if ierr != nil {
				t.Fatal(ierr)
			}
			if got := resp["emailMessage"]; got != wantMessage {
				t.Errorf("emailMessage:\n got %v\nwant %s", got, wantMessage)
			}
			if got := resp["emailSubject"]; got != "Bitte bestätigen" {
				t.Errorf("emailSubject = %v", got)
			}
			if v, ok := resp["smsMessage"]; ok && v != nil {
				t.Errorf("smsMessage = %v, want it left unset", v)
			}
		})
	}

	for _, src := range []triggers.TriggerSource{triggers.CustomMessageForgotPassword,
		triggers.CustomMessageAdminCreateUser, triggers.CustomMessageVerifyUserAttribute,
		triggers.CustomMessageUpdateUserAttribute, triggers.CustomMessageAuthentication} {
		t.Run("no-op on "+string(src), func(t *testing.T) {
			t.Parallel()
			resp, ierr, _ := invoke(t, h, fixture(t, "signup.json", source(src)))
			if ierr != nil {
				t.Fatal(ierr)
			}
			for k, v := range resp {
				if v != nil {
					t.Errorf("response.%s = %v, want unset", k, v)
				}
			}
		})
	}
}

func TestVerificationLinkDefaults(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/"))(t)
	h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link}))(t)
	e := newEvent(triggers.CustomMessageSignUp)
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	want := `<p>Please verify your email address by opening the link below.</p>` +
		`<p><a href="https://confirm.example.com/?client_id=client-1&amp;redirect_uri=https%3A%2F%2Fapp.example.com%2F&amp;username=alice&amp;code={####}">Verify email address</a></p>`
	if e.Response.EmailMessage != want {
		t.Errorf("emailMessage:\n got %s\nwant %s", e.Response.EmailMessage, want)
	}
	if e.Response.EmailSubject != "Verify your email address" {
		t.Errorf("emailSubject = %q", e.Response.EmailSubject)
	}
	if e.Response.SMSMessage != "" {
		t.Errorf("smsMessage = %q, want unset", e.Response.SMSMessage)
	}
	// Cognito substitutes the first occurrence at least; the placeholder must appear once.
	if n := strings.Count(e.Response.EmailMessage, "{####}"); n != 1 {
		t.Errorf("code placeholder appears %d times", n)
	}
}

func TestVerificationLinkOmitText(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/"))(t)
	h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link, Text: "ignored", OmitText: true}))(t)
	e := newEvent(triggers.CustomMessageSignUp)
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Response.EmailMessage, `<p><a href="https://confirm.example.com/?`) || strings.Contains(e.Response.EmailMessage, "ignored") {
		t.Errorf("emailMessage = %s, want the link alone", e.Response.EmailMessage)
	}
}

func TestVerificationLinkConstruction(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/"))(t)
	tests := []struct {
		name string
		link *custommessage.ConfirmLink
		cfg  custommessage.VerificationLinkConfig // Link comes from link
		want string                               // "" for no error
	}{
		{"defaults", link, custommessage.VerificationLinkConfig{}, ""},
		{"subject of 140 characters", link, custommessage.VerificationLinkConfig{Subject: strings.Repeat("ä", 140)}, ""},
		{"subject of 141 characters", link, custommessage.VerificationLinkConfig{Subject: strings.Repeat("ä", 141)}, "Subject has 141 characters"},
		{"blank link text", link, custommessage.VerificationLinkConfig{LinkText: " "}, "LinkText is blank"},
		{"nil link", nil, custommessage.VerificationLinkConfig{}, "Link is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Link = tt.link
			_, err := custommessage.VerificationLink(cfg)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil ||
				!strings.HasPrefix(err.Error(), "custommessage.VerificationLink: ") || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestVerificationLinkInvalidEvent(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/"))(t)
	payload := fixture(t, "signup.json", clientID(""))

	t.Run("default leaves Cognito's message and logs", func(t *testing.T) {
		t.Parallel()
		h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link}))(t)
		resp, ierr, logs := invoke(t, h, payload)
		if ierr != nil {
			t.Fatal(ierr)
		}
		if resp["emailMessage"] != nil || resp["emailSubject"] != nil {
			t.Errorf("response = %v, want the email fields unset", resp)
		}
		if !strings.Contains(logs.String(), "no app client ID") {
			t.Errorf("logs do not explain the fallback:\n%s", logs)
		}
	})
	t.Run("FailOnInvalid fails the trigger with the generic text", func(t *testing.T) {
		t.Parallel()
		h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link, FailOnInvalid: true}))(t)
		_, ierr, logs := invoke(t, h, payload)
		if ierr == nil {
			t.Fatal("invocation succeeded, want a failure")
		}
		if ierr.Message != triggers.DefaultErrorMessage || ierr.Type != triggers.ErrorTypeInternal {
			t.Errorf("error = %+v, want the generic internal error", ierr)
		}
		if !strings.Contains(logs.String(), "no app client ID") {
			t.Errorf("logs do not name the cause:\n%s", logs)
		}
	})
	t.Run("the error is a MessageError", func(t *testing.T) {
		t.Parallel()
		h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link, FailOnInvalid: true}))(t)
		e := newEvent(triggers.CustomMessageSignUp)
		e.UserName = ""
		err := h(context.Background(), e)
		var me *custommessage.MessageError
		if !errors.As(err, &me) || me.Field != custommessage.FieldEmailMessage || me.Source != triggers.CustomMessageSignUp {
			t.Fatalf("err = %#v, want a MessageError for the email", err)
		}
	})
}
