package migrate_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
)

// directory is a legacy store in memory, for the example.
type directory map[string]string // username -> password

func (d directory) Authenticate(_ context.Context, username string, password triggers.Secret) (*migrate.User, error) {
	want, ok := d[username]
	switch {
	case !ok:
		return nil, migrate.ErrUnknownUser
	case want != password.Reveal():
		return nil, migrate.ErrWrongPassword
	}
	return d.Lookup(context.Background(), username)
}

func (d directory) Lookup(_ context.Context, username string) (*migrate.User, error) {
	if _, ok := d[username]; !ok {
		return nil, migrate.ErrUnknownUser
	}
	return &migrate.User{Attributes: triggers.Attributes{"email": username, "email_verified": "true"}}, nil
}

func ExampleMigrate() {
	migration, err := migrate.Migrate(migrate.Config{Store: directory{"ada@example.com": "correct horse"}, NormalizeEmail: true})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{Logger: discardLogger()}).UserMigration(migrate.Chain(migration))

	signIn := func(username, password string) {
		event := fmt.Sprintf(`{"version":"1","triggerSource":"UserMigration_Authentication",
			"region":"eu-west-1","userPoolId":"eu-west-1_Ab12Cd34E","userName":%q,
			"callerContext":{"awsSdkVersion":"aws-sdk-js-3.600.0","clientId":"3n4b5urk1ft4fl3mg5e62d9ado"},
			"request":{"password":%q,"validationData":null,"clientMetadata":null},"response":{}}`, username, password)
		out, ierr := router.Handle(context.Background(), []byte(event))
		if ierr != nil {
			fmt.Println(ierr.Type+":", ierr.Text())
			return
		}
		var e struct{ Response json.RawMessage }
		_ = json.Unmarshal(out, &e)
		fmt.Println(string(e.Response))
	}
	signIn("Ada@Example.com", "correct horse")
	signIn("ada@example.com", "wrong")
	signIn("nobody@example.com", "correct horse")
	// Output:
	// {"userAttributes":{"email":"ada@example.com","email_verified":"true"},"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS"}
	// Rejected: UserMigration failed with error Incorrect username or password.
	// Rejected: UserMigration failed with error Incorrect username or password.
}
