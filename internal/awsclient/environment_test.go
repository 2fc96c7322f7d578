package awsclient_test

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/lambda-triggers/cognito/internal/awsclient"
)

// lambdaEnv is what Lambda sets in every execution environment.
var lambdaEnv = map[string]string{
	"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLEKEY",
	"AWS_SECRET_ACCESS_KEY": "example-secret-access-key",
	"AWS_SESSION_TOKEN":     "example-session-token",
	"AWS_REGION":            "eu-west-1",
	"AWS_DEFAULT_REGION":    "eu-west-1",
	"AWS_EXECUTION_ENV":     "AWS_Lambda_provided.al2023",
}

// with returns lambdaEnv changed by kv pairs; an empty value unsets the variable.
func with(kv ...string) func(string) string {
	env := map[string]string{}
	for k, v := range lambdaEnv {
		env[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return func(k string) string { return env[k] }
}

func TestFromEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		getenv              func(string) string
		wantRegion, wantErr string
		wantToken           string
		wantEndpoint        string // cfg.BaseEndpoint, "" for nil
	}{
		{name: "lambda", getenv: with(), wantRegion: "eu-west-1", wantToken: "example-session-token"},
		{name: "AWS_REGION wins", getenv: with("AWS_DEFAULT_REGION", "us-east-2"), wantRegion: "eu-west-1",
			wantToken: "example-session-token"},
		{name: "AWS_DEFAULT_REGION alone", getenv: with("AWS_REGION", "", "AWS_DEFAULT_REGION", "us-east-2"),
			wantRegion: "us-east-2", wantToken: "example-session-token"},
		{name: "long-term keys without a session token", getenv: with("AWS_SESSION_TOKEN", ""), wantRegion: "eu-west-1"},
		{name: "general endpoint", getenv: with("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), wantRegion: "eu-west-1",
			wantToken: "example-session-token", wantEndpoint: "http://127.0.0.1:4566"},
		{name: "endpoints ignored", getenv: with("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"), wantRegion: "eu-west-1", wantToken: "example-session-token"},
		{name: "endpoints not ignored", getenv: with("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"), wantRegion: "eu-west-1",
			wantToken: "example-session-token", wantEndpoint: "http://127.0.0.1:4566"},
		{name: "no access key", getenv: with("AWS_ACCESS_KEY_ID", ""), wantErr: "AWS_ACCESS_KEY_ID not set"},
		{name: "no secret key", getenv: with("AWS_SECRET_ACCESS_KEY", ""), wantErr: "AWS_SECRET_ACCESS_KEY not set"},
		{name: "no region", getenv: with("AWS_REGION", "", "AWS_DEFAULT_REGION", ""), wantErr: "AWS_REGION not set"},
		{name: "nothing", getenv: func(string) string { return "" },
			wantErr: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION not set"},
		{name: "bad ignore flag", getenv: with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes"),
			wantErr: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="yes": want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := awsclient.FromEnvironment(tt.getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), lambdaEnv["AWS_SECRET_ACCESS_KEY"]) {
					t.Errorf("error %q shows the secret key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.wantRegion {
				t.Errorf("region %q, want %q", cfg.Region, tt.wantRegion)
			}
			creds, err := cfg.Credentials.Retrieve(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := aws.Credentials{AccessKeyID: "ASIAEXAMPLEKEY", SecretAccessKey: "example-secret-access-key",
				SessionToken: tt.wantToken}
			if creds.AccessKeyID != want.AccessKeyID || creds.SecretAccessKey != want.SecretAccessKey ||
				creds.SessionToken != want.SessionToken || creds.Expired() {
				t.Errorf("credentials %+v, want %+v without expiry", creds, want)
			}
			if got := aws.ToString(cfg.BaseEndpoint); got != tt.wantEndpoint {
				t.Errorf("base endpoint %q, want %q", got, tt.wantEndpoint)
			}
		})
	}
}

// TestFromEnvironmentServiceEndpoints checks that each client the modules use finds its
// own AWS_ENDPOINT_URL_<SERVICE>, the way local servers are configured.
func TestFromEnvironmentServiceEndpoints(t *testing.T) {
	t.Parallel()
	// The SDK's clients look at the process environment for AWS_ENDPOINT_URL as well.
	if _, ok := os.LookupEnv("AWS_ENDPOINT_URL"); ok {
		t.Skip("AWS_ENDPOINT_URL is set in the environment of the test")
	}
	const (
		general = "http://127.0.0.1:4566"
		ddb     = "http://127.0.0.1:8000"
		ses     = "http://127.0.0.1:8005"
		cognito = "http://127.0.0.1:9229"
	)
	endpoints := func(t *testing.T, getenv func(string) string) (ddbURL, sesURL, cognitoURL string) {
		t.Helper()
		cfg, err := awsclient.FromEnvironment(getenv)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(dynamodb.NewFromConfig(cfg).Options().BaseEndpoint),
			aws.ToString(sesv2.NewFromConfig(cfg).Options().BaseEndpoint),
			aws.ToString(cip.NewFromConfig(cfg).Options().BaseEndpoint)
	}
	tests := []struct {
		name             string
		getenv           func(string) string
		wantDDB, wantSES string
		wantCognito      string
	}{
		{name: "none", getenv: with()},
		{name: "per service", getenv: with("AWS_ENDPOINT_URL_DYNAMODB", ddb, "AWS_ENDPOINT_URL_SESV2", ses,
			"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", cognito), wantDDB: ddb, wantSES: ses, wantCognito: cognito},
		{name: "service over general", getenv: with("AWS_ENDPOINT_URL", general, "AWS_ENDPOINT_URL_DYNAMODB", ddb),
			wantDDB: ddb, wantSES: general, wantCognito: general},
		{name: "ignored", getenv: with("AWS_ENDPOINT_URL", general, "AWS_ENDPOINT_URL_DYNAMODB", ddb,
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, s, c := endpoints(t, tt.getenv)
			if d != tt.wantDDB || s != tt.wantSES || c != tt.wantCognito {
				t.Errorf("endpoints DynamoDB %q, SES %q, Cognito %q; want %q, %q, %q",
					d, s, c, tt.wantDDB, tt.wantSES, tt.wantCognito)
			}
		})
	}
}
