// Command migrate is a user migration trigger over a DynamoDB table of legacy users with
// bcrypt password hashes: a user Cognito does not know yet is looked up there when they
// sign in (and their password checked) or ask to reset their password, and created in the
// pool with the table's attributes.
//
//	LEGACY_USERS_TABLE=legacy-users go run ./examples/migrate -event event.json
//	LEGACY_USERS_TABLE=legacy-users go run ./examples/migrate -serve 127.0.0.1:9300
//
// Environment:
//
//	LEGACY_USERS_TABLE  DynamoDB table of legacy users (required): partition key username (S),
//	                    the bcrypt hash in passwordHash (S)
//	LEGACY_ATTRIBUTES   comma-separated item=attribute pairs naming the item attributes that become
//	                    user attributes (default email=email,email_verified=email_verified)
//
// Usernames that are email addresses are looked up in lower case. An unknown user and a
// wrong password get the same answer. AWS clients come from the default configuration on
// first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/examples/internal/chains/migratechain"
	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the user migration module that migratechain.FromEnv
// (examples/internal/chains/migratechain, shared with examples/allinone) builds from env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := migratechain.FromEnv(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("missing environment variable LEGACY_USERS_TABLE (the DynamoDB table of legacy users)")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).UserMigration(migrate.Chain(mods...)), nil
}
