package lambdaruntime_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/internal/lambdaruntime"
)

const event = `{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":"us-east-1_EXAMPLE",
"userName":"jane","callerContext":{"awsSdkVersion":"aws-sdk-js-3","clientId":"client1"},
"request":{"userAttributes":{"email":"jane@example.com","email_verified":"true"},"validationData":null},
"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}`

func build(t testing.TB, name, pkg string) string {
	t.Helper()
	bin, err := lambdaruntime.Build(t.TempDir(), name, pkg)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestColdStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		name, pkg, payload, wantErr string
	}{
		{"library pass-through", "github.com/lambda-triggers/cognito/examples/passthrough", event, ""},
		{"library bad event", "github.com/lambda-triggers/cognito/examples/passthrough", `{"triggerSource":"Nope_X"}`, `invalid event: unknown triggerSource "Nope_X"`},
		{"bare aws-lambda-go", "./testdata/bare", event, ""},
		{"bare rejects", "./testdata/bare", strings.Replace(event, "example.com", "blocked.example", 1), "Invalid email domain: blocked.example"},
	}
	bins := map[string]string{}
	for _, tt := range tests {
		if bins[tt.pkg] == "" {
			bins[tt.pkg] = build(t, "bootstrap", tt.pkg)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lambdaruntime.ColdStart(ctx, bins[tt.pkg], []byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" {
				if res.ErrorMessage != tt.wantErr || res.Response != nil {
					t.Fatalf("got error %q response %s, want error %q", res.ErrorMessage, res.Response, tt.wantErr)
				}
				return
			}
			var out struct {
				UserName string `json:"userName"`
				Request  struct {
					UserAttributes map[string]string `json:"userAttributes"`
				} `json:"request"`
			}
			if err := json.Unmarshal(res.Response, &out); err != nil || out.UserName != "jane" ||
				out.Request.UserAttributes["email"] != "jane@example.com" {
				t.Fatalf("response %s (%v) does not echo the event", res.Response, err)
			}
			if res.Elapsed <= 0 {
				t.Fatalf("elapsed %v", res.Elapsed)
			}
			t.Logf("%s: exec to first response %v", tt.name, res.Elapsed)
		})
	}
}

func TestLambdaBuildOutsideLambda(t *testing.T) {
	t.Parallel()
	bin := build(t, "bootstrap", "github.com/lambda-triggers/cognito/examples/passthrough")
	cmd := exec.Command(bin, "-event", "-")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "build without that tag") {
		t.Fatalf("a Lambda build run locally: %v %s", err, out)
	}
}

func TestColdStartReportsEarlyExit(t *testing.T) {
	t.Parallel()
	_, err := lambdaruntime.ColdStart(context.Background(), "/bin/false", []byte(event))
	if err == nil || !strings.Contains(err.Error(), "exited before answering") {
		t.Fatalf("err = %v, want an early-exit error", err)
	}
	if _, err := lambdaruntime.ColdStart(context.Background(), "/nonexistent/bootstrap", []byte(event)); err == nil {
		t.Fatal("a missing binary started")
	}
}

// BenchmarkColdStart measures exec to first response of a library function and of a bare
// aws-lambda-go function, both built with the README's flags.
func BenchmarkColdStart(b *testing.B) {
	for _, bm := range []struct{ name, pkg string }{
		{"bare", "./testdata/bare"},
		{"passthrough", "github.com/lambda-triggers/cognito/examples/passthrough"},
	} {
		bin := build(b, "bootstrap", bm.pkg)
		if fi, err := os.Stat(bin); err == nil {
			b.Logf("%s: %.1f MB", bm.name, float64(fi.Size())/1e6)
		}
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := lambdaruntime.ColdStart(context.Background(), bin, []byte(event)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
