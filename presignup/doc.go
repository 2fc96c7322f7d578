// Package presignup holds modules for Cognito's pre sign-up trigger: email domain allow
// and deny lists, invitation codes, rate limits, attribute rules, one account per email
// address, automatic confirmation and verification, and linking a federated sign-in to
// an existing user.
//
// A module that turns a user away returns a [triggers.Rejected], whose text the user
// sees as "PreSignUp failed with error <text>."; [Chain] stops at the first one, so put
// the cheap checks first and the modules that set response flags last.
//
// Every constructor takes one config struct, named for the module, that holds all its
// settings, and returns (Handler, error): a configuration mistake (an invalid domain, a
// bad regular expression, a missing table name) is reported when the chain is built,
// never when a user signs up. [Must] turns such an error into a panic at start-up. Each
// module documents the trigger sources it acts on (PreSignUp_SignUp,
// PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider) and does nothing on the
// others; its config's Sources field changes them. A nil Client means the process-wide
// default client, and a nil Now means time.Now.
//
//	domains := presignup.Must(presignup.DomainsFromEnv(presignup.DomainsConfig{})) // DOMAINALLOWLIST, DOMAINDENYLIST
//	limit := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{
//		Table: "signup-limits", Limit: 5, Window: time.Hour}))
//	invite := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Table: "invitations"}))
//	employee := presignup.Must(presignup.RequireAttributes(presignup.AttributesConfig{Rules: []presignup.AttributeRule{
//		{Name: "custom:employee_id", Required: true, Pattern: `EMP\d{6}`},
//	}}))
//	confirm := presignup.Must(presignup.AutoConfirm(presignup.FlagConfig{}))
//	verify := presignup.Must(presignup.AutoVerifyEmail(presignup.FlagConfig{}))
//	triggers.Start(triggers.NewRouter(triggers.RouterConfig{}).PreSignUp(
//		presignup.Chain(domains, employee, limit, invite, confirm, verify)))
//
// RequireInvitation reads, and postconfirm.MarkInvitationUsed marks as used, one table
// of invitations: partition key code (S), with email (S), expiresAt (N, Unix seconds,
// optional), and usedAt (N) and usedBy (S) once used.
package presignup
