package preauth_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
)

// Keep suspended users out, and administrators to the admin console's app client.
func ExampleRestrictClients() {
	admins, err := preauth.AttributeIn("custom:role", "admin")
	if err != nil {
		panic(err)
	}
	quiet := triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}
	router := triggers.NewRouter(quiet).PreAuthentication(preauth.Chain(
		preauth.Must(preauth.BlockAttribute(preauth.BlockAttributeConfig{Attribute: "custom:status", Values: []string{"suspended"}})),
		preauth.Must(preauth.RestrictClients(preauth.RestrictClientsConfig{Who: admins, ClientIDs: []string{"console"}})),
	))
	for _, sign := range []struct{ client, attrs string }{
		{"console", `{"custom:role": "admin"}`},
		{"web", `{"custom:role": "admin"}`},
		{"web", `{"custom:role": "member", "custom:status": "suspended"}`},
		{"web", `{}`},
	} {
		_, ierr := router.Handle(context.Background(), []byte(`{"version": "1",
			"triggerSource": "PreAuthentication_Authentication", "userName": "ada",
			"callerContext": {"clientId": "`+sign.client+`"},
			"request": {"userAttributes": `+sign.attrs+`}, "response": {}}`))
		if ierr != nil {
			fmt.Println(ierr.Text())
			continue
		}
		fmt.Println("signed in through", sign.client)
	}
	// Output:
	// signed in through console
	// PreAuthentication failed with error This account cannot sign in through this application.
	// PreAuthentication failed with error This account cannot sign in. Please contact support.
	// signed in through web
}

// An allow list of office networks, reading the address the app's server sends as
// ClientMetadata, which the trigger receives as validation data.
func ExampleAllowNetworks() {
	offices := preauth.Must(preauth.AllowNetworks(preauth.NetworksConfig{Networks: []string{"198.51.100.0/24", "2001:db8:10::/48"}}))
	for _, addr := range []string{"198.51.100.23", "2001:db8:10::7", "203.0.113.9", ""} {
		e := &preauth.Event{}
		e.TriggerSource = preauth.Authentication
		e.Request.ValidationData = triggers.Attributes{"ipAddress": addr}
		fmt.Printf("%q: %v\n", addr, offices(context.Background(), e))
	}
	// Output:
	// "198.51.100.23": <nil>
	// "2001:db8:10::7": <nil>
	// "203.0.113.9": Sign-in is not allowed from this network
	// "": Sign-in is not allowed from this network
}
