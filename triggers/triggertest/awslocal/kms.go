package awslocal

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSServer is the name of the local KMS server, as it appears in [StartError.Server].
const KMSServer = "local-kms"

// localKMSModule and localKMSVersion name the Go program that serves the KMS API. The
// module's go.mod lists it as a tool, so its version and checksums are pinned there;
// [Config.KMS] builds it with go build into the cache directory, once per version.
const (
	localKMSModule  = "github.com/nsmithuk/local-kms"
	localKMSVersion = "v0.0.0-20260228092603-2a5e92d09ab6"
)

// KMSAccountID is the account local-kms puts in the ARNs of its keys.
const KMSAccountID = "111122223333"

//go:embed encrypt-code.js
var encryptCodeJS []byte

// buildLocalKMS compiles local-kms into the cache directory unless an earlier run did,
// and returns the program's path and how long the build took.
func buildLocalKMS(ctx context.Context) (string, time.Duration, error) {
	dir := filepath.Join(filepath.Dir(installDir()), "local-kms-"+localKMSVersion)
	bin := filepath.Join(dir, "local-kms")
	if _, err := os.Stat(bin); err == nil {
		return bin, 0, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", 0, fmt.Errorf("%w: go not found in PATH; local-kms is built with the Go toolchain", ErrUnavailable)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("create local-kms directory: %w", err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", 0, fmt.Errorf("open build lock: %w", err)
	}
	defer lock.Close()
	if err := lockFile(ctx, lock); err != nil {
		return "", 0, fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer unlockFile(lock)
	if _, err := os.Stat(bin); err == nil {
		return bin, 0, nil
	}
	start := time.Now()
	tmp := bin + ".tmp"
	out := new(logTail)
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", tmp, localKMSModule)
	// The module's go.mod pins the version: build where it applies, this package's
	// source directory when it is on disk (a clone or the module cache), else the
	// working directory of the test, inside the module.
	cmd.Dir = sourceDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return "", 0, fmt.Errorf("go build %s in %s: %w; %s", localKMSModule, cmd.Dir, err, formatLog(out.Lines()))
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", 0, fmt.Errorf("install local-kms: %w", err)
	}
	return bin, time.Since(start), nil
}

func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		if _, err := os.Stat(file); err == nil {
			return filepath.Dir(file)
		}
	}
	return ""
}

func kmsSpec(bin, dataDir string) serverSpec {
	return serverSpec{
		name:   KMSServer,
		binary: bin,
		args:   func(int) []string { return nil },
		env: func(port int) []string {
			return []string{"PORT=" + strconv.Itoa(port), "KMS_REGION=" + Region, "KMS_ACCOUNT_ID=" + KMSAccountID,
				"KMS_DATA_PATH=" + dataDir, "KMS_SEED_PATH=" + filepath.Join(dataDir, "no-seed.yaml")}
		},
		health:      "/",
		readyStatus: 405,
	}
}

// CreateKMSKey creates a symmetric encryption key in local-kms and returns its ARN.
func (s *Servers) CreateKMSKey(t testing.TB) string {
	t.Helper()
	if s.KMS == nil {
		t.Fatal("awslocal: CreateKMSKey needs Config.KMS")
	}
	ctx, cancel := helperContext()
	defer cancel()
	out, err := s.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("awslocal test key")})
	if err != nil {
		t.Fatalf("awslocal: create KMS key: %v", err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// CodeToEncrypt is one code for [Servers.EncryptCodes].
type CodeToEncrypt struct {
	KeyARN     string `json:"keyArn"`
	UserPoolID string `json:"userPoolId"`
	Code       string `json:"code"`
}

// EncryptCode encrypts code under the local KMS key keyARN the way Cognito encrypts the
// codes of its custom sender triggers, and returns the base64 text Cognito would put in
// the event's request.code. It runs the AWS Encryption SDK for JavaScript: a KMS keyring
// over the key, message format 1 (commitment policy FORBID_ENCRYPT_ALLOW_DECRYPT), the
// signed suite AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 and the encryption context
// {"userpool-id": userPoolID}.
func (s *Servers) EncryptCode(t testing.TB, keyARN, userPoolID, code string) string {
	t.Helper()
	out, err := s.EncryptCodes(t.Context(), []CodeToEncrypt{{KeyARN: keyARN, UserPoolID: userPoolID, Code: code}})
	if err != nil {
		t.Fatalf("awslocal: %v", err)
	}
	return out[0]
}

// EncryptCodes is [Servers.EncryptCode] for several codes at once, in one Node.js
// process (starting one costs a few hundred milliseconds).
func (s *Servers) EncryptCodes(ctx context.Context, codes []CodeToEncrypt) ([]string, error) {
	if s.KMSEndpoint == "" {
		return nil, errors.New("encrypt codes: needs Config.KMS")
	}
	in, err := json.Marshal(struct {
		Endpoint string          `json:"endpoint"`
		Region   string          `json:"region"`
		Requests []CodeToEncrypt `json:"requests"`
	}{s.KMSEndpoint, s.Region, codes})
	if err != nil {
		return nil, err
	}
	var stdout bytes.Buffer
	stderr := new(logTail)
	cmd := exec.CommandContext(ctx, s.node, "-e", string(encryptCodeJS))
	// require() in a -e script resolves from the working directory.
	cmd.Dir = s.installDir
	cmd.Env = childEnv(nil, []string{"AWS_ACCESS_KEY_ID=" + AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_SESSION_TOKEN=", "NODE_NO_WARNINGS=1"})
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("encrypt codes with the AWS Encryption SDK for JavaScript: %w; %s", err, formatLog(stderr.Lines()))
	}
	var out []string
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out) != len(codes) {
		return nil, fmt.Errorf("encrypt codes: unexpected output (%d bytes, %v)", stdout.Len(), err)
	}
	return out, nil
}

// CodeEncrypter returns a function that encrypts codes under keyARN with
// [Servers.EncryptCode], for triggertest.WithEncryptedCode. It fails t on error.
func (s *Servers) CodeEncrypter(t testing.TB, keyARN string) func(userPoolID, code string) string {
	return func(userPoolID, code string) string {
		t.Helper()
		return s.EncryptCode(t, keyARN, userPoolID, code)
	}
}

// CreateKMSSigningKey creates an asymmetric signing key in local-kms (key spec
// ECC_NIST_P256, key usage SIGN_VERIFY, for Sign and Verify with ECDSA_SHA_256) and
// returns its ARN. Its private key stays in the server, as in KMS.
func (s *Servers) CreateKMSSigningKey(t testing.TB) string {
	t.Helper()
	if s.KMS == nil {
		t.Fatal("awslocal: CreateKMSSigningKey needs Config.KMS")
	}
	ctx, cancel := helperContext()
	defer cancel()
	out, err := s.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("awslocal test signing key"),
		KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatalf("awslocal: create KMS signing key: %v", err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}
