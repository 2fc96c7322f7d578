package presignup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
	"github.com/lambda-triggers/cognito/triggers"
)

// UniqueEmailClient is the part of the Cognito user pools API that
// [RequireUniqueEmail] calls. *cognitoidentityprovider.Client satisfies it.
type UniqueEmailClient interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
}

// UniqueEmailConfig configures [RequireUniqueEmail].
type UniqueEmailConfig struct {
	// Client looks users up; nil means the process-wide Cognito client.
	Client UniqueEmailClient
	// IgnoreUnconfirmed does not count users who never confirmed their sign-up (status
	// UNCONFIRMED), so that someone who signed up and lost the code, or whose address a
	// stranger typed, can sign up again. Cognito's own rules then decide: where the
	// email address is an alias, the user who verifies it first holds it, and the other
	// user's address stops being an alias.
	IgnoreUnconfirmed bool
	// Messages are the texts a user sees when turned away; a field left empty keeps its
	// text from [DefaultUniqueEmailMessages].
	Messages UniqueEmailMessages
	// Sources are the trigger sources the module acts on; empty means
	// PreSignUp_SignUp.
	Sources triggers.Sources
}

// UniqueEmailMessages are the texts a user sees when [RequireUniqueEmail] turns them
// away.
type UniqueEmailMessages struct {
	Taken   string // another user has the email address
	Invalid string // the address cannot be looked up (control characters in it)
}

// DefaultUniqueEmailMessages are the texts [RequireUniqueEmail] rejects with by default.
var DefaultUniqueEmailMessages = UniqueEmailMessages{
	Taken:   "An account with this email address already exists. Please sign in or reset your password",
	Invalid: "Please enter a valid email address",
}

// RequireUniqueEmail refuses a sign-up whose email address already belongs to a user
// of the pool, with the Taken text of [UniqueEmailMessages]. Cognito keeps user names
// unique, and email addresses only where they are aliases, and even then lets a second
// user sign up with the address; this module stops the second account from being
// created at all.
//
// Users are found with ListUsers (filter email = "<address>", with quotes and
// backslashes in the address escaped), with the address as typed and, when that
// differs, in lower case, since the filter compares exactly. Every user counts, enabled
// or not, native or federated, unless IgnoreUnconfirmed leaves out those who never
// confirmed. A sign-up without an email attribute passes; one whose address holds
// control characters cannot be looked up and is refused with the Invalid text. A failed
// lookup fails the sign-up with the generic error.
//
// The Taken text tells whoever types an address that it has an account. That is what
// Cognito's own sign-up says of a taken user name, and it is why pools that hide user
// existence at sign-in (PreventUserExistenceErrors) still cannot hide it at sign-up
// when the email address is the user name. Where even that must stay hidden, do not
// use this module: let the sign-up through and have Cognito's alias rules keep the
// address with its first, verified owner.
//
// It acts on PreSignUp_SignUp unless Sources says otherwise. Adding
// PreSignUp_ExternalProvider refuses a first federated sign-in whose address a user
// has: put [LinkFederatedUser] before it to link such users instead, since a linked
// user's sign-in does not come back to this trigger. The function's role needs
// cognito-idp:ListUsers.
func RequireUniqueEmail(cfg UniqueEmailConfig) (Handler, error) {
	src, err := resolveSources("presignup.RequireUniqueEmail", cfg.Sources, signUpOnly)
	if err != nil {
		return nil, err
	}
	u := &uniqueEmail{sources: src, ignoreUnconfirmed: cfg.IgnoreUnconfirmed,
		messages: UniqueEmailMessages{
			Taken:   cmp.Or(cfg.Messages.Taken, DefaultUniqueEmailMessages.Taken),
			Invalid: cmp.Or(cfg.Messages.Invalid, DefaultUniqueEmailMessages.Invalid),
		},
		client: awsclient.NewLazy(cfg.Client, func(ctx context.Context) (UniqueEmailClient, error) { return lazycognito.Default(ctx) })}
	return u.handle, nil
}

type uniqueEmail struct {
	sources           triggers.Sources
	ignoreUnconfirmed bool
	messages          UniqueEmailMessages
	client            *awsclient.Lazy[UniqueEmailClient]
}

func (u *uniqueEmail) handle(ctx context.Context, e *Event) error {
	if !u.sources.Has(e.TriggerSource) {
		return nil
	}
	email := strings.TrimSpace(e.Request.UserAttributes["email"])
	if email == "" {
		return nil
	}
	if _, ok := emailFilter(email); !ok {
		return triggers.Reject(u.messages.Invalid)
	}
	client, err := u.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("presignup.RequireUniqueEmail: %w", err)
	}
	var holder *ciptypes.UserType
	err = listUsersByEmail(ctx, client, e.UserPoolID, email, func(user ciptypes.UserType) bool {
		if u.ignoreUnconfirmed && user.UserStatus == ciptypes.UserStatusTypeUnconfirmed {
			return false
		}
		holder = &user
		return true
	})
	if err != nil {
		return fmt.Errorf("presignup.RequireUniqueEmail: %w", err)
	}
	if holder == nil {
		return nil
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-up refused: email address taken",
		slog.String("module", "RequireUniqueEmail"), slog.String("userName", e.UserName),
		slog.String("holder", aws.ToString(holder.Username)), slog.String("holderStatus", string(holder.UserStatus)))
	return triggers.Reject(u.messages.Taken)
}

// emailFilter returns the ListUsers filter that finds users whose email attribute is
// addr, with backslashes and double quotes escaped; false when addr holds a control
// character, which no filter can carry.
func emailFilter(addr string) (string, bool) {
	if strings.ContainsFunc(addr, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", false
	}
	escaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(addr)
	return `email = "` + escaped + `"`, true
}

// listUsersByEmail calls match with each user whose email attribute equals email
// without regard to case, looking the address up as typed and, when it differs, in
// lower case, page by page, until match returns true.
func listUsersByEmail(ctx context.Context, client UniqueEmailClient, pool, email string, match func(ciptypes.UserType) bool) error {
	candidates := []string{email}
	if lower := strings.ToLower(email); lower != email {
		candidates = append(candidates, lower)
	}
	seen := map[string]bool{}
	for _, addr := range candidates {
		filter, ok := emailFilter(addr)
		if !ok {
			return errors.New("email address cannot be put in a filter")
		}
		var token *string
		for page := 0; ; page++ {
			out, err := client.ListUsers(ctx, &cip.ListUsersInput{
				UserPoolId: aws.String(pool), Filter: aws.String(filter), PaginationToken: token,
			})
			if err != nil {
				return fmt.Errorf("list users by email: %w", err)
			}
			for _, user := range out.Users {
				name := aws.ToString(user.Username)
				if seen[name] || !strings.EqualFold(attributeMap(user.Attributes)["email"], email) {
					continue
				}
				seen[name] = true
				if match(user) {
					return nil
				}
			}
			token = out.PaginationToken
			if aws.ToString(token) == "" || page >= maxEmailPages {
				break
			}
		}
	}
	return nil
}

// maxEmailPages bounds the pages of one lookup: an address shared by hundreds of
// unconfirmed users is an attack, not a user, and the budget is 5 seconds.
const maxEmailPages = 10
