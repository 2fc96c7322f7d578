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

// InvitationConfig configures [MarkInvitationUsed].
type InvitationConfig struct {
	// Client is the DynamoDB client. Nil: the process-wide client, created on first use,
	// whose role needs dynamodb:GetItem and UpdateItem on the table.
	Client InvitationClient

	// Table is the name of the invitation table presignup.RequireInvitation reads.
	// Required.
	Table string

	// CodeKey is the client metadata key that holds the invitation code. Empty:
	// [DefaultInvitationCodeKey].
	CodeKey string

	// Now is the clock of the usedAt timestamp. Nil: time.Now.
	Now func() time.Time
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
// The code is read from the event's client metadata under [InvitationConfig.CodeKey]: pass it to ConfirmSignUp (or AdminConfirmSignUp) as
// ClientMetadata, or to SignUp when a pre sign-up module confirms the user
// automatically; Cognito hands that metadata to this trigger. Without it the module
// fails with [ErrNoInvitationCode]. The code appears in no error and no log line.
//
// It acts on PostConfirmation_ConfirmSignUp only. Like every module here it is
// best-effort inside [BestEffort]: its failures are logged and the user stays confirmed;
// wrap it in [Critical] to fail the confirmation instead. An empty table name or a
// blank code key is reported here.
func MarkInvitationUsed(cfg InvitationConfig) (Handler, error) {
	switch {
	case strings.TrimSpace(cfg.Table) == "":
		return nil, errors.New("postconfirm.MarkInvitationUsed: Table is empty")
	case cfg.CodeKey == "":
		cfg.CodeKey = DefaultInvitationCodeKey
	case strings.TrimSpace(cfg.CodeKey) == "":
		return nil, errors.New("postconfirm.MarkInvitationUsed: CodeKey is blank")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	table, key, now := cfg.Table, cfg.CodeKey, cfg.Now
	lc := awsclient.NewLazy(cfg.Client, func(ctx context.Context) (InvitationClient, error) { return lazydynamodb.Default(ctx) })
	return Named("MarkInvitationUsed", func(ctx context.Context, e *Event) error {
		if e.TriggerSource != triggers.PostConfirmationConfirmSignUp {
			return nil
		}
		code := strings.TrimSpace(e.Request.ClientMetadata[key])
		if code == "" {
			return fmt.Errorf("user %q: %w under key %q", e.UserName, ErrNoInvitationCode, key)
		}
		c, err := lc.Get(ctx)
		if err != nil {
			return err
		}
		err = invitation.MarkUsed(ctx, c, table, code, e.Request.UserAttributes["email"], e.UserName, now())
		if err != nil {
			return fmt.Errorf("mark invitation used by %q: %w", e.UserName, err)
		}
		return nil
	}), nil
}
