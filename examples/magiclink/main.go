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
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/customauth/kmssigner"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/secrets"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "magiclink:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves the sign-in link flow the environment configures.
func newRouter() (*triggers.Router, error) {
	from := os.Getenv("MAGIC_LINK_FROM")
	if from == "" {
		return nil, errors.New("missing environment variable MAGIC_LINK_FROM (the sender of sign-in links, verified in SES)")
	}
	var missing []string
	for _, v := range []struct{ name, what string }{
		{"MAGIC_LINK_REDIRECT", "the page sign-in links open"},
		{"MAGIC_LINK_TABLE", "the DynamoDB table of open links, partition key pk (S), TTL on ttl"},
	} {
		if os.Getenv(v.name) == "" {
			missing = append(missing, fmt.Sprintf("missing environment variable %s (%s), required with MAGIC_LINK_FROM", v.name, v.what))
		}
	}
	if len(missing) > 0 {
		return nil, errors.New(strings.Join(missing, "; "))
	}
	ttl, err := duration("MAGIC_LINK_TTL")
	if err != nil {
		return nil, err
	}
	interval, err := duration("MAGIC_LINK_INTERVAL")
	if err != nil {
		return nil, err
	}
	cfg := customauth.MagicLinkConfig{
		From:             from,
		RedirectURL:      os.Getenv("MAGIC_LINK_REDIRECT"),
		AllowedRedirects: list(os.Getenv("MAGIC_LINK_ALLOWED_REDIRECTS")),
		Store:            &customauth.DynamoDBStore{Table: os.Getenv("MAGIC_LINK_TABLE")},
		TTL:              ttl,      // 15 minutes when zero
		MinInterval:      interval, // a minute when zero
	}
	// Masked addresses of unknown users are made up with OTP_HMAC_KEY, the key the code
	// steps hash with, when it is the key itself and not where it is kept.
	if v := os.Getenv("OTP_HMAC_KEY"); !secrets.IsReference(v) {
		cfg.DecoyKey = []byte(v)
	}
	keyID, hmacKey := os.Getenv("MAGIC_LINK_KMS_KEY_ID"), os.Getenv("MAGIC_LINK_HMAC_KEY")
	switch {
	case keyID != "" && hmacKey != "":
		return nil, errors.New("MAGIC_LINK_KMS_KEY_ID and MAGIC_LINK_HMAC_KEY are both set: links are signed by one of them")
	case keyID != "":
		cfg.Signer = &kmssigner.Signer{KeyID: keyID}
	case hmacKey != "":
		if cfg.Signer, err = customauth.HMACSigner([]byte(hmacKey)); err != nil {
			return nil, fmt.Errorf("MAGIC_LINK_HMAC_KEY: %w", err)
		}
		if len(cfg.DecoyKey) == 0 {
			cfg.DecoyKey = []byte(hmacKey)
		}
	default:
		return nil, errors.New("missing environment variable MAGIC_LINK_KMS_KEY_ID (an asymmetric KMS key that signs sign-in links) " +
			"or MAGIC_LINK_HMAC_KEY (a secret of at least 32 bytes), required with MAGIC_LINK_FROM")
	}
	if len(cfg.DecoyKey) == 0 {
		// Links signed by KMS and no OTP_HMAC_KEY value: decoy addresses take a key of
		// this process.
		cfg.DecoyKey = make([]byte, 32)
		_, _ = rand.Read(cfg.DecoyKey) // crypto/rand.Read never fails on supported platforms
	}
	flow, err := customauth.MagicLink(cfg)
	if err != nil {
		return nil, fmt.Errorf("MAGIC_LINK_FROM, MAGIC_LINK_REDIRECT, MAGIC_LINK_ALLOWED_REDIRECTS, MAGIC_LINK_TTL: %w", err)
	}
	return flow.Register(triggers.NewRouter(triggers.RouterConfig{})), nil
}

// duration reads the environment variable name as a duration such as 15m; unset is 0.
func duration(name string) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: want a duration such as 1h or 30m, got %q", name, v)
	}
	return d, nil
}

// list splits a comma-separated value and drops blank entries.
func list(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
