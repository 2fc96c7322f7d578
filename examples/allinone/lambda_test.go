package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/internal/lambdaruntime"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const (
	modulePath = "github.com/lambda-triggers/cognito"
	barePkg    = modulePath + "/internal/lambdaruntime/testdata/bare"
	bareSDKPkg = modulePath + "/internal/lambdaruntime/testdata/baresdk"
)

// buildFor compiles the main package pkg as the README builds a Lambda bootstrap
// (lambdaruntime.BuildFlags, CGO_ENABLED=0) for goos/goarch, and returns the binary.
func buildFor(t testing.TB, goos, goarch, pkg string) string {
	t.Helper()
	bin, err := lambdaruntime.BuildFor(t.TempDir(), "bootstrap", pkg, goos, goarch)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestBinarySize builds the deployed binaries as deployed (linux/arm64, the README's
// flags) and checks their size, which Lambda downloads and maps at every cold start
// (MB = 10^6 bytes). The targets are 7 MB for a pre sign-up function (examples/domainfilter)
// and 12 MB for this one, with the SDK clients; each is its limit, but for this one's
// SNS and KMS clients (SMS codes and signed sign-in links), which add about 1.4 MB: its
// limit is today's size with a margin.
//
// A pre sign-up function that calls DynamoDB (examples/presignup: rate limits and
// invitations) cannot meet 7 MB with the SDK's DynamoDB client, which with the signing,
// retry and endpoint code it brings, adds about 1.25 MB to a bare function's 5.8 MB. Its
// limit is today's size with a margin, so that growth fails the test. baresdk, a bare
// function that links the same SDK clients as this one, is built for comparison.
//
// A custom sender function links the AWS Encryption SDK, whose generated code and runtime
// add about 6.4 MB to a bare function; with the html/template and text/template its
// email and SMS modules need, the linker keeps every method of the SDK's types held in
// interfaces, and examples/customsender is about 22.8 MB. This function includes the
// custom senders, so it carries the same cost: its limit is today's size with a margin.
// Functions that do not import customsender link none of it (TestEncryptionSDKLinkedOnlyByCustomSender).
func TestBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Lambda binaries for linux/arm64")
	}
	t.Parallel()
	const mb = 1_000_000
	tests := []struct {
		pkg           string
		target, limit int64 // 0: built for comparison, with no limit
	}{
		{modulePath + "/examples/domainfilter", 7 * mb, 7 * mb},
		{modulePath + "/examples/presignup", 7 * mb, 7_900_000},
		// every family; the Encryption SDK beside text/template doubles it: 24.05 MB, and
		// the Secrets Manager client with metrics and tracing add 0.33 MB: 24.38 MB today
		{modulePath + "/examples/allinone", 12 * mb, 24_800_000},
		{modulePath + "/examples/federation", 7 * mb, 7 * mb},
		{modulePath + "/examples/postauth", 0, 10_500_000}, // DynamoDB, SES and html/template: 10.0 MB today
		{modulePath + "/examples/customsender", 12 * mb, 23_500_000},
		// a code by SMS, or after a step-up check by email or SMS, with DynamoDB and both
		// secret readers (SSM about 1.6 MB, Secrets Manager 0.65 MB): 12.06 and 12.65 MB today
		{modulePath + "/examples/smsotp", 12 * mb, 12_500_000},
		{modulePath + "/examples/stepup", 12 * mb, 13_100_000},
		{bareSDKPkg, 0, 0},
	}
	var wg sync.WaitGroup
	for _, tt := range tests {
		dir := t.TempDir()
		wg.Go(func() {
			bin, err := lambdaruntime.BuildFor(dir, "bootstrap", tt.pkg, "linux", "arm64")
			if err != nil {
				t.Error(err)
				return
			}
			fi, err := os.Stat(bin)
			if err != nil {
				t.Error(err)
				return
			}
			size := fi.Size()
			if tt.target == 0 {
				t.Logf("%s: %.2f MB, for comparison", tt.pkg, float64(size)/mb)
			} else {
				t.Logf("%s: %.2f MB (target %d MB)", tt.pkg, float64(size)/mb, tt.target/mb)
			}
			if tt.limit > 0 && size > tt.limit {
				t.Errorf("%s is %.2f MB, over its limit of %.2f MB", tt.pkg, float64(size)/mb, float64(tt.limit)/mb)
			}
		})
	}
	wg.Wait()
}

// TestEncryptionSDKLinkedOnlyByCustomSender checks, from the module's package graph, that
// the AWS Encryption SDK and its material providers library are
// dependencies of package customsender and of what imports it, and of nothing else: a
// function that does not send custom messages does not carry them.
func TestEncryptionSDKLinkedOnlyByCustomSender(t *testing.T) {
	if testing.Short() {
		t.Skip("lists the module's packages")
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	heavy := []string{"github.com/aws/aws-encryption-sdk/", "github.com/aws/aws-cryptographic-material-providers-library/",
		"github.com/nsmithuk/local-kms"}
	const sender = modulePath + "/customsender"
	checked := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		importsSender := pkg == sender || slices.Contains(deps, sender)
		found := ""
		for _, d := range deps {
			for _, h := range heavy {
				if strings.HasPrefix(d, h) && found == "" {
					found = d
				}
			}
		}
		switch {
		case pkg == sender && !strings.HasPrefix(found, heavy[0]) && !strings.HasPrefix(found, heavy[1]):
			t.Errorf("%s does not depend on the Encryption SDK: is this test still looking for the right paths?", pkg)
		case !importsSender && found != "":
			t.Errorf("%s depends on %s without importing customsender", pkg, found)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d packages listed", checked)
	}
}

// coldStartEnv configures every trigger family of the function, so that a cold start
// builds every chain, without a module that calls AWS on the measured event.
var coldStartEnv = []string{
	"DOMAINDENYLIST=blocked.example", "AUTO_CONFIRM=true", "GROUP=members", "PROFILES_TABLE=profiles",
	"WELCOME_FROM=hello@example.com", "WELCOME_TABLE=welcome", `CLAIMS_TO_ADD_OR_OVERRIDE={"plan":"free"}`,
	"CONFIRM_URL=https://confirm.example.com/", "REDIRECTURL=https://app.example.com/", "APP_NAME=Example",
	"OTP_FROM=sign-in@example.com", "OTP_HMAC_KEY=test-key-of-at-least-thirty-two-bytes-0123456789",
	"RECAPTCHASECRET=site-secret", "LEGACY_USERS_TABLE=legacy",
	"SIGNIN_TABLE=sign-ins", "AUDIT_TABLE=audit", "NEW_DEVICE_FROM=security@example.com", "NEW_DEVICE_TABLE=markers",
	"FEDERATION_PROVIDERS=Okta", "FEDERATION_REQUIRE_VERIFIED_EMAIL=true", "FEDERATION_POOL_MAPPING=email=email",
	"FEDERATION_MAPPING=custom:groups=groups",
	"BLOCKED_STATUSES=suspended", "DENIED_NETWORKS=203.0.113.0/24", "BLOCK_LIST_TABLE=blocked-users",
}

// TestLambdaColdStart runs the deployed build of the function (-tags lambda.norpc) under
// a local Lambda Runtime API, fully configured, and checks its first answer.
func TestLambdaColdStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Lambda binary")
	}
	t.Parallel()
	bin := buildFor(t, runtime.GOOS, runtime.GOARCH, modulePath+"/examples/allinone")
	for _, tt := range []struct {
		name, email, wantErr string
	}{
		{"admitted", "jane@example.com", ""},
		{"denied", "jane@blocked.example", "Invalid email domain: blocked.example"},
	} {
		event := triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", tt.email))
		res, err := lambdaruntime.ColdStart(t.Context(), bin, event, coldStartEnv...)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: exec to first response %v", tt.name, res.Elapsed)
		if res.ErrorMessage != tt.wantErr {
			t.Errorf("%s: error %q (%s), want %q", tt.name, res.ErrorMessage, res.ErrorType, tt.wantErr)
		}
		if tt.wantErr == "" {
			var e triggers.PreSignUpEvent
			if err := json.Unmarshal(res.Response, &e); err != nil || !e.Response.AutoConfirmUser {
				t.Errorf("%s: response %s (%v), want the user confirmed", tt.name, res.Response, err)
			}
		}
	}
}

// BenchmarkColdStart measures exec to first response on a pre sign-up event of
// functions built with the README's flags for this machine: bare, a hand-written
// aws-lambda-go function; baresdk, the same with the SDK clients this function links
// (DynamoDB, SES v2, Cognito), created on first use; domainfilter, a pre sign-up function
// of this library without AWS calls; and this function, fully configured.
//
// Each iteration starts every function once, in turn, so that the load of a shared
// machine falls on all of them alike. It reports each function's median in ms and the
// ratios of the medians; ns/op is the whole round, teardown included.
//
//	go test -run '^$' -bench ColdStart -benchtime 150x ./examples/allinone
func BenchmarkColdStart(b *testing.B) {
	event := triggertest.Payload(triggers.PreSignUpSignUp, triggertest.WithAttribute("email", "jane@example.com"))
	functions := []struct {
		name, pkg string
		env       []string
		bin       string
		samples   []time.Duration
	}{
		{name: "bare", pkg: barePkg},
		{name: "baresdk", pkg: bareSDKPkg},
		{name: "domainfilter", pkg: modulePath + "/examples/domainfilter", env: []string{"DOMAINDENYLIST=blocked.example"}},
		{name: "allinone", pkg: modulePath + "/examples/allinone", env: coldStartEnv},
	}
	for i := range functions {
		functions[i].bin = buildFor(b, runtime.GOOS, runtime.GOARCH, functions[i].pkg)
	}
	for round := 0; b.Loop(); round++ {
		for j := range functions {
			f := &functions[(round+j)%len(functions)]
			res, err := lambdaruntime.ColdStart(context.Background(), f.bin, event, f.env...)
			if err != nil {
				b.Fatal(err)
			}
			if res.ErrorMessage != "" {
				b.Fatalf("%s: %s: %s", f.name, res.ErrorType, res.ErrorMessage)
			}
			f.samples = append(f.samples, res.Elapsed)
		}
	}
	median := make(map[string]float64, len(functions))
	for _, f := range functions {
		slices.Sort(f.samples)
		median[f.name] = float64(f.samples[len(f.samples)/2].Microseconds()) / 1000
		b.ReportMetric(median[f.name], f.name+"-ms")
	}
	for _, r := range [][2]string{{"allinone", "bare"}, {"baresdk", "bare"}, {"allinone", "baresdk"}, {"domainfilter", "bare"}} {
		b.ReportMetric(median[r[0]]/median[r[1]], r[0]+"/"+r[1])
	}
}
