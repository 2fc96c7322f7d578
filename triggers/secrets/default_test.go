package secrets_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	_ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

// TestDefaultClients reads a parameter and a secret through the SDK clients created on
// first use, pointed by AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_SECRETS_MANAGER at a
// stand-in that checks each request as the services would: the operation, the name, and
// that a parameter is asked for decrypted. It changes the process environment, so it
// does not run in parallel.
func TestDefaultClients(t *testing.T) {
	stand := func(target, wantField, wantValue, answer string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var in map[string]any
			_ = json.Unmarshal(body, &in)
			if got := r.Header.Get("X-Amz-Target"); got != target {
				t.Errorf("operation %q, want %q", got, target)
			}
			if in[wantField] != wantValue {
				t.Errorf("%s: %s = %v, want %q", target, wantField, in[wantField], wantValue)
			}
			if target == "AmazonSSM.GetParameter" && in["WithDecryption"] != true {
				t.Errorf("GetParameter without WithDecryption: %s", body)
			}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = io.WriteString(w, answer)
		}))
		t.Cleanup(s.Close)
		return s
	}
	ssmSrv := stand("AmazonSSM.GetParameter", "Name", "/cognito/key",
		`{"Parameter":{"Name":"/cognito/key","Type":"SecureString","Value":"`+secretValue+`","Version":1}}`)
	smSrv := stand("secretsmanager.GetSecretValue", "SecretId", "prod/keys",
		`{"Name":"prod/keys","SecretString":"{\"captcha\":\"`+secretValue+`\"}"}`)
	awsclienttest.SetEnv(t, "AWS_ENDPOINT_URL_SSM", ssmSrv.URL)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", smSrv.URL)

	for _, ref := range []string{"ssm:/cognito/key", "secretsmanager:prod/keys#captcha"} {
		got, err := secrets.MustParse(secrets.Config{Value: ref}).Get(t.Context())
		if err != nil || got.Reveal() != secretValue {
			t.Errorf("%s: Get = %q, %v", ref, got.Reveal(), err)
		}
	}
}
