package msgtemplate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/internal/msgtemplate"
	"github.com/lambda-triggers/cognito/triggers"
)

type catalog map[string]map[triggers.TriggerSource]string

func TestLookup(t *testing.T) {
	t.Parallel()
	const src = triggers.CustomEmailSenderSignUp
	set, err := msgtemplate.Compile(catalog{
		"":      {src: "default", triggers.CustomEmailSenderForgotPassword: "default reset"},
		"de":    {src: "de"},
		"de_AT": {src: "de-at"},
		"pt-BR": {triggers.CustomEmailSenderForgotPassword: "pt-br reset"},
	}, func(locale string, _ triggers.TriggerSource, in string) (string, error) {
		return in + "@" + locale, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user string
		src  triggers.TriggerSource
		want string
	}{
		{"de-AT", src, "de-at@de-at"},
		{"DE_at.UTF-8", src, "de-at@de-at"},
		{"de-CH", src, "de@de"},
		{"de", src, "de@de"},
		{"fr", src, "default@"},
		{"", src, "default@"},
		{"pt-BR", src, "default@"}, // pt-br has no sign-up message: the default one, whole
		{"pt-BR", triggers.CustomEmailSenderForgotPassword, "pt-br reset@pt-br"},
		{"de", triggers.CustomEmailSenderResendCode, ""},
	}
	for _, tt := range tests {
		got, _, ok := set.Lookup(tt.user, tt.src)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Lookup(%q, %s) = %q, %v; want %q", tt.user, tt.src, got, ok, tt.want)
		}
	}
	if !set.Has(triggers.CustomEmailSenderForgotPassword) || set.Has(triggers.CustomEmailSenderResendCode) {
		t.Error("Has: wrong answer")
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	_, err := msgtemplate.Compile(catalog{"de_AT": {}, "de-at": {}},
		func(string, triggers.TriggerSource, string) (string, error) { return "", nil })
	var dup *msgtemplate.DuplicateLocaleError
	if !errors.As(err, &dup) || dup.Locale != "de-at" {
		t.Errorf("duplicate locales: error %v", err)
	}
	boom := errors.New("boom")
	_, err = msgtemplate.Compile(catalog{"": {triggers.CustomEmailSenderSignUp: "x"}},
		func(string, triggers.TriggerSource, string) (string, error) { return "", boom })
	if !errors.Is(err, boom) {
		t.Errorf("compile error lost: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	h, err := msgtemplate.HTML("h", `<p>{{.X}}{{.Missing}}</p>`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := h.Execute(&b, map[string]string{"X": "<b>"}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "<p>&lt;b&gt;</p>" {
		t.Errorf("HTML rendered %q", b.String())
	}
	if _, err := msgtemplate.Text("t", "{{", nil); err == nil {
		t.Error("Text: no error for a syntax error")
	}
	if got := msgtemplate.OneLine(" a\r\nb  c "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}
