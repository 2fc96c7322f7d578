package triggers

import (
	"encoding/json"
	"slices"
)

// InboundFederationEvent is sent when a user signs in through an external identity
// provider, so that the function can choose the attributes Cognito stores.
type InboundFederationEvent struct {
	Header
	Request  InboundFederationRequest  `json:"request"`
	Response InboundFederationResponse `json:"response"`
}

// InboundFederationRequest is what the provider said about the user.
type InboundFederationRequest struct {
	ProviderName string `json:"providerName"`
	// ProviderType is OIDC, SAML, Facebook, Google, SignInWithApple or LoginWithAmazon.
	ProviderType string               `json:"providerType"`
	Attributes   FederationAttributes `json:"attributes"`
}

// FederationAttributes holds the provider's answer. TokenResponse carries the provider's
// tokens and is never logged.
//
// Providers send more than strings: a groups claim is an array, a SAML attribute with
// several values an array, address an object, email_verified a boolean. The maps hold
// such a value as its compact JSON text, as every attribute map does; Raw records which
// values those are, and [FederationAttributes.IDTokenValues], UserInfoValues and
// SAMLValues read them in their JSON shape.
type FederationAttributes struct {
	TokenResponse Attributes `json:"tokenResponse,omitempty"`
	IDToken       Attributes `json:"idToken,omitempty"`
	UserInfo      Attributes `json:"userInfo,omitempty"`
	SAMLResponse  Attributes `json:"samlResponse,omitempty"`
	// Raw holds the JSON text of the values the provider sent as something other than a
	// string, as decoded. An entry counts only while the map above still holds that same
	// text, so a module that replaces a value makes it a string.
	Raw ProviderJSON `json:"-"`
}

// ProviderJSON is, for each part of a provider's answer, the JSON text of its values
// that were not strings, by name: IDToken["groups"] is `["staff","sso"]`.
type ProviderJSON struct {
	TokenResponse map[string]string
	IDToken       map[string]string
	UserInfo      map[string]string
	SAMLResponse  map[string]string
}

// IDTokenValues reads the claims of the provider's ID token in their JSON shape.
func (a FederationAttributes) IDTokenValues() ProviderValues {
	return ProviderValues{values: a.IDToken, raw: a.Raw.IDToken}
}

// UserInfoValues reads the provider's userInfo answer in its JSON shape.
func (a FederationAttributes) UserInfoValues() ProviderValues {
	return ProviderValues{values: a.UserInfo, raw: a.Raw.UserInfo}
}

// SAMLValues reads the SAML assertion's attributes in their JSON shape: an attribute
// with several values is an array.
func (a FederationAttributes) SAMLValues() ProviderValues {
	return ProviderValues{values: a.SAMLResponse, raw: a.Raw.SAMLResponse}
}

// ProviderValues reads one part of a provider's answer with the JSON types the provider
// sent. A value a module set in the map since is a string.
type ProviderValues struct {
	values Attributes
	raw    map[string]string
}

// json returns the value's JSON text when it was not a string.
func (v ProviderValues) json(name string) (string, bool) {
	text, ok := v.raw[name]
	if !ok {
		return "", false
	}
	cur, ok := v.values[name]
	return text, ok && cur == text
}

// Raw returns the value of name as JSON text, quoted when it is a string, and whether
// there is such a value.
func (v ProviderValues) Raw(name string) (json.RawMessage, bool) {
	if text, ok := v.json(name); ok {
		return json.RawMessage(text), true
	}
	s, ok := v.values[name]
	if !ok {
		return nil, false
	}
	return json.RawMessage(appendString(nil, s)), true
}

// Value returns the value of name as encoding/json decodes it with UseNumber: a string,
// bool, json.Number, []any or map[string]any. The second result is false when there is
// no such value.
func (v ProviderValues) Value(name string) (any, bool) {
	if text, ok := v.json(name); ok {
		d := newDecoder([]byte(text))
		if val, err := d.anyValue(); err == nil && d.end() == nil {
			return val, true
		}
	}
	s, ok := v.values[name]
	return s, ok
}

// Strings returns the value of name as a list: the elements of an array (strings as
// they are, other values as their JSON text, nulls left out), or the one value of
// anything else, as [Attributes] holds it. It returns nil when there is no such value.
func (v ProviderValues) Strings(name string) []string {
	val, ok := v.Value(name)
	if !ok {
		return nil
	}
	list, ok := val.([]any)
	if !ok {
		return []string{v.values[name]}
	}
	out := make([]string, 0, len(list))
	for _, el := range list {
		if el == nil {
			continue
		}
		out = append(out, jsonText(el))
	}
	return out
}

// Lookup returns the value at path inside nested objects, such as
// Lookup("address", "locality"), in the types of [ProviderValues.Value].
func (v ProviderValues) Lookup(path ...string) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	val, ok := v.Value(path[0])
	for _, key := range path[1:] {
		if !ok {
			return nil, false
		}
		obj, isObj := val.(map[string]any)
		if !isObj {
			return nil, false
		}
		val, ok = obj[key]
	}
	return val, ok
}

// federationAttributes decodes the provider's answer, recording its non-string values.
func (d *decoder) federationAttributes(a *FederationAttributes) error {
	*a = FederationAttributes{}
	return d.members(func(key []byte) error {
		var err error
		switch string(key) {
		case "tokenResponse":
			a.TokenResponse, err = d.attributesRaw(&a.Raw.TokenResponse)
		case "idToken":
			a.IDToken, err = d.attributesRaw(&a.Raw.IDToken)
		case "userInfo":
			a.UserInfo, err = d.attributesRaw(&a.Raw.UserInfo)
		case "samlResponse":
			a.SAMLResponse, err = d.attributesRaw(&a.Raw.SAMLResponse)
		default:
			err = d.skipValue()
		}
		return err
	})
}

// appendFederationAttributes writes the provider's answer with each value in the shape
// the provider sent it, unless a module changed it.
func appendFederationAttributes(b []byte, a *FederationAttributes) []byte {
	b = append(b, '{')
	sep := false
	part := func(name string, m Attributes, raw map[string]string) {
		if len(m) == 0 {
			return
		}
		b = appendField(b, &sep, name)
		if len(raw) == 0 {
			b = appendAttributes(b, m)
			return
		}
		b = appendProviderValues(b, m, raw)
	}
	part(`"tokenResponse":`, a.TokenResponse, a.Raw.TokenResponse)
	part(`"idToken":`, a.IDToken, a.Raw.IDToken)
	part(`"userInfo":`, a.UserInfo, a.Raw.UserInfo)
	part(`"samlResponse":`, a.SAMLResponse, a.Raw.SAMLResponse)
	return append(b, '}')
}

// appendProviderValues is appendAttributes that writes the values raw records as JSON.
func appendProviderValues(b []byte, m Attributes, raw map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, k)
		v := m[k]
		if text, ok := raw[k]; ok && text == v && json.Valid([]byte(text)) {
			b = append(b, text...)
		} else {
			b = appendString(b, v)
		}
	}
	return append(b, '}')
}

// MarshalJSON writes the provider's answer as the event codec does, with every value in
// the shape the provider sent it.
func (a FederationAttributes) MarshalJSON() ([]byte, error) {
	return appendFederationAttributes(nil, &a), nil
}

// UnmarshalJSON reads the provider's answer as the event codec does.
func (a *FederationAttributes) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	d := newDecoder(data)
	err := d.federationAttributes(a)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return decodeFailure(TriggerInboundFederation, err)
	}
	return nil
}

// InboundFederationResponse lists the attributes to store. Every attribute to keep must be
// listed; a nil map is sent as {} which keeps all attributes unchanged.
type InboundFederationResponse struct {
	UserAttributesToMap Attributes `json:"userAttributesToMap"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}
