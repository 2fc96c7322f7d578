// Command postconfirm is a post confirmation trigger configured by environment variables:
// it puts each new user in a group, writes their profile to DynamoDB and sends one welcome
// email, at the same time (postconfirm.Parallel), and marks their invitation used. Each
// module is on when its variables are set; a function with none set refuses to start.
// A module's failure is logged and the user stays confirmed.
//
//	GROUP=members go run ./examples/postconfirm -event event.json
//	GROUP=members go run ./examples/postconfirm -serve 127.0.0.1:9300
//
// Environment:
//
//	GROUP              the group every new user joins; created when missing
//	PROFILES_TABLE     DynamoDB table of profiles (partition key id (S), the user's sub)
//	WELCOME_FROM       sender of the welcome email, an address verified in SES
//	WELCOME_TABLE      DynamoDB table that records whom the welcome went to (partition key pk (S));
//	                   required with WELCOME_FROM, so that a retried event sends no second email
//	INVITATIONS_TABLE  DynamoDB table of invitations (partition key code (S)) whose code the user
//	                   signed up with, passed as "invitationCode" in ClientMetadata
//
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "postconfirm:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := postConfirmation(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set GROUP, PROFILES_TABLE, WELCOME_FROM or INVITATIONS_TABLE")
	}
	return triggers.NewRouter().PostConfirmation(postconfirm.Parallel(mods...)), nil
}

// Welcome email templates: Subject and Text are text/template, HTML is html/template,
// each executed with postconfirm.EmailData.
const (
	welcomeSubject = "Welcome{{with .Attributes.given_name}}, {{.}}{{end}}!"
	welcomeText    = "Hello{{with .Attributes.given_name}} {{.}}{{end}},\n\n" +
		"your account is ready. Sign in with {{.Attributes.email}}.\n"
	welcomeHTML = "<p>Hello{{with .Attributes.given_name}} {{.}}{{end}},</p>" +
		"<p>your account is ready. Sign in with {{.Attributes.email}}.</p>"
)

// postConfirmation returns the post confirmation modules the environment configures.
// They only do independent I/O, so the caller runs them in parallel.
func postConfirmation(env func(string) string) ([]postconfirm.Handler, error) {
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
