package awsclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The variables that [FromEnvironment] reads. Lambda sets the credential and region
// ones in every execution environment; the endpoint ones are the SDK's standard names.
const (
	envAccessKeyID     = "AWS_ACCESS_KEY_ID"
	envSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	envSessionToken    = "AWS_SESSION_TOKEN"
	envRegion          = "AWS_REGION"
	envDefaultRegion   = "AWS_DEFAULT_REGION"
	envEndpointURL     = "AWS_ENDPOINT_URL"
	envIgnoreEndpoints = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
	envExecution       = "AWS_EXECUTION_ENV"
)

// FromEnvironment builds the AWS configuration from the variables Lambda sets:
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (optional, for
// long-term keys such as a local server's) as static credentials, and AWS_REGION (or
// AWS_DEFAULT_REGION). AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> set the base
// endpoint as the SDK's default configuration does: the service's variable wins, and
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns both off. Everything else (retries,
// HTTP client) is the SDK's default for a zero configuration: other SDK variables, such
// as AWS_MAX_ATTEMPTS, are not read, and no shared file, SSO, STS or instance metadata
// lookup happens. A missing credential or region is an error that names the variables.
func FromEnvironment(getenv func(string) string) (aws.Config, error) {
	key, secret := getenv(envAccessKeyID), getenv(envSecretAccessKey)
	region := getenv(envRegion)
	if region == "" {
		region = getenv(envDefaultRegion)
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{envAccessKeyID, key}, {envSecretAccessKey, secret}, {envRegion, region},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return aws.Config{}, fmt.Errorf("%s not set: a function built with -tags lambda.norpc "+
			"takes its AWS credentials and region from the variables Lambda sets", strings.Join(missing, ", "))
	}

	endpoints := endpointSource{getenv: getenv}
	switch v := getenv(envIgnoreEndpoints); {
	case v == "" || strings.EqualFold(v, "false"):
	case strings.EqualFold(v, "true"):
		endpoints.ignore = true
	default:
		return aws.Config{}, fmt.Errorf("%s=%q: want true or false", envIgnoreEndpoints, v)
	}

	creds := aws.Credentials{
		AccessKeyID:     key,
		SecretAccessKey: secret,
		SessionToken:    getenv(envSessionToken),
		Source:          "EnvironmentVariables",
	}
	cfg := aws.Config{
		Region: region,
		// Lambda's credentials last as long as the execution environment, so they are
		// never refreshed.
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		RuntimeEnvironment: aws.RuntimeEnvironment{
			EnvironmentIdentifier: aws.ExecutionEnvironmentID(getenv(envExecution)),
			Region:                region,
		},
		// Each service client asks its configuration sources for its own endpoint.
		ConfigSources: []any{endpoints},
	}
	if u := getenv(envEndpointURL); u != "" && !endpoints.ignore {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// endpointSource answers a service client's questions about configured endpoints, the
// way the SDK's environment configuration does, for AWS_ENDPOINT_URL_<SERVICE>.
type endpointSource struct {
	getenv func(string) string
	ignore bool
}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE>, where SERVICE is the
// service's SDK ID in upper case with spaces as underscores (DYNAMODB, SESV2,
// COGNITO_IDENTITY_PROVIDER).
func (s endpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	if s.ignore {
		return "", false, nil
	}
	name := envEndpointURL + "_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_")
	u := s.getenv(name)
	return u, u != "", nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (s endpointSource) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return s.ignore, s.ignore, nil
}
