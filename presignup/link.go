package presignup

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
	"github.com/lambda-triggers/cognito/triggers"
)

// LinkClient is the part of the Cognito user pools API that [LinkFederatedUser] calls.
// *cognitoidentityprovider.Client satisfies it.
type LinkClient interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
}

// LinkConfig configures [LinkFederatedUser].
type LinkConfig struct {
	// Client looks users up and links them; nil means the process-wide Cognito client.
	Client LinkClient
	// Providers links users of the named identity providers only, spelled exactly as
	// they are named in the user pool ("Google", "MyOktaSAML"); empty means any
	// provider. Use it to leave out a provider that does not verify email addresses: a
	// link gives whoever controls the provider account access to the native user's.
	Providers []string
	// RefuseAfterFederated makes the module act on PreSignUp_SignUp too, for the other
	// order of events: a user signed in with an identity provider first and now signs
	// up with a password, using the same email address. Cognito cannot link in that
	// direction: AdminLinkProviderForUser links only a provider identity that has not
	// signed in yet, and the native user does not exist until the sign-up succeeds. So
	// the sign-up is refused with FederatedMessage, telling the user to sign in with
	// the provider instead.
	//
	// The federated user is found with ListUsers by email, as for linking (quotes and
	// backslashes escaped): a user in status EXTERNAL_PROVIDER, enabled, whose
	// email_verified is not false, of a provider that the module would link (Providers
	// restricts it). The text tells whoever types the address that it belongs to a user
	// of that provider. To merge the two anyway, an administrator can delete the
	// federated user and, once the native user exists, link the provider identity to
	// it; that federated user's sub, groups and attributes are lost.
	RefuseAfterFederated bool
	// FederatedMessage is the text RefuseAfterFederated refuses with; "{provider}" in
	// it becomes the provider's name as the pool names it. Empty means
	// [DefaultFederatedEmailMessage]. Set only with RefuseAfterFederated.
	FederatedMessage string
	// RefuseLinkingSignIn refuses the federated sign-in that the module just linked,
	// with LinkedMessage. Cognito fails that first sign-in anyway, after the trigger has
	// linked the identity, with an error such as "Already found an entry for username
	// Google_1234"; with this set the user sees a text that says what happened, and the
	// app's redirect handler a text it can recognise. Either way the next sign-in with
	// the provider opens the existing account: have the app start the sign-in again
	// once (see the README), since no trigger can turn the failed attempt into a
	// success.
	RefuseLinkingSignIn bool
	// LinkedMessage is the text RefuseLinkingSignIn refuses with; empty means
	// [DefaultLinkedMessage]. Set only with RefuseLinkingSignIn.
	LinkedMessage string
}

// DefaultFederatedEmailMessage is the text LinkConfig.RefuseAfterFederated refuses a
// native sign-up with, "{provider}" replaced by the identity provider's name.
const DefaultFederatedEmailMessage = "This email address already signs in with {provider}. Please sign in with {provider}"

// DefaultLinkedMessage is the text LinkConfig.RefuseLinkingSignIn refuses the linking
// sign-in with by default.
const DefaultLinkedMessage = "Your sign-in is now linked to your existing account. Please sign in again"

// builtinProviders are the provider names Cognito gives social identity providers.
var builtinProviders = []string{"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"}

// LinkFederatedUser links a first-time federated user to the native user who already
// has the same, verified, email address, so that signing in with the identity provider
// opens the existing account instead of creating a second one.
//
// It acts on PreSignUp_ExternalProvider, and on PreSignUp_SignUp with
// RefuseAfterFederated; it has no Sources field, since what it does depends on the
// source. Cognito names the new user "<ProviderName>_<subject>" ("Google_1234"; pools
// also send "google_1234"): the provider is recognised without regard to case, among
// the social providers' names and those in Providers, and spelled as the pool names it;
// another prefix is taken up to the first underscore. The native user is found with
// ListUsers (filter email = "<address>"): a user whose status is not EXTERNAL_PROVIDER,
// who is enabled and whose email_verified is true. It then calls
// AdminLinkProviderForUser with the native user as destination and the provider's
// Cognito_Subject as source.
//
// No link is made, and the sign-up goes on as a separate user, when the userName does
// not parse, the event has no email, the identity provider reports email_verified
// false, the address cannot be put in a ListUsers filter, no native user or more than
// one matches, or the provider is not one of Providers. A native user whose identities
// attribute already holds the provider's subject counts as linked, which makes a
// delivered-again event a no-op; an AdminLinkProviderForUser error is re-checked the
// same way, so a link that a concurrent delivery just made is success. With
// RefuseLinkingSignIn, that success, and a delivery of the same event again, answer
// with LinkedMessage instead, since Cognito fails that sign-in anyway. Any other
// failure fails the sign-up with the generic error: a retried sign-in can still link,
// while a separate user, once created, blocks linking for good.
//
// The function's role needs cognito-idp:ListUsers and
// cognito-idp:AdminLinkProviderForUser. A blank or padded provider name, and a message
// without the setting that uses it, are reported here.
func LinkFederatedUser(cfg LinkConfig) (Handler, error) {
	const name = "presignup.LinkFederatedUser"
	for _, p := range cfg.Providers {
		if strings.TrimSpace(p) == "" || strings.TrimSpace(p) != p {
			return nil, fmt.Errorf("%s: Providers: invalid provider name %q", name, p)
		}
	}
	switch {
	case cfg.FederatedMessage != "" && !cfg.RefuseAfterFederated:
		return nil, errors.New(name + ": FederatedMessage is set but RefuseAfterFederated is not")
	case cfg.LinkedMessage != "" && !cfg.RefuseLinkingSignIn:
		return nil, errors.New(name + ": LinkedMessage is set but RefuseLinkingSignIn is not")
	}
	l := &linker{
		providers:            slices.Clone(cfg.Providers),
		restricted:           len(cfg.Providers) > 0,
		refuseAfterFederated: cfg.RefuseAfterFederated,
		client:               awsclient.NewLazy(cfg.Client, func(ctx context.Context) (LinkClient, error) { return lazycognito.Default(ctx) }),
	}
	if l.refuseAfterFederated {
		l.nativeMessage = cmp.Or(cfg.FederatedMessage, DefaultFederatedEmailMessage)
	}
	if cfg.RefuseLinkingSignIn {
		l.linkedMessage = cmp.Or(cfg.LinkedMessage, DefaultLinkedMessage)
	}
	if !l.restricted {
		l.providers = slices.Clone(builtinProviders)
	}
	slices.SortStableFunc(l.providers, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return triggers.Named("LinkFederatedUser", l.handle), nil
}

type linker struct {
	providers            []string // spellings to recognise, longest first
	restricted           bool     // only providers are linked
	refuseAfterFederated bool     // refuse a native sign-up after a federated one
	nativeMessage        string
	linkedMessage        string // refuse the sign-in that made a link, when set
	client               *awsclient.Lazy[LinkClient]
}

// parseUserName splits "<ProviderName>_<subject>".
func (l *linker) parseUserName(userName string) (provider, subject string, ok bool) {
	for _, p := range l.providers {
		if len(userName) > len(p)+1 && strings.EqualFold(userName[:len(p)], p) && userName[len(p)] == '_' {
			return p, userName[len(p)+1:], true
		}
	}
	if l.restricted {
		return "", "", false
	}
	provider, subject, ok = strings.Cut(userName, "_")
	return provider, subject, ok && provider != "" && subject != ""
}

func (l *linker) handle(ctx context.Context, e *Event) error {
	switch {
	case e.TriggerSource == ExternalProvider:
		return l.link(ctx, e)
	case e.TriggerSource == SignUp && l.refuseAfterFederated:
		return l.refuseNative(ctx, e)
	}
	return nil
}

// done is the answer to a federated sign-in whose identity is linked now.
func (l *linker) done() error {
	if l.linkedMessage != "" {
		return triggers.Reject(l.linkedMessage)
	}
	return nil
}

func (l *linker) link(ctx context.Context, e *Event) error {
	log := triggers.Logger(ctx)
	provider, subject, ok := l.parseUserName(e.UserName)
	if !ok {
		log.LogAttrs(ctx, slog.LevelDebug, "not linking: userName names no linkable provider",
			slog.String("module", "LinkFederatedUser"), slog.String("userName", e.UserName))
		return nil
	}
	email := strings.TrimSpace(e.Request.UserAttributes["email"])
	if email == "" || strings.EqualFold(strings.TrimSpace(e.Request.UserAttributes["email_verified"]), "false") ||
		strings.ContainsFunc(email, func(r rune) bool { return r == '"' || r == '\\' || r < ' ' || r == 0x7f }) {
		log.LogAttrs(ctx, slog.LevelDebug, "not linking: no verified, filterable email address",
			slog.String("module", "LinkFederatedUser"), slog.String("userName", e.UserName))
		return nil
	}
	client, err := l.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("presignup.LinkFederatedUser: %w", err)
	}
	target, linked, err := findNativeUser(ctx, client, e.UserPoolID, email, provider, subject)
	switch {
	case err != nil:
		return err
	case target == "":
		return nil
	case linked:
		return l.done()
	}
	_, err = client.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(e.UserPoolID),
		DestinationUser: &ciptypes.ProviderUserIdentifierType{
			ProviderName:           aws.String("Cognito"),
			ProviderAttributeValue: aws.String(target),
		},
		SourceUser: &ciptypes.ProviderUserIdentifierType{
			ProviderName:           aws.String(provider),
			ProviderAttributeName:  aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String(subject),
		},
	})
	if err != nil {
		var invalid *ciptypes.InvalidParameterException
		var alias *ciptypes.AliasExistsException
		if errors.As(err, &invalid) || errors.As(err, &alias) {
			// Cognito words "already linked" in several ways; the user's identities
			// attribute says it plainly.
			if _, linked, rerr := findNativeUser(ctx, client, e.UserPoolID, email, provider, subject); rerr == nil && linked {
				return l.done()
			}
		}
		return fmt.Errorf("presignup.LinkFederatedUser: link %s user %q to %q: %w", provider, e.UserName, target, err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "linked federated user",
		slog.String("module", "LinkFederatedUser"), slog.String("userName", e.UserName),
		slog.String("provider", provider), slog.String("destination", target))
	return l.done()
}

// refuseNative refuses a native sign-up whose email address belongs to a federated user
// of a linkable provider.
func (l *linker) refuseNative(ctx context.Context, e *Event) error {
	email := strings.TrimSpace(e.Request.UserAttributes["email"])
	if _, ok := emailFilter(email); email == "" || !ok {
		return nil
	}
	client, err := l.client.Get(ctx)
	if err != nil {
		return fmt.Errorf("presignup.LinkFederatedUser: %w", err)
	}
	var provider, holder string
	err = listUsersByEmail(ctx, client, e.UserPoolID, email, func(u ciptypes.UserType) bool {
		if u.UserStatus != ciptypes.UserStatusTypeExternalProvider || !u.Enabled ||
			strings.EqualFold(attributeMap(u.Attributes)["email_verified"], "false") {
			return false
		}
		p, _, ok := l.parseUserName(aws.ToString(u.Username))
		if ok {
			provider, holder = p, aws.ToString(u.Username)
		}
		return ok
	})
	if err != nil {
		return fmt.Errorf("presignup.LinkFederatedUser: %w", err)
	}
	if provider == "" {
		return nil
	}
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-up refused: email address belongs to a federated user",
		slog.String("module", "LinkFederatedUser"), slog.String("userName", e.UserName),
		slog.String("provider", provider), slog.String("holder", holder))
	return triggers.Reject(strings.ReplaceAll(l.nativeMessage, "{provider}", provider))
}

// findNativeUser returns the user name of the one enabled, non-federated user with a
// verified email equal to email, and whether that user is linked to provider and
// subject already. It returns "" when there is no such user, or more than one.
func findNativeUser(ctx context.Context, client LinkClient, pool, email, provider, subject string) (string, bool, error) {
	candidates := []string{email}
	if lower := strings.ToLower(email); lower != email {
		// Addresses are stored as typed, and the filter compares exactly.
		candidates = append(candidates, lower)
	}
	for _, addr := range candidates {
		out, err := client.ListUsers(ctx, &cip.ListUsersInput{
			UserPoolId: aws.String(pool),
			Filter:     aws.String(`email = "` + addr + `"`),
		})
		if err != nil {
			return "", false, fmt.Errorf("presignup.LinkFederatedUser: list users by email: %w", err)
		}
		var matches []ciptypes.UserType
		for _, u := range out.Users {
			if u.UserStatus == ciptypes.UserStatusTypeExternalProvider || !u.Enabled {
				continue
			}
			attrs := attributeMap(u.Attributes)
			if strings.EqualFold(attrs["email_verified"], "true") && strings.EqualFold(attrs["email"], email) {
				matches = append(matches, u)
			}
		}
		switch len(matches) {
		case 0:
			continue
		case 1:
			u := matches[0]
			return aws.ToString(u.Username), hasIdentity(attributeMap(u.Attributes)["identities"], provider, subject), nil
		default:
			triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "not linking: several native users have the email address",
				slog.String("module", "LinkFederatedUser"), slog.Int("users", len(matches)))
			return "", false, nil
		}
	}
	return "", false, nil
}

func attributeMap(attrs []ciptypes.AttributeType) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// identity is one entry of the identities attribute Cognito keeps on linked users.
type identity struct {
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
}

// hasIdentity reports whether a user's identities attribute (a JSON array) holds
// provider and subject.
func hasIdentity(identities, provider, subject string) bool {
	if identities == "" {
		return false
	}
	var list []identity
	if json.Unmarshal([]byte(identities), &list) != nil {
		return false
	}
	return slices.ContainsFunc(list, func(id identity) bool {
		return strings.EqualFold(id.ProviderName, provider) && id.UserID == subject
	})
}
