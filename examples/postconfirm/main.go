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
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "postconfirm:", err)
		os.Exit(1)
	}
	triggers.Start(router)
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

// newRouter serves, all at the same time, the post confirmation modules the
// environment turns on. They only do independent I/O, so postconfirm.Parallel runs
// them concurrently; each one's failure is logged and the user stays confirmed.
func newRouter() (*triggers.Router, error) {
	var mods []postconfirm.Handler
	if group := os.Getenv("GROUP"); group != "" {
		h, err := postconfirm.AddToGroup(postconfirm.GroupConfig{Groups: postconfirm.StaticGroups(group)})
		if err != nil {
			return nil, fmt.Errorf("GROUP: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("PROFILES_TABLE"); table != "" {
		h, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{
			Table:        table,
			PartitionKey: "id",
			Item:         postconfirm.Columns{"email": "email", "given_name": "givenName", "family_name": "familyName", "locale": "locale"},
			CreatedAt:    "createdAt",
		})
		if err != nil {
			return nil, fmt.Errorf("PROFILES_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if from := os.Getenv("WELCOME_FROM"); from != "" {
		table := os.Getenv("WELCOME_TABLE")
		if table == "" {
			return nil, errors.New("missing environment variable WELCOME_TABLE (the DynamoDB table that records sent welcome emails), required with WELCOME_FROM")
		}
		h, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{
			Table: table,
			Email: postconfirm.Email{From: from, Subject: welcomeSubject, Text: welcomeText, HTML: welcomeHTML},
		})
		if err != nil {
			return nil, fmt.Errorf("WELCOME_FROM, WELCOME_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("INVITATIONS_TABLE"); table != "" {
		h, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Table: table})
		if err != nil {
			return nil, fmt.Errorf("INVITATIONS_TABLE: %w", err)
		}
		mods = append(mods, h)
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set GROUP, PROFILES_TABLE, WELCOME_FROM or INVITATIONS_TABLE")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PostConfirmation(postconfirm.Parallel(mods...)), nil
}
