package envvar_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
)

// env is a process environment of one variable, V.
func env(value string) func(string) string {
	return func(name string) string {
		if name == "V" {
			return value
		}
		return ""
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                 nil,
		" , ,":             nil,
		"a":                {"a"},
		" a , b,,c ":       {"a", "b", "c"},
		"example.com, *.x": {"example.com", "*.x"},
	} {
		if got := envvar.List(in); !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPairs(t *testing.T) {
	t.Parallel()
	got, err := envvar.Pairs("V", " mail=email, verified = email_verified,")
	if want := map[string]string{"mail": "email", "verified": "email_verified"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("Pairs = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"email", "=email", "mail=", "a=b,c"} {
		if _, err := envvar.Pairs("V", bad); err == nil || !strings.HasPrefix(err.Error(), "V: want comma-separated name=value pairs") {
			t.Errorf("Pairs(%q): error %v, want one naming V", bad, err)
		}
	}
}

func TestReaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   string
		read    func(func(string) string) (any, error)
		want    any
		wantErr string
	}{
		{"", func(e func(string) string) (any, error) { return envvar.Bool(e, "V") }, false, ""},
		{"true", func(e func(string) string) (any, error) { return envvar.Bool(e, "V") }, true, ""},
		{"yes", func(e func(string) string) (any, error) { return envvar.Bool(e, "V") }, false, `V: want true or false, got "yes"`},
		{"", func(e func(string) string) (any, error) { return envvar.Int(e, "V", 10) }, 10, ""},
		{"3", func(e func(string) string) (any, error) { return envvar.Int(e, "V", 10) }, 3, ""},
		{"many", func(e func(string) string) (any, error) { return envvar.Int(e, "V", 10) }, 0, `V: want a whole number, got "many"`},
		{"", func(e func(string) string) (any, error) { return envvar.Duration(e, "V", time.Hour) }, time.Hour, ""},
		{"30m", func(e func(string) string) (any, error) { return envvar.Duration(e, "V", time.Hour) }, 30 * time.Minute, ""},
		{"daily", func(e func(string) string) (any, error) { return envvar.Duration(e, "V", time.Hour) }, time.Duration(0),
			`V: want a duration such as 1h or 30m, got "daily"`},
	}
	for _, tt := range tests {
		got, err := tt.read(env(tt.value))
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if got != tt.want || errText != tt.wantErr {
			t.Errorf("V=%q: got %v, %q; want %v, %q", tt.value, got, errText, tt.want, tt.wantErr)
		}
	}
}
