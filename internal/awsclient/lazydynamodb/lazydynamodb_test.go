package lazydynamodb_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
)

// server is a stand-in for DynamoDB that records which operation each request asks for.
type server struct {
	*httptest.Server
	mu  sync.Mutex
	ops []string
}

func newServer(t *testing.T) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ops = append(s.ops, r.Header.Get("X-Amz-Target"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ops...)
}

// setEnv makes the configuration fail to load (endpoint "") or load with the endpoint,
// in this build and in the lambda.norpc one.
func setEnv(t *testing.T, endpoint string) {
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	if endpoint == "" {
		t.Setenv("AWS_PROFILE", "no-such-profile")
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		return
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
}

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	ctx := t.Context()
	var c lazydynamodb.Client
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}
	calls := []struct {
		op   string
		call func(context.Context) error
	}{
		{"GetItem", func(ctx context.Context) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{"PutItem", func(ctx context.Context) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key})
			return err
		}},
		{"UpdateItem", func(ctx context.Context) error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
		{"DeleteItem", func(ctx context.Context) error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key})
			return err
		}},
	}

	setEnv(t, "")
	if _, err := lazydynamodb.Default(ctx); err == nil {
		t.Fatal("Default: no error without a usable configuration")
	}
	for _, tt := range calls {
		if err := tt.call(ctx); err == nil {
			t.Errorf("%s: no error without a usable configuration", tt.op)
		}
	}

	first := newServer(t)
	setEnv(t, first.URL)
	if _, err := lazydynamodb.Default(ctx); err != nil {
		t.Fatalf("Default: %v", err)
	}
	// The client exists now: a later change of endpoint does not make another one.
	second := newServer(t)
	setEnv(t, second.URL)
	var want []string
	for _, tt := range calls {
		op := tt.op
		want = append(want, "DynamoDB_20120810."+op)
		if err := tt.call(ctx); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	if got := first.requests(); !equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if got := second.requests(); len(got) > 0 {
		t.Errorf("requests %q to the endpoint set after the client was created", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
