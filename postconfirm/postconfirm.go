package postconfirm

import (
	"github.com/lambda-triggers/cognito/internal/besteffort"
	"github.com/lambda-triggers/cognito/triggers"
)

// Event is the post confirmation event every module here receives.
type Event = triggers.PostConfirmationEvent

// Handler is a post confirmation module, or a chain of them.
type Handler = triggers.Handler[Event]

// BestEffort returns a handler that runs mods in order and keeps going when one fails:
// a module's error or panic is logged with the module's name and swallowed, because the
// user is confirmed already and one failed side effect must not hide the others. Only
// the failure of a module marked with [Critical] is returned, and it stops the run, so
// a critical module placed first is a prerequisite of the ones after it. Nil modules are
// skipped; the sequence is composed once, here. Unlike [triggers.Chain], which stops at
// the first error of any module, it stops only at a critical one.
func BestEffort(mods ...Handler) Handler {
	return besteffort.Sequence(failureMessage, mods)
}

// Parallel returns a handler that runs mods concurrently and waits for all of them, with
// the same best-effort rule as [BestEffort]: a failure or panic is logged with the module's
// name and swallowed, and the failures of [Critical] modules are returned together.
// It is for modules that only do independent I/O, such as [AddToGroup], [CreateProfile]
// and [WelcomeEmail]: the trigger then takes as long as the slowest of them instead of
// the sum. See [triggers.Parallel].
func Parallel(mods ...Handler) Handler {
	return besteffort.Parallel(failureMessage, mods)
}

// failureMessage is the message of the log line a swallowed failure is reported with.
const failureMessage = "post confirmation module failed"

// Critical marks m as a module whose failure must fail the trigger: its error, or its
// panic, is returned wrapped in [triggers.MarkCritical], and [BestEffort], [Parallel] and the
// router pass it on, so Cognito reports the failure to the client and may deliver the
// event again. Use it for a side effect the application cannot run without, and make
// sure that side effect is idempotent. A nil m stays nil.
func Critical(m Handler) Handler { return besteffort.Critical(m) }

// Named gives m a name that [BestEffort] and [Parallel] log its failures under, and that
// [ModuleError] carries. Modules of this package are named already ("AddToGroup",
// "WelcomeEmail"...); without a name, a module is logged under its Go function name.
// The name is also the module's name for the router's metrics and for tracing (see
// [triggers.Named]).
func Named(name string, m Handler) Handler { return besteffort.Named(name, m) }

// ModuleError is a module's failure together with the module's name (its Module field),
// so that a log line or an [errors.As] caller can tell which side effect failed. It is
// the same type as postauth.ModuleError.
type ModuleError = besteffort.ModuleError

// signUpOnly is the default of every Sources field here: a module acts on a sign-up's
// confirmation, never on a password reset, unless its config says otherwise.
var signUpOnly = triggers.Sources{triggers.PostConfirmationConfirmSignUp}
