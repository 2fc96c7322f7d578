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

	"github.com/lambda-triggers/cognito/examples/internal/chains/postconfirmchain"
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

// newRouter serves, all at the same time, the post confirmation modules that
// postconfirmchain.FromEnv (examples/internal/chains/postconfirmchain, shared with
// examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := postconfirmchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set GROUP, PROFILES_TABLE, WELCOME_FROM or INVITATIONS_TABLE")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PostConfirmation(postconfirm.Parallel(mods...)), nil
}
