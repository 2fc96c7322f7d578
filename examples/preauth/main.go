// Command preauth is a pre authentication trigger configured by environment variables:
// it keeps blocked users out (by a status attribute or a DynamoDB block list), keeps
// some roles to given app clients, allows or denies networks and requires a verified
// email address or phone number. Each module is on when its variables are set; a
// function with none set refuses to start.
//
//	BLOCKED_STATUSES=suspended go run ./examples/preauth -event event.json
//	BLOCKED_STATUSES=suspended go run ./examples/preauth -serve 127.0.0.1:9300
//
// Environment:
//
//	BLOCKED_STATUSES       comma-separated values of STATUS_ATTRIBUTE that keep a user out (suspended,disabled)
//	STATUS_ATTRIBUTE       the attribute they are read from (default custom:status)
//	RESTRICTED_ROLES       comma-separated values of ROLE_ATTRIBUTE (such as admin) whose users may sign
//	                       in only through RESTRICTED_CLIENT_IDS
//	ROLE_ATTRIBUTE         the attribute roles are read from (default custom:role); a comma-separated
//	                       value matches when one of its items does
//	RESTRICTED_CLIENT_IDS  comma-separated app client IDs those users may sign in through
//	ALLOWED_NETWORKS       comma-separated CIDR prefixes or addresses (IPv4, IPv6) sign-ins must come from
//	DENIED_NETWORKS        comma-separated CIDR prefixes or addresses sign-ins must not come from
//	ADDRESS_KEY            the ClientMetadata key the app sends the client's address in (default ipAddress)
//	REQUIRE_VERIFIED       email, phone or email_or_phone: what must be verified before sign-in
//	BLOCK_LIST_TABLE       DynamoDB table of blocked users (partition key pk (S); reason (S) and
//	                       expiresAt (N, Unix seconds) optional: a suspension that ends lifts itself)
//	BLOCK_LIST_KEY         sub (default) or username: what pk holds
//	BLOCKED_MESSAGE        the text blocked users see
//
// Cognito's pre authentication event carries no client address: the app must send it
// in ClientMetadata, so that network lists are only as trustworthy as the app, best a
// server of yours calling AdminInitiateAuth. AWS clients come from the default
// configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/preauthchain"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "preauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, in one chain, the pre authentication modules that
// preauthchain.FromEnv (examples/internal/chains/preauthchain, shared with
// examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := preauthchain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set BLOCKED_STATUSES, RESTRICTED_ROLES, ALLOWED_NETWORKS, " +
			"DENIED_NETWORKS, REQUIRE_VERIFIED or BLOCK_LIST_TABLE")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PreAuthentication(preauth.Chain(mods...)), nil
}
