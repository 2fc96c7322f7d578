package awslocal_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

func TestServeLambdaPassesInvocationsThrough(t *testing.T) {
	t.Parallel()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2015-03-31/functions/PreSignUp/invocations" || r.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" {
			http.Error(w, "request changed on the way: "+r.URL.Path, http.StatusTeapot)
			return
		}
		_, _ = io.Copy(w, r.Body)
	})
	endpoint := awslocal.ServeLambda(t, echo)
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Errorf("endpoint = %q, want a 127.0.0.1 URL", endpoint)
	}
	for _, payload := range []string{
		`{"version":"0","triggerSource":"PreSignUp_SignUp","request":{"version":"0"}}`,
		`{"version":"1","triggerSource":"PreSignUp_SignUp"}`,
		`{"version":"0",`,
		``,
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
			endpoint+"/2015-03-31/functions/PreSignUp/invocations", strings.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || string(got) != payload {
			t.Errorf("status %d, handler received %q (%v), want %q unchanged", resp.StatusCode, got, err, payload)
		}
	}
}

func TestLogOfServerNotStarted(t *testing.T) {
	t.Parallel()
	var srv awslocal.Servers
	if got := srv.Log(awslocal.CognitoServer); got != nil {
		t.Errorf("Log of a server that was not started = %q, want nil", got)
	}
}
