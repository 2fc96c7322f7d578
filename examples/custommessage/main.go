// Command custommessage writes the messages Cognito sends: a sign-up email whose one-click
// link confirms the account (custommessage.VerificationLink), and password reset and
// invitation messages in English and German (custommessage.Templates, by the user's
// locale attribute). Each module is on when its variables are set; a function with none
// set refuses to start.
//
//	CONFIRM_URL=http://localhost:9301/ REDIRECTURL=http://localhost:3000/welcome APP_NAME=Example \
//		go run ./examples/custommessage -event event.json
//
// Environment:
//
//	CONFIRM_URL   address of the confirmation endpoint, the function of ./confirm behind a
//	              Lambda function URL
//	REDIRECTURL   where the endpoint sends users once confirmed (required with CONFIRM_URL)
//	EMAILSUBJECT  subject of the verification email (default "Verify your email address")
//	EMAILMESSAGE  text above the link (default "Please verify your email address by opening the link below.")
//	APP_NAME      the application's name, which turns on the password reset and invitation texts
//
// Cognito takes a custom email only from a pool that sends email through SES (email
// sending account DEVELOPER), and the link needs a pool that verifies by code.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
)

// messages are the texts of the password reset and invitation messages, by locale.
// {{appName}} is APP_NAME; Cognito's placeholders are {{.Code}} and {{.Username}}.
var messages = custommessage.Catalog{
	"": {
		triggers.CustomMessageForgotPassword: {
			Subject: "Reset your {{appName}} password",
			Email:   "<p>Your code to reset your {{appName}} password is <strong>{{.Code}}</strong>.</p>",
			SMS:     "Your {{appName}} password reset code is {{.Code}}",
		},
		triggers.CustomMessageAdminCreateUser: {
			Subject: "Your {{appName}} account",
			Email:   "<p>Your {{appName}} account is ready. User name: {{.Username}}, temporary password: {{.Code}}</p>",
			SMS:     "{{appName}}: user name {{.Username}}, temporary password {{.Code}}",
		},
	},
	"de": {
		triggers.CustomMessageForgotPassword: {
			Subject: "Ihr {{appName}}-Passwort zurücksetzen",
			Email:   "<p>Ihr Code zum Zurücksetzen des {{appName}}-Passworts lautet <strong>{{.Code}}</strong>.</p>",
			SMS:     "Ihr {{appName}}-Code zum Zurücksetzen: {{.Code}}",
		},
		triggers.CustomMessageAdminCreateUser: {
			Subject: "Ihr {{appName}}-Konto",
			Email:   "<p>Ihr {{appName}}-Konto ist bereit. Benutzername: {{.Username}}, vorläufiges Passwort: {{.Code}}</p>",
			SMS:     "{{appName}}: Benutzername {{.Username}}, vorläufiges Passwort {{.Code}}",
		},
	},
}

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "custommessage:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter builds the custom message chain from the environment. Each module writes
// the messages of its own trigger sources: the link those of sign-up and resent codes,
// the templates those of password resets and invitations.
func newRouter() (*triggers.Router, error) {
	var mods []custommessage.Handler

	if confirmURL := os.Getenv("CONFIRM_URL"); confirmURL != "" {
		redirect := os.Getenv("REDIRECTURL")
		if redirect == "" {
			return nil, errors.New("missing environment variable REDIRECTURL (where users land once confirmed), required with CONFIRM_URL")
		}
		link, err := custommessage.NewConfirmLink(confirmURL, redirect)
		if err != nil {
			return nil, fmt.Errorf("CONFIRM_URL, REDIRECTURL: %w", err)
		}
		verify, err := custommessage.VerificationLink(custommessage.VerificationLinkConfig{
			Link:    link,
			Subject: os.Getenv("EMAILSUBJECT"), // "" is the module's default
			Text:    os.Getenv("EMAILMESSAGE"),
		})
		if err != nil {
			return nil, fmt.Errorf("EMAILSUBJECT, EMAILMESSAGE: %w", err)
		}
		mods = append(mods, verify)
	}

	if name := os.Getenv("APP_NAME"); name != "" {
		texts, err := custommessage.Templates(custommessage.TemplatesConfig{
			Catalog: messages,
			Funcs:   map[string]any{"appName": func() string { return name }},
		})
		if err != nil {
			return nil, fmt.Errorf("APP_NAME: %w", err)
		}
		mods = append(mods, texts)
	}

	if len(mods) == 0 {
		return nil, errors.New("no module configured: set CONFIRM_URL and REDIRECTURL, or APP_NAME")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).CustomMessage(custommessage.Chain(mods...)), nil
}
