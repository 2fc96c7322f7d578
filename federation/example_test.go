package federation_test

import (
	"context"
	"fmt"

	"github.com/lambda-triggers/cognito/federation"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// A groups array and a nested address map into custom attributes, beside the pool's own
// mapping of email and name.
func ExampleMapAttributes() {
	attrs, err := federation.MapAttributes(federation.MapConfig{
		PoolMapping: map[string]string{"email": "email", "name": "name"}, // as configured in the pool
		Mapping: federation.Mapping{
			"custom:groups": federation.Claim("groups"),
			"custom:city":   federation.Claim("address", "locality"),
		},
	})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{}).InboundFederation(federation.Chain(attrs))
	payload := triggertest.Payload(triggers.InboundFederationExternalProvider,
		triggertest.Set("request.attributes.idToken.groups", []string{"staff", "sso"}),
		triggertest.Set("request.attributes.userInfo.address", map[string]string{"locality": "Sevilla"}))
	out, ierr := router.Handle(context.Background(), payload)
	if ierr != nil {
		panic(ierr)
	}
	var e triggers.InboundFederationEvent
	if err := e.UnmarshalJSON(out); err != nil {
		panic(err)
	}
	m := e.Response.UserAttributesToMap
	fmt.Println(m["email"], "|", m["name"], "|", m["custom:groups"], "|", m["custom:city"])
	// Output:
	// maria.garcia@gmail.example | María García | staff,sso | Sevilla
}
