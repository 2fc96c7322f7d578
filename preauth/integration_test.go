package preauth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// shared is one DynamoDB server for the package's integration tests, started by the
// first of them and stopped by TestMain.
var shared struct {
	once sync.Once
	srv  *awslocal.Servers
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
		}
	}
	os.Exit(code)
}

func dynamoServer(t *testing.T) *awslocal.Servers {
	t.Helper()
	shared.once.Do(func() {
		shared.srv, shared.err = awslocal.StartServers(context.Background(), awslocal.WithDynamoDB())
	})
	if shared.err != nil {
		if errors.Is(shared.err, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
			t.Skipf("awslocal: %v", shared.err)
		}
		t.Fatalf("awslocal: %v", shared.err)
	}
	return shared.srv
}

// TestIntegrationBlockList runs the block list cases against dynalite with the real
// DynamoDB client: the same answers as the fake, expired suspensions included (dynalite,
// like DynamoDB for a while, keeps expired items).
func TestIntegrationBlockList(t *testing.T) {
	t.Parallel()
	srv := dynamoServer(t)
	table := srv.CreateTable(t, "", preauth.BlockListAttrKey, "")
	blockListCases(t, srv.DynamoDB, table)
}

// An unknown user is looked up in the real table as a real user is, and a missing
// table fails the sign-in with the generic error, not a text from DynamoDB.
func TestIntegrationBlockListUnknownUserAndMissingTable(t *testing.T) {
	t.Parallel()
	srv := dynamoServer(t)
	table := srv.CreateTable(t, "", preauth.BlockListAttrKey, "")
	putBlock(t, srv.DynamoDB, table, "nobody", "", nil)
	h := must(t)(preauth.BlockList(srv.DynamoDB, table, preauth.KeyByUserName()))
	real := triggertest.InvokeHandler(t, h, signIn(triggertest.WithUserName("nobody")))
	ghost := triggertest.InvokeHandler(t, h, unknown())
	if outcome(real) != rejected(preauth.DefaultBlockedMessage) || outcome(ghost) != outcome(real) {
		t.Errorf("real user %q, unknown user %q, want both %q", outcome(real), outcome(ghost), rejected(preauth.DefaultBlockedMessage))
	}
	missing := must(t)(preauth.BlockList(srv.DynamoDB, awslocal.UniqueName("missing")))
	triggertest.InvokeHandler(t, missing, signIn()).RequireInternalError(t)
}
