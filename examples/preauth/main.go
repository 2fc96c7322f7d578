// Command preauth is a pre authentication trigger configured by environment variables:
// it keeps blocked users out (by a status attribute or a DynamoDB block list), keeps
// some roles to given app clients, allows or denies networks and requires a verified
// email address or phone number. Each module is on when its variables are set; a
// function with none set refuses to start.
//
//	BLOCKED_STATUSES=suspended go run ./examples/preauth -event event.json
//	BLOCKED_STATUSES=suspended go run ./examples/preauth -serve 127.0.0.1:9300
//
// Environment:
//
//	BLOCKED_STATUSES       comma-separated values of STATUS_ATTRIBUTE that keep a user out (suspended,disabled)
//	STATUS_ATTRIBUTE       the attribute they are read from (default custom:status)
//	RESTRICTED_ROLES       comma-separated values of ROLE_ATTRIBUTE (such as admin) whose users may sign
//	                       in only through RESTRICTED_CLIENT_IDS
//	ROLE_ATTRIBUTE         the attribute roles are read from (default custom:role); a comma-separated
//	                       value matches when one of its items does
//	RESTRICTED_CLIENT_IDS  comma-separated app client IDs those users may sign in through
//	ALLOWED_NETWORKS       comma-separated CIDR prefixes or addresses (IPv4, IPv6) sign-ins must come from
//	DENIED_NETWORKS        comma-separated CIDR prefixes or addresses sign-ins must not come from
//	ADDRESS_KEY            the ClientMetadata key the app sends the client's address in (default ipAddress)
//	REQUIRE_VERIFIED       email, phone or email_or_phone: what must be verified before sign-in
//	BLOCK_LIST_TABLE       DynamoDB table of blocked users (partition key pk (S); reason (S) and
//	                       expiresAt (N, Unix seconds) optional: a suspension that ends lifts itself)
//	BLOCK_LIST_KEY         sub (default) or username: what pk holds
//	BLOCKED_MESSAGE        the text blocked users see
//
// Cognito's pre authentication event carries no client address: the app must send it
// in ClientMetadata, so that network lists are only as trustworthy as the app, best a
// server of yours calling AdminInitiateAuth. AWS clients come from the default
// configuration on first use.
package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/lambda-triggers/cognito/preauth"
	"github.com/lambda-triggers/cognito/triggers"
)

func main() {
	router, err := newRouter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "preauth:", err)
		os.Exit(1)
	}
	triggers.Start(router)
}

// newRouter serves, in one chain that stops at the first refusal, the pre
// authentication modules the environment turns on: the checks that need no network
// call first, the block list last.
func newRouter() (*triggers.Router, error) {
	// list splits a comma-separated value, dropping blank entries.
	list := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	blocked := os.Getenv("BLOCKED_MESSAGE") // the text of the two blocking modules; "" for the default

	var mods []preauth.Handler
	if statuses := list(os.Getenv("BLOCKED_STATUSES")); len(statuses) > 0 {
		h, err := preauth.BlockAttribute(preauth.BlockAttributeConfig{
			Attribute: cmp.Or(os.Getenv("STATUS_ATTRIBUTE"), "custom:status"),
			Values:    statuses,
			Message:   blocked,
		})
		if err != nil {
			return nil, fmt.Errorf("BLOCKED_STATUSES, STATUS_ATTRIBUTE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	}
	roles, clients := list(os.Getenv("RESTRICTED_ROLES")), list(os.Getenv("RESTRICTED_CLIENT_IDS"))
	switch {
	case len(roles) > 0 && len(clients) == 0:
		return nil, errors.New("RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS, the app clients those users may sign in through")
	case len(clients) > 0 && len(roles) == 0:
		return nil, errors.New("RESTRICTED_CLIENT_IDS needs RESTRICTED_ROLES, the roles kept to those app clients")
	case len(roles) > 0:
		who, err := preauth.AttributeIn(cmp.Or(os.Getenv("ROLE_ATTRIBUTE"), "custom:role"), roles...)
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_ROLES, ROLE_ATTRIBUTE: %w", err)
		}
		h, err := preauth.RestrictClients(preauth.RestrictClientsConfig{Who: who, ClientIDs: clients})
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_CLIENT_IDS: %w", err)
		}
		mods = append(mods, h)
	}
	addressKey := os.Getenv("ADDRESS_KEY") // "" for preauth.DefaultAddressKey
	if networks := list(os.Getenv("ALLOWED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.AllowNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("ALLOWED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if networks := list(os.Getenv("DENIED_NETWORKS")); len(networks) > 0 {
		h, err := preauth.DenyNetworks(preauth.NetworksConfig{Networks: networks, AddressKey: addressKey})
		if err != nil {
			return nil, fmt.Errorf("DENIED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if v := os.Getenv("REQUIRE_VERIFIED"); v != "" {
		var h preauth.Handler
		var err error
		switch v {
		case "email":
			h, err = preauth.RequireVerifiedEmail(preauth.VerifiedConfig{})
		case "phone":
			h, err = preauth.RequireVerifiedPhone(preauth.VerifiedConfig{})
		case "email_or_phone":
			h, err = preauth.RequireVerifiedEmailOrPhone(preauth.VerifiedConfig{})
		default:
			return nil, fmt.Errorf("REQUIRE_VERIFIED: want email, phone or email_or_phone, got %q", v)
		}
		if err != nil {
			return nil, fmt.Errorf("REQUIRE_VERIFIED: %w", err)
		}
		mods = append(mods, h)
	}
	if table := os.Getenv("BLOCK_LIST_TABLE"); table != "" {
		cfg := preauth.BlockListConfig{Table: table, Message: blocked}
		switch key := os.Getenv("BLOCK_LIST_KEY"); key {
		case "", "sub":
		case "username":
			cfg.KeyByUserName = true
		default:
			return nil, fmt.Errorf("BLOCK_LIST_KEY: want sub or username, got %q", key)
		}
		h, err := preauth.BlockList(cfg)
		if err != nil {
			return nil, fmt.Errorf("BLOCK_LIST_TABLE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	} else if os.Getenv("BLOCK_LIST_KEY") != "" {
		return nil, errors.New("BLOCK_LIST_KEY needs BLOCK_LIST_TABLE")
	}
	if len(mods) == 0 {
		return nil, errors.New("no module configured: set BLOCKED_STATUSES, RESTRICTED_ROLES, ALLOWED_NETWORKS, " +
			"DENIED_NETWORKS, REQUIRE_VERIFIED or BLOCK_LIST_TABLE")
	}
	return triggers.NewRouter(triggers.RouterConfig{}).PreAuthentication(preauth.Chain(mods...)), nil
}
