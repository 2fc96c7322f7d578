package custommessage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/lambda-triggers/cognito/custommessage"
	"github.com/lambda-triggers/cognito/triggers"
)

func ExampleVerificationLink() {
	link, err := custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/welcome")
	if err != nil {
		panic(err)
	}
	verify, err := custommessage.VerificationLink(custommessage.VerificationLinkConfig{
		Link:    link,
		Subject: "Welcome! Please verify your email",
		Text:    "Thanks for signing up.",
	})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{}).CustomMessage(custommessage.Chain(verify))

	out, ierr := router.Handle(context.Background(), []byte(`{
		"version": "1", "triggerSource": "CustomMessage_SignUp", "region": "eu-central-1",
		"userPoolId": "eu-central-1_AbCdEfGhI", "userName": "ana+news@example.com",
		"callerContext": {"clientId": "client-1"},
		"request": {"userAttributes": {"email": "ana+news@example.com"},
			"codeParameter": "{####}", "linkParameter": "{##Click Here##}", "usernameParameter": null},
		"response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}}`))
	if ierr != nil {
		panic(ierr)
	}
	var e triggers.CustomMessageEvent
	if err := json.Unmarshal(out, &e); err != nil {
		panic(err)
	}
	fmt.Println(e.Response.EmailSubject)
	fmt.Println(e.Response.EmailMessage)
	fmt.Printf("SMS unset: %v\n", e.Response.SMSMessage == "")
	// Output:
	// Welcome! Please verify your email
	// <p>Thanks for signing up.</p><p><a href="https://confirm.example.com/?client_id=client-1&amp;redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome&amp;username=ana%2Bnews%40example.com&amp;code={####}">Verify email address</a></p>
	// SMS unset: true
}

func ExampleConfirmLink_URL() {
	link, err := custommessage.NewConfirmLink("https://confirm.example.com/", "https://app.example.com/welcome")
	if err != nil {
		panic(err)
	}
	e := &custommessage.Event{}
	e.UserName = "ana+news@example.com"
	e.CallerContext.ClientID = "client-1"
	e.Request.CodeParameter = "{####}"
	u, err := link.URL(e)
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	// Output:
	// https://confirm.example.com/?client_id=client-1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fwelcome&username=ana%2Bnews%40example.com&code={####}
}

func ExampleTemplates() {
	texts, err := custommessage.Templates(custommessage.TemplatesConfig{
		Catalog: custommessage.Catalog{
			"": {
				triggers.CustomMessageForgotPassword: {
					Subject: "Reset your password",
					Email:   `<p>Hi {{.User.name}}, your code is <b>{{.Code}}</b>.</p>`,
					SMS:     "Your reset code: {{.Code}}",
				},
			},
			"de": {
				triggers.CustomMessageForgotPassword: {
					Subject: "Passwort zurücksetzen",
					Email:   `<p>Hallo {{.User.name}}, Ihr Code lautet <b>{{.Code}}</b>.</p>`,
				},
			},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, locale := range []string{"de-AT", "en-GB"} {
		e := &custommessage.Event{}
		e.TriggerSource = triggers.CustomMessageForgotPassword
		e.Request.UserAttributes = triggers.Attributes{"name": "Jo & Co", "locale": locale}
		e.Request.CodeParameter = "{####}"
		if err := texts(context.Background(), e); err != nil {
			panic(err)
		}
		fmt.Printf("%s: %q %q %q\n", locale, e.Response.EmailSubject, e.Response.EmailMessage, e.Response.SMSMessage)
	}
	// Output:
	// de-AT: "Passwort zurücksetzen" "<p>Hallo Jo &amp; Co, Ihr Code lautet <b>{####}</b>.</p>" ""
	// en-GB: "Reset your password" "<p>Hi Jo &amp; Co, your code is <b>{####}</b>.</p>" "Your reset code: {####}"
}

// confirmingClient stands in for *cognitoidentityprovider.Client.
type confirmingClient struct{}

func (confirmingClient) ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	return &cip.ConfirmSignUpOutput{}, nil
}

func ExampleConfirmHandler() {
	h, err := custommessage.ConfirmHandler(custommessage.ConfirmHandlerConfig{
		Client:           confirmingClient{},
		ClientID:         "client-1",
		AllowedRedirects: []string{"https://app.example.com/welcome"},
	})
	if err != nil {
		panic(err)
	}
	for _, redirect := range []string{"https%3A%2F%2Fapp.example.com%2Fwelcome%3Fnew%3D1", "https%3A%2F%2Fevil.example%2Fwelcome"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
			"https://confirm.example.com/?client_id=client-1&username=ana&code=123456&redirect_uri="+redirect, nil))
		fmt.Println(rec.Code, rec.Header().Get("Location"))
	}
	// Output:
	// 303 https://app.example.com/welcome?new=1
	// 400
}
