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
	"strings"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter builds the user migration module from the environment.
func newRouter() (*triggers.Router, error) {
	table := os.Getenv("LEGACY_USERS_TABLE")
	if table == "" {
		return nil, errors.New("missing environment variable LEGACY_USERS_TABLE (the DynamoDB table of legacy users)")
	}
	pairs := os.Getenv("LEGACY_ATTRIBUTES")
	if pairs == "" {
		pairs = "email=email,email_verified=email_verified"
	}
	attributes := map[string]string{}
	for item := range strings.SplitSeq(pairs, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		from, to, ok := strings.Cut(item, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("LEGACY_ATTRIBUTES: want comma-separated name=value pairs, got %q", strings.TrimSpace(item))
		}
		attributes[from] = to
	}

	// A nil Client is the process-wide DynamoDB client, created on first use.
	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{
		Table:        table,
		KeyAttribute: "username",
		Attributes:   attributes,
	})
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE, LEGACY_ATTRIBUTES: %w", err)
	}
	migration, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE: %w", err)
	}
	return triggers.NewRouter(triggers.RouterConfig{}).UserMigration(migrate.Chain(migration)), nil
}
