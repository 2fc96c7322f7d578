package postauth_test

import (
	"fmt"

	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
)

// A Lambda main records each sign-in in a DynamoDB table. Client left nil is the
// process-wide DynamoDB client, created on first use from the default configuration.
func ExampleRecordSignIn() {
	record, err := postauth.RecordSignIn(postauth.RecordConfig{Table: "sign-ins", PartitionKey: "id"})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.BestEffort(record))
	fmt.Println(router.Registered()) // triggers.Start(router) in main
	// Output: [PostAuthentication]
}
