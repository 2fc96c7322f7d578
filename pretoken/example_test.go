package pretoken_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
)

const exampleV2 = `{"version":"2","triggerSource":"TokenGeneration_Authentication",
	"region":"eu-west-1","userPoolId":"eu-west-1_Ab12Cd34E","userName":"ada",
	"callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"3n4b5urk1ft4fl3mg5e62d9ado"},
	"request":{"userAttributes":{"sub":"5f2c9b1e","email":"ada@example.com","custom:tenant_id":"acme"},
		"groupConfiguration":{"groupsToOverride":["admins"],"iamRolesToOverride":[],"preferredRole":null},
		"scopes":["openid","email"]},
	"response":{"claimsAndScopeOverrideDetails":null}}`

// printResponse runs chain on event through a router and prints the response member,
// indented, as Cognito would read it.
func printResponse(chain pretoken.Handler, event string) {
	router := triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).
		PreTokenGeneration(chain)
	out, ierr := router.Handle(context.Background(), []byte(event))
	if ierr != nil {
		fmt.Println(ierr.Text())
		return
	}
	var e struct{ Response json.RawMessage }
	if err := json.Unmarshal(out, &e); err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	var v any
	_ = json.Unmarshal(e.Response, &v)
	_ = enc.Encode(v)
	fmt.Print(b.String())
}

func ExampleOverrideClaims() {
	static, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{
		Add:      map[string]any{"plan": "pro", "features": []string{"sso", "audit"}},
		Suppress: []string{"email"},
	})
	if err != nil {
		panic(err)
	}
	tenant, err := pretoken.ClaimsFromAttributes(pretoken.AttributesConfig{
		Claims: map[string]string{"custom:tenant_id": "tenant"},
		Tokens: pretoken.AccessToken,
	})
	if err != nil {
		panic(err)
	}
	scopes, err := pretoken.OverrideScopes(pretoken.ScopesConfig{Add: []string{"orders-api/read"}})
	if err != nil {
		panic(err)
	}
	printResponse(pretoken.Chain(static, tenant, scopes), exampleV2)
	// Output:
	// {
	//   "claimsAndScopeOverrideDetails": {
	//     "accessTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "features": [
	//           "sso",
	//           "audit"
	//         ],
	//         "plan": "pro",
	//         "tenant": "acme"
	//       },
	//       "claimsToSuppress": [
	//         "email"
	//       ],
	//       "scopesToAdd": [
	//         "orders-api/read"
	//       ]
	//     },
	//     "groupOverrideDetails": {
	//       "groupsToOverride": [
	//         "admins"
	//       ],
	//       "iamRolesToOverride": [],
	//       "preferredRole": null
	//     },
	//     "idTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "features": [
	//           "sso",
	//           "audit"
	//         ],
	//         "plan": "pro"
	//       },
	//       "claimsToSuppress": [
	//         "email"
	//       ]
	//     }
	//   }
	// }
}

// A claim Cognito would refuse to change is reported when the chain is built.
func ExampleOverrideClaims_reserved() {
	_, err := pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"sub": "someone-else"}})
	fmt.Println(err)
	_, err = pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"aud": "my-api"}, Tokens: pretoken.IDToken})
	fmt.Println(err)
	// Output:
	// pretoken.OverrideClaims: Add: cannot add or override claim "sub" in the ID token: Cognito reserves it
	// pretoken.OverrideClaims: Add: cannot add or override claim "aud" in the ID token: Cognito reserves it
}

// A custom module writes through the helpers, so that it merges with what the modules
// before it wrote instead of replacing the response.
func ExampleAddClaim() {
	admins := func(_ context.Context, e *pretoken.Event) error {
		if !pretoken.HasUser(e) {
			return nil
		}
		if err := pretoken.AddClaim(e, pretoken.BothTokens, "is_admin", true); err != nil {
			return err
		}
		pretoken.AddGroups(e, "beta-testers")
		return pretoken.AddScope(e, "admin-api/all")
	}
	printResponse(pretoken.Chain(admins), exampleV2)
	// Output:
	// {
	//   "claimsAndScopeOverrideDetails": {
	//     "accessTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "is_admin": true
	//       },
	//       "scopesToAdd": [
	//         "admin-api/all"
	//       ]
	//     },
	//     "groupOverrideDetails": {
	//       "groupsToOverride": [
	//         "admins",
	//         "beta-testers"
	//       ],
	//       "iamRolesToOverride": [],
	//       "preferredRole": null
	//     },
	//     "idTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "is_admin": true
	//       }
	//     }
	//   }
	// }
}

// In a version 1 event, claims are strings: other values go as their JSON text. The
// user's groups go back beside the claims, as the request carried them.
func ExampleOverrideClaims_version1() {
	v1 := strings.Replace(exampleV2, `"version":"2"`, `"version":"1"`, 1)
	printResponse(pretoken.Must(pretoken.OverrideClaims(pretoken.ClaimsConfig{Add: map[string]any{"seats": 5, "beta": true}})), v1)
	// Output:
	// {
	//   "claimsOverrideDetails": {
	//     "claimsToAddOrOverride": {
	//       "beta": "true",
	//       "seats": "5"
	//     },
	//     "groupOverrideDetails": {
	//       "groupsToOverride": [
	//         "admins"
	//       ],
	//       "iamRolesToOverride": [],
	//       "preferredRole": null
	//     }
	//   }
	// }
}
