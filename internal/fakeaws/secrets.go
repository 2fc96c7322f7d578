package fakeaws

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// SSM is an in-memory stand-in for the SSM client's GetParameter (Parameter Store),
// with its method signature. Parameters are added with [SSM.Put]. It answers as the
// service does: a missing parameter is the SDK's *types.ParameterNotFound, a SecureString
// read without WithDecryption gives a stand-in for the ciphertext rather than the
// value, and a name with a slash that does not start with one is a ValidationException.
// A version or label selector ("name:3") fails with an error wrapping [ErrUnsupported].
//
// Every call honours its context, and an SSM is safe for concurrent use.
type SSM struct {
	calls calls

	mu     sync.Mutex
	params map[string]ssmtypes.Parameter
}

// NewSSM returns an SSM without parameters.
func NewSSM() *SSM { return &SSM{params: map[string]ssmtypes.Parameter{}} }

// Put creates the parameter or writes a new version of it: a SecureString when secure,
// a String otherwise.
func (s *SSM) Put(name, value string, secure bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := ssmtypes.ParameterTypeString
	if secure {
		typ = ssmtypes.ParameterTypeSecureString
	}
	version := s.params[name].Version + 1
	s.params[name] = ssmtypes.Parameter{Name: aws.String(name), Value: aws.String(value), Type: typ, Version: version,
		ARN: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/" + strings.TrimPrefix(name, "/")), DataType: aws.String("text"),
		LastModifiedDate: aws.Time(time.Now())}
}

// Delete removes the parameter.
func (s *SSM) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.params, name)
}

// Calls returns how many times operation ("GetParameter") was called, whatever the
// outcome; every operation together for "".
func (s *SSM) Calls(operation string) int { return s.calls.calls(operation) }

// FailNext makes the next call of operation fail with err, wrapped as the SDK wraps
// errors.
func (s *SSM) FailNext(operation string, err error) { s.calls.failNext(operation, err) }

// SetHook sets a function called before every operation with its name; a non-nil error
// fails the operation as [SSM.FailNext] does. nil removes it.
func (s *SSM) SetHook(hook func(ctx context.Context, operation string) error) { s.calls.setHook(hook) }

// GetParameter returns the latest version of a parameter.
func (s *SSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	out, err := s.getParameter(ctx, in)
	return out, opError("SSM", "GetParameter", err)
}

func (s *SSM) getParameter(ctx context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
	if err := s.calls.begin(ctx, "GetParameter"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	switch {
	case name == "":
		return nil, validationf("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	case strings.Contains(name, ":") && !strings.HasPrefix(name, "arn:"):
		return nil, unsupportedf("GetParameter: version and label selectors")
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return nil, validationf("Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
	}
	s.mu.Lock()
	p, ok := s.params[name]
	s.mu.Unlock()
	if !ok {
		return nil, &ssmtypes.ParameterNotFound{}
	}
	if p.Type == ssmtypes.ParameterTypeSecureString && !aws.ToBool(in.WithDecryption) {
		p.Value = aws.String(fmt.Sprintf("fake-ciphertext-of-version-%d", p.Version))
	}
	return &ssm.GetParameterOutput{Parameter: &p}, nil
}

// SecretsManager is an in-memory stand-in for the Secrets Manager client's
// GetSecretValue, with its method signature. Secrets are added with
// [SecretsManager.Put] and read by name or by the ARN Put returns. It answers as the
// service does: a missing secret is the SDK's *types.ResourceNotFoundException. Asking
// for a version other than the current one fails with an error wrapping
// [ErrUnsupported].
//
// Every call honours its context, and a SecretsManager is safe for concurrent use.
type SecretsManager struct {
	calls calls

	mu      sync.Mutex
	secrets map[string]*smSecret // by name
	n       int
}

type smSecret struct {
	arn     string
	value   string
	version int
}

// NewSecretsManager returns a SecretsManager without secrets.
func NewSecretsManager() *SecretsManager { return &SecretsManager{secrets: map[string]*smSecret{}} }

// Put creates the secret or makes value its current version, and returns its ARN.
func (m *SecretsManager) Put(name, value string) (arn string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[name]
	if !ok {
		m.n++
		s = &smSecret{arn: fmt.Sprintf("arn:aws:secretsmanager:us-east-1:123456789012:secret:%s-%06d", name, m.n)}
		m.secrets[name] = s
	}
	s.value = value
	s.version++
	return s.arn
}

// Delete removes the secret at once, as a forced deletion without recovery does.
func (m *SecretsManager) Delete(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.secrets, name)
}

// Calls returns how many times operation ("GetSecretValue") was called, whatever the
// outcome; every operation together for "".
func (m *SecretsManager) Calls(operation string) int { return m.calls.calls(operation) }

// FailNext makes the next call of operation fail with err, wrapped as the SDK wraps
// errors.
func (m *SecretsManager) FailNext(operation string, err error) { m.calls.failNext(operation, err) }

// SetHook sets a function called before every operation with its name; a non-nil error
// fails the operation as [SecretsManager.FailNext] does. nil removes it.
func (m *SecretsManager) SetHook(hook func(ctx context.Context, operation string) error) {
	m.calls.setHook(hook)
}

// GetSecretValue returns the current version of a secret.
func (m *SecretsManager) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
	_ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	out, err := m.getSecretValue(ctx, in)
	return out, opError("Secrets Manager", "GetSecretValue", err)
}

func (m *SecretsManager) getSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput) (*secretsmanager.GetSecretValueOutput, error) {
	if err := m.calls.begin(ctx, "GetSecretValue"); err != nil {
		return nil, err
	}
	id := aws.ToString(in.SecretId)
	if id == "" {
		return nil, validationf("1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null")
	}
	if in.VersionId != nil || (in.VersionStage != nil && *in.VersionStage != "AWSCURRENT") {
		return nil, unsupportedf("GetSecretValue: versions other than AWSCURRENT")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, s := range m.secrets {
		if name == id || s.arn == id {
			return &secretsmanager.GetSecretValueOutput{ARN: aws.String(s.arn), Name: aws.String(name),
				SecretString: aws.String(s.value), VersionId: aws.String(fmt.Sprintf("v%d", s.version)),
				VersionStages: []string{"AWSCURRENT"}, CreatedDate: aws.Time(time.Now())}, nil
		}
	}
	return nil, &smtypes.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret.")}
}
