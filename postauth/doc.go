// Package postauth holds modules for Cognito's post authentication trigger, which runs
// after a user signed in: keep a record of the user's sign-ins ([RecordSignIn]), an
// audit trail with one entry per sign-in ([AuditTrail]), and tell the user about a
// sign-in from a new device ([NewDeviceNotice]).
//
// The user has signed in before this trigger runs, but a failing trigger still makes
// Cognito refuse the sign-in. So [BestEffort] and [Parallel] run each module
// best-effort, as postconfirm's do: a failure or a panic is logged under the module's
// name and the sign-in goes on. A module wrapped in [Critical] is the exception: its
// failure refuses the sign-in with the generic error text.
//
// Cognito may deliver one sign-in more than once, and its event has no id of the
// sign-in: deliveries that look the same within a short window (the RetryWindow field
// of each config, see [MinRetryWindow]) are taken for one sign-in, so a retry neither
// counts twice nor sends a second notice. The window is the documented bound of that
// rule.
//
// Every module acts on PostAuthentication_Authentication, the trigger's only source.
// Each constructor takes one config struct, whose zero fields mean the documented
// defaults, and returns (Handler, error). A nil AWS client means the process-wide default
// client.
//
// A function that records every sign-in and notifies new devices, all at once (error
// checks left out):
//
//	record, _ := postauth.RecordSignIn(postauth.RecordConfig{Table: "profiles", PartitionKey: "id"})
//	trail, _ := postauth.AuditTrail(postauth.AuditConfig{Table: "sign-ins"})
//	notice, _ := postauth.NewDeviceNotice(postauth.NoticeConfig{Table: "notice-markers",
//		Email: postauth.Email{From: "security@example.com", Subject: "New sign-in to your account", Text: text}})
//
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PostAuthentication(postauth.Parallel(
//		record, trail, notice)))
package postauth
