package presignup_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

// Allow one company's domains, subdomains included, except a test subdomain.
func ExampleDomains() {
	h := presignup.Must(presignup.Domains(presignup.DomainsConfig{
		Allow: []string{"example.com", "*.example.com"},
		Deny:  []string{"test.example.com"},
	}))
	for _, email := range []string{"ada@example.com", "bob@eu.example.com", "eve@test.example.com", "mallory@evilexample.com"} {
		e := &presignup.Event{}
		e.TriggerSource = presignup.SignUp
		e.Request.UserAttributes = triggers.Attributes{"email": email}
		if err := h(context.Background(), e); err != nil {
			fmt.Printf("%s: %v\n", email, err)
			continue
		}
		fmt.Printf("%s: ok\n", email)
	}
	// Output:
	// ada@example.com: ok
	// bob@eu.example.com: ok
	// eve@test.example.com: Invalid email domain: test.example.com
	// mallory@evilexample.com: Invalid email domain: evilexample.com
}

// A pre sign-up function behind a router: the rejection reaches Cognito, and the user,
// as the text Amplify's deny list used.
func ExampleDenyDomains() {
	quiet := triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}
	router := triggers.NewRouter(quiet).PreSignUp(presignup.Chain(
		presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"tempmail.test"}})),
		presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{})),
	))
	_, ierr := router.Handle(context.Background(), []byte(`{
		"version": "1", "triggerSource": "PreSignUp_SignUp", "userName": "mallory",
		"request": {"userAttributes": {"email": "mallory@tempmail.test"}},
		"response": {}
	}`))
	fmt.Println(ierr.Type)
	fmt.Println(ierr.Text())
	// Output:
	// Rejected
	// PreSignUp failed with error Invalid email domain: tempmail.test.
}

// Confirm and verify employees at once; everyone else confirms by code.
func ExampleAutoConfirm() {
	staff := func(e *presignup.Event) bool { return e.Request.UserAttributes["custom:staff"] == "true" }
	h := presignup.Chain(
		presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{When: staff})),
		presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{When: staff})),
		presignup.Must(presignup.AutoVerifyPhone(presignup.FlagConfig{When: staff})), // no phone_number: left unset
	)
	e := &presignup.Event{}
	e.TriggerSource = presignup.SignUp
	e.Request.UserAttributes = triggers.Attributes{"email": "ada@example.com", "custom:staff": "true"}
	_ = h(context.Background(), e)
	r := e.Response
	fmt.Printf("autoConfirmUser %v, autoVerifyEmail %v, autoVerifyPhone %v\n", r.AutoConfirmUser, r.AutoVerifyEmail, r.AutoVerifyPhone)
	// Output:
	// autoConfirmUser true, autoVerifyEmail true, autoVerifyPhone false
}

func ExampleRequireAttributes() {
	h, err := presignup.RequireAttributes(presignup.AttributesConfig{Rules: []presignup.AttributeRule{
		{Name: "custom:employee_id", Required: true, Pattern: `^EMP\d{6}$`},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{"EMP123456", "EMP12", ""} {
		e := &presignup.Event{}
		e.TriggerSource = presignup.SignUp
		e.Request.UserAttributes = triggers.Attributes{"custom:employee_id": id}
		fmt.Printf("%q: %v\n", id, h(context.Background(), e))
	}

	_, err = presignup.RequireAttributes(presignup.AttributesConfig{Rules: []presignup.AttributeRule{
		{Name: "custom:employee_id", Pattern: `EMP(\d{6}`},
	}})
	fmt.Println(err)
	// Output:
	// "EMP123456": <nil>
	// "EMP12": Invalid value for attribute: custom:employee_id
	// "": Missing required attribute: custom:employee_id
	// presignup.RequireAttributes: Rules[0]: pattern for "custom:employee_id": error parsing regexp: missing closing ): `EMP(\d{6}`
}
