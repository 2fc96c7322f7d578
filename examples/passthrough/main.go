// Command passthrough is a trigger function with every Cognito trigger registered and no
// modules: it answers each event exactly as Cognito asked, which makes it a starting point
// for a new function and a way to see the events Cognito sends.
//
//	go run ./examples/passthrough -event event.json
//	go run ./examples/passthrough -serve 127.0.0.1:9300
package main

import "github.com/lambda-triggers/cognito/triggers"

func main() {
	triggers.Start(router())
}

func router() *triggers.Router {
	return triggers.NewRouter(triggers.RouterConfig{}).
		PreSignUp(triggers.Chain[triggers.PreSignUpEvent]()).
		PostConfirmation(triggers.Chain[triggers.PostConfirmationEvent]()).
		PreAuthentication(triggers.Chain[triggers.PreAuthenticationEvent]()).
		PostAuthentication(triggers.Chain[triggers.PostAuthenticationEvent]()).
		DefineAuthChallenge(triggers.Chain[triggers.DefineAuthChallengeEvent]()).
		CreateAuthChallenge(triggers.Chain[triggers.CreateAuthChallengeEvent]()).
		VerifyAuthChallenge(triggers.Chain[triggers.VerifyAuthChallengeEvent]()).
		PreTokenGeneration(triggers.Chain[triggers.PreTokenGenerationEvent]()).
		UserMigration(triggers.Chain[triggers.UserMigrationEvent]()).
		CustomMessage(triggers.Chain[triggers.CustomMessageEvent]()).
		CustomEmailSender(triggers.Chain[triggers.CustomEmailSenderEvent]()).
		CustomSMSSender(triggers.Chain[triggers.CustomSMSSenderEvent]()).
		InboundFederation(triggers.Chain[triggers.InboundFederationEvent]())
}
