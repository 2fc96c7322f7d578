package custommessage_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

var allSources = []triggers.TriggerSource{
	triggers.CustomMessageSignUp, triggers.CustomMessageAdminCreateUser, triggers.CustomMessageResendCode,
	triggers.CustomMessageForgotPassword, triggers.CustomMessageUpdateUserAttribute,
	triggers.CustomMessageVerifyUserAttribute, triggers.CustomMessageAuthentication,
}

func TestTemplatesEachSource(t *testing.T) {
	t.Parallel()
	msgs := custommessage.Messages{}
	for _, src := range allSources {
		action := src.Action()
		m := custommessage.Message{
			Subject: action + " for {{.User.name}}",
			Email:   "<p>" + action + ": {{.Code}}</p>",
			SMS:     action + " {{.Code}}",
		}
		if src == triggers.CustomMessageAdminCreateUser {
			m.Email = "<p>" + action + ": {{.Username}} / {{.Code}}</p>"
			m.SMS = action + " {{.Username}} {{.Code}}"
		}
		msgs[src] = m
	}
	h := must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: custommessage.Catalog{"": msgs}}))(t)

	for _, src := range allSources {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			e := newEvent(src)
			if err := h(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			action := src.Action()
			want := triggers.CustomMessageResponse{
				EmailSubject: action + " for Alice",
				EmailMessage: "<p>" + action + ": {####}</p>",
				SMSMessage:   action + " {####}",
			}
			if src == triggers.CustomMessageAdminCreateUser {
				want.EmailMessage = "<p>" + action + ": {username} / {####}</p>"
				want.SMSMessage = action + " {username} {####}"
			}
			if e.Response != want {
				t.Errorf("response = %+v\nwant       %+v", e.Response, want)
			}
		})
	}
}

func TestTemplatesLocaleFallback(t *testing.T) {
	t.Parallel()
	msg := func(text string) custommessage.Message {
		return custommessage.Message{SMS: text + " {{.Code}} {{.Locale}}"}
	}
	catalog := custommessage.Catalog{
		"": {
			triggers.CustomMessageSignUp:         msg("default"),
			triggers.CustomMessageForgotPassword: msg("default"),
		},
		"de": {
			triggers.CustomMessageSignUp:         msg("de"),
			triggers.CustomMessageForgotPassword: msg("de"),
		},
		"de_AT": {triggers.CustomMessageSignUp: msg("de-AT")},
		"pt-BR": {triggers.CustomMessageSignUp: msg("pt-BR")},
	}
	h := must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: catalog}))(t)

	tests := []struct {
		locale string
		src    triggers.TriggerSource
		want   string
	}{
		{"de-AT", triggers.CustomMessageSignUp, "de-AT {####} de-at"},
		{"de_AT", triggers.CustomMessageSignUp, "de-AT {####} de-at"},
		{"DE-at", triggers.CustomMessageSignUp, "de-AT {####} de-at"},
		{"de_AT.UTF-8", triggers.CustomMessageSignUp, "de-AT {####} de-at"},
		{"de-AT", triggers.CustomMessageForgotPassword, "de {####} de"}, // de-AT has no ForgotPassword
		{"de-CH", triggers.CustomMessageSignUp, "de {####} de"},
		{"de", triggers.CustomMessageSignUp, "de {####} de"},
		{"fr", triggers.CustomMessageSignUp, "default {####} "},
		{"pt", triggers.CustomMessageSignUp, "default {####}"}, // a region never serves its bare language
		{"pt-BR", triggers.CustomMessageSignUp, "pt-BR {####} pt-br"},
		{"", triggers.CustomMessageSignUp, "default {####}"},
		{"de-AT", triggers.CustomMessageAuthentication, ""}, // no message anywhere: Cognito's default
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+string(tt.src), func(t *testing.T) {
			t.Parallel()
			e := newEvent(tt.src)
			if tt.locale != "" {
				e.Request.UserAttributes["locale"] = tt.locale
			}
			if err := h(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			if got := e.Response.SMSMessage; got != strings.TrimSpace(tt.want) {
				t.Errorf("smsMessage = %q, want %q", got, strings.TrimSpace(tt.want))
			}
		})
	}

	t.Run("custom locale attribute", func(t *testing.T) {
		t.Parallel()
		h := must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: catalog, LocaleAttribute: "custom:lang"}))(t)
		e := newEvent(triggers.CustomMessageSignUp)
		e.Request.UserAttributes["locale"] = "pt-BR"
		e.Request.UserAttributes["custom:lang"] = "de"
		if err := h(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if e.Response.SMSMessage != "de {####} de" {
			t.Errorf("smsMessage = %q, want the custom:lang message", e.Response.SMSMessage)
		}
	})

	t.Run("no default locale", func(t *testing.T) {
		t.Parallel()
		h := must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: custommessage.Catalog{"de": {triggers.CustomMessageSignUp: msg("de")}}}))(t)
		e := newEvent(triggers.CustomMessageSignUp)
		e.Request.UserAttributes["locale"] = "en-US"
		if err := h(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if e.Response != (triggers.CustomMessageResponse{}) {
			t.Errorf("response = %+v, want Cognito's default message", e.Response)
		}
	})
}

func TestTemplatesPlaceholdersSurviveExactly(t *testing.T) {
	t.Parallel()
	email := `<p>Hello {{.User.name}}, your code is <b>{{.Code}}</b>.</p>
<p><a href="https://app.example.com/reset?code={{.Code}}&amp;user={{.Header.UserName}}" title="{{.Code}}">Reset</a></p>
<p><a href="{{.Code}}">bare</a> {{.Link}} {{.Username}}</p>
<script>var code = {{.Code}};</script>`
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{"": {
			triggers.CustomMessageAdminCreateUser: {Subject: "Code {{.Code}} for {{.Username}}", Email: email,
				SMS: "{{.Username}}: {{.Code}} & {{.User.name}}"},
		}},
	}))(t)
	e := newEvent(triggers.CustomMessageAdminCreateUser)
	e.UserName = "jürgen+1@example.com"
	e.Request.UserAttributes["name"] = `O'Brien & <Sons>`
	e.Request.LinkParameter = "{##Click & verify##}"
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	want := `<p>Hello O&#39;Brien &amp; &lt;Sons&gt;, your code is <b>{####}</b>.</p>
<p><a href="https://app.example.com/reset?code={####}&amp;user=j%c3%bcrgen%2b1%40example.com" title="{####}">Reset</a></p>
<p><a href="{####}">bare</a> {##Click & verify##} {username}</p>
<script>var code = "{####}";</script>`
	if e.Response.EmailMessage != want {
		t.Errorf("emailMessage:\n got %s\nwant %s", e.Response.EmailMessage, want)
	}
	if want := "Code {####} for {username}"; e.Response.EmailSubject != want {
		t.Errorf("emailSubject = %q, want %q", e.Response.EmailSubject, want)
	}
	// SMS is text: nothing is escaped.
	if want := "{username}: {####} & O'Brien & <Sons>"; e.Response.SMSMessage != want {
		t.Errorf("smsMessage = %q, want %q", e.Response.SMSMessage, want)
	}
}

func TestTemplatesConfirmURL(t *testing.T) {
	t.Parallel()
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/c", "https://app.example.com/welcome"))(t)
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{"": {
			triggers.CustomMessageSignUp:         {Email: `<a href="{{.ConfirmURL}}">{{.ConfirmURL}}</a>`, SMS: "{{tail .ConfirmURL}}"},
			triggers.CustomMessageForgotPassword: {Email: `<p>{{.Code}}</p>[{{.ConfirmURL}}]`},
		}},
		ConfirmLink: link,
		// The whole link would not fit an SMS; its end shows that text templates get it unescaped.
		Funcs: map[string]any{"tail": func(s string) string { return s[len(s)-38:] }},
	}))(t)

	e := newEvent(triggers.CustomMessageSignUp)
	e.UserName = "a+b@example.com"
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	u := "https://confirm.example.com/c?client_id=client-1&amp;redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome&amp;username=a%2Bb%40example.com&amp;code={####}"
	if want := `<a href="` + u + `">` + u + `</a>`; e.Response.EmailMessage != want {
		t.Errorf("emailMessage:\n got %s\nwant %s", e.Response.EmailMessage, want)
	}
	if want := "ername=a%2Bb%40example.com&code={####}"; e.Response.SMSMessage != want {
		t.Errorf("smsMessage = %q, want %q", e.Response.SMSMessage, want)
	}

	e = newEvent(triggers.CustomMessageForgotPassword)
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if want := "<p>{####}</p>[]"; e.Response.EmailMessage != want {
		t.Errorf("ConfirmURL outside sign-up: emailMessage = %q, want %q", e.Response.EmailMessage, want)
	}
}

func TestTemplatesMissingAttributeIsEmpty(t *testing.T) {
	t.Parallel()
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{"": {
			triggers.CustomMessageSignUp: {Subject: "Hi {{.User.nickname}}!", Email: `<p>Hi {{index .User "custom:x"}}{{.Metadata.app}}, {{.Code}}</p>`,
				SMS: "Hi {{.User.nickname}}{{.Metadata.app}} {{.Code}}"},
		}},
	}))(t)
	e := newEvent(triggers.CustomMessageSignUp)
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	want := triggers.CustomMessageResponse{EmailSubject: "Hi !", EmailMessage: "<p>Hi , {####}</p>", SMSMessage: "Hi  {####}"}
	if e.Response != want {
		t.Errorf("response = %+v, want %+v", e.Response, want)
	}
}

func TestTemplatesSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{"": {
			triggers.CustomMessageSignUp: {Subject: "Welcome,\n  {{.User.name}}", Email: "{{.Code}}"},
		}},
	}))(t)
	e := newEvent(triggers.CustomMessageSignUp)
	e.Request.UserAttributes["name"] = "Eve\r\nBcc: x@example.com"
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if want := "Welcome, Eve Bcc: x@example.com"; e.Response.EmailSubject != want {
		t.Errorf("emailSubject = %q, want %q", e.Response.EmailSubject, want)
	}
}

func TestTemplatesFuncs(t *testing.T) {
	t.Parallel()
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{"": {
			triggers.CustomMessageSignUp: {Email: "<p>{{upper .User.name}} {{.Code}}</p>", SMS: "{{upper .User.name}} {{.Code}}"},
		}},
		Funcs: map[string]any{"upper": strings.ToUpper},
	}))(t)
	e := newEvent(triggers.CustomMessageSignUp)
	if err := h(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if e.Response.EmailMessage != "<p>ALICE {####}</p>" || e.Response.SMSMessage != "ALICE {####}" {
		t.Errorf("response = %+v", e.Response)
	}
}

func TestTemplatesConstructionErrors(t *testing.T) {
	t.Parallel()
	src := triggers.CustomMessageSignUp
	tests := []struct {
		name    string
		catalog custommessage.Catalog
		want    error // matched with errors.Is when set
	}{
		{"empty catalog", custommessage.Catalog{}, nil},
		{"syntax error", custommessage.Catalog{"": {src: {Email: "{{.Code"}}}, nil},
		{"unknown function", custommessage.Catalog{"": {src: {SMS: "{{shout .Code}}"}}}, nil},
		{"not a custom message source", custommessage.Catalog{"": {triggers.PreSignUpSignUp: {SMS: "{{.Code}}"}}}, nil},
		{"custom sender source", custommessage.Catalog{"": {triggers.CustomSMSSenderSignUp: {SMS: "{{.Code}}"}}}, nil},
		{"email without code", custommessage.Catalog{"": {triggers.CustomMessageForgotPassword: {Email: "<p>Hello</p>"}}}, custommessage.ErrMissingPlaceholder},
		{"SMS without code", custommessage.Catalog{"": {src: {SMS: "Hello {{.User.name}}"}}}, custommessage.ErrMissingPlaceholder},
		{"SMS with the link placeholder only", custommessage.Catalog{"": {src: {SMS: "{{.Link}}"}}}, custommessage.ErrMissingPlaceholder},
		{"link placeholder outside sign-up", custommessage.Catalog{"": {triggers.CustomMessageForgotPassword: {Email: "{{.Link}}"}}}, custommessage.ErrMissingPlaceholder},
		{"invitation without user name", custommessage.Catalog{"": {triggers.CustomMessageAdminCreateUser: {Email: "{{.Code}}"}}}, custommessage.ErrMissingPlaceholder},
		{"invitation SMS without user name", custommessage.Catalog{"": {triggers.CustomMessageAdminCreateUser: {SMS: "{{.Code}}"}}}, custommessage.ErrMissingPlaceholder},
		{"static subject too long", custommessage.Catalog{"": {src: {Subject: strings.Repeat("x", 141), Email: "{{.Code}}"}}}, custommessage.ErrTooLong},
		{"static SMS too long", custommessage.Catalog{"": {src: {SMS: strings.Repeat("x", 135) + "{{.Code}}"}}}, custommessage.ErrTooLong},
		{"static email too long", custommessage.Catalog{"": {src: {Email: strings.Repeat("x", 19995) + "{{.Code}}"}}}, custommessage.ErrTooLong},
		{"two keys for one locale", custommessage.Catalog{"de-AT": {src: {SMS: "{{.Code}}"}}, "de_at": {src: {SMS: "{{.Code}}"}}}, nil},
		{"undefined template", custommessage.Catalog{"": {src: {Email: `{{template "footer"}}{{.Code}}`}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := custommessage.Templates(custommessage.TemplatesConfig{Catalog: tt.catalog})
			if err == nil {
				t.Fatal("Templates succeeded, want an error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}

	t.Run("limits are inclusive", func(t *testing.T) {
		t.Parallel()
		_, err := custommessage.Templates(custommessage.TemplatesConfig{
			Catalog: custommessage.Catalog{"": {src: {
				Subject: strings.Repeat("ü", 140),
				Email:   strings.Repeat("ü", 20000-6) + "{{.Code}}",
				SMS:     strings.Repeat("ü", 140-6) + "{{.Code}}",
			}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("link placeholder stands in for the code in sign-up emails", func(t *testing.T) {
		t.Parallel()
		for _, s := range []triggers.TriggerSource{triggers.CustomMessageSignUp, triggers.CustomMessageResendCode} {
			if _, err := custommessage.Templates(custommessage.TemplatesConfig{Catalog: custommessage.Catalog{"": {s: {Email: "<p>{{.Link}}</p>"}}}}); err != nil {
				t.Errorf("%s: %v", s, err)
			}
		}
	})
}

func TestTemplatesInvalidAtRunTime(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 20000)
	catalog := custommessage.Catalog{"": {
		triggers.CustomMessageSignUp: {
			Subject: "Welcome {{.User.name}}",
			Email:   "<p>Hello {{.User.name}}</p>{{if not .Metadata.nocode}}{{.Code}}{{end}}",
			SMS:     "{{.Code}} {{.User.nick}}",
		},
		triggers.CustomMessageResendCode: {Email: "<p>{{.Link}}</p>"},
	}}
	tests := []struct {
		name     string
		src      triggers.TriggerSource
		edit     func(*custommessage.Event)
		field    string
		want     error
		emailSet bool // the email survives when only the SMS is invalid
		smsSet   bool
	}{
		{"email too long", triggers.CustomMessageSignUp, func(e *custommessage.Event) { e.Request.UserAttributes["name"] = long[:19990] },
			custommessage.FieldEmailMessage, custommessage.ErrTooLong, false, true},
		{"subject too long", triggers.CustomMessageSignUp, func(e *custommessage.Event) { e.Request.UserAttributes["name"] = long[:140] },
			custommessage.FieldEmailSubject, custommessage.ErrTooLong, false, true},
		{"code dropped by a condition", triggers.CustomMessageSignUp, func(e *custommessage.Event) { e.Request.ClientMetadata = triggers.Attributes{"nocode": "1"} },
			custommessage.FieldEmailMessage, custommessage.ErrMissingPlaceholder, false, true},
		{"SMS too long", triggers.CustomMessageSignUp, func(e *custommessage.Event) { e.Request.UserAttributes["nick"] = long[:134] },
			custommessage.FieldSMSMessage, custommessage.ErrTooLong, true, false},
		{"link placeholder missing from the event", triggers.CustomMessageResendCode, func(e *custommessage.Event) { e.Request.LinkParameter = "" },
			custommessage.FieldEmailMessage, custommessage.ErrMissingPlaceholder, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			t.Run("default keeps what was there", func(t *testing.T) {
				t.Parallel()
				earlier := func(_ context.Context, e *custommessage.Event) error {
					e.Response.EmailMessage, e.Response.EmailSubject = "earlier {####}", "earlier subject"
					return nil
				}
				h := custommessage.Chain(earlier, must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: catalog}))(t))
				e := newEvent(tt.src)
				tt.edit(e)
				logs := &triggertest.Logs{}
				ctx := triggers.ContextWithLogger(context.Background(), slog.New(slog.NewJSONHandler(logs, nil)))
				if err := h(ctx, e); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), tt.field) {
					t.Errorf("the fallback is not logged as an error naming %s:\n%s", tt.field, logs)
				}
				if tt.emailSet == (e.Response.EmailMessage == "earlier {####}") {
					t.Errorf("emailMessage = %q, want it replaced: %v", e.Response.EmailMessage, tt.emailSet)
				}
				if !tt.emailSet && e.Response.EmailSubject != "earlier subject" {
					t.Errorf("emailSubject = %q, want the earlier module's", e.Response.EmailSubject)
				}
				if tt.smsSet == (e.Response.SMSMessage == "") {
					t.Errorf("smsMessage = %q, want set: %v", e.Response.SMSMessage, tt.smsSet)
				}
			})
			t.Run("FailOnInvalid", func(t *testing.T) {
				t.Parallel()
				h := must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: catalog, FailOnInvalid: true}))(t)
				e := newEvent(tt.src)
				tt.edit(e)
				err := h(context.Background(), e)
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				var me *custommessage.MessageError
				if !errors.As(err, &me) || me.Field != tt.field || me.Source != tt.src {
					t.Fatalf("err = %#v, want a MessageError for %s", err, tt.field)
				}
				if _, ok := triggers.AsRejection(err); ok {
					t.Error("an operator error must not be a user-facing rejection")
				}
				if strings.Contains(err.Error(), "aaaaaaaaaa") {
					t.Error("the error text carries user data")
				}
			})
		})
	}
}

func TestTemplatesUnsetFieldsThroughRouter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		catalog custommessage.Catalog
		fixture string
		want    map[string]any // the response fields that must be set; all others unset
	}{
		{"only SMS", custommessage.Catalog{"": {triggers.CustomMessageForgotPassword: {SMS: "Code {{.Code}}"}}},
			"forgot_password.json", map[string]any{"smsMessage": "Code {####}"}},
		{"only email body", custommessage.Catalog{"": {triggers.CustomMessageForgotPassword: {Email: "<b>{{.Code}}</b>"}}},
			"forgot_password.json", map[string]any{"emailMessage": "<b>{####}</b>"}},
		{"source without a message", custommessage.Catalog{"": {triggers.CustomMessageSignUp: {SMS: "{{.Code}}"}}},
			"forgot_password.json", map[string]any{}},
		{"locale fr-CA falls back to fr", custommessage.Catalog{
			"":   {triggers.CustomMessageForgotPassword: {SMS: "Code {{.Code}}"}},
			"fr": {triggers.CustomMessageForgotPassword: {Subject: "Réinitialisation", Email: "<p>Code : {{.Code}}</p>"}},
		}, "forgot_password.json", map[string]any{"emailSubject": "Réinitialisation", "emailMessage": "<p>Code : {####}</p>"}},
		{"invitation", custommessage.Catalog{"": {triggers.CustomMessageAdminCreateUser: {
			Subject: "Welcome {{.User.name}}", Email: "<p>{{.Username}} / {{.Code}}</p>"}}},
			"admin_create_user.json", map[string]any{"emailSubject": "Welcome Dana", "emailMessage": "<p>{username} / {####}</p>"}},
		{"empty chain", nil, "signup.json", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := custommessage.Chain()
			if tt.catalog != nil {
				h = must(custommessage.Templates(custommessage.TemplatesConfig{Catalog: tt.catalog}))(t)
			}
			resp, ierr, _ := invoke(t, h, fixture(t, tt.fixture))
			if ierr != nil {
				t.Fatal(ierr)
			}
			for _, field := range []string{"emailMessage", "emailSubject", "smsMessage"} {
				got, present := resp[field]
				want, set := tt.want[field]
				switch {
				case set && got != want:
					t.Errorf("%s = %#v, want %#v", field, got, want)
				case !set && present && got != nil:
					t.Errorf("%s = %#v, want it unset (absent or null), never \"\"", field, got)
				}
			}
		})
	}
}
