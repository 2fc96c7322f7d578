package triggers

// PreTokenGenerationEvent is sent before Cognito issues tokens. One type serves all three
// event versions: version "1" carries ID token claims only and answers in
// ClaimsOverrideDetails; versions "2" and "3" add scopes and access token claims and
// answer in ClaimsAndScopeOverrideDetails. Version 3 also fires for machine-to-machine
// tokens (TokenGeneration_ClientCredentials), where there is no user.
//
// Its JSON, as the router sends it and MarshalJSON writes it, answers in the override
// details of the event's own version only. A claim value of a type the codec does not
// write itself goes through encoding/json; one that cannot be encoded is an error.
// UnmarshalJSON decodes claim values of versions 2 and 3 to string, bool, nil,
// json.Number, []any or map[string]any.
type PreTokenGenerationEvent struct {
	Header
	Request  PreTokenGenerationRequest  `json:"request"`
	Response PreTokenGenerationResponse `json:"response"`
}

// PreTokenGenerationRequest is the user, their groups and, from version 2, the scopes.
type PreTokenGenerationRequest struct {
	UserAttributes     Attributes         `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	Scopes             []string           `json:"scopes,omitempty"`
	ClientMetadata     Attributes         `json:"clientMetadata,omitempty"`
}

// PreTokenGenerationResponse holds the changes to the tokens. A nil field changes nothing.
// Cognito reads an empty or null groupOverrideDetails as "no groups", so override details
// whose GroupOverrideDetails is nil are sent with a copy of the request's
// groupConfiguration: the user keeps their groups, roles and preferred role. Set
// GroupOverrideDetails (an empty one removes every group) to change them on purpose.
type PreTokenGenerationResponse struct {
	// ClaimsOverrideDetails answers a version 1 event.
	ClaimsOverrideDetails *ClaimsOverrideDetails `json:"claimsOverrideDetails,omitempty"`
	// ClaimsAndScopeOverrideDetails answers a version 2 or 3 event.
	ClaimsAndScopeOverrideDetails *ClaimsAndScopeOverrideDetails `json:"claimsAndScopeOverrideDetails,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// ClaimsOverrideDetails changes the ID token of a version 1 event.
type ClaimsOverrideDetails struct {
	ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string            `json:"claimsToSuppress,omitempty"`
	GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// ClaimsAndScopeOverrideDetails changes both tokens of a version 2 or 3 event.
type ClaimsAndScopeOverrideDetails struct {
	IDTokenGeneration     *IDTokenGeneration     `json:"idTokenGeneration,omitempty"`
	AccessTokenGeneration *AccessTokenGeneration `json:"accessTokenGeneration,omitempty"`
	GroupOverrideDetails  *GroupConfiguration    `json:"groupOverrideDetails,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// IDTokenGeneration changes the ID token. Claim values may be any JSON value: strings,
// numbers, booleans, arrays and objects.
type IDTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// AccessTokenGeneration changes the access token: claims as for the ID token, and scopes.
type AccessTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
	ScopesToAdd           []string       `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string       `json:"scopesToSuppress,omitempty"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// IsV1 reports whether the event is version 1, whose answer goes in ClaimsOverrideDetails
// with string claim values. An event with no version, or version "0" as local Cognito
// emulators send, is version 1 too: only versions 2 and 3 have the newer shape.
func (e *PreTokenGenerationEvent) IsV1() bool {
	return e.Version == "1" || e.Version == "" || e.Version == "0"
}
