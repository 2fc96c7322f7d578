package secrets_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/triggers/secrets"
	"github.com/lambda-triggers/cognito/triggers/secrets/parameterstore"
	"github.com/lambda-triggers/cognito/triggers/secrets/secretsmanager"
)

const secretValue = "s3cr3t-value-0123456789abcdef-0123"

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, wantErr string
		reference         bool
	}{
		{in: "plain-secret", want: "[REDACTED]"},
		{in: "", want: ""},
		{in: "ssm:/cognito/key", want: "ssm:/cognito/key", reference: true},
		{in: "ssm:key", want: "ssm:key", reference: true},
		{in: "secretsmanager:prod/captcha", want: "secretsmanager:prod/captcha", reference: true},
		{in: "secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:k-AbC#captcha",
			want: "secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:k-AbC#captcha", reference: true},
		{in: "ssm:", wantErr: "names no parameter or secret"},
		{in: "secretsmanager: ", wantErr: "names no parameter or secret"},
		{in: "secretsmanager:keys#", wantErr: "empty JSON member"},
		{in: "ssm:/a#b", wantErr: "a parameter has no JSON members"},
	}
	for _, tt := range tests {
		v, err := secrets.Parse(secrets.Config{Value: tt.in})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q): error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if tt.in != "" && v.String() != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, v.String(), tt.want)
		}
		if v.IsReference() != tt.reference || secrets.IsReference(tt.in) != tt.reference {
			t.Errorf("Parse(%q): reference %v, want %v", tt.in, v.IsReference(), tt.reference)
		}
	}
	if _, err := secrets.Parse(secrets.Config{Value: "ssm:/a", TTL: -time.Second}); err == nil || !strings.Contains(err.Error(), "TTL") {
		t.Errorf("negative TTL: %v, want an error naming TTL", err)
	}
}

func TestLiteralNeedsNoClient(t *testing.T) {
	t.Parallel()
	db, sm := fakeaws.NewSSM(), fakeaws.NewSecretsManager()
	v := secrets.MustParse(secrets.Config{Value: secretValue, Reader: parameterstore.Reader(db)})
	got, err := v.Get(t.Context())
	if err != nil || got.Reveal() != secretValue {
		t.Fatalf("Get = %q, %v", got.Reveal(), err)
	}
	if db.Calls("")+sm.Calls("") != 0 {
		t.Error("a literal value called a service")
	}
	requireHidden(t, v)
}

// requireHidden checks that no way of printing or logging the value shows the secret.
func requireHidden(t *testing.T, v *secrets.Value) {
	t.Helper()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("value", "v", v)
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", *v), fmt.Sprintf("%v", *v), logs.String()} {
		if strings.Contains(s, secretValue) {
			t.Errorf("the secret shows in %q", s)
		}
	}
}

// clock is a settable time for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestGet reads references from the fakes of Parameter Store and Secrets Manager, which
// have the SDK clients' signatures and typed errors: the value, one read per TTL, the
// stale value while a refresh fails, and errors that name the reference and never the
// value.
func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ref   string
		setup func(*fakeaws.SSM, *fakeaws.SecretsManager) (rotate func())
		op    string
	}{
		{"SecureString parameter", "ssm:/cognito/otp-key", func(p *fakeaws.SSM, _ *fakeaws.SecretsManager) func() {
			p.Put("/cognito/otp-key", secretValue, true)
			return func() { p.Put("/cognito/otp-key", secretValue+"-rotated", true) }
		}, "GetParameter"},
		{"String parameter", "ssm:otp-key", func(p *fakeaws.SSM, _ *fakeaws.SecretsManager) func() {
			p.Put("otp-key", secretValue, false)
			return func() { p.Put("otp-key", secretValue+"-rotated", false) }
		}, "GetParameter"},
		{"secret by name", "secretsmanager:prod/captcha", func(_ *fakeaws.SSM, m *fakeaws.SecretsManager) func() {
			m.Put("prod/captcha", secretValue)
			return func() { m.Put("prod/captcha", secretValue+"-rotated") }
		}, "GetSecretValue"},
		{"JSON member of a secret", "secretsmanager:prod/keys#captcha", func(_ *fakeaws.SSM, m *fakeaws.SecretsManager) func() {
			m.Put("prod/keys", `{"captcha":"`+secretValue+`","other":"x"}`)
			return func() { m.Put("prod/keys", `{"captcha":"`+secretValue+`-rotated"}`) }
		}, "GetSecretValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, m := fakeaws.NewSSM(), fakeaws.NewSecretsManager()
			rotate := tt.setup(p, m)
			clk := &clock{now: time.Unix(1_700_000_000, 0)}
			v := secrets.MustParse(secrets.Config{Value: tt.ref, Reader: clientFor(tt.ref, p, m), TTL: time.Minute, Now: clk.Now})
			calls := func() int { return p.Calls("") + m.Calls("") }
			if calls() != 0 {
				t.Fatal("read before first use")
			}
			get := func(want string) {
				t.Helper()
				got, err := v.Get(t.Context())
				if err != nil || got.Reveal() != want {
					t.Fatalf("Get = %q, %v; want %q", got.Reveal(), err, want)
				}
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { get(secretValue) })
			}
			wg.Wait()
			if calls() != 1 {
				t.Fatalf("%d reads by four first uses, want 1", calls())
			}
			rotate()
			clk.Advance(59 * time.Second)
			get(secretValue)
			clk.Advance(2 * time.Second)
			p.FailNext(tt.op, errors.New("throttled"))
			m.FailNext(tt.op, errors.New("throttled"))
			get(secretValue) // the refresh failed: the value read before
			get(secretValue + "-rotated")
			if calls() != 3 {
				t.Errorf("%d reads, want 3", calls())
			}
			requireHidden(t, v)
		})
	}
}

func TestGetErrors(t *testing.T) {
	t.Parallel()
	p, m := fakeaws.NewSSM(), fakeaws.NewSecretsManager()
	m.Put("prod/keys", `{"captcha":"`+secretValue+`","n":1}`)
	m.Put("prod/text", secretValue)
	tests := []struct {
		ref      string
		wantText string
		notFound bool
		typed    func(error) bool
	}{
		{"ssm:/missing", `read ssm:/missing`, true, func(err error) bool { var e *ssmtypes.ParameterNotFound; return errors.As(err, &e) }},
		{"secretsmanager:missing", `read secretsmanager:missing`, true,
			func(err error) bool { var e *smtypes.ResourceNotFoundException; return errors.As(err, &e) }},
		{"secretsmanager:prod/keys#absent", `JSON member "absent"`, true, nil},
		{"secretsmanager:prod/keys#n", `JSON member "n" is not a string`, false, nil},
		{"secretsmanager:prod/text#captcha", "not a JSON object", false, nil},
		{"ssm:bad/name", "ValidationException", false, nil},
	}
	for _, tt := range tests {
		v := secrets.MustParse(secrets.Config{Value: tt.ref, Reader: clientFor(tt.ref, p, m)})
		_, err := v.Get(t.Context())
		if err == nil || !strings.Contains(err.Error(), tt.wantText) {
			t.Errorf("%s: error %v, want %q", tt.ref, err, tt.wantText)
			continue
		}
		if errors.Is(err, secrets.ErrNotFound) != tt.notFound {
			t.Errorf("%s: errors.Is(ErrNotFound) = %v, want %v", tt.ref, !tt.notFound, tt.notFound)
		}
		if tt.typed != nil && !tt.typed(err) {
			t.Errorf("%s: the SDK's typed error is not in %v", tt.ref, err)
		}
		if strings.Contains(err.Error(), secretValue) {
			t.Errorf("%s: error shows the secret: %v", tt.ref, err)
		}
	}
	// A cancelled context is an error, not a value.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p.Put("/k", secretValue, true)
	if _, err := secrets.MustParse(secrets.Config{Value: "ssm:/k", Reader: parameterstore.Reader(p)}).Get(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

var _ = io.Discard

// clientFor reads ref through the fake of its service.
func clientFor(ref string, p *fakeaws.SSM, m *fakeaws.SecretsManager) secrets.Reader {
	if strings.HasPrefix(ref, secrets.PrefixSSM) {
		return parameterstore.Reader(p)
	}
	return secretsmanager.Reader(m)
}
