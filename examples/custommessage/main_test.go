package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/welcome",
		"EMAILSUBJECT=Confirm your Example account", "EMAILMESSAGE=Welcome to Example!", "APP_NAME=Example"}
	tests := []struct {
		name                 string
		event                []byte
		subject              string
		emailHas, emailLacks []string
		smsHas               string // "" wants Cognito's own SMS
	}{
		{name: "sign-up link", event: triggertest.Payload(triggers.CustomMessageSignUp),
			subject:  "Confirm your Example account",
			emailHas: []string{"Welcome to Example!", `<a href="https://confirm.example.com/?client_id=4j2u2vb6e0f2l2o8jv1mh1sf3n&amp;`, "&amp;code={####}\">"}},
		{name: "password reset", event: triggertest.Payload(triggers.CustomMessageForgotPassword),
			subject: "Reset your Example password", emailHas: []string{"<strong>{####}</strong>"},
			smsHas: "Your Example password reset code is {####}"},
		{name: "password reset in German", event: triggertest.Payload(triggers.CustomMessageForgotPassword,
			triggertest.WithAttribute("locale", "de-AT")),
			subject: "Ihr Example-Passwort zurücksetzen", emailHas: []string{"{####}"}, smsHas: "Ihr Example-Code zum Zurücksetzen: {####}"},
		{name: "invitation", event: triggertest.Payload(triggers.CustomMessageAdminCreateUser),
			subject: "Your Example account", emailHas: []string{"{username}", "{####}"}, emailLacks: []string{"<script"},
			smsHas: "{username}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e triggers.CustomMessageEvent
			exampletest.RunEvent(t, env, tt.event).RequireOK(t, &e)
			r := e.Response
			if r.EmailSubject != tt.subject {
				t.Errorf("subject %q, want %q", r.EmailSubject, tt.subject)
			}
			for _, s := range tt.emailHas {
				if !strings.Contains(r.EmailMessage, s) {
					t.Errorf("email lacks %q:\n%s", s, r.EmailMessage)
				}
			}
			for _, s := range tt.emailLacks {
				if strings.Contains(r.EmailMessage, s) {
					t.Errorf("email has %q:\n%s", s, r.EmailMessage)
				}
			}
			if !strings.Contains(r.SMSMessage, tt.smsHas) || tt.smsHas == "" && r.SMSMessage != "" {
				t.Errorf("SMS %q, want it to hold %q (nothing: Cognito's own)", r.SMSMessage, tt.smsHas)
			}
		})
	}
}

// TestLink checks that the sign-up link names the confirm endpoint's parameters, with
// Cognito's code placeholder left as it is for Cognito to fill in.
func TestLink(t *testing.T) {
	t.Parallel()
	env := []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/welcome"}
	var e triggers.CustomMessageEvent
	exampletest.RunEvent(t, env, triggertest.Payload(triggers.CustomMessageSignUp)).RequireOK(t, &e)
	msg := e.Response.EmailMessage
	start := strings.Index(msg, `href="`)
	if start < 0 {
		t.Fatalf("no link in %s", msg)
	}
	href := strings.ReplaceAll(msg[start+len(`href="`):][:strings.Index(msg[start+len(`href="`):], `"`)], "&amp;", "&")
	if !strings.HasSuffix(href, "&code={####}") {
		t.Errorf("link %s does not end with the code placeholder", href)
	}
	u, err := url.Parse(strings.TrimSuffix(href, "{####}"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "4j2u2vb6e0f2l2o8jv1mh1sf3n" || q.Get("username") != e.UserName ||
		q.Get("redirect_uri") != "https://app.example.com/welcome" {
		t.Errorf("link parameters %v", q)
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "custommessage: ", triggertest.Payload(triggers.CustomMessageSignUp), []exampletest.StartupError{
		{Name: "nothing configured", Want: "no module configured: set CONFIRM_URL and REDIRECTURL, or APP_NAME"},
		{Name: "no redirect", Env: []string{"CONFIRM_URL=https://confirm.example.com/"}, Want: "missing environment variable REDIRECTURL"},
		{Name: "bad confirm URL", Env: []string{"CONFIRM_URL=ftp://confirm.example.com/", "REDIRECTURL=https://app.example.com/"}, Want: "CONFIRM_URL, REDIRECTURL:"},
		{Name: "long subject", Env: []string{"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/",
			"EMAILSUBJECT=" + strings.Repeat("s", 200)}, Want: "EMAILSUBJECT, EMAILMESSAGE:"},
	})
}

func TestMain(m *testing.M) { exampletest.Main(m, main) }
