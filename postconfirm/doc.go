// Package postconfirm holds modules for Cognito's post confirmation trigger: put the new
// user in groups ([AddToGroup]), write a profile item ([CreateProfile]), send one welcome
// email ([WelcomeEmail]), notify a signed webhook ([Webhook]).
//
// The user is confirmed before this trigger runs, so nothing here can undo it.
// [BestEffort] and [Parallel] therefore run each module best-effort: a failure or a panic
// is logged under the module's name through [triggers.Logger] and the confirmation
// succeeds. A module wrapped in [Critical] is the exception: its failure is returned, and
// the router fails the trigger, so that the client sees the error and Cognito may deliver
// the event again. (triggers.Chain, by contrast, stops at any module's first error.)
//
// Every module acts on PostConfirmation_ConfirmSignUp and does nothing on
// PostConfirmation_ConfirmForgotPassword, so a password reset never sends a second
// welcome or writes anything; the Sources field of a module's config opts it in to
// password resets where that makes sense. Cognito may deliver one event up to three
// times, so every AWS side effect is idempotent; a webhook may be delivered more than
// once, and its receivers drop repeats by the signed timestamp and user (see [Webhook]).
//
// Each constructor takes one config struct, whose zero fields mean the documented
// defaults, and returns (Handler, error): a configuration mistake is reported when the
// chain is built, never when a user confirms. A nil AWS client means the process-wide
// default client.
//
// A function that puts every new user in a group first, then does the rest at the same
// time (error checks left out):
//
//	group, _ := postconfirm.AddToGroup(postconfirm.GroupConfig{
//		Groups: postconfirm.GroupsByAttribute("custom:role", map[string]string{"admin": "admins"}, "members")})
//	profile, _ := postconfirm.CreateProfile(postconfirm.ProfileConfig{
//		Table: "profiles", PartitionKey: "id", Item: postconfirm.Columns{"email": "email"}})
//	welcome, _ := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{Table: "welcome-markers",
//		Email: postconfirm.Email{From: "hello@example.com", Subject: "Welcome", Text: text, HTML: html}})
//	hook, _ := postconfirm.Webhook(postconfirm.WebhookConfig{
//		Endpoint: "https://example.com/hooks/signup", Secret: secret})
//
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PostConfirmation(postconfirm.BestEffort(
//		postconfirm.Critical(group),
//		postconfirm.Parallel(profile, welcome, hook),
//	)))
package postconfirm
