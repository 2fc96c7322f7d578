// Command magiclink is a passwordless sign-in by a link sent by email: the define, create
// and verify auth challenge triggers of one custom authentication flow
// (customauth.MagicLink), in one function. The first challenge sends nothing; a client
// that asks for a link gets one emailed through SES, signed with a KMS key or an HMAC
// secret, and any browser that opens it answers the challenge with its token, once.
//
//	MAGIC_LINK_FROM=sign-in@example.com MAGIC_LINK_REDIRECT=https://app.example.com/sign-in \
//	MAGIC_LINK_TABLE=sign-in-links MAGIC_LINK_HMAC_KEY=... go run ./examples/magiclink -serve 127.0.0.1:9300
//
// Environment:
//
//	MAGIC_LINK_FROM               sender of the links, an address verified in SES (required)
//	MAGIC_LINK_REDIRECT           the app's page that links open (required); the token is
//	                              in the fragment, #magic_link=<token>
//	MAGIC_LINK_ALLOWED_REDIRECTS  further pages (origin and path prefix, comma-separated) a
//	                              client may ask links to open, in client metadata
//	                              magicLinkRedirect
//	MAGIC_LINK_TABLE              DynamoDB table of open links (partition key pk (S), TTL on
//	                              ttl) (required); it holds salted hashes, never tokens
//	MAGIC_LINK_KMS_KEY_ID         asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs
//	                              links, or
//	MAGIC_LINK_HMAC_KEY           a secret of at least 32 bytes that signs them (one of the two)
//	MAGIC_LINK_TTL                how long a link works (15m)
//	MAGIC_LINK_INTERVAL           how long after a link no other is sent to the user (1m)
//	OTP_HMAC_KEY                  secret that makes up the masked address of unknown users
//	                              (default MAGIC_LINK_HMAC_KEY)
//
// Links go only to verified addresses. The app client must allow ALLOW_CUSTOM_AUTH; the
// README's custom authentication section shows the client calls. AWS clients come from
// the default configuration on first use.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/examples/internal/chains/customauthchain"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "magiclink:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the sign-in link step that customauthchain.MagicLinkConfig
// (examples/internal/chains/customauthchain, shared with examples/allinone) reads from
// env.
func newRouter(env func(string) string) (*triggers.Router, error) {
	cfg, ok, err := customauthchain.MagicLinkConfig(env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("missing environment variable MAGIC_LINK_FROM (the sender of sign-in links, verified in SES)")
	}
	flow, err := customauth.MagicLink(cfg)
	if err != nil {
		return nil, fmt.Errorf("MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_ALLOWED_REDIRECTS, MAGIC_LINK_TTL: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}
