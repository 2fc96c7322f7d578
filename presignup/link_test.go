package presignup_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
)

// fakeUserPool answers ListUsers with an exact email filter and links identities the
// way Cognito records them, in the destination user's identities attribute. Linking a
// source that is linked already fails as Cognito does, with InvalidParameterException.
type fakeUserPool struct {
	mu      sync.Mutex
	users   []ciptypes.UserType
	filters []string
	links   []*cip.AdminLinkProviderForUserInput
	listErr error
	linkErr error // returned by AdminLinkProviderForUser before anything else
	// linkMeanwhile, when set, links the source as a concurrent delivery would, then
	// fails the call.
	linkMeanwhile bool
}

type fakeUser struct {
	name, email, verified, status string
	disabled                      bool
	identities                    string
}

func newFakeUserPool(users ...fakeUser) *fakeUserPool {
	f := &fakeUserPool{}
	for _, u := range users {
		attrs := []ciptypes.AttributeType{
			{Name: aws.String("sub"), Value: aws.String("sub-" + u.name)},
			{Name: aws.String("email"), Value: aws.String(u.email)},
			{Name: aws.String("email_verified"), Value: aws.String(u.verified)},
		}
		if u.identities != "" {
			attrs = append(attrs, ciptypes.AttributeType{Name: aws.String("identities"), Value: aws.String(u.identities)})
		}
		status := ciptypes.UserStatusType(u.status)
		if status == "" {
			status = ciptypes.UserStatusTypeConfirmed
		}
		f.users = append(f.users, ciptypes.UserType{Username: aws.String(u.name), Attributes: attrs,
			Enabled: !u.disabled, UserStatus: status})
	}
	return f
}

func (f *fakeUserPool) ListUsers(ctx context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	filter := aws.ToString(in.Filter)
	f.filters = append(f.filters, filter)
	if f.listErr != nil {
		return nil, f.listErr
	}
	want, ok := strings.CutPrefix(filter, `email = "`)
	want, ok2 := strings.CutSuffix(want, `"`)
	if !ok || !ok2 {
		return nil, &ciptypes.InvalidParameterException{Message: aws.String("bad filter " + filter)}
	}
	var out []ciptypes.UserType
	for _, u := range f.users {
		if attr(u, "email") == want {
			out = append(out, u)
		}
	}
	return &cip.ListUsersOutput{Users: out}, nil
}

func attr(u ciptypes.UserType, name string) string {
	for _, a := range u.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func (f *fakeUserPool) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.links = append(f.links, in)
	if f.linkErr != nil {
		return nil, f.linkErr
	}
	src := in.SourceUser
	for i, u := range f.users {
		if aws.ToString(u.Username) != aws.ToString(in.DestinationUser.ProviderAttributeValue) {
			continue
		}
		var ids []map[string]any
		if s := attr(u, "identities"); s != "" {
			_ = json.Unmarshal([]byte(s), &ids)
		}
		for _, id := range ids {
			if id["providerName"] == aws.ToString(src.ProviderName) && id["userId"] == aws.ToString(src.ProviderAttributeValue) {
				return nil, &ciptypes.InvalidParameterException{Message: aws.String("Merging is not currently supported, provide a SourceUser which is not linked")}
			}
		}
		ids = append(ids, map[string]any{"userId": aws.ToString(src.ProviderAttributeValue),
			"providerName": aws.ToString(src.ProviderName), "providerType": aws.ToString(src.ProviderName), "primary": false})
		b, _ := json.Marshal(ids)
		attrs := slices.DeleteFunc(slices.Clone(u.Attributes), func(a ciptypes.AttributeType) bool { return aws.ToString(a.Name) == "identities" })
		f.users[i].Attributes = append(attrs, ciptypes.AttributeType{Name: aws.String("identities"), Value: aws.String(string(b))})
		if f.linkMeanwhile {
			return nil, &ciptypes.AliasExistsException{Message: aws.String("already linked")}
		}
		return &cip.AdminLinkProviderForUserOutput{}, nil
	}
	return nil, &ciptypes.UserNotFoundException{Message: aws.String("User does not exist.")}
}

func (f *fakeUserPool) Links() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, in := range f.links {
		out = append(out, aws.ToString(in.UserPoolId)+" "+
			aws.ToString(in.DestinationUser.ProviderName)+":"+aws.ToString(in.DestinationUser.ProviderAttributeValue)+" <- "+
			aws.ToString(in.SourceUser.ProviderName)+":"+aws.ToString(in.SourceUser.ProviderAttributeName)+":"+
			aws.ToString(in.SourceUser.ProviderAttributeValue))
	}
	return out
}

func (f *fakeUserPool) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.filters) + len(f.links)
}

func federated(userName string, attrs map[string]string) *presignup.Event {
	e := event(presignup.ExternalProvider, attrs)
	e.UserName = userName
	return e
}

var ada = fakeUser{name: "3f6c-ada", email: "ada@example.com", verified: "true"}

func TestLinkFederatedUser(t *testing.T) {
	t.Parallel()
	const pool = "us-east-1_TestPool"
	email := map[string]string{"email": "ada@example.com"}
	tests := []struct {
		name     string
		users    []fakeUser
		cfg      presignup.LinkConfig
		userName string
		attrs    map[string]string
		want     []string // links made
	}{
		{name: "Google", users: []fakeUser{ada}, userName: "Google_1234", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- Google:Cognito_Subject:1234"}},
		{name: "lower-case provider prefix", users: []fakeUser{ada}, userName: "google_1234", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- Google:Cognito_Subject:1234"}},
		{name: "Facebook", users: []fakeUser{ada}, userName: "facebook_10220", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- Facebook:Cognito_Subject:10220"}},
		{name: "Login with Amazon", users: []fakeUser{ada}, userName: "loginwithamazon_amzn1.account.AF3", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- LoginWithAmazon:Cognito_Subject:amzn1.account.AF3"}},
		{name: "Sign in with Apple", users: []fakeUser{ada}, userName: "SignInWithApple_001.abc_def", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- SignInWithApple:Cognito_Subject:001.abc_def"}},
		{name: "custom provider, subject with underscores", users: []fakeUser{ada}, userName: "CorpSAML_ada_lovelace", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- CorpSAML:Cognito_Subject:ada_lovelace"}},
		{name: "listed provider with underscore", users: []fakeUser{ada}, cfg: presignup.LinkConfig{Providers: []string{"Corp_OIDC"}},
			userName: "corp_oidc_abc", attrs: email,
			want: []string{pool + " Cognito:3f6c-ada <- Corp_OIDC:Cognito_Subject:abc"}},
		{name: "email case differs from the stored address", users: []fakeUser{ada}, userName: "Google_1",
			attrs: map[string]string{"email": "Ada@Example.COM"},
			want:  []string{pool + " Cognito:3f6c-ada <- Google:Cognito_Subject:1"}},
		{name: "provider email_verified true", users: []fakeUser{ada}, userName: "Google_1",
			attrs: map[string]string{"email": "ada@example.com", "email_verified": "true"},
			want:  []string{pool + " Cognito:3f6c-ada <- Google:Cognito_Subject:1"}},

		{name: "provider not listed", users: []fakeUser{ada}, cfg: presignup.LinkConfig{Providers: []string{"Google"}},
			userName: "Facebook_1", attrs: email},
		{name: "no native user", users: nil, userName: "Google_1", attrs: email},
		{name: "native email unverified", users: []fakeUser{{name: "u", email: "ada@example.com", verified: "false"}},
			userName: "Google_1", attrs: email},
		{name: "native user disabled", users: []fakeUser{{name: "u", email: "ada@example.com", verified: "true", disabled: true}},
			userName: "Google_1", attrs: email},
		{name: "only another federated user", users: []fakeUser{{name: "Facebook_9", email: "ada@example.com", verified: "true",
			status: string(ciptypes.UserStatusTypeExternalProvider)}}, userName: "Google_1", attrs: email},
		{name: "two native users", users: []fakeUser{ada, {name: "other", email: "ada@example.com", verified: "true"}},
			userName: "Google_1", attrs: email},
		{name: "already linked", users: []fakeUser{{name: "3f6c-ada", email: "ada@example.com", verified: "true",
			identities: `[{"userId":"1234","providerName":"Google","providerType":"Google","primary":false}]`}},
			userName: "Google_1234", attrs: email},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pool := newFakeUserPool(tt.users...)
			cfg := tt.cfg
			cfg.Client = pool
			h := presignup.Must(presignup.LinkFederatedUser(cfg))
			if err := h(t.Context(), federated(tt.userName, tt.attrs)); err != nil {
				t.Fatalf("LinkFederatedUser: %v", err)
			}
			if got := pool.Links(); !slices.Equal(got, tt.want) {
				t.Errorf("links = %q, want %q", got, tt.want)
			}
		})
	}
}

// Events that cannot or must not be linked make no Cognito call at all.
func TestLinkFederatedUserNoOp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    *presignup.Event
	}{
		{"sign-up", event(presignup.SignUp, map[string]string{"email": "ada@example.com"})},
		{"admin create user", event(presignup.AdminCreateUser, map[string]string{"email": "ada@example.com"})},
		{"no underscore in userName", federated("google1234", map[string]string{"email": "ada@example.com"})},
		{"nothing after provider", federated("Google_", map[string]string{"email": "ada@example.com"})},
		{"nothing before underscore", federated("_1234", map[string]string{"email": "ada@example.com"})},
		{"no email", federated("Google_1234", map[string]string{"name": "Ada"})},
		{"blank email", federated("Google_1234", map[string]string{"email": "  "})},
		{"provider says unverified", federated("Google_1234", map[string]string{"email": "ada@example.com", "email_verified": "False"})},
		{"quote in email", federated("Google_1234", map[string]string{"email": `"ada"@example.com`})},
		{"backslash in email", federated("Google_1234", map[string]string{"email": `ada\@example.com`})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pool := newFakeUserPool(ada)
			h := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: pool}))
			if err := h(t.Context(), tt.e); err != nil {
				t.Fatalf("got %v, want no-op", err)
			}
			if n := pool.Calls(); n != 0 {
				t.Errorf("%d Cognito calls, want none", n)
			}
		})
	}
}

func TestLinkFederatedUserRetries(t *testing.T) {
	t.Parallel()
	pool := newFakeUserPool(ada)
	h := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: pool}))
	e := federated("Google_1234", map[string]string{"email": "ada@example.com"})
	for i := range 3 {
		if err := h(t.Context(), e); err != nil {
			t.Fatalf("delivery %d: %v", i+1, err)
		}
	}
	if n := len(pool.Links()); n != 1 {
		t.Errorf("%d link calls for one event delivered three times, want 1", n)
	}

	// A concurrent delivery links between this one's lookup and its link call.
	racing := newFakeUserPool(ada)
	racing.linkMeanwhile = true
	h = presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: racing}))
	if err := h(t.Context(), e); err != nil {
		t.Errorf("link failing because a concurrent delivery linked = %v, want success", err)
	}
}

func TestLinkFederatedUserErrors(t *testing.T) {
	t.Parallel()
	e := federated("Google_1234", map[string]string{"email": "ada@example.com"})
	tests := []struct {
		name string
		pool func() *fakeUserPool
		want error
	}{
		{"list fails", func() *fakeUserPool { p := newFakeUserPool(ada); p.listErr = errBoom; return p }, errBoom},
		{"link fails", func() *fakeUserPool { p := newFakeUserPool(ada); p.linkErr = errBoom; return p }, errBoom},
		{"link refused, not linked", func() *fakeUserPool {
			p := newFakeUserPool(ada)
			p.linkErr = &ciptypes.InvalidParameterException{Message: aws.String("Invalid SourceUser")}
			return p
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: tt.pool()}))
			err := h(t.Context(), e)
			if err == nil {
				t.Fatal("got success, want an error")
			}
			if _, ok := triggers.AsRejection(err); ok {
				t.Errorf("got rejection %v, want an internal error", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
			var invalid *ciptypes.InvalidParameterException
			if tt.want == nil && !errors.As(err, &invalid) {
				t.Errorf("error %v does not wrap the Cognito error", err)
			}
		})
	}
}

func TestLinkFederatedUserLogs(t *testing.T) {
	t.Parallel()
	ctx, logs := logged(t)
	pool := newFakeUserPool(ada, fakeUser{name: "other", email: "ada@example.com", verified: "true"})
	h := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: pool}))
	if err := h(ctx, federated("Google_1", map[string]string{"email": "ada@example.com"})); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(logs.Messages(t), "not linking: several native users have the email address") {
		t.Errorf("logs %s do not explain the skipped link", logs)
	}

	ctx, logs = logged(t)
	h = presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: newFakeUserPool(ada)}))
	if err := h(ctx, federated("Google_1", map[string]string{"email": "ada@example.com"})); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(logs.Messages(t), "linked federated user") {
		t.Errorf("logs %s do not record the link", logs)
	}
}

func TestLinkConfiguration(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		cfg  presignup.LinkConfig
		want string
	}{
		"blank provider":  {presignup.LinkConfig{Providers: []string{""}}, `Providers: invalid provider name ""`},
		"padded provider": {presignup.LinkConfig{Providers: []string{" Google"}}, `Providers: invalid provider name " Google"`},
		"one of several":  {presignup.LinkConfig{Providers: []string{"Google", " "}}, `Providers: invalid provider name " "`},
		"federated message alone": {presignup.LinkConfig{FederatedMessage: "Use {provider}"},
			"FederatedMessage is set but RefuseAfterFederated is not"},
		"linked message alone": {presignup.LinkConfig{LinkedMessage: "Linked"},
			"LinkedMessage is set but RefuseLinkingSignIn is not"},
	} {
		if h, err := presignup.LinkFederatedUser(tt.cfg); err == nil || h != nil ||
			!strings.Contains(err.Error(), "presignup.LinkFederatedUser: "+tt.want) {
			t.Errorf("%s: got (%v, %v), want an error naming the module and %q", name, h != nil, err, tt.want)
		}
	}
}
