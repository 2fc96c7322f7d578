package pretoken

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/lambda-triggers/cognito/triggers"
)

// ErrInvalidClaim is wrapped by every error about a claim Cognito would refuse: a claim
// it reserves, a group claim set outside the group override, an empty name, or a value
// that is not JSON.
var ErrInvalidClaim = errors.New("invalid claim")

// ErrInvalidScope is wrapped by every error about a scope Cognito would refuse: an empty
// one or one that contains white space.
var ErrInvalidScope = errors.New("invalid scope")

// ClaimError reports a claim change Cognito would refuse. Module constructors return it
// when the chain is built, so that a sign-in never finds out.
type ClaimError struct {
	Claim  string
	Token  Token
	Action string // "add or override" or "suppress"
	Reason string
}

func (e *ClaimError) Error() string {
	return fmt.Sprintf("cannot %s claim %q in the %s: %s", e.Action, e.Claim, e.Token, e.Reason)
}

// Unwrap returns [ErrInvalidClaim].
func (e *ClaimError) Unwrap() error { return ErrInvalidClaim }

const (
	actionAdd      = "add or override"
	actionSuppress = "suppress"
)

// rule is what Cognito lets a function do with a claim name in one token.
type rule uint8

const (
	ruleFree     rule = iota // add, override and suppress
	ruleReserved             // nothing
	ruleSuppress             // suppress only: dev: claims
	ruleGroup                // set through the group override, suppress directly
	ruleScope                // access token scope: through scopesToAdd/ScopesToSuppress
	ruleAudience             // access token aud: only the session's app client ID
)

// reserved are the claims Cognito writes itself and refuses to let a function add,
// change or remove, in either token.
var reserved = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "auth_time": true, "azp": true,
	"client_id": true, "cognito:username": true, "device_key": true, "event_id": true,
	"exp": true, "iat": true, "identities": true, "iss": true, "jti": true, "nbf": true,
	"nonce": true, "origin_jti": true, "sub": true, "token_use": true, "username": true,
	"version": true,
}

// groupClaims are written from the group override and may be suppressed.
var groupClaims = map[string]string{
	"cognito:groups":         "GroupsToOverride",
	"cognito:roles":          "IAMRolesToOverride",
	"cognito:preferred_role": "PreferredRole",
}

func ruleFor(t Token, name string) rule {
	switch {
	case reserved[name]:
		return ruleReserved
	case groupClaims[name] != "":
		return ruleGroup
	case strings.HasPrefix(name, "cognito:"):
		return ruleReserved
	case strings.HasPrefix(name, "dev:"):
		return ruleSuppress
	case name == "aud":
		if t == AccessToken {
			return ruleAudience
		}
		return ruleReserved
	case name == "scope" && t == AccessToken:
		return ruleScope
	}
	return ruleFree
}

// checkAdd reports whether name may be added or overridden in every token of tokens
// with a value fixed when the chain is built.
func checkAdd(tokens Token, name string) error {
	for _, t := range []Token{IDToken, AccessToken} {
		if tokens&t == 0 {
			continue
		}
		if reason := addRefusal(t, name); reason != "" {
			return &ClaimError{Claim: name, Token: t, Action: actionAdd, Reason: reason}
		}
	}
	return nil
}

func addRefusal(t Token, name string) string {
	if name == "" {
		return "the name is empty"
	}
	switch ruleFor(t, name) {
	case ruleReserved:
		return "Cognito reserves it"
	case ruleSuppress:
		return "Cognito lets a function only suppress dev: claims"
	case ruleGroup:
		return fmt.Sprintf("Cognito sets it from the group override (%s); see OverrideGroups", groupClaims[name])
	case ruleScope:
		return "scopes change through scopesToAdd; see AddScope"
	case ruleAudience:
		return "Cognito accepts aud in the access token only with the session's app client ID as its value; set it per event with AddClaim(e, AccessToken, \"aud\", clientID)"
	}
	return ""
}

// checkSuppress reports whether name may be suppressed in every token of tokens.
func checkSuppress(tokens Token, name string) error {
	for _, t := range []Token{IDToken, AccessToken} {
		if tokens&t == 0 {
			continue
		}
		reason := ""
		switch {
		case name == "":
			reason = "the name is empty"
		default:
			switch ruleFor(t, name) {
			case ruleReserved, ruleAudience:
				reason = "Cognito reserves it"
			case ruleScope:
				reason = "scopes change through scopesToSuppress; see SuppressScope"
			}
		}
		if reason != "" {
			return &ClaimError{Claim: name, Token: t, Action: actionSuppress, Reason: reason}
		}
	}
	return nil
}

// checkScope reports whether Cognito accepts scope in scopesToAdd or scopesToSuppress.
func checkScope(scope string) error {
	if scope == "" {
		return fmt.Errorf("empty scope: %w", ErrInvalidScope)
	}
	if strings.IndexFunc(scope, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("scope %q contains white space: %w", scope, ErrInvalidScope)
	}
	return nil
}

// value is a claim value in both wire forms: text for version 1, whose claims are
// strings, and JSON for versions 2 and 3. A string is kept as itself in both; any other
// value's text is its JSON encoding, so true becomes "true", 42 becomes "42" and
// []string{"a", "b"} becomes `["a","b"]` (object keys sorted, so the text is the same
// on every run).
type value struct {
	text string
	raw  json.RawMessage // nil for a string
}

func newValue(tokens Token, name string, v any) (value, error) {
	switch x := v.(type) {
	case string:
		return value{text: x}, nil
	case triggers.Secret:
		return value{}, &ClaimError{Claim: name, Token: tokens, Action: actionAdd,
			Reason: "the value is a secret"}
	case nil:
		return value{}, &ClaimError{Claim: name, Token: tokens, Action: actionAdd, Reason: "the value is null"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return value{}, &ClaimError{Claim: name, Token: tokens, Action: actionAdd,
			Reason: "the value cannot be encoded as JSON: " + err.Error()}
	}
	switch {
	case string(b) == "null":
		return value{}, &ClaimError{Claim: name, Token: tokens, Action: actionAdd, Reason: "the value is null"}
	case b[0] == '"':
		// A type that encodes as a JSON string (time.Time, a named string type) is a
		// string claim, not a quoted one.
		var s string
		if err := json.Unmarshal(b, &s); err == nil {
			return value{text: s}, nil
		}
	}
	return value{text: string(b), raw: b}, nil
}

// json returns the value for a version 2 or 3 response.
func (v value) json() any {
	if v.raw != nil {
		return v.raw
	}
	return v.text
}

// AddClaim adds or overrides the claim name in the given tokens, merging with what
// earlier modules wrote. Tokens the event cannot change (see [Tokens]) are left alone.
// A claim suppressed in a token stays suppressed there: as in Cognito, suppression wins.
//
// A version 1 response carries strings only: a value that is not a string goes there as
// its JSON text (true as "true", []string{"a"} as `["a"]`). Versions 2 and 3 carry
// the value as JSON; a later module reading the response's claim map finds a value
// that is not a string as its encoded json.RawMessage, so that no module can change
// another's value by mutating a shared slice or map. The error, a [*ClaimError], reports a claim Cognito reserves, a
// group claim (set those with [SetGroups] and its kin), scope in the access token (see
// [AddScope]), and a null value or one that cannot be encoded as JSON. aud may be set
// in the access token, to the session's app client ID only.
func AddClaim(e *Event, tokens Token, name string, v any) error {
	val, err := newValue(tokens, name, v)
	if err != nil {
		return err
	}
	if tokens&AccessToken != 0 && name == "aud" {
		if e.CallerContext.ClientID == "" || v != any(e.CallerContext.ClientID) {
			return &ClaimError{Claim: name, Token: AccessToken, Action: actionAdd,
				Reason: "Cognito accepts aud in the access token only with the session's app client ID as its value"}
		}
		if err := checkAdd(tokens&^AccessToken, name); err != nil {
			return err
		}
		putClaim(e, tokens, name, val)
		return nil
	}
	if err := checkAdd(tokens, name); err != nil {
		return err
	}
	putClaim(e, tokens, name, val)
	return nil
}

// SuppressClaim removes the claim name from the given tokens, and drops any value an
// earlier module added for it there. Tokens the event cannot change are left alone.
// The error, a [*ClaimError], reports a claim Cognito reserves and scope in the access
// token (see [SuppressScope]). dev: claims and the group claims cognito:groups,
// cognito:roles and cognito:preferred_role may be suppressed.
func SuppressClaim(e *Event, tokens Token, name string) error {
	if err := checkSuppress(tokens, name); err != nil {
		return err
	}
	suppressClaim(e, tokens, name)
	return nil
}

// AddScope adds scopes to the access token's scope claim, merging with what earlier
// modules wrote; a scope suppressed by an earlier module stays suppressed. A version 1
// event cannot change scopes; they are left out of its response. The error reports an
// empty scope or one with white space; no scope is added then.
func AddScope(e *Event, scopes ...string) error {
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return err
		}
	}
	addScopes(e, scopes)
	return nil
}

// SuppressScope removes scopes from the access token's scope claim, and drops them from
// what earlier modules added. A version 1 event cannot change scopes. The error reports
// an empty scope or one with white space; nothing is suppressed then.
func SuppressScope(e *Event, scopes ...string) error {
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return err
		}
	}
	suppressScopes(e, scopes)
	return nil
}

// The unchecked writers below are what modules use once their names passed the checks
// at construction. They allocate the response structs only when they write to them.

func v1Details(e *Event) *triggers.ClaimsOverrideDetails {
	if e.Response.ClaimsOverrideDetails == nil {
		e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{}
	}
	return e.Response.ClaimsOverrideDetails
}

func v2Details(e *Event) *triggers.ClaimsAndScopeOverrideDetails {
	if e.Response.ClaimsAndScopeOverrideDetails == nil {
		e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{}
	}
	return e.Response.ClaimsAndScopeOverrideDetails
}

func idGeneration(e *Event) *triggers.IDTokenGeneration {
	d := v2Details(e)
	if d.IDTokenGeneration == nil {
		d.IDTokenGeneration = &triggers.IDTokenGeneration{}
	}
	return d.IDTokenGeneration
}

func accessGeneration(e *Event) *triggers.AccessTokenGeneration {
	d := v2Details(e)
	if d.AccessTokenGeneration == nil {
		d.AccessTokenGeneration = &triggers.AccessTokenGeneration{}
	}
	return d.AccessTokenGeneration
}

func putClaim(e *Event, tokens Token, name string, v value) {
	tokens &= Tokens(e)
	if tokens == 0 {
		return
	}
	if e.IsV1() {
		d := v1Details(e)
		if slices.Contains(d.ClaimsToSuppress, name) {
			return
		}
		if d.ClaimsToAddOrOverride == nil {
			d.ClaimsToAddOrOverride = make(map[string]string)
		}
		d.ClaimsToAddOrOverride[name] = v.text
		return
	}
	if tokens&IDToken != 0 {
		g := idGeneration(e)
		putJSON(&g.ClaimsToAddOrOverride, g.ClaimsToSuppress, name, v)
	}
	if tokens&AccessToken != 0 {
		g := accessGeneration(e)
		putJSON(&g.ClaimsToAddOrOverride, g.ClaimsToSuppress, name, v)
	}
}

func putJSON(claims *map[string]any, suppressed []string, name string, v value) {
	if slices.Contains(suppressed, name) {
		return
	}
	if *claims == nil {
		*claims = make(map[string]any)
	}
	(*claims)[name] = v.json()
}

func suppressClaim(e *Event, tokens Token, name string) {
	tokens &= Tokens(e)
	if tokens == 0 {
		return
	}
	if e.IsV1() {
		d := v1Details(e)
		delete(d.ClaimsToAddOrOverride, name)
		d.ClaimsToSuppress = appendNew(d.ClaimsToSuppress, name)
		return
	}
	if tokens&IDToken != 0 {
		g := idGeneration(e)
		delete(g.ClaimsToAddOrOverride, name)
		g.ClaimsToSuppress = appendNew(g.ClaimsToSuppress, name)
	}
	if tokens&AccessToken != 0 {
		g := accessGeneration(e)
		delete(g.ClaimsToAddOrOverride, name)
		g.ClaimsToSuppress = appendNew(g.ClaimsToSuppress, name)
	}
}

func addScopes(e *Event, scopes []string) {
	if len(scopes) == 0 || Tokens(e)&AccessToken == 0 {
		return
	}
	g := accessGeneration(e)
	for _, s := range scopes {
		if !slices.Contains(g.ScopesToSuppress, s) {
			g.ScopesToAdd = appendNew(g.ScopesToAdd, s)
		}
	}
}

func suppressScopes(e *Event, scopes []string) {
	if len(scopes) == 0 || Tokens(e)&AccessToken == 0 {
		return
	}
	g := accessGeneration(e)
	for _, s := range scopes {
		g.ScopesToAdd = slices.DeleteFunc(g.ScopesToAdd, func(x string) bool { return x == s })
		g.ScopesToSuppress = appendNew(g.ScopesToSuppress, s)
	}
	if len(g.ScopesToAdd) == 0 {
		g.ScopesToAdd = nil
	}
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
