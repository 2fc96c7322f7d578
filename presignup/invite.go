package presignup

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

// InvitationClient is the part of the DynamoDB API that [RequireInvitation] calls.
// *dynamodb.Client satisfies it.
type InvitationClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// DefaultCodeKey is the client metadata or validation data key [RequireInvitation]
// reads the invitation code from, unless [CodeKey] says otherwise.
const DefaultCodeKey = "invitationCode"

// InvitationOption configures [RequireInvitation]. [Sources], [CodeKey],
// [InvitationMessages] and [Clock] are invitation options.
type InvitationOption interface{ applyInvitation(*invitationConfig) error }

type invitationConfig struct {
	sources  sources
	key      string
	messages InvitationMessages
	now      func() time.Time
}

func (o SourcesOption) applyInvitation(c *invitationConfig) (err error) {
	c.sources, err = o.validate()
	return err
}

func (c Clock) applyInvitation(cfg *invitationConfig) (err error) {
	cfg.now, err = c.validate()
	return err
}

// CodeKey is an option naming the client metadata or validation data key that holds
// the invitation code. The default is [DefaultCodeKey].
type CodeKey string

func (k CodeKey) applyInvitation(c *invitationConfig) error {
	if strings.TrimSpace(string(k)) == "" {
		return errors.New("CodeKey: empty key")
	}
	c.key = string(k)
	return nil
}

// InvitationMessages is an option holding the texts a user sees when
// [RequireInvitation] turns them away, one per reason. A field left empty keeps its
// default from [DefaultInvitationMessages].
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

func (m InvitationMessages) applyInvitation(c *invitationConfig) error {
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.messages.Missing, m.Missing}, {&c.messages.NotFound, m.NotFound},
		{&c.messages.WrongEmail, m.WrongEmail}, {&c.messages.Used, m.Used},
		{&c.messages.Expired, m.Expired},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	return nil
}

// RequireInvitation lets a user sign up only with an invitation code from the DynamoDB
// table: the code must exist, have been issued to the user's email address (compared
// without regard to case), be unused and be unexpired. Each failure rejects the sign-up
// with its own text (see [InvitationMessages]). The code is read from the client
// metadata, or else the validation data, under [DefaultCodeKey] or [CodeKey], and
// surrounding space is ignored. It appears in no log line and no error.
//
// The table has one item per invitation, with partition key code (S) and attributes
// email (S), expiresAt (N, Unix seconds, optional), and usedAt (N) and usedBy (S), which
// postconfirm.MarkInvitationUsed sets once the user confirms. This module only reads,
// with a strongly consistent GetItem, so a retried event gets the same answer. Two
// people signing up with one code at the same moment both pass here; MarkInvitationUsed
// lets exactly one of them use it.
//
// It acts on PreSignUp_SignUp: an administrator needs no invitation, and a federated
// sign-up carries no client metadata to hold one. client may be nil for the
// process-wide DynamoDB client. An empty table name is reported here.
func RequireInvitation(client InvitationClient, table string, opts ...InvitationOption) (Handler, error) {
	cfg := invitationConfig{sources: signUpOnly, key: DefaultCodeKey,
		messages: DefaultInvitationMessages, now: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyInvitation(&cfg); err != nil {
			return nil, fmt.Errorf("presignup.RequireInvitation: %w", err)
		}
	}
	if strings.TrimSpace(table) == "" {
		return nil, errors.New("presignup.RequireInvitation: no table name")
	}
	lc := awsclient.NewLazy(client, func(ctx context.Context) (InvitationClient, error) { return lazydynamodb.Default(ctx) })
	return triggers.Named("RequireInvitation", func(ctx context.Context, e *Event) error {
		if !cfg.sources.has(e.TriggerSource) {
			return nil
		}
		code := metadata(e, cfg.key)
		if code == "" {
			return triggers.Reject(cfg.messages.Missing)
		}
		c, err := lc.Get(ctx)
		if err != nil {
			return fmt.Errorf("presignup.RequireInvitation: %w", err)
		}
		inv, err := invitation.Get(ctx, c, table, code)
		if err == nil {
			err = inv.Check(e.Request.UserAttributes["email"], cfg.now())
		}
		var msg string
		switch {
		case err == nil:
			return nil
		case errors.Is(err, invitation.ErrNotFound):
			msg = cfg.messages.NotFound
		case errors.Is(err, invitation.ErrWrongEmail):
			msg = cfg.messages.WrongEmail
		case errors.Is(err, invitation.ErrUsed):
			msg = cfg.messages.Used
		case errors.Is(err, invitation.ErrExpired):
			msg = cfg.messages.Expired
		default:
			return fmt.Errorf("presignup.RequireInvitation: %w", err)
		}
		return &triggers.Rejected{Message: msg, Cause: err}
	}), nil
}
