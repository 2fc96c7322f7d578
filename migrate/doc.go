// Package migrate holds the user migration trigger: bring users over from a legacy
// directory the first time they sign in, or when they ask to reset a password, so that
// nobody has to re-register and no password hash leaves the old system in bulk.
//
// [Migrate] is the module; a [Store] is the legacy directory. Two stores are ready: a
// DynamoDB table of users with bcrypt password hashes ([NewDynamoDBStore]) and an HTTPS
// endpoint of the old system ([NewHTTPStore], whose request and response are documented
// on [HTTPStore]). Any other directory implements the two methods of Store.
//
// An unknown username and a wrong password are answered alike, with the same text and,
// for the DynamoDB store, after the same bcrypt work, so that the trigger does not tell
// anyone which usernames exist. The password the user typed is never logged, never put
// in an error, and is cleared from the event before the response goes back to Cognito.
//
// Each constructor takes one config struct holding every setting, and returns an error
// naming the field for a configuration mistake, when the chain is built. A nil AWS
// client means the process-wide default client.
//
//	store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{
//		Table:        "legacy-users",
//		KeyAttribute: "username",
//		Attributes:   map[string]string{"email": "email", "emailVerified": "email_verified", "name": "name"},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	migration, err := migrate.Migrate(migrate.Config{Store: store, NormalizeEmail: true})
//	if err != nil {
//		log.Fatal(err)
//	}
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).UserMigration(migrate.Chain(migration)))
package migrate
