package postauth

import (
	"github.com/lambda-triggers/cognito/internal/besteffort"
	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the post authentication event every module here receives.
type Event = triggers.PostAuthenticationEvent

// Handler is a post authentication module, or a chain of them.
type Handler = triggers.Handler[Event]

// BestEffort returns a handler that runs mods in order and keeps going when one fails:
// a module's error or panic is logged with the module's name and swallowed, because the
// user has signed in already and a failed record or notice must not turn that sign-in
// into an error. Only the failure of a module marked with [Critical] is returned, and it
// stops the run (and the sign-in). Nil modules are skipped; the sequence is composed
// once, here. Unlike [triggers.Chain], which stops at the first error of any module, it
// stops only at a critical one.
func BestEffort(mods ...Handler) Handler { return besteffort.Sequence(failureMessage, mods) }

// Parallel returns a handler that runs mods concurrently and waits for all of them, with
// the same best-effort rule as [BestEffort]. It is for modules that only do independent I/O,
// such as [RecordSignIn], [AuditTrail] and [NewDeviceNotice]: the sign-in then waits as
// long as the slowest of them instead of the sum. See [triggers.Parallel].
func Parallel(mods ...Handler) Handler { return besteffort.Parallel(failureMessage, mods) }

// failureMessage is the message of the log line a swallowed failure is reported with.
const failureMessage = "post authentication module failed"

// Critical marks m as a module whose failure must fail the trigger: its error, or its
// panic, is returned wrapped in [triggers.MarkCritical], so that Cognito refuses the sign-in
// with the generic error text and the client may try again. Use it for a record the
// application cannot do without, such as an audit trail a regulation requires. A nil m
// stays nil.
func Critical(m Handler) Handler { return besteffort.Critical(m) }

// Named gives m a name that [BestEffort] and [Parallel] log its failures under, and that
// [ModuleError] carries. Modules of this package are named already ("RecordSignIn",
// "AuditTrail", "NewDeviceNotice"); without a name, a module is logged under its Go
// function name. The name is also the module's name for the router's metrics and for
// tracing (see [triggers.Named]).
func Named(name string, m Handler) Handler { return besteffort.Named(name, m) }

// ModuleError is a module's failure together with the module's name (its Module field).
// It is the same type as postconfirm.ModuleError.
type ModuleError = besteffort.ModuleError
