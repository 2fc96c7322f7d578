package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// ErrUnavailable is wrapped by the error [StartServers] returns when the
// servers cannot run on this machine at all, such as when Node.js is not
// installed. [Start] turns it into a skip, or a failure under CI=true.
var ErrUnavailable = errors.New("local AWS servers unavailable")

// Region is the region every client and environment variable uses. The
// servers accept any region; a fixed one keeps ARNs and logs predictable.
const Region = "us-east-1"

// Credentials that the servers accept. They are not secret: the servers
// check that requests are signed, not by whom.
const (
	AccessKeyID     = "local"
	SecretAccessKey = "local"
)

// DefaultCode is the confirmation and verification code cognito-local sends
// when [CognitoConfig.Code] is empty, so a test can confirm a sign-up or a
// password reset without reading a message.
const DefaultCode = "123456"

// DefaultStartTimeout bounds how long [Start] and [StartServers] wait for the
// servers to answer, once their packages are installed. The servers are
// usually ready in about a second; the margin is for loaded CI machines.
const DefaultStartTimeout = 30 * time.Second

// Package names of the servers, as they appear in [StartError.Server].
const (
	DynamoDBServer = "dynalite"
	SESServer      = "aws-ses-v2-local"
	CognitoServer  = "cognito-local"
)

// CognitoConfig configures cognito-local, in particular which Lambda
// functions it invokes for its triggers.
type CognitoConfig struct {
	// LambdaEndpoint is the base URL of a server speaking the Lambda Invoke
	// API, such as "http://127.0.0.1:9300". cognito-local posts each trigger
	// event to LambdaEndpoint + "/2015-03-31/functions/<name>/invocations".
	// It is required when Triggers is not empty.
	LambdaEndpoint string

	// Triggers maps a cognito-local trigger name (PreSignUp,
	// PostConfirmation, PostAuthentication, PreTokenGeneration,
	// CustomMessage, UserMigration) to the function name used in the invoke
	// path. Triggers left out are not called.
	Triggers map[string]string

	// Code is the code cognito-local sends for every confirmation and
	// verification. Empty means DefaultCode.
	Code string
}

// Config selects and configures the servers [Start] and [StartServers] run. Naming any
// server starts only the servers named; the zero Config starts dynalite,
// aws-ses-v2-local and cognito-local (calling no triggers), and local KMS only with KMS.
type Config struct {
	// DynamoDB starts dynalite, an in-memory DynamoDB.
	DynamoDB bool
	// SES starts aws-ses-v2-local, which accepts SES v1 and v2 SendEmail and keeps the
	// sent messages for [Servers.SentEmails].
	SES bool
	// Cognito starts cognito-local, a Cognito user pool API that calls Lambda triggers as
	// it configures; &CognitoConfig{} calls none. nil: cognito-local is not started.
	Cognito *CognitoConfig
	// KMS starts local-kms, a KMS written in Go, built from the version the module's
	// go.mod pins (the first start compiles it, in about a minute; later ones reuse the
	// program). Its keys are AES keys in memory of one run: create them with
	// [Servers.CreateKMSKey]. It answers CreateKey, Encrypt, Decrypt, GenerateDataKey and
	// most other symmetric-key operations, not grants; [Servers.CreateKMSSigningKey]
	// makes an asymmetric key for Sign and Verify. It listens on every interface of the
	// machine, not only on loopback. [Servers.EncryptCode] encrypts under its keys as
	// Cognito does.
	KMS bool
	// StartTimeout bounds how long the servers may take to answer once launched; zero
	// means [DefaultStartTimeout].
	StartTimeout time.Duration

	ports map[string]int // fixed ports by server name; tests use it to provoke failures
}

// Servers is a running set of local AWS servers and clients bound to them.
// Fields of a server that was not started are empty.
type Servers struct {
	// DynamoDBEndpoint, SESEndpoint and CognitoEndpoint are the servers'
	// base URLs, such as "http://127.0.0.1:41234".
	DynamoDBEndpoint string
	SESEndpoint      string
	CognitoEndpoint  string
	// KMSEndpoint is local-kms's base URL, when [Config.KMS] started it.
	KMSEndpoint string

	// DynamoDB, SES and Cognito are clients of the servers above, built
	// from [Servers.AWSConfig].
	DynamoDB *dynamodb.Client
	SES      *sesv2.Client
	Cognito  *cognitoidentityprovider.Client
	// KMS is a client of local-kms.
	KMS *kms.Client

	// Region is the region the clients use: [Region].
	Region string

	// CognitoCode is the code cognito-local sends for every confirmation
	// and verification.
	CognitoCode string

	// InstallDuration is how long npm ci (and, with [Config.KMS], go build of
	// local-kms) took for this start, zero when an earlier start had done it.
	InstallDuration time.Duration

	// StartDuration is how long the servers took to answer, measured from
	// launching them in parallel until the last was ready.
	StartDuration time.Duration

	procs      []*process
	node       string // the Node.js program, for [Servers.EncryptCodes]
	installDir string // where the npm packages are installed
	tempDirs   []string
	closeOnce  sync.Once
	closeErr   error
}

// Start runs the selected servers for the duration of t and stops them in
// t's cleanup. When Node.js is not available it skips t with a message
// saying what to install, or fails t if the environment variable CI is
// true, so that a CI job cannot pass by skipping its integration tests.
// Any other start failure fails t.
//
// Each call starts its own servers, about a second of work. Tests that
// share servers start them once in TestMain with [StartServers].
func Start(t testing.TB, cfg Config) *Servers {
	t.Helper()
	s, err := StartServers(t.Context(), cfg)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			skipOrFail(t, err)
		}
		t.Fatalf("awslocal: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range s.procs {
				t.Logf("awslocal: %s %s", p.name, formatLog(p.logs.Lines()))
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("awslocal: %v", err)
		}
	})
	if s.InstallDuration > 0 {
		t.Logf("awslocal: installed npm packages in %s", s.InstallDuration.Round(time.Millisecond))
	}
	return s
}

// helperTimeout bounds one call of a testing.TB helper such as
// [Servers.CreateTable]. The helpers do not use t.Context because it is
// already cancelled while cleanups run, and helpers such as
// [Servers.ClearEmails] are useful there.
const helperTimeout = 30 * time.Second

func helperContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), helperTimeout)
}

// RequireCI reports whether the environment variable CI asks for
// integration tests to fail rather than skip when they cannot run.
func RequireCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if RequireCI() {
		t.Fatalf("awslocal: %v (CI is set, so this fails instead of skipping)", err)
	}
	t.Skipf("awslocal: %v", err)
}

// StartServers runs the selected servers until [Servers.Close] is called;
// it is for TestMain and programs that have no testing.TB. ctx bounds the
// install and start only, not the servers' lifetime. The error wraps
// [ErrUnavailable] when Node.js is missing, and is a [*StartError] when a
// server failed to become ready.
func StartServers(ctx context.Context, cfg Config) (*Servers, error) {
	set := cfg
	if !set.DynamoDB && !set.SES && set.Cognito == nil && !set.KMS {
		set.DynamoDB, set.SES, set.Cognito = true, true, &CognitoConfig{}
	}
	if set.StartTimeout < 0 {
		return nil, errors.New("awslocal.StartServers: StartTimeout is negative")
	}
	if set.StartTimeout == 0 {
		set.StartTimeout = DefaultStartTimeout
	}
	if c := set.Cognito; c != nil && len(c.Triggers) > 0 && c.LambdaEndpoint == "" {
		return nil, errors.New("cognito-local: CognitoConfig.Triggers needs a LambdaEndpoint")
	}

	tc, err := findToolchain(ctx)
	if err != nil {
		return nil, err
	}
	dir, took, err := install(ctx, tc)
	if err != nil {
		return nil, err
	}

	s := &Servers{Region: Region, InstallDuration: took, node: tc.node, installDir: dir}
	var specs []serverSpec
	if set.KMS {
		bin, took, err := buildLocalKMS(ctx)
		if err != nil {
			return nil, err
		}
		s.InstallDuration += took
		dataDir, err := os.MkdirTemp("", "awslocal-kms-")
		if err != nil {
			return nil, fmt.Errorf("local-kms data directory: %w", err)
		}
		s.tempDirs = append(s.tempDirs, dataDir)
		specs = append(specs, kmsSpec(bin, dataDir))
	}
	if set.DynamoDB {
		specs = append(specs, dynamoDBSpec())
	}
	if set.SES {
		specs = append(specs, sesSpec())
	}
	if set.Cognito != nil {
		cc := *set.Cognito
		if cc.Code == "" {
			cc.Code = DefaultCode
		}
		workDir, err := cognitoWorkDir(cc)
		if err != nil {
			return nil, err
		}
		s.tempDirs = append(s.tempDirs, workDir)
		s.CognitoCode = cc.Code
		specs = append(specs, cognitoSpec(workDir, cc.Code))
	}
	for i := range specs {
		specs[i].port = set.ports[specs[i].name]
	}

	startCtx, cancel := context.WithTimeout(ctx, set.StartTimeout)
	defer cancel()
	began := time.Now()
	procs := make([]*process, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() { procs[i], errs[i] = launch(startCtx, tc, dir, spec) })
	}
	wg.Wait()
	s.StartDuration = time.Since(began)
	for _, p := range procs {
		if p != nil {
			s.procs = append(s.procs, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, errors.Join(err, s.Close())
	}

	for _, p := range s.procs {
		switch p.name {
		case DynamoDBServer:
			s.DynamoDBEndpoint = p.url
		case SESServer:
			s.SESEndpoint = p.url
		case CognitoServer:
			s.CognitoEndpoint = p.url
		case KMSServer:
			s.KMSEndpoint = p.url
		}
	}
	awsCfg := s.AWSConfig()
	if s.DynamoDBEndpoint != "" {
		s.DynamoDB = dynamodb.NewFromConfig(awsCfg)
	}
	if s.SESEndpoint != "" {
		s.SES = sesv2.NewFromConfig(awsCfg)
	}
	if s.CognitoEndpoint != "" {
		s.Cognito = cognitoidentityprovider.NewFromConfig(awsCfg)
	}
	if s.KMSEndpoint != "" {
		s.KMS = kms.NewFromConfig(awsCfg)
	}
	return s, nil
}

// Close stops every server by killing its process group and removes its
// temporary files. It reports a server that had exited on its own before
// Close, with its last log lines. Calling Close again returns the first
// result.
func (s *Servers) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, p := range s.procs {
			errs = append(errs, p.stop())
		}
		for _, d := range s.tempDirs {
			if err := os.RemoveAll(d); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", d, err))
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// endpointsByService maps an SDK service ID to the endpoint serving it.
// SES v1 is included because aws-ses-v2-local answers both APIs.
func (s *Servers) endpointsByService() map[string]string {
	m := map[string]string{}
	if s.DynamoDBEndpoint != "" {
		m[dynamodb.ServiceID] = s.DynamoDBEndpoint
	}
	if s.SESEndpoint != "" {
		m[sesv2.ServiceID] = s.SESEndpoint
		m["SES"] = s.SESEndpoint
	}
	if s.CognitoEndpoint != "" {
		m[cognitoidentityprovider.ServiceID] = s.CognitoEndpoint
	}
	if s.KMSEndpoint != "" {
		m[kms.ServiceID] = s.KMSEndpoint
	}
	return m
}

// AWSConfig returns a configuration for code under test that builds its own
// clients: any client made from it with NewFromConfig talks to the matching
// local server, whatever AWS_ENDPOINT_URL variables or shared config files
// say, and signs with static local credentials.
func (s *Servers) AWSConfig() aws.Config {
	endpoints := s.endpointsByService()
	return aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		// ServiceOptions run after the SDK resolves endpoints from the
		// environment, so they win over anything the developer has set.
		// Every service's Options has a BaseEndpoint field; setting it by
		// reflection reaches services this package does not import.
		ServiceOptions: []func(string, any){func(serviceID string, options any) {
			endpoint, ok := endpoints[serviceID]
			if !ok {
				return
			}
			v := reflect.ValueOf(options)
			if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
				return
			}
			f := v.Elem().FieldByName("BaseEndpoint")
			if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[*string]() {
				f.Set(reflect.ValueOf(aws.String(endpoint)))
			}
		}},
	}
}

// Env returns environment variables that point an AWS SDK in a child
// process at the servers, for code under test that runs as a separate
// program. Append them to os.Environ() in exec.Cmd.Env; nothing is set in
// this process.
func (s *Servers) Env() []string {
	env := []string{
		"AWS_REGION=" + s.Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		// A session token inherited from a real login would not match the
		// local key.
		"AWS_SESSION_TOKEN=",
	}
	if s.DynamoDBEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_DYNAMODB="+s.DynamoDBEndpoint)
	}
	if s.SESEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_SESV2="+s.SESEndpoint, "AWS_ENDPOINT_URL_SES="+s.SESEndpoint)
	}
	if s.CognitoEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+s.CognitoEndpoint)
	}
	if s.KMSEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_KMS="+s.KMSEndpoint)
	}
	return env
}

func dynamoDBSpec() serverSpec {
	return serverSpec{
		name:   DynamoDBServer,
		script: "cli.js",
		args: func(port int) []string {
			// Zero delays make tables ACTIVE at once, so tests need no waiters.
			return []string{"--host", "127.0.0.1", "--port", strconv.Itoa(port),
				"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"}
		},
		env:    func(int) []string { return nil },
		health: "/",
	}
}

func sesSpec() serverSpec {
	return serverSpec{
		name:   SESServer,
		script: "dist/cli.js",
		args: func(port int) []string {
			return []string{"--host", "127.0.0.1", "--port", strconv.Itoa(port)}
		},
		env:    func(int) []string { return nil },
		health: "/health-check",
		// With SMTP_TRANSPORT set, the server would also deliver the mail
		// tests send.
		hidden: map[string]bool{"SMTP_TRANSPORT": true},
	}
}

func cognitoSpec(workDir, code string) serverSpec {
	return serverSpec{
		name:   CognitoServer,
		script: "lib/bin/start.js",
		args:   func(int) []string { return nil },
		env: func(port int) []string {
			return []string{"HOST=127.0.0.1", "PORT=" + strconv.Itoa(port), "CODE=" + code}
		},
		dir:    workDir,
		health: "/health",
	}
}

// cognitoWorkDir creates the directory cognito-local runs in. It reads its
// configuration from .cognito/config.json and keeps its data in .cognito/db,
// both relative to the working directory, so each start gets a fresh one.
func cognitoWorkDir(cfg CognitoConfig) (string, error) {
	type lambdaClient struct {
		Endpoint    string            `json:"endpoint"`
		Region      string            `json:"region"`
		Credentials map[string]string `json:"credentials"`
	}
	conf := struct {
		LambdaClient     *lambdaClient     `json:"LambdaClient,omitempty"`
		TriggerFunctions map[string]string `json:"TriggerFunctions"`
	}{TriggerFunctions: map[string]string{}}
	if cfg.LambdaEndpoint != "" {
		conf.LambdaClient = &lambdaClient{
			Endpoint:    cfg.LambdaEndpoint,
			Region:      Region,
			Credentials: map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey},
		}
	}
	for trigger, function := range cfg.Triggers {
		conf.TriggerFunctions[trigger] = function
	}
	data, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return "", fmt.Errorf("cognito-local config: %w", err)
	}
	dir, err := os.MkdirTemp("", "awslocal-cognito-")
	if err != nil {
		return "", fmt.Errorf("cognito-local working directory: %w", err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".cognito"), 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("cognito-local working directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), data, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("cognito-local config: %w", err)
	}
	return dir, nil
}
