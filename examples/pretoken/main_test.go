package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// at returns the value at a dot-separated path of a decoded JSON document, nil when
// there is none.
func at(doc any, path string) any {
	for key := range strings.SplitSeq(path, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[key]
	}
	return doc
}

func TestEvent(t *testing.T) {
	t.Parallel()
	env := []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free","beta":true,"tier":2}`, "CLAIMS_TO_SUPPRESS=email, name",
		"CLAIMS_FROM_ATTRIBUTES=custom:tenant_id=tenant, custom:missing=missing"}
	tests := []struct {
		name    string
		event   []byte
		want    map[string]any // path in the response to value
		wantNil []string       // paths that must be absent
	}{
		{"version 1", triggertest.Payload(triggers.TokenGenerationAuthentication), map[string]any{
			"claimsOverrideDetails.claimsToAddOrOverride": map[string]any{"plan": "free", "beta": "true", "tier": "2", "tenant": "tenant-eu-0042"},
			"claimsOverrideDetails.claimsToSuppress":      []any{"email", "name"},
		}, []string{"claimsOverrideDetails.groupOverrideDetails"}},
		{"version 2", triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, "2"), map[string]any{
			"claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride": map[string]any{
				"plan": "free", "beta": true, "tier": 2.0, "tenant": "tenant-eu-0042"},
			"claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride": map[string]any{
				"plan": "free", "beta": true, "tier": 2.0, "tenant": "tenant-eu-0042"},
		}, []string{"claimsAndScopeOverrideDetails.groupOverrideDetails"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			runEvent(t, env, tt.event).requireOK(t, &doc)
			for path, want := range tt.want {
				if got := at(doc["response"], path); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			for _, path := range tt.wantNil {
				if got := at(doc["response"], path); got != nil {
					t.Errorf("%s = %v, want it left out: the user would lose their groups", path, got)
				}
			}
		})
	}
}

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nothing configured", nil, "no module configured: set CLAIMS_TO_ADD_OR_OVERRIDE"},
		{"not an object", []string{`CLAIMS_TO_ADD_OR_OVERRIDE=["plan"]`}, "CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object"},
		{"trailing data", []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"a":"b"} {}`}, "CLAIMS_TO_ADD_OR_OVERRIDE: want a JSON object"},
		{"reserved claim", []string{`CLAIMS_TO_ADD_OR_OVERRIDE={"sub":"x"}`}, "CLAIMS_TO_ADD_OR_OVERRIDE, CLAIMS_TO_SUPPRESS:"},
		{"bad pair", []string{"CLAIMS_FROM_ATTRIBUTES=custom:tenant"}, `CLAIMS_FROM_ATTRIBUTES: want comma-separated name=value pairs, got "custom:tenant"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runEvent(t, tt.env, triggertest.Payload(triggers.TokenGenerationAuthentication)).requireFailure(t, "pretoken: "+tt.want)
		})
	}
}

// TestIntegrationEntitlements adds claims from a DynamoDB item keyed by the user's sub,
// after the static ones, which they override.
func TestIntegrationEntitlements(t *testing.T) {
	srv := localAWS(t)
	table := srv.CreateTable(t, "", "userId", "")
	sub := awslocal.UniqueName("sub")
	_, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"userId":      &types.AttributeValueMemberS{Value: sub},
			"plan":        &types.AttributeValueMemberS{Value: "team"},
			"permissions": &types.AttributeValueMemberSS{Value: []string{"write", "read"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(), `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`, "ENTITLEMENTS_TABLE="+table)
	var doc map[string]any
	runEvent(t, env, triggertest.FixtureVersion(triggers.TokenGenerationAuthentication, "2")).requireOK(t, &doc)
	// The fixture's user has no item: the static claim stays.
	want := map[string]any{"plan": "free"}
	if got := at(doc["response"], "claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride"); !reflect.DeepEqual(got, want) {
		t.Errorf("user without an item: access token claims %v, want %v", got, want)
	}
	event := triggertest.Payload(triggers.TokenGenerationAuthentication, triggertest.WithVersion("2"),
		triggertest.WithAttribute("sub", sub))
	runEvent(t, env, event).requireOK(t, &doc)
	want = map[string]any{"plan": "team", "permissions": []any{"read", "write"}}
	if got := at(doc["response"], "claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride"); !reflect.DeepEqual(got, want) {
		t.Errorf("access token claims %v, want %v", got, want)
	}
}

// The tests run the example as a program: started with runMainEnv set, the test binary
// runs main instead of the tests, so the program needs no second build.
const runMainEnv = "EXAMPLE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	stopLocalAWS()
	os.Exit(code)
}

// result is the outcome of one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs the program with args. Its environment is env and what a process needs to
// start, nothing else of the test's: no AWS settings or credentials leak in.
func runMain(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	for _, name := range []string{"GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			cmd.Env = append(cmd.Env, name+"="+v)
		}
	}
	// A race-enabled program otherwise waits a second before it exits.
	cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run %v: %v", args, err)
		}
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// runEvent runs the program once on event, written to a file for -event.
func runEvent(t *testing.T, env []string, event []byte) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, event, 0o600); err != nil {
		t.Fatal(err)
	}
	return runMain(t, env, "-event", path)
}

// requireOK fails t unless the run succeeded, and decodes its response into e.
func (r result) requireOK(t *testing.T, e any) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), e); err != nil {
		t.Fatalf("response %q: %v", r.stdout, err)
	}
}

// requireFailure fails t unless the run exited with 1 and said want on stderr.
func (r result) requireFailure(t *testing.T, want string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q on failure, want nothing", r.stdout)
	}
}

var (
	localAWSOnce    sync.Once
	localAWSServers *awslocal.Servers
	localAWSErr     error
)

// localAWS returns the package's local AWS servers, started on first use and stopped by
// TestMain, so that the integration tests share them.
func localAWS(t *testing.T) *awslocal.Servers {
	t.Helper()
	localAWSOnce.Do(func() {
		localAWSServers, localAWSErr = awslocal.StartServers(context.Background(), awslocal.WithDynamoDB())
	})
	if errors.Is(localAWSErr, awslocal.ErrUnavailable) && !awslocal.RequireCI() {
		t.Skipf("awslocal: %v", localAWSErr)
	}
	if localAWSErr != nil {
		t.Fatalf("awslocal: %v", localAWSErr)
	}
	return localAWSServers
}

func stopLocalAWS() {
	if localAWSServers != nil {
		if err := localAWSServers.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
		}
	}
}
