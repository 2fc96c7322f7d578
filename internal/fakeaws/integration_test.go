package fakeaws_test

import (
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// TestIntegrationDynamoDBCalls runs every call case against dynalite, which the fake's
// expectations must therefore describe too: the fake and the server agree on each
// outcome, output and resulting table.
func TestIntegrationDynamoDBCalls(t *testing.T) {
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	for _, c := range callCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sk := ""
			if c.sortKey {
				sk = "sk"
			}
			table := srv.CreateTable(t, "", "pk", sk)
			runCase(t, t.Context(), srv.DynamoDB, table, c)
		})
	}
}

// TestIntegrationModules runs real modules against dynalite with the transcripts the
// fake gives them in TestModulesOnTheFake: the same sign-ups admitted and refused, the
// same items written, the same claims, the same emails.
func TestIntegrationModules(t *testing.T) {
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true})
	runModuleScenarios(t, func(t *testing.T) moduleEnv {
		return moduleEnv{db: srv.DynamoDB, table: func(t *testing.T, pk string) string {
			return srv.CreateTable(t, "", pk, "")
		}}
	})
}
