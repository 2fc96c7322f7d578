package preauth_test

import (
	"testing"

	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// dynamo is one DynamoDB server for the package's integration tests, started by the
// first of them and stopped by TestMain.
var dynamo = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { localaws.Main(m, dynamo) }

// TestIntegrationBlockList runs the block list cases against dynalite with the real
// DynamoDB client: the same answers as the fake, expired suspensions included (dynalite,
// like DynamoDB for a while, keeps expired items).
func TestIntegrationBlockList(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", preauth.BlockListAttrKey, "")
	blockListCases(t, srv.DynamoDB, table)
}

// An unknown user is looked up in the real table as a real user is, and a missing
// table fails the sign-in with the generic error, not a text from DynamoDB.
func TestIntegrationBlockListUnknownUserAndMissingTable(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", preauth.BlockListAttrKey, "")
	putBlock(t, srv.DynamoDB, table, "nobody", "", nil)
	h := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: srv.DynamoDB, Table: table, KeyByUserName: true}))
	real := triggertest.InvokeHandler(t, h, signIn(triggertest.WithUserName("nobody")))
	ghost := triggertest.InvokeHandler(t, h, unknown())
	if outcome(real) != rejected(preauth.DefaultBlockedMessage) || outcome(ghost) != outcome(real) {
		t.Errorf("real user %q, unknown user %q, want both %q", outcome(real), outcome(ghost), rejected(preauth.DefaultBlockedMessage))
	}
	missing := must(t)(preauth.BlockList(preauth.BlockListConfig{Client: srv.DynamoDB, Table: awslocal.UniqueName("missing")}))
	triggertest.InvokeHandler(t, missing, signIn()).RequireInternalError(t)
}
