package customsender_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambda-triggers/cognito/customsender"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

func TestSMS(t *testing.T) {
	t.Parallel()
	dec, client := newFakeDecrypter(), &fakeSNS{}
	sms, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, Sender: client,
		Catalog:  customsender.SMSCatalog{"de": {triggers.CustomSMSSenderSignUp: "Ihr Code: {{.Code}}"}},
		Clients:  map[string]customsender.SMSCatalog{"app-kiosk": {"": {triggers.CustomSMSSenderSignUp: "Kiosk {{.Code}}"}}},
		SenderID: "Example", OriginationNumber: "+12065550100",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src            triggers.TriggerSource
		locale, client string
		want           string
	}{
		{triggers.CustomSMSSenderSignUp, "de-DE", "app-web", "Ihr Code: 246801"},
		{triggers.CustomSMSSenderSignUp, "de-DE", "app-kiosk", "Kiosk 246801"},
		{triggers.CustomSMSSenderSignUp, "fr", customsender.ClientIDNotApplicable, "Your verification code is 246801"},
		{triggers.CustomSMSSenderAuthentication, "de", "app-web", "Your sign-in code is 246801"},
		{triggers.CustomSMSSenderAdminCreateUser, "", "app-web", "Your user name is jdoe and your temporary password is 246801"},
	}
	for _, tt := range tests {
		before := len(client.Sent())
		triggertest.InvokeHandlerPayload(t, sms, triggertest.Payload(tt.src, triggertest.WithEncryptedCode(dec.encrypter, "246801"),
			triggertest.WithAttribute("locale", tt.locale), triggertest.WithClientID(tt.client),
			triggertest.WithUserName("jdoe"))).RequireOK(t).RequireNoOp(t)
		sent := client.Sent()
		if len(sent) != before+1 {
			t.Fatalf("%s: %d messages, want %d", tt.src, len(sent), before+1)
		}
		in := sent[len(sent)-1]
		if aws.ToString(in.Message) != tt.want || aws.ToString(in.PhoneNumber) == "" {
			t.Errorf("%s %s %s: sent %q to %q, want %q", tt.src, tt.locale, tt.client, aws.ToString(in.Message), aws.ToString(in.PhoneNumber), tt.want)
		}
		for k, want := range map[string]string{"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "Example",
			"AWS.MM.SMS.OriginationNumber": "+12065550100"} {
			if got := aws.ToString(in.MessageAttributes[k].StringValue); got != want {
				t.Errorf("attribute %s = %q, want %q", k, got, want)
			}
		}
	}
}

func TestSMSTooLong(t *testing.T) {
	t.Parallel()
	dec, client := newFakeDecrypter(), &fakeSNS{}
	long := strings.Repeat("x", 150)
	tests := []struct {
		name, text string
		ok         bool
	}{
		{"fits", "Code {{.Code}}", true},
		{"160 GSM characters with the code", strings.Repeat("a", 152) + "{{.Code}}", true},
		{"161 GSM characters", strings.Repeat("a", 153) + "{{.Code}}", false},
		{"extension characters count twice", strings.Repeat("€", 76) + "{{.Code}}", true},
		{"extension characters over", strings.Repeat("€", 77) + "{{.Code}}", false},
		{"UCS-2 fits 70", strings.Repeat("ж", 62) + "{{.Code}}", true},
		{"UCS-2 over 70", strings.Repeat("ж", 63) + "{{.Code}}", false},
		{"static text", long + "xxxxx{{.Code}}", false},
		{"temporary password is longer", strings.Repeat("a", 150) + "{{.TemporaryPassword}}", false},
		{"empty", "{{if false}}x{{end}}", false},
	}
	for _, tt := range tests {
		src := triggers.CustomSMSSenderSignUp
		if strings.Contains(tt.text, "TemporaryPassword") {
			src = triggers.CustomSMSSenderAdminCreateUser
		}
		_, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, Sender: client, Catalog: customsender.SMSCatalog{"": {src: tt.text}}})
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}

	// A user attribute can make a text too long at run time: an error, not a cut text.
	sms, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, Sender: client,
		Catalog: customsender.SMSCatalog{"": {triggers.CustomSMSSenderSignUp: "Hi {{.User.name}}, code {{.Code}}"}}})
	if err != nil {
		t.Fatal(err)
	}
	triggertest.InvokeHandlerPayload(t, sms, triggertest.Payload(triggers.CustomSMSSenderSignUp,
		triggertest.WithEncryptedCode(dec.encrypter, "135790"), triggertest.WithAttribute("name", long))).RequireInternalError(t)
	if len(client.Sent()) != 0 {
		t.Error("a too-long text was sent")
	}
}

func TestSMSConstructionErrors(t *testing.T) {
	t.Parallel()
	dec := newFakeDecrypter()
	for _, tt := range []struct {
		name string
		cfg  customsender.SMSConfig
		want string
	}{
		{"sender id too long", customsender.SMSConfig{SenderID: "ExampleCorpLtd"}, "SenderID"},
		{"sender id digits only", customsender.SMSConfig{SenderID: "12345"}, "SenderID"},
		{"origination", customsender.SMSConfig{OriginationNumber: "2065550100"}, "E.164"},
		{"type", customsender.SMSConfig{Type: "Urgent"}, "Type"},
		{"email source", customsender.SMSConfig{Catalog: customsender.SMSCatalog{"": {triggers.CustomEmailSenderSignUp: "x"}}}, "not a custom SMS sender source"},
	} {
		cfg := tt.cfg
		cfg.Decrypter, cfg.Sender = dec, &fakeSNS{}
		if _, err := customsender.SMS(cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := customsender.SMS(customsender.SMSConfig{}); err == nil || err.Error() != "customsender.SMS: Decrypter is nil" {
		t.Errorf("nil decrypter: %v", err)
	}
}

func TestSMSFailures(t *testing.T) {
	t.Parallel()
	dec := newFakeDecrypter()
	client := &fakeSNS{fail: errors.New("opted out")}
	sms, err := customsender.SMS(customsender.SMSConfig{Decrypter: dec, Sender: client})
	if err != nil {
		t.Fatal(err)
	}
	res := triggertest.InvokeHandlerPayload(t, sms, triggertest.Payload(triggers.CustomSMSSenderSignUp,
		triggertest.WithEncryptedCode(dec.encrypter, "112358"))).RequireInternalError(t)
	if strings.Contains(res.Text(), "112358") {
		t.Errorf("code in the error: %s", res.Text())
	}
	client.fail = nil
	triggertest.InvokeHandlerPayload(t, sms, triggertest.Payload(triggers.CustomSMSSenderSignUp,
		triggertest.WithEncryptedCode(dec.encrypter, "112358"), triggertest.WithoutAttribute("phone_number"))).RequireInternalError(t)
	if len(client.Sent()) != 0 {
		t.Error("sent without a phone number")
	}
}

// provider is a stand-in HTTP provider that checks signatures as a receiver would.
type provider struct {
	mu       sync.Mutex
	got      []customsender.HTTPMessage
	status   int
	delay    time.Duration
	badSigns int
}

const providerSecret = triggers.Secret("provider-secret-0123456789")

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if p.delay > 0 {
		time.Sleep(p.delay)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := postconfirm.VerifySignature(providerSecret, r.Header.Get(customsender.TimestampHeader),
		r.Header.Get(customsender.SignatureHeader), body, time.Minute); err != nil {
		p.badSigns++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m customsender.HTTPMessage
	if err := json.Unmarshal(body, &m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p.got = append(p.got, m)
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
}

func TestHTTPProvider(t *testing.T) {
	t.Parallel()
	p := &provider{}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	dec := newFakeDecrypter()
	email, err := customsender.HTTPEmail(customsender.HTTPConfig{Decrypter: dec, Endpoint: srv.URL + "/send?token=abc",
		Secret: providerSecret, Attributes: []string{"sub", "name"}})
	if err != nil {
		t.Fatal(err)
	}
	sms, err := customsender.HTTPSMS(customsender.HTTPConfig{Decrypter: dec, Endpoint: srv.URL, Secret: providerSecret})
	if err != nil {
		t.Fatal(err)
	}
	triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(triggers.CustomEmailSenderForgotPassword,
		triggertest.WithEncryptedCode(dec.encrypter, "777111"), triggertest.WithClientID(customsender.ClientIDNotApplicable),
		triggertest.WithAttribute("name", "Ana Silva"))).RequireOK(t)
	triggertest.InvokeHandlerPayload(t, sms, triggertest.Payload(triggers.CustomSMSSenderAuthentication,
		triggertest.WithEncryptedCode(dec.encrypter, "888222"))).RequireOK(t)
	triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(triggers.CustomEmailSenderAccountTakeOverNotification)).RequireOK(t)
	p.mu.Lock()
	got := append([]customsender.HTTPMessage(nil), p.got...)
	p.mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	if m := got[0]; m.Channel != "email" || m.Code != "777111" || m.To != "john.doe@example.com" ||
		m.ClientID != customsender.ClientIDNotApplicable || m.UserAttributes["name"] != "Ana Silva" || m.ID == "" {
		t.Errorf("email delivery %+v", m)
	}
	if m := got[1]; m.Channel != "sms" || m.Code != "888222" || !strings.HasPrefix(m.To, "+") || len(m.UserAttributes) != 1 {
		t.Errorf("SMS delivery %+v", m)
	}
	if m := got[2]; m.Code != "" || m.ID != "" || m.TriggerSource != triggers.CustomEmailSenderAccountTakeOverNotification {
		t.Errorf("takeover delivery %+v", m)
	}
}

func TestHTTPProviderFailures(t *testing.T) {
	t.Parallel()
	dec := newFakeDecrypter()
	for _, tt := range []struct {
		name   string
		status int
		delay  time.Duration
		secret triggers.Secret
	}{
		{name: "server error", status: http.StatusBadGateway, secret: providerSecret},
		{name: "redirect", status: http.StatusFound, secret: providerSecret},
		{name: "wrong secret", secret: "another-secret-0123456789"},
		{name: "timeout", delay: 300 * time.Millisecond, secret: providerSecret},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(&provider{status: tt.status, delay: tt.delay})
			t.Cleanup(srv.Close)
			email, err := customsender.HTTPEmail(customsender.HTTPConfig{Decrypter: dec, Endpoint: srv.URL + "/hook/s3cr3t-path",
				Secret: tt.secret, Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res := triggertest.InvokeHandlerPayload(t, email, triggertest.Payload(triggers.CustomEmailSenderSignUp,
				triggertest.WithEncryptedCode(dec.encrypter, "909090"))).RequireInternalError(t)
			if strings.Contains(res.Text(), "909090") || strings.Contains(res.Text(), "s3cr3t") {
				t.Errorf("error shows the code or the path: %s", res.Text())
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
	for _, tt := range []struct{ endpoint, want string }{
		{"http://provider.example.com/send", "use https"},
		{"https:///send", "no host"},
		{"://bad", "not a valid URL"},
	} {
		if _, err := customsender.HTTPEmail(customsender.HTTPConfig{Decrypter: dec, Endpoint: tt.endpoint, Secret: providerSecret}); err == nil ||
			!strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.endpoint, err, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		cfg  customsender.HTTPConfig
		want string
	}{
		{"short secret", customsender.HTTPConfig{Decrypter: dec, Endpoint: "https://provider.example.com", Secret: "short"}, "customsender.HTTPSMS: Secret shorter than"},
		{"no endpoint", customsender.HTTPConfig{Decrypter: dec, Secret: providerSecret}, "customsender.HTTPSMS: Endpoint is empty"},
		{"no decrypter", customsender.HTTPConfig{Endpoint: "https://provider.example.com", Secret: providerSecret}, "customsender.HTTPSMS: Decrypter is nil"},
		{"negative timeout", customsender.HTTPConfig{Decrypter: dec, Endpoint: "https://provider.example.com", Secret: providerSecret,
			Timeout: -time.Second}, "customsender.HTTPSMS: Timeout"},
		{"empty attribute", customsender.HTTPConfig{Decrypter: dec, Endpoint: "https://provider.example.com", Secret: providerSecret,
			Attributes: []string{""}}, "customsender.HTTPSMS: Attributes has an empty name"},
	} {
		if _, err := customsender.HTTPSMS(tt.cfg); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestKMSDecrypterInput(t *testing.T) {
	t.Parallel()
	for _, arn := range []string{"", "alias/cognito", "1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:eu-west-1:111122223333:alias/cognito", "arn:aws:kms::111122223333:key/x", "arn:aws:s3:eu-west-1:111122223333:key/x"} {
		if _, err := customsender.KMSDecrypter(arn); err == nil {
			t.Errorf("KMSDecrypter(%q): no error", arn)
		}
	}
	if _, err := customsender.KMSDecrypter(); err == nil {
		t.Error("KMSDecrypter(): no error")
	}
	dec, err := customsender.KMSDecrypter("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	if err != nil {
		t.Fatal(err)
	}
	// These fail before any KMS call.
	for code, want := range map[triggers.Secret]error{"": customsender.ErrNoCode, "not base64!": customsender.ErrNotBase64} {
		_, err := dec.Decrypt(context.Background(), fixturePool, code)
		var de *customsender.DecryptError
		if !errors.Is(err, want) || !errors.As(err, &de) || de.UserPoolID != fixturePool {
			t.Errorf("Decrypt(%q): %v, want %v", code, err, want)
		}
		if code != "" && strings.Contains(err.Error(), string(code)) {
			t.Errorf("error quotes the code: %v", err)
		}
	}
}
