// Command presignup is a pre sign-up trigger configured by environment variables: email
// domain allow and deny lists, a limit of sign-ups per client, invitation codes, and
// automatic confirmation and email verification. Each module is on when its variables
// are set; a function with none set refuses to start.
//
//	DOMAINDENYLIST=tempmail.test go run ./examples/presignup -event event.json
//	DOMAINDENYLIST=tempmail.test go run ./examples/presignup -serve 127.0.0.1:9300
//
// Environment:
//
//	DOMAINALLOWLIST       comma-separated email domains that may sign up ("*.example.com" for subdomains)
//	DOMAINDENYLIST        comma-separated email domains that may not
//	RATE_LIMIT_TABLE      DynamoDB table that counts sign-ups per client (partition key pk (S), TTL on expiresAt);
//	                      the client sends its address as "ipAddress" in ClientMetadata or ValidationData
//	RATE_LIMIT            sign-ups per client and window (default 10)
//	RATE_LIMIT_WINDOW     the window, such as 1h or 30m (default 1h)
//	INVITATIONS_TABLE     DynamoDB table of invitations (partition key code (S)); sign-up then needs
//	                      "invitationCode" in ClientMetadata or ValidationData
//	AUTO_CONFIRM          true: confirm users without a code
//	AUTO_CONFIRM_DOMAINS  confirm only users of these comma-separated email domains
//	AUTO_VERIFY_EMAIL     true: mark the email address of automatically confirmed users verified
//
// The modules run in that order, so a rejected sign-up is never counted or confirmed.
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/presignupchain"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presignup:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, in one chain, the pre sign-up modules that presignupchain.FromEnv
// (examples/internal/chains/presignupchain, shared with examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := presignupchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set DOMAINALLOWLIST, DOMAINDENYLIST, RATE_LIMIT_TABLE, " +
			"INVITATIONS_TABLE, AUTO_CONFIRM or AUTO_CONFIRM_DOMAINS")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PreSignUp(presignup.Chain(mods...)), nil
}
