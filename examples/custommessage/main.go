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
	"github.com/lambda-triggers/cognito/examples/internal/chains/custommessagechain"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "custommessage:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, in one chain, the custom message modules that
// custommessagechain.FromEnv (examples/internal/chains/custommessagechain, shared with
// examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := custommessagechain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set CONFIRM_URL and REDIRECTURL, or APP_NAME")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).CustomMessage(custommessage.Chain(mods...)), nil
}
