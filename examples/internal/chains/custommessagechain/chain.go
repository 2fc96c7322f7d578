// Package custommessagechain builds the custom message chain of examples/custommessage and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package custommessagechain

import (
	"errors"
	"fmt"

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

// FromEnv returns the custom message modules the environment configures, each of which
// writes the messages of its own trigger sources:
//
//	CONFIRM_URL, REDIRECTURL, EMAILSUBJECT, EMAILMESSAGE  custommessage.VerificationLink: sign-up and resent codes
//	APP_NAME                                              custommessage.Templates of messages: password reset, invitation
func FromEnv(env func(string) string) ([]custommessage.Handler, error) {
	var mods []custommessage.Handler
	if confirmURL := env("CONFIRM_URL"); confirmURL != "" {
		redirect := env("REDIRECTURL")
		if redirect == "" {
			return nil, errors.New("missing environment variable REDIRECTURL (where users land once confirmed), required with CONFIRM_URL")
		}
		link, err := custommessage.NewConfirmLink(confirmURL, redirect)
		if err != nil {
			return nil, fmt.Errorf("CONFIRM_URL, REDIRECTURL: %w", err)
		}
		var opts []custommessage.Option
		if s := env("EMAILSUBJECT"); s != "" {
			opts = append(opts, custommessage.WithSubject(s))
		}
		if s := env("EMAILMESSAGE"); s != "" {
			opts = append(opts, custommessage.WithMessage(s))
		}
		h, err := custommessage.VerificationLink(link, opts...)
		if err != nil {
			return nil, fmt.Errorf("EMAILSUBJECT, EMAILMESSAGE: %w", err)
		}
		mods = append(mods, h)
	}
	if name := env("APP_NAME"); name != "" {
		h, err := custommessage.Templates(messages,
			custommessage.WithFuncs(map[string]any{"appName": func() string { return name }}))
		if err != nil {
			return nil, fmt.Errorf("APP_NAME: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}
