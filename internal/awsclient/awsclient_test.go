package awsclient_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

// setEnv points the process at an environment in which the configuration loads
// (valid true) or fails to (valid false), in this build and in the lambda.norpc one.
func setEnv(t *testing.T, valid bool, region string) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key")
	t.Setenv("AWS_REGION", region)
	if valid {
		t.Setenv("AWS_PROFILE", "")
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
	} else {
		// Each build refuses one of these: the default chain a profile it cannot find,
		// the Lambda build a missing key.
		t.Setenv("AWS_PROFILE", "no-such-profile")
		t.Setenv("AWS_ACCESS_KEY_ID", "")
	}
}

// TestConfigAndOnce walks the process-wide configuration through its life: a failed
// load is not kept, the first good one is, and a client is built once from it. It
// changes the process environment, so it does not run in parallel.
func TestConfigAndOnce(t *testing.T) {
	ctx := t.Context()
	var once awsclient.Once
	var builds atomic.Int32
	var built aws.Config
	build := func(c aws.Config) { builds.Add(1); built = c }

	setEnv(t, false, "eu-west-1")
	if _, err := awsclient.Config(ctx); err == nil {
		t.Fatal("Config: no error with an unusable environment")
	}
	if err := once.Do(ctx, build); err == nil || builds.Load() != 0 {
		t.Fatalf("Once.Do: error %v after %d builds, want an error and no build", err, builds.Load())
	}

	setEnv(t, true, "eu-west-1")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := once.Do(ctx, build); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds by concurrent calls, want 1", n)
	}
	if built.Region != "eu-west-1" {
		t.Errorf("built with region %q, want eu-west-1", built.Region)
	}

	// Later changes to the environment do not reach a loaded configuration.
	setEnv(t, true, "us-east-2")
	cfg, err := awsclient.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("Config: region %q after the environment changed, want the first one, eu-west-1", cfg.Region)
	}
	if err := once.Do(ctx, build); err != nil || builds.Load() != 1 {
		t.Errorf("Once.Do again: error %v, %d builds; want none and 1", err, builds.Load())
	}
}
