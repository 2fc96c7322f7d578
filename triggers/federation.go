package triggers

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
type FederationAttributes struct {
	TokenResponse Attributes `json:"tokenResponse,omitempty"`
	IDToken       Attributes `json:"idToken,omitempty"`
	UserInfo      Attributes `json:"userInfo,omitempty"`
	SAMLResponse  Attributes `json:"samlResponse,omitempty"`
}

// InboundFederationResponse lists the attributes to store. Every attribute to keep must be
// listed; a nil map is sent as {} which keeps all attributes unchanged.
type InboundFederationResponse struct {
	UserAttributesToMap Attributes `json:"userAttributesToMap"`

	// Unknown holds the members Cognito sent that this type does not know, sent
	// back unchanged (see [UnknownMembers]).
	Unknown UnknownMembers `json:"-"`
}

// Trigger returns [TriggerInboundFederation].
func (*InboundFederationEvent) Trigger() Trigger { return TriggerInboundFederation }
