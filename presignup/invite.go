package presignup

import (
	"cmp"
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

// InvitationClient is the part of the DynamoDB API that [RequireInvitation] calls.
// *dynamodb.Client satisfies it.
type InvitationClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DefaultCodeKey is the client metadata or validation data key [RequireInvitation]
// reads the invitation code from, unless InvitationConfig.CodeKey says otherwise.
const DefaultCodeKey = "invitationCode"

// InvitationConfig configures [RequireInvitation].
type InvitationConfig struct {
	// Client reads the table; nil means the process-wide DynamoDB client.
	Client InvitationClient
	// Table is the DynamoDB table of invitations. Required.
	Table string
	// CodeKey is the client metadata or validation data key that holds the invitation
	// code; empty means [DefaultCodeKey].
	CodeKey string
	// Messages are the texts a user sees when turned away; a field left empty keeps its
	// text from [DefaultInvitationMessages].
	Messages InvitationMessages
	// Sources are the trigger sources the module acts on; empty means
	// PreSignUp_SignUp.
	Sources triggers.Sources
	// Now is the clock invitations expire by; nil means time.Now.
	Now func() time.Time
}

// InvitationMessages are the texts a user sees when [RequireInvitation] turns them
// away, one per reason.
//
// Telling "not found" from "different email address" confirms to a caller that a code
// exists. Codes long and random enough cannot be guessed, so that does little harm;
// give both the same text to reveal nothing.
type InvitationMessages struct {
	Missing    string // no code in the request
	NotFound   string // no invitation has the code
	WrongEmail string // the invitation is for another address
	Used       string // another user has used the invitation
	Expired    string // the invitation is past its expiresAt
}

// DefaultInvitationMessages are the texts [RequireInvitation] rejects with by default.
var DefaultInvitationMessages = InvitationMessages{
	Missing:    "An invitation code is required to sign up",
	NotFound:   "Invalid invitation code",
	WrongEmail: "This invitation code was issued for a different email address",
	Used:       "This invitation code has already been used",
	Expired:    "This invitation code has expired",
}

// RequireInvitation lets a user sign up only with an invitation code from the DynamoDB
// table: the code must exist, have been issued to the user's email address (compared
// without regard to case), be unused and be unexpired. Each failure rejects the sign-up
// with its own text (see [InvitationMessages]). The code is read from the client
// metadata, or else the validation data, under CodeKey ([DefaultCodeKey] by default),
// and surrounding space is ignored. It appears in no log line and no error.
//
// The table has one item per invitation, with partition key code (S) and attributes
// email (S), expiresAt (N, Unix seconds, optional), and usedAt (N) and usedBy (S), which
// postconfirm.MarkInvitationUsed sets once the user confirms. This module only reads,
// with a strongly consistent GetItem, so a retried event gets the same answer. Two
// people signing up with one code at the same moment both pass here; MarkInvitationUsed
// lets exactly one of them use it.
//
// It acts on PreSignUp_SignUp: an administrator needs no invitation, and a federated
// sign-up carries no client metadata to hold one. An empty Table or a blank CodeKey is
// reported here.
func RequireInvitation(cfg InvitationConfig) (Handler, error) {
	const name = "presignup.RequireInvitation"
	src, err := resolveSources(name, cfg.Sources, signUpOnly)
	if err != nil {
		return nil, err
	}
	table := cfg.Table
	switch {
	case strings.TrimSpace(table) == "":
		return nil, errors.New(name + ": Table is empty")
	case cfg.CodeKey != "" && strings.TrimSpace(cfg.CodeKey) == "":
		return nil, errors.New(name + ": CodeKey is blank")
	}
	key := cmp.Or(cfg.CodeKey, DefaultCodeKey)
	msgs := InvitationMessages{
		Missing:    cmp.Or(cfg.Messages.Missing, DefaultInvitationMessages.Missing),
		NotFound:   cmp.Or(cfg.Messages.NotFound, DefaultInvitationMessages.NotFound),
		WrongEmail: cmp.Or(cfg.Messages.WrongEmail, DefaultInvitationMessages.WrongEmail),
		Used:       cmp.Or(cfg.Messages.Used, DefaultInvitationMessages.Used),
		Expired:    cmp.Or(cfg.Messages.Expired, DefaultInvitationMessages.Expired),
	}
	clock := now(cfg.Now)
	client := cfg.Client
	lc := awsclient.NewLazy(client, func(ctx context.Context) (InvitationClient, error) { return lazydynamodb.Default(ctx) })
	return triggers.Named("RequireInvitation", func(ctx context.Context, e *Event) error {
		if !src.Has(e.TriggerSource) {
			return nil
		}
		code := metadata(e, key)
		if code == "" {
			return triggers.Reject(msgs.Missing)
		}
		c, err := lc.Get(ctx)
		if err != nil {
			return fmt.Errorf("presignup.RequireInvitation: %w", err)
		}
		inv, err := invitation.Get(ctx, c, table, code)
		if err == nil {
			err = inv.Check(e.Request.UserAttributes["email"], clock())
		}
		var msg string
		switch {
		case err == nil:
			return nil
		case errors.Is(err, invitation.ErrNotFound):
			msg = msgs.NotFound
		case errors.Is(err, invitation.ErrWrongEmail):
			msg = msgs.WrongEmail
		case errors.Is(err, invitation.ErrUsed):
			msg = msgs.Used
		case errors.Is(err, invitation.ErrExpired):
			msg = msgs.Expired
		default:
			return fmt.Errorf("presignup.RequireInvitation: %w", err)
		}
		return &triggers.Rejected{Message: msg, Cause: err}
	}), nil
}
