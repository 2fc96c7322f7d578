// Package preauthchain builds the pre authentication chain of examples/preauth and
// examples/allinone from environment variables, so that a variable means the same and a
// bad value gets the same start-up error in both.
package preauthchain

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/lambda-triggers/cognito/examples/internal/envvar"
	"github.com/lambda-triggers/cognito/preauth"
)

// FromEnv returns the pre authentication modules the environment configures, the
// checks that need no network call first and the block list last:
//
//	BLOCKED_STATUSES, STATUS_ATTRIBUTE                       preauth.BlockAttribute
//	RESTRICTED_ROLES, ROLE_ATTRIBUTE, RESTRICTED_CLIENT_IDS  preauth.RestrictClients
//	ALLOWED_NETWORKS, DENIED_NETWORKS, ADDRESS_KEY           preauth.AllowNetworks, preauth.DenyNetworks
//	REQUIRE_VERIFIED                                         preauth.RequireVerifiedEmail, ...Phone, ...EmailOrPhone
//	BLOCK_LIST_TABLE, BLOCK_LIST_KEY                         preauth.BlockList
//
// BLOCKED_MESSAGE replaces the text of the two blocking modules.
func FromEnv(env func(string) string) ([]preauth.Handler, error) {
	var mods []preauth.Handler
	var blocked []preauth.Option
	if text := env("BLOCKED_MESSAGE"); text != "" {
		blocked = append(blocked, preauth.Message(text))
	}
	if statuses := envvar.List(env("BLOCKED_STATUSES")); len(statuses) > 0 {
		h, err := preauth.BlockAttribute(cmp.Or(env("STATUS_ATTRIBUTE"), "custom:status"), statuses, blocked...)
		if err != nil {
			return nil, fmt.Errorf("BLOCKED_STATUSES, STATUS_ATTRIBUTE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	}
	roles, clients := envvar.List(env("RESTRICTED_ROLES")), envvar.List(env("RESTRICTED_CLIENT_IDS"))
	switch {
	case len(roles) > 0 && len(clients) == 0:
		return nil, errors.New("RESTRICTED_ROLES needs RESTRICTED_CLIENT_IDS, the app clients those users may sign in through")
	case len(clients) > 0 && len(roles) == 0:
		return nil, errors.New("RESTRICTED_CLIENT_IDS needs RESTRICTED_ROLES, the roles kept to those app clients")
	case len(roles) > 0:
		who, err := preauth.AttributeIn(cmp.Or(env("ROLE_ATTRIBUTE"), "custom:role"), roles...)
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_ROLES, ROLE_ATTRIBUTE: %w", err)
		}
		h, err := preauth.RestrictClients(who, clients)
		if err != nil {
			return nil, fmt.Errorf("RESTRICTED_CLIENT_IDS: %w", err)
		}
		mods = append(mods, h)
	}
	var address []preauth.Option
	if key := env("ADDRESS_KEY"); key != "" {
		address = append(address, preauth.AddressKey(key))
	}
	if list := envvar.List(env("ALLOWED_NETWORKS")); len(list) > 0 {
		h, err := preauth.AllowNetworks(list, address...)
		if err != nil {
			return nil, fmt.Errorf("ALLOWED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if list := envvar.List(env("DENIED_NETWORKS")); len(list) > 0 {
		h, err := preauth.DenyNetworks(list, address...)
		if err != nil {
			return nil, fmt.Errorf("DENIED_NETWORKS: %w", err)
		}
		mods = append(mods, h)
	}
	if v := env("REQUIRE_VERIFIED"); v != "" {
		var h preauth.Handler
		var err error
		switch v {
		case "email":
			h, err = preauth.RequireVerifiedEmail()
		case "phone":
			h, err = preauth.RequireVerifiedPhone()
		case "email_or_phone":
			h, err = preauth.RequireVerifiedEmailOrPhone()
		default:
			return nil, fmt.Errorf("REQUIRE_VERIFIED: want email, phone or email_or_phone, got %q", v)
		}
		if err != nil {
			return nil, fmt.Errorf("REQUIRE_VERIFIED: %w", err)
		}
		mods = append(mods, h)
	}
	if table := env("BLOCK_LIST_TABLE"); table != "" {
		opts := blocked
		switch key := env("BLOCK_LIST_KEY"); key {
		case "", "sub":
		case "username":
			opts = append(opts, preauth.KeyByUserName())
		default:
			return nil, fmt.Errorf("BLOCK_LIST_KEY: want sub or username, got %q", key)
		}
		h, err := preauth.BlockList(nil, table, opts...)
		if err != nil {
			return nil, fmt.Errorf("BLOCK_LIST_TABLE, BLOCKED_MESSAGE: %w", err)
		}
		mods = append(mods, h)
	} else if env("BLOCK_LIST_KEY") != "" {
		return nil, errors.New("BLOCK_LIST_KEY needs BLOCK_LIST_TABLE")
	}
	return mods, nil
}
