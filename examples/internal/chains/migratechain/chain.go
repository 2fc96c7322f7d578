// Package migratechain builds the user migration chain of examples/migrate and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package migratechain

import (
	"fmt"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/migrate"
)

// FromEnv returns the user migration modules the environment configures: with
// LEGACY_USERS_TABLE, migrate.Migrate over that DynamoDB table of legacy users (partition
// key username, bcrypt hash in passwordHash), email addresses looked up in lower case, and
// LEGACY_ATTRIBUTES naming the item attributes that become user attributes.
func FromEnv(env func(string) string) ([]migrate.Handler, error) {
	table := env("LEGACY_USERS_TABLE")
	if table == "" {
		return nil, nil
	}
	pairs := env("LEGACY_ATTRIBUTES")
	if pairs == "" {
		pairs = "email=email,email_verified=email_verified"
	}
	attributes, err := envvar.Pairs("LEGACY_ATTRIBUTES", pairs)
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
