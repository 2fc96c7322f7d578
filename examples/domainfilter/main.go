// Command domainfilter is the smallest useful trigger function: a pre sign-up email-domain
// allow and deny list, read from the environment variables of Amplify's email filter
// templates, with no AWS call. It is what a function that only checks sign-ups costs in
// size and cold start; examples/presignup adds rate limits, invitations and automatic
// confirmation.
//
//	DOMAINDENYLIST=tempmail.test go run ./examples/domainfilter -event event.json
//	DOMAINALLOWLIST=example.com,*.example.org go run ./examples/domainfilter -serve 127.0.0.1:9300
//
// Environment:
//
//	DOMAINALLOWLIST  comma-separated email domains that may sign up ("*.example.com" for subdomains)
//	DOMAINDENYLIST   comma-separated email domains that may not
//
// One of the two must be set; a function with neither refuses to start rather than let
// everyone sign up.
package main

import (
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	domains, err := presignup.DomainsFromEnv(presignup.DomainsConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "domainfilter:", err)
		os.Exit(1)
	}
	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PreSignUp(domains))
}
