// Package secrets reads the secrets that modules need (HMAC keys, CAPTCHA secrets,
// webhook secrets, credentials of a migration store) from AWS Systems Manager Parameter
// Store or AWS Secrets Manager instead of from the value of an environment variable.
//
// A value that names where the secret is kept is a reference:
//
//	ssm:/cognito/otp-hmac-key          a Parameter Store parameter, decrypted (SecureString)
//	secretsmanager:prod/captcha        a Secrets Manager secret's SecretString, by name or ARN
//	secretsmanager:prod/keys#captcha   one string member of a secret that holds a JSON object
//
// Anything else is the secret itself. So the variables a function already reads, such as
// OTP_HMAC_KEY, take either the secret or a reference to it, and moving a secret out of
// the function's configuration changes its value, not its name.
//
// A reference is read on first use, not at start-up, and then kept for a TTL
// ([DefaultTTL]): a rotated secret reaches the function within that time. When a later
// read fails, the value already read is served until a read succeeds. Values never
// appear in an error, a log line or a formatted [Value].
//
// This package links no AWS client. A function reads ssm: references once it imports
// triggers/secrets/parameterstore and secretsmanager: references once it imports
// triggers/secrets/secretsmanager; [Parse] refuses a reference whose service it cannot
// read, so that a function missing one stops at start-up. Each service package creates
// its client on first use from the default configuration (AWS_ENDPOINT_URL_SSM and
// AWS_ENDPOINT_URL_SECRETS_MANAGER point them elsewhere); its Reader function, given as
// [Config].Reader, reads through a client of the caller's own.
//
//	import (
//		"github.com/lambda-triggers/cognito/triggers/secrets"
//		_ "github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
//	)
//
//	key, err := secrets.Parse(secrets.Config{Value: os.Getenv("OTP_HMAC_KEY")})
//	if err != nil {
//		return err
//	}
//	flow, err := customauth.EmailOTP(customauth.EmailOTPConfig{From: from, KeySource: key.Get})
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// The prefixes that make a value a reference.
const (
	PrefixSSM            = "ssm:"
	PrefixSecretsManager = "secretsmanager:"
)

// DefaultTTL is how long a value read from a service is kept before it is read again.
const DefaultTTL = 5 * time.Minute

// ErrNotFound is in the error chain when the parameter or secret does not exist (SSM's
// ParameterNotFound, Secrets Manager's ResourceNotFoundException), or when the JSON
// member a reference names is missing.
var ErrNotFound = errors.New("not found")

// Reader reads the current value of the parameter or secret name from its service. The
// packages that speak to a service register theirs with [Register]; a function links a
// service's client only when it imports that package.
type Reader func(ctx context.Context, name string) (string, error)

var (
	readersMu sync.RWMutex
	readers   = map[string]Reader{}
)

// Register makes r the reader of the references that start with prefix ([PrefixSSM] or
// [PrefixSecretsManager]). Packages triggers/secrets/parameterstore and
// triggers/secrets/secretsmanager call it when they are imported, so that a function
// chooses the service clients it links by its imports:
//
//	import _ "github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
func Register(prefix string, r Reader) {
	if prefix != PrefixSSM && prefix != PrefixSecretsManager {
		panic("secrets: Register with an unknown prefix " + prefix)
	}
	readersMu.Lock()
	defer readersMu.Unlock()
	readers[prefix] = r
}

// Config is what [Parse] reads a secret from.
type Config struct {
	// Value is the secret itself, or a reference to it such as
	// "ssm:/cognito/otp-hmac-key" (see the package documentation); typically the value
	// of an environment variable. "" is an empty secret.
	Value string
	// Reader reads a reference; nil means the reader registered for its service (see
	// [Register]), such as the one of triggers/secrets/parameterstore. A service
	// package's Reader function gives one with a client of the caller's own.
	Reader Reader
	// TTL is how long a value read from a service is kept before it is read again;
	// zero means [DefaultTTL]. It must not be negative.
	TTL time.Duration
	// Now is the clock the TTL is measured by; nil means time.Now.
	Now func() time.Time
}

// Value is a secret given as itself or as a reference. It is safe for concurrent use.
type Value struct {
	kind string // "", PrefixSSM or PrefixSecretsManager
	name string // the parameter, or the secret's name or ARN
	key  string // the JSON member of a Secrets Manager secret, or ""
	ttl  time.Duration
	now  func() time.Time
	// reader reads the reference; nil for a secret given as itself.
	reader Reader

	// The secret is behind a pointer, so that printing a Value, even field by field,
	// shows an address and never the secret.
	c *cache
}

type cache struct {
	mu      sync.Mutex
	value   triggers.Secret
	fetched time.Time
	ok      bool
}

// IsReference reports whether s names a parameter or a secret rather than being one.
func IsReference(s string) bool {
	return strings.HasPrefix(s, PrefixSSM) || strings.HasPrefix(s, PrefixSecretsManager)
}

// Parse returns the Value that cfg.Value gives: the secret itself, or the parameter or
// secret it names (see the package documentation). It reports a reference without a
// name, an SSM reference with a JSON member, a reference no reader can read and a
// negative TTL; the error never shows a value that is not a reference.
func Parse(cfg Config) (*Value, error) {
	s := cfg.Value
	if cfg.TTL < 0 {
		return nil, fmt.Errorf("secrets.Parse: TTL %s is negative", cfg.TTL)
	}
	v := &Value{ttl: cfg.TTL, now: cfg.Now, reader: cfg.Reader, c: &cache{}}
	if v.ttl == 0 {
		v.ttl = DefaultTTL
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case strings.HasPrefix(s, PrefixSSM):
		v.kind, v.name = PrefixSSM, strings.TrimPrefix(s, PrefixSSM)
		if strings.Contains(v.name, "#") {
			return nil, fmt.Errorf("secrets: %q: a parameter has no JSON members; use %s for a JSON secret", s, PrefixSecretsManager)
		}
	case strings.HasPrefix(s, PrefixSecretsManager):
		v.kind = PrefixSecretsManager
		v.name, v.key, _ = strings.Cut(strings.TrimPrefix(s, PrefixSecretsManager), "#")
		if strings.HasSuffix(s, "#") {
			return nil, fmt.Errorf("secrets: %q: empty JSON member after #", s)
		}
	default:
		v.c.value, v.c.ok = triggers.Secret(s), true
	}
	if v.kind != "" && strings.TrimSpace(v.name) == "" {
		return nil, fmt.Errorf("secrets: %q names no parameter or secret", s)
	}
	if v.kind != "" && v.reader == nil {
		readersMu.RLock()
		v.reader = readers[v.kind]
		readersMu.RUnlock()
		if v.reader == nil {
			pkg := "parameterstore"
			if v.kind == PrefixSecretsManager {
				pkg = "secretsmanager"
			}
			return nil, fmt.Errorf("secrets: %s: this function does not read %s references; "+
				"import _ \"github.com/lambda-triggers/cognito/triggers/secrets/%s\" to link that service's client", v, v.kind, pkg)
		}
	}
	return v, nil
}

// MustParse is [Parse] that panics on an error, for package-level values.
func MustParse(cfg Config) *Value {
	v, err := Parse(cfg)
	if err != nil {
		panic(err)
	}
	return v
}

// IsReference reports whether the value is read from a service.
func (v *Value) IsReference() bool { return v.kind != "" }

// String returns the reference, such as "ssm:/cognito/otp-hmac-key", or "[REDACTED]" for a
// secret given as itself: never the secret.
func (v Value) String() string {
	if v.kind == "" {
		return triggers.Secret("x").String()
	}
	if v.key != "" {
		return v.kind + v.name + "#" + v.key
	}
	return v.kind + v.name
}

// Get returns the secret, reading it from its service on first use and again once the
// TTL has passed. When a read fails and a value was read before, that value is returned
// and the next call reads again. It is a [triggers.SecretSource].
func (v *Value) Get(ctx context.Context) (triggers.Secret, error) {
	c := v.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && (v.kind == "" || v.now().Sub(c.fetched) < v.ttl) {
		return c.value, nil
	}
	s, err := v.read(ctx)
	if err != nil {
		if c.ok {
			return c.value, nil
		}
		return "", fmt.Errorf("secrets: read %s: %w", v, err)
	}
	c.value, c.fetched, c.ok = s, v.now(), true
	return s, nil
}

// LogValue logs the value as [Value.String] does.
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// GoString keeps %#v to the reference too.
func (v Value) GoString() string { return v.String() }

// Format keeps every fmt verb to the reference.
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v.String())) }

// Source returns [Value.Get] as a [triggers.SecretSource].
func (v *Value) Source() triggers.SecretSource { return v.Get }

func (v *Value) read(ctx context.Context) (triggers.Secret, error) {
	text, err := v.reader(ctx, v.name)
	if err != nil {
		return "", err
	}
	if v.key == "" {
		return triggers.Secret(text), nil
	}
	var members map[string]any
	if err := json.Unmarshal([]byte(text), &members); err != nil {
		// json's error may quote the secret's text.
		return "", errors.New("the secret is not a JSON object")
	}
	m, ok := members[v.key]
	if !ok {
		return "", fmt.Errorf("JSON member %q: %w", v.key, ErrNotFound)
	}
	member, ok := m.(string)
	if !ok {
		return "", fmt.Errorf("JSON member %q is not a string", v.key)
	}
	return triggers.Secret(member), nil
}
