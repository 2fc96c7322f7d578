package main

import (
	"fmt"

	"github.com/lambda-triggers/cognito/migrate"
)

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
