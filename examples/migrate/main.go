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
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

func newRouter(env func(string) string) (*triggers.Router, error) {
	mods, err := userMigration(env)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("missing environment variable LEGACY_USERS_TABLE (the DynamoDB table of legacy users)")
	}
	return triggers.NewRouter().UserMigration(migrate.Chain(mods...)), nil
}

// userMigration returns the user migration modules the environment configures.
func userMigration(env func(string) string) ([]migrate.Handler, error) {
	table := env("LEGACY_USERS_TABLE")
	if table == "" {
		return nil, nil
	}
	pairs := env("LEGACY_ATTRIBUTES")
	if pairs == "" {
		pairs = "email=email,email_verified=email_verified"
	}
	attributes, err := pairList("LEGACY_ATTRIBUTES", pairs)
	if err != nil {
		return nil, err
	}
	store, err := migrate.NewDynamoDBStore(nil, table, "username", attributes)
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE, LEGACY_ATTRIBUTES: %w", err)
	}
	h, err := migrate.Migrate(store, migrate.NormalizeEmail())
	if err != nil {
		return nil, fmt.Errorf("LEGACY_USERS_TABLE: %w", err)
	}
	return []migrate.Handler{h}, nil
}

// commaList splits a comma-separated value and drops blank entries.
func commaList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// pairList reads comma-separated key=value pairs.
func pairList(name, s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range commaList(s) {
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
		}
		out[k] = v
	}
	return out, nil
}
