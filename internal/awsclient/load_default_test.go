//go:build !lambda.norpc

package awsclient

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"

	"github.com/lambda-triggers/cognito/triggers"
)

// Run locally with nil clients and nothing configured, the SDK finds no credentials: the
// error says in one line which variables point the clients at local servers, and the
// SDK's own log lines go through log/slog like every other line of the function.
func TestDefaultLoadOutsideAWS(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_PROFILE": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_REGION": "eu-west-1",
	} {
		t.Setenv(k, v)
	}
	cfg, err := load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(t.Context())
	if err == nil {
		t.Fatal("credentials found in an empty environment")
	}
	for _, want := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SESV2", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ACCESS_KEY_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}

	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	defer slog.SetDefault(prev)
	cfg.Logger.Logf(logging.Warn, "retry %d of %s", 2, "GetItem")
	line := buf.String()
	if !strings.Contains(line, `"level":"WARN"`) || !strings.Contains(line, `retry 2 of GetItem`) || strings.Count(line, "\n") != 1 {
		t.Errorf("SDK log line = %q, want one JSON line at WARN", line)
	}

	// Within an invocation, the SDK's lines go to the router's logger.
	var routed bytes.Buffer
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewJSONHandler(&routed, nil))}).
		PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
			cfg.Logger.(logging.ContextLogger).WithContext(ctx).Logf(logging.Warn, "from the SDK")
			return nil
		})
	if _, ierr := router.Handle(t.Context(), []byte(`{"triggerSource":"PreSignUp_SignUp","request":{}}`)); ierr != nil {
		t.Fatal(ierr)
	}
	if !strings.Contains(routed.String(), `"msg":"from the SDK"`) {
		t.Errorf("router log %q lacks the SDK line", routed.String())
	}
}
