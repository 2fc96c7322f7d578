package custommessage_test

import (
	"context"
	"testing"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
)

func BenchmarkVerificationLink(b *testing.B) {
	link := must(custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/welcome"))(b)
	h := must(custommessage.VerificationLink(custommessage.VerificationLinkConfig{Link: link}))(b)
	e := newEvent(triggers.CustomMessageSignUp)
	b.ReportAllocs()
	for b.Loop() {
		e.Response = triggers.CustomMessageResponse{}
		if err := h(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTemplates(b *testing.B) {
	h := must(custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{
			"":   {triggers.CustomMessageSignUp: {Subject: "Welcome {{.User.name}}", Email: `<p>Hi {{.User.name}}, <a href="https://app.example.com/v?c={{.Code}}">verify</a></p>`, SMS: "Code {{.Code}}"}},
			"de": {triggers.CustomMessageSignUp: {Subject: "Willkommen {{.User.name}}", Email: `<p>Hallo {{.User.name}}, <a href="https://app.example.com/v?c={{.Code}}">bestätigen</a></p>`, SMS: "Code {{.Code}}"}},
		},
	}))(b)
	e := newEvent(triggers.CustomMessageSignUp)
	e.Request.UserAttributes["locale"] = "de-AT"
	b.ReportAllocs()
	for b.Loop() {
		e.Response = triggers.CustomMessageResponse{}
		if err := h(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}
