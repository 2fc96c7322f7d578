package triggers

import "log/slog"

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
}

// Trigger returns [TriggerInboundFederation].
func (*InboundFederationEvent) Trigger() Trigger { return TriggerInboundFederation }

// LogValue describes the event for logs: provider, and claim names without the tokens.
func (e *InboundFederationEvent) LogValue() slog.Value {
	return slog.GroupValue(append(headerAttrs(&e.Header),
		slog.String("providerName", e.Request.ProviderName),
		slog.String("providerType", e.Request.ProviderType),
		slog.Any("attributes", e.Request.Attributes))...)
}

// LogValue describes the attributes for logs: token names without the tokens, and claim
// names without their values.
func (a FederationAttributes) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("tokenResponse", keysOnly(a.TokenResponse)),
		slog.Any("idToken", keysOnly(a.IDToken)),
		slog.Any("userInfo", keysOnly(a.UserInfo)),
		slog.Any("samlResponse", keysOnly(a.SAMLResponse)))
}
