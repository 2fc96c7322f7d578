// Command postauth is a post authentication trigger configured by environment variables:
// it records each sign-in on a per-user item, writes an audit trail entry, and emails the
// user when they signed in from a new device, at the same time (postauth.Parallel). Each
// module is on when its variables are set; a function with none set refuses to start. A
// module's failure is logged and the sign-in goes on; a retried event is recorded and
// notified once.
//
//	SIGNIN_TABLE=sign-ins go run ./examples/postauth -event event.json
//	SIGNIN_TABLE=sign-ins go run ./examples/postauth -serve 127.0.0.1:9300
//
// Environment:
//
//	SIGNIN_TABLE      DynamoDB table of sign-in records (partition key id (S), the user's sub)
//	AUDIT_TABLE       DynamoDB table of the audit trail (partition key pk (S), sort key sk (S),
//	                  TTL on expiresAt)
//	AUDIT_RETENTION   how long audit entries are kept, such as 2160h (the default, 90 days)
//	NEW_DEVICE_FROM   sender of the new-device notice, an address verified in SES
//	NEW_DEVICE_TABLE  DynamoDB table that records sent notices (partition key pk (S), TTL on
//	                  expiresAt); required with NEW_DEVICE_FROM
//
// AWS clients come from the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/postauthchain"
	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "postauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, all at the same time, the post authentication modules that
// postauthchain.FromEnv (shared with examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := postauthchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set SIGNIN_TABLE, AUDIT_TABLE or NEW_DEVICE_FROM")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.Parallel(mods...)), nil
}
