package triggers

import (
	"errors"
	"fmt"
)

// DefaultErrorMessage is what the end user sees when a module fails for a reason that is
// not a deliberate rejection. Cognito shows it as "<Trigger> failed with error <text>.",
// so it carries no internals and ends without a period.
const DefaultErrorMessage = "The request could not be completed, please try again later"

// Rejected is a deliberate, user-facing denial. Its Message is returned to Cognito as
// is and shown to the end user as "<Trigger> failed with error <Message>."; Cause, when
// set, is logged for operators and never shown. The type is named for the errorType
// Lambda reports: the router reports a rejection as [ErrorTypeRejected], and a chain run
// inside a plain aws-lambda-go handler, which names errors after their type, does too
// when the handler returns the rejection itself (not wrapped).
type Rejected struct {
	Message string
	Cause   error
}

// RejectError is the former name of [Rejected].
//
// Deprecated: use Rejected, whose name aws-lambda-go reports as the errorType.
type RejectError = Rejected

// Reject returns a [*Rejected] whose message the end user sees.
func Reject(message string) error { return &Rejected{Message: message} }

// Rejectf is [Reject] with a formatted message.
func Rejectf(format string, args ...any) error {
	return &Rejected{Message: fmt.Sprintf(format, args...)}
}

func (r *Rejected) Error() string { return r.Message }

// Unwrap returns the cause, so that errors.Is and errors.As see it.
func (r *Rejected) Unwrap() error { return r.Cause }

// AsRejection returns the first [*Rejected] in err's tree, if any.
func AsRejection(err error) (*Rejected, bool) {
	var r *Rejected
	ok := errors.As(err, &r)
	return r, ok
}

// ErrCritical marks a post confirmation failure that must be returned to Cognito.
// Post confirmation runs after the user is confirmed, so by default its failures are
// logged and the trigger succeeds; an error that wraps ErrCritical (see [MarkCritical])
// fails the trigger instead. postauth's best-effort chains follow the same rule for
// post authentication.
var ErrCritical = errors.New("critical")

// MarkCritical wraps err so that it fails a post confirmation trigger: what a module
// returns for a failure the application cannot go on without. postconfirm.Critical(m)
// does it for every error of a module. It returns nil for a nil err.
func MarkCritical(err error) error {
	if err == nil {
		return nil
	}
	return &criticalError{err}
}

// Critical is the former name of [MarkCritical].
//
// Deprecated: use MarkCritical; Critical is postconfirm's name for a module whose every
// failure is critical.
func Critical(err error) error { return MarkCritical(err) }

type criticalError struct{ err error }

func (c *criticalError) Error() string   { return c.err.Error() }
func (c *criticalError) Unwrap() []error { return []error{c.err, ErrCritical} }

// DecodeError reports an event that could not be decoded: malformed JSON, a field of the
// wrong shape, or a missing or unknown triggerSource. Its text names what is wrong and
// never includes field values.
type DecodeError struct {
	Trigger Trigger // "" when the trigger could not be told
	Reason  string
}

func (d *DecodeError) Error() string { return "invalid event: " + d.Reason }

// joinErrors is errors.Join that keeps a single error as itself.
func joinErrors(errs []error) error {
	var first error
	n := 0
	for _, err := range errs {
		if err != nil {
			if n == 0 {
				first = err
			}
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return first
	}
	return errors.Join(errs...)
}
