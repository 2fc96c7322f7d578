package migrate_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	"github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
)

// TestHTTPStoreCredentialFromParameterStore sends the legacy endpoint's API key read from
// Parameter Store on first use, and fails the call, sending nothing, when it cannot be read.
func TestHTTPStoreCredentialFromParameterStore(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(legacyEndpoint(t))
	t.Cleanup(srv.Close)
	params := fakeaws.NewSSM()
	params.Put("/legacy/api-key", "k3y", true)
	key := secrets.MustParse(secrets.Config{Value: "ssm:/legacy/api-key", Reader: parameterstore.Reader(params)})
	store, err := migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: srv.URL, HTTPClient: srv.Client(), SecretHeader: "X-Api-Key", SecretSource: key.Get})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if u, err := store.Lookup(t.Context(), "ada@example.com"); err != nil || u == nil {
			t.Fatalf("Lookup = %v, %v", u, err)
		}
	}
	if n := params.Calls("GetParameter"); n != 1 {
		t.Errorf("%d reads of the key, want 1", n)
	}

	failing := func(context.Context) (triggers.Secret, error) { return "", errors.New("access denied") }
	store, err = migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: srv.URL, HTTPClient: srv.Client(), SecretHeader: "X-Api-Key", SecretSource: failing})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(t.Context(), "ada@example.com", adaPassword); err == nil ||
		!strings.Contains(err.Error(), "X-Api-Key: access denied") {
		t.Errorf("Authenticate with an unreadable key: %v", err)
	}
	if _, err := migrate.NewHTTPStore(migrate.HTTPStoreConfig{Endpoint: srv.URL, SecretHeader: "X-Api-Key"}); err == nil ||
		!strings.Contains(err.Error(), "SecretHeader without SecretSource") {
		t.Errorf("a secret header without a source: %v", err)
	}
}
