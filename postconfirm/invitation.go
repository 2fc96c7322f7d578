package postconfirm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazydynamodb"
	"github.com/lambda-triggers/cognito/internal/invitation"
	"github.com/lambda-triggers/cognito/triggers"
)

// InvitationClient is the part of the DynamoDB API that [MarkInvitationUsed] calls.
// *dynamodb.Client satisfies it.
type InvitationClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// DefaultInvitationCodeKey is the client metadata key [MarkInvitationUsed] reads the
// invitation code from, the same default as presignup.RequireInvitation's.
const DefaultInvitationCodeKey = "invitationCode"

// Reasons [MarkInvitationUsed] fails, for callers that wrap it and act on them (for
// example, disable a user who lost the race for an invitation).
var (
	// ErrInvitationUsed: another user has used the invitation, typically because two
	// people signed up with one code and the other confirmed first.
	ErrInvitationUsed = invitation.ErrUsed
	// ErrInvitationNotFound: no invitation has the code.
	ErrInvitationNotFound = invitation.ErrNotFound
	// ErrInvitationWrongEmail: the invitation was issued to another address.
	ErrInvitationWrongEmail = invitation.ErrWrongEmail
	// ErrNoInvitationCode: the event's client metadata holds no code.
	ErrNoInvitationCode = errors.New("no invitation code in client metadata")
)

// InvitationOption configures [MarkInvitationUsed]. [InvitationCodeKey] and
// [InvitationClock] are invitation options.
type InvitationOption interface{ applyInvitation(*invitationConfig) error }

type invitationConfig struct {
	key string
	now func() time.Time
}

// InvitationCodeKey is an option naming the client metadata key that holds the
// invitation code; the default is [DefaultInvitationCodeKey].
type InvitationCodeKey string

func (k InvitationCodeKey) applyInvitation(c *invitationConfig) error {
	if strings.TrimSpace(string(k)) == "" {
		return errors.New("InvitationCodeKey: empty key")
	}
	c.key = string(k)
	return nil
}

// InvitationClock is an option that replaces time.Now for the usedAt timestamp.
type InvitationClock func() time.Time

func (f InvitationClock) applyInvitation(c *invitationConfig) error {
	if f == nil {
		return errors.New("InvitationClock: nil function")
	}
	c.now = f
	return nil
}

// MarkInvitationUsed records that the confirmed user used their invitation, by setting
// usedAt and usedBy on the invitation item that presignup.RequireInvitation checked at
// sign-up (table: partition key code (S); email (S), expiresAt (N), usedAt (N),
// usedBy (S)). From then on RequireInvitation turns the code away.
//
// The write is conditional, so an invitation is used once even when two people signed
// up with the same code and confirm at the same moment: one confirmation wins and the
// other fails with [ErrInvitationUsed] without touching usedBy. The same user's event
// delivered again finds usedBy naming them and succeeds without writing. The confirmed
// user's email address must be the one the invitation was issued to
// ([ErrInvitationWrongEmail]), so that a client cannot spend someone else's code by
// naming it at confirmation.
//
// The code is read from the event's client metadata under [DefaultInvitationCodeKey]
// or [InvitationCodeKey]: pass it to ConfirmSignUp (or AdminConfirmSignUp) as
// ClientMetadata, or to SignUp when a pre sign-up module confirms the user
// automatically; Cognito hands that metadata to this trigger. Without it the module
// fails with [ErrNoInvitationCode]. The code appears in no error and no log line.
//
// It acts on PostConfirmation_ConfirmSignUp only. Like every module here it is
// best-effort inside [Chain]: its failures are logged and the user stays confirmed;
// wrap it in [Critical] to fail the confirmation instead. client may be nil for the
// process-wide DynamoDB client. An empty table name is reported here.
func MarkInvitationUsed(client InvitationClient, table string, opts ...InvitationOption) (Handler, error) {
	cfg := invitationConfig{key: DefaultInvitationCodeKey, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyInvitation(&cfg); err != nil {
			return nil, fmt.Errorf("postconfirm.MarkInvitationUsed: %w", err)
		}
	}
	if strings.TrimSpace(table) == "" {
		return nil, errors.New("postconfirm.MarkInvitationUsed: no table name")
	}
	lc := awsclient.NewLazy(client, func(ctx context.Context) (InvitationClient, error) { return lazydynamodb.Default(ctx) })
	return Named("MarkInvitationUsed", func(ctx context.Context, e *Event) error {
		if e.TriggerSource != triggers.PostConfirmationConfirmSignUp {
			return nil
		}
		code := strings.TrimSpace(e.Request.ClientMetadata[cfg.key])
		if code == "" {
			return fmt.Errorf("user %q: %w under key %q", e.UserName, ErrNoInvitationCode, cfg.key)
		}
		c, err := lc.Get(ctx)
		if err != nil {
			return err
		}
		err = invitation.MarkUsed(ctx, c, table, code, e.Request.UserAttributes["email"], e.UserName, cfg.now())
		if err != nil {
			return fmt.Errorf("mark invitation used by %q: %w", e.UserName, err)
		}
		return nil
	}), nil
}
