package customsender_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// fixturePool is the user pool of the fixtures.
const fixturePool = "eu-west-1_Xa7bC9dEf"

// fakeDecrypter decrypts the ciphertexts it was given and refuses any other, as the
// KMS decrypter would a code encrypted under another key.
type fakeDecrypter struct {
	mu    sync.Mutex
	codes map[string]string // ciphertext -> plaintext
	pool  string            // the only pool the ciphertexts belong to
	calls int
}

func newFakeDecrypter() *fakeDecrypter {
	return &fakeDecrypter{codes: map[string]string{}, pool: fixturePool}
}

// encrypt returns a ciphertext that decrypts to code.
func (f *fakeDecrypter) encrypt(code string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ct := "AYADfake" + strings.Repeat("x", len(f.codes)+1)
	f.codes[ct] = code
	return ct
}

// encrypter is f as a triggertest.CodeEncrypter.
func (f *fakeDecrypter) encrypter(_ string, code string) string { return f.encrypt(code) }

func (f *fakeDecrypter) Decrypt(_ context.Context, pool string, code triggers.Secret) (triggers.Secret, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	pt, ok := f.codes[code.Reveal()]
	switch {
	case !ok:
		return "", &customsender.DecryptError{UserPoolID: pool, Err: customsender.ErrUndecryptable}
	case pool != f.pool:
		return "", &customsender.DecryptError{UserPoolID: pool, Err: customsender.ErrWrongUserPool}
	}
	return triggers.Secret(pt), nil
}

func (f *fakeDecrypter) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeSNS records what Publish was asked to send, with the SDK client's signature.
type fakeSNS struct {
	mu   sync.Mutex
	sent []*sns.PublishInput
	fail error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	f.sent = append(f.sent, in)
	return &sns.PublishOutput{MessageId: aws.String("m-1")}, nil
}

func (f *fakeSNS) Sent() []*sns.PublishInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sns.PublishInput(nil), f.sent...)
}

// mustEmail builds an Email module of cfg with dec, ses and, when cfg has none, a From.
func mustEmail(t *testing.T, dec customsender.Decrypter, ses customsender.SESClient, cfg customsender.EmailConfig) customsender.EmailHandler {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "no-reply@example.com"
	}
	cfg.Decrypter, cfg.Sender = dec, ses
	h, err := customsender.Email(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestEmailEverySource sends each custom email sender source through the JSON boundary
// and checks the email that goes out: to the user, with the decrypted code where the
// source has one.
func TestEmailEverySource(t *testing.T) {
	t.Parallel()
	for _, src := range customsender.EmailSources {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			dec, ses := newFakeDecrypter(), fakeaws.NewSES()
			email := mustEmail(t, dec, ses, customsender.EmailConfig{})
			opts := []triggertest.Option{triggertest.WithAttribute("email", "ana@example.com"), triggertest.WithUserName("ana")}
			if src != triggers.CustomEmailSenderAccountTakeOverNotification {
				opts = append(opts, triggertest.WithEncryptedCode(dec.encrypter, "493817"))
			}
			triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(src, opts...)).RequireOK(t).RequireNoOp(t)
			sent := ses.Sent()
			if len(sent) != 1 {
				t.Fatalf("%d emails, want 1", len(sent))
			}
			m := sent[0]
			if m.From != "no-reply@example.com" || len(m.To) != 1 || m.To[0] != "ana@example.com" || m.Subject == "" {
				t.Errorf("email %+v", m)
			}
			want := "493817"
			if src == triggers.CustomEmailSenderAccountTakeOverNotification {
				if dec.Calls() != 0 || strings.Contains(m.Text, want) {
					t.Errorf("takeover notice: %d decrypt calls, text %q", dec.Calls(), m.Text)
				}
				return
			}
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("code missing: text %q html %q", m.Text, m.HTML)
			}
			if src == triggers.CustomEmailSenderAdminCreateUser && !strings.Contains(m.Text, "ana") {
				t.Errorf("AdminCreateUser email lacks the user name: %q", m.Text)
			}
		})
	}
}

func TestEmailTemplates(t *testing.T) {
	t.Parallel()
	const src = triggers.CustomEmailSenderForgotPassword
	catalog := customsender.EmailCatalog{
		"":   {src: {Subject: "Reset", Text: "en {{.Code}}", HTML: "<p>en {{.Code}} {{.User.name}}</p>"}},
		"de": {src: {Subject: "Zurücksetzen für {{.User.name}}", Text: "de {{.Code}}", HTML: "<p>de {{.Code}}</p>"}},
	}
	clients := map[string]customsender.EmailCatalog{
		"app-mobile": {"": {src: {Subject: "Mobile", Text: "mobile {{.Code}}"}}},
		"app-empty":  {"": {triggers.CustomEmailSenderSignUp: {Subject: "x", Text: "{{.Code}}"}}},
	}
	tests := []struct {
		name, locale, client, userName string
		wantSubject, wantText          string
		wantHTML                       string // substring
	}{
		{name: "default", locale: "", client: "app-web", wantSubject: "Reset", wantText: "en 111222", wantHTML: "<p>en 111222 Ana &lt;b&gt;</p>"},
		{name: "de-AT falls back to de", locale: "de_AT", client: "app-web", wantSubject: "Zurücksetzen für Ana <b>", wantText: "de 111222"},
		{name: "per client", locale: "de", client: "app-mobile", wantSubject: "Mobile", wantText: "mobile 111222"},
		{name: "client without the source", locale: "de", client: "app-empty", wantSubject: "Zurücksetzen für Ana <b>", wantText: "de 111222"},
		{name: "no app client", locale: "", client: customsender.ClientIDNotApplicable, wantSubject: "Reset", wantText: "en 111222"},
		{name: "empty client id", locale: "", client: "", wantSubject: "Reset", wantText: "en 111222"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec, ses := newFakeDecrypter(), fakeaws.NewSES()
			email := mustEmail(t, dec, ses, customsender.EmailConfig{Catalog: catalog, Clients: clients})
			triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(src,
				triggertest.WithEncryptedCode(dec.encrypter, "111222"), triggertest.WithClientID(tt.client),
				triggertest.WithAttribute("locale", tt.locale), triggertest.WithAttribute("name", "Ana <b>"))).RequireOK(t)
			sent := ses.Sent()
			if len(sent) != 1 {
				t.Fatalf("%d emails", len(sent))
			}
			if sent[0].Subject != tt.wantSubject || sent[0].Text != tt.wantText || !strings.Contains(sent[0].HTML, tt.wantHTML) {
				t.Errorf("got subject %q text %q html %q", sent[0].Subject, sent[0].Text, sent[0].HTML)
			}
		})
	}
}

func TestEmailFailures(t *testing.T) {
	t.Parallel()
	const code = "918273"
	tests := []struct {
		name    string
		opts    func(dec *fakeDecrypter) []triggertest.Option
		sesErr  error
		wantErr error
	}{
		{name: "not decryptable", opts: func(*fakeDecrypter) []triggertest.Option {
			return []triggertest.Option{triggertest.WithCode("AYADnotours")}
		}, wantErr: customsender.ErrUndecryptable},
		{name: "other pool", opts: func(dec *fakeDecrypter) []triggertest.Option {
			return []triggertest.Option{triggertest.Set("userPoolId", "eu-west-1_other"), triggertest.WithEncryptedCode(dec.encrypter, code)}
		}, wantErr: customsender.ErrWrongUserPool},
		{name: "no email", opts: func(dec *fakeDecrypter) []triggertest.Option {
			return []triggertest.Option{triggertest.WithoutAttribute("email"), triggertest.WithEncryptedCode(dec.encrypter, code)}
		}, wantErr: customsender.ErrNoRecipient},
		{name: "SES fails", opts: func(dec *fakeDecrypter) []triggertest.Option {
			return []triggertest.Option{triggertest.WithEncryptedCode(dec.encrypter, code)}
		}, sesErr: errors.New("throttled")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dec, ses := newFakeDecrypter(), fakeaws.NewSES()
			if tt.sesErr != nil {
				ses.FailNext("SendEmail", tt.sesErr)
			}
			var logs triggertest.Logs
			email := mustEmail(t, dec, ses, customsender.EmailConfig{})
			res := triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(triggers.CustomEmailSenderSignUp, tt.opts(dec)...),
				triggers.RouterConfig{Logger: logs.Logger()}).RequireInternalError(t)
			if tt.wantErr != nil && !errors.Is(res.Err, tt.wantErr) && !strings.Contains(logs.String(), tt.wantErr.Error()) {
				t.Errorf("error %v, logs %s; want %v", res.Err, logs.String(), tt.wantErr)
			}
			if strings.Contains(res.Text(), code) || strings.Contains(logs.String(), code) {
				t.Errorf("code in error or logs: %s %s", res.Text(), logs.String())
			}
			if len(ses.Sent()) != 0 {
				t.Error("an email was sent")
			}
		})
	}
}

func TestEmailConstructionErrors(t *testing.T) {
	t.Parallel()
	dec := newFakeDecrypter()
	tests := []struct {
		name string
		dec  customsender.Decrypter
		cfg  customsender.EmailConfig
		want string
	}{
		{name: "nil decrypter", cfg: customsender.EmailConfig{From: "a@example.com"}, want: "customsender.Email: Decrypter is nil"},
		{name: "bad from", dec: dec, cfg: customsender.EmailConfig{From: "not an address"}, want: "not an email address"},
		{name: "SMS source", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Catalog: customsender.EmailCatalog{"": {triggers.CustomSMSSenderSignUp: {Text: "x"}}}}, want: "not a custom email sender source"},
		{name: "syntax", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Catalog: customsender.EmailCatalog{"": {triggers.CustomEmailSenderSignUp: {Text: "{{.Code"}}}}, want: "unclosed action"},
		{name: "unknown field", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Catalog: customsender.EmailCatalog{"de": {triggers.CustomEmailSenderSignUp: {Text: "{{.Nope}}"}}}}, want: "Nope"},
		{name: "no body", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Catalog: customsender.EmailCatalog{"": {triggers.CustomEmailSenderSignUp: {Subject: "x"}}}}, want: "no body"},
		{name: "duplicate locale", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Catalog: customsender.EmailCatalog{"de_AT": {}, "de-at": {}}}, want: "both mean"},
		{name: "reserved client", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Clients: map[string]customsender.EmailCatalog{customsender.ClientIDNotApplicable: {}}}, want: "not an app client ID"},
		{name: "foreign source", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Sources: triggers.Sources{triggers.CustomSMSSenderSignUp}}, want: "customsender.Email: Sources: \"CustomSMSSender_SignUp\" is not a CustomEmailSender trigger source"},
		{name: "markers without a table", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Markers: fakeaws.NewDynamoDB()}, want: "Markers or MarkerTTL without Table"},
		{name: "negative marker TTL", dec: dec, cfg: customsender.EmailConfig{From: "a@example.com",
			Table: "markers", MarkerTTL: -time.Hour}, want: "MarkerTTL -1h0m0s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Decrypter, cfg.Sender = tt.dec, fakeaws.NewSES()
			_, err := customsender.Email(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestEmailSendOnce delivers one event three times, as Cognito's retries do, and sends
// one email; a failed send leaves no marker, so the retry sends.
func TestEmailSendOnce(t *testing.T) {
	t.Parallel()
	dec, ses, db := newFakeDecrypter(), fakeaws.NewSES(), fakeaws.NewDynamoDB()
	db.AddTable("markers", "pk", "")
	email := mustEmail(t, dec, ses, customsender.EmailConfig{Table: "markers", Markers: db})
	event := triggertest.Payload(triggers.CustomEmailSenderSignUp, triggertest.WithEncryptedCode(dec.encrypter, "102938"))
	ses.FailNext("SendEmail", errors.New("throttled"))
	triggertest.InvokeHandlerPayload(t, email, event).RequireInternalError(t)
	for range 3 {
		triggertest.InvokeHandlerPayload(t, email, event).RequireOK(t)
	}
	if n := len(ses.Sent()); n != 1 {
		t.Errorf("%d emails after a failure and three deliveries, want 1", n)
	}
	// Another code for the same user is another message.
	triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(triggers.CustomEmailSenderSignUp,
		triggertest.WithEncryptedCode(dec.encrypter, "564738"))).RequireOK(t)
	if n := len(ses.Sent()); n != 2 {
		t.Errorf("%d emails after a second code, want 2", n)
	}
	for _, item := range db.Items("markers") {
		if s := fmt.Sprintf("%#v", item["pk"]); strings.Contains(s, "102938") || !strings.Contains(s, "custom-sender#") {
			t.Errorf("marker key %s", s)
		}
	}
}

// TestEmailSendOnceExpires sends a code again once its marker has outlived MarkerTTL on
// the module's clock, as DynamoDB may keep expired items for hours.
func TestEmailSendOnceExpires(t *testing.T) {
	t.Parallel()
	dec, ses, db := newFakeDecrypter(), fakeaws.NewSES(), fakeaws.NewDynamoDB()
	db.AddTable("markers", "pk", "")
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	email := mustEmail(t, dec, ses, customsender.EmailConfig{Table: "markers", Markers: db, MarkerTTL: time.Hour, Now: clock})
	event := triggertest.Payload(triggers.CustomEmailSenderSignUp, triggertest.WithEncryptedCode(dec.encrypter, "102938"))
	triggertest.InvokeHandlerPayload(t, email, event).RequireOK(t)
	triggertest.InvokeHandlerPayload(t, email, event).RequireOK(t)
	if n := len(ses.Sent()); n != 1 {
		t.Fatalf("%d emails within the TTL, want 1", n)
	}
	mu.Lock()
	now = now.Add(time.Hour + time.Second)
	mu.Unlock()
	triggertest.InvokeHandlerPayload(t, email, event).RequireOK(t)
	if n := len(ses.Sent()); n != 2 {
		t.Errorf("%d emails once the marker expired, want 2", n)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	dec := newFakeDecrypter()
	email := mustEmail(t, dec, fakeaws.NewSES(), customsender.EmailConfig{
		Sources: triggers.Sources{triggers.CustomEmailSenderSignUp, triggers.CustomEmailSenderForgotPassword}})
	triggertest.RunModuleTests(t, email, triggertest.RunConfig{Sources: triggers.Sources{triggers.CustomEmailSenderSignUp, triggers.CustomEmailSenderForgotPassword}})
	sms, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, Sender: &fakeSNS{}})
	if err != nil {
		t.Fatal(err)
	}
	triggertest.RunModuleTests(t, sms, triggertest.RunConfig{Sources: customsender.SMSSources})
}
