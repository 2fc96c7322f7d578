// Package postconfirmchain builds the post confirmation modules of examples/postconfirm
// and examples/allinone from environment variables, so that a variable means the same and
// a bad value gets the same start-up error in both.
package postconfirmchain

import (
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/postconfirm"
)

// Welcome email templates: Subject and Text are text/template, HTML is html/template,
// each executed with postconfirm.EmailData.
const (
	welcomeSubject = "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}!"
	welcomeText    = "Hello{{with .Attributes.given_name}} {{.}}{{end}},\n\n" +
		"your account is ready. Sign in with {{.Attributes.email}}.\n"
	welcomeHTML = "<p>Hello{{with .Attributes.given_name}} {{.}}{{end}},</p>" +
		"<p>your account is ready. Sign in with {{.Attributes.email}}.</p>"
)

// FromEnv returns the post confirmation modules the environment configures.
// They only do independent I/O, so the caller runs them in parallel (postconfirm.Parallel):
//
//	GROUP                        postconfirm.AddToGroup, creating the group when missing
//	PROFILES_TABLE               postconfirm.CreateProfile, keyed by the user's sub
//	WELCOME_FROM, WELCOME_TABLE  postconfirm.WelcomeEmail, at most once per user
//	INVITATIONS_TABLE            postconfirm.MarkInvitationUsed
func FromEnv(env func(string) string) ([]postconfirm.Handler, error) {
	var mods []postconfirm.Handler
	if group := env("GROUP"); group != "" {
		h, err := postconfirm.AddToGroup(nil, postconfirm.StaticGroups(group))
		if err != nil {
			return nil, fmt.Errorf("GROUP: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("PROFILES_TABLE"); table != "" {
		columns := postconfirm.Columns{"email": "email", "given_name": "givenName", "family_name": "familyName", "locale": "locale"}
		h, err := postconfirm.CreateProfile(nil, table, "id", columns, postconfirm.CreatedAt("createdAt"))
		if err != nil {
			return nil, fmt.Errorf("PROFILES_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if from := env("WELCOME_FROM"); from != "" {
		table := env("WELCOME_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable WELCOME_TABLE (the DynamoDB table that records sent welcome emails), required with WELCOME_FROM")
		}
		h, err := postconfirm.WelcomeEmail(nil, nil, table, postconfirm.Email{
			From: from, Subject: welcomeSubject, Text: welcomeText, HTML: welcomeHTML})
		if err != nil {
			return nil, fmt.Errorf("WELCOME_FROM, WELCOME_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("INVITATIONS_TABLE"); table != "" {
		h, err := postconfirm.MarkInvitationUsed(nil, table)
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	return mods, nil
}
