package presignup_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// The pool of the pre sign-up fixtures.
const fixturePool = "eu-west-1_Xa7bC9dEf"

func signUpWith(email string, opts ...triggertest.Option) *presignup.Event {
	return triggertest.PreSignUp(presignup.SignUp, append([]triggertest.Option{triggertest.WithAttribute("email", email)}, opts...)...)
}

func pool(users ...struct {
	name, email string
	status      ciptypes.UserStatusType
}) *fakeaws.Cognito {
	idp := fakeaws.NewCognito()
	for _, u := range users {
		idp.AddUser(fixturePool, u.name, map[string]string{"email": u.email, "email_verified": "true"})
		if u.status != "" {
			idp.SetUserStatus(fixturePool, u.name, u.status)
		}
	}
	return idp
}

type user = struct {
	name, email string
	status      ciptypes.UserStatusType
}

func TestRequireUniqueEmail(t *testing.T) {
	t.Parallel()
	taken := presignup.DefaultUniqueEmailMessages.Taken
	tests := []struct {
		name  string
		users []user
		cfg   presignup.UniqueEmailConfig
		event *presignup.Event
		want  string
	}{
		{name: "new address", users: []user{{"bob", "bob@example.com", ""}}, event: signUpWith("ada@example.com")},
		{name: "confirmed user has it", users: []user{{"ada", "ada@example.com", ""}}, event: signUpWith("ada@example.com"), want: taken},
		{name: "typed in other case", users: []user{{"ada", "ada@example.com", ""}}, event: signUpWith(" Ada@Example.COM "), want: taken},
		{name: "unconfirmed user counts", users: []user{{"ada", "ada@example.com", ciptypes.UserStatusTypeUnconfirmed}},
			event: signUpWith("ada@example.com"), want: taken},
		{name: "unconfirmed user ignored", users: []user{{"ada", "ada@example.com", ciptypes.UserStatusTypeUnconfirmed}},
			cfg: presignup.UniqueEmailConfig{IgnoreUnconfirmed: true}, event: signUpWith("ada@example.com")},
		{name: "ignored unconfirmed, confirmed one counts", users: []user{{"ada", "ada@example.com", ciptypes.UserStatusTypeUnconfirmed},
			{"ada2", "ada@example.com", ""}}, cfg: presignup.UniqueEmailConfig{IgnoreUnconfirmed: true},
			event: signUpWith("ada@example.com"), want: taken},
		{name: "federated user has it", users: []user{{"Google_1234", "ada@example.com", ciptypes.UserStatusTypeExternalProvider}},
			event: signUpWith("ada@example.com"), want: taken},
		{name: "user who must change the password", users: []user{{"ada", "ada@example.com", ciptypes.UserStatusTypeForceChangePassword}},
			cfg: presignup.UniqueEmailConfig{IgnoreUnconfirmed: true}, event: signUpWith("ada@example.com"), want: taken},
		{name: "quotes and backslash escaped", users: []user{{"q", `"ada\q"@example.com`, ""}}, event: signUpWith(`"ada\q"@example.com`), want: taken},
		{name: "prefix is not a match", users: []user{{"ada", "ada@example.com.evil", ""}}, event: signUpWith("ada@example.com")},
		{name: "control character", event: signUpWith("ada\x01@example.com"), want: presignup.DefaultUniqueEmailMessages.Invalid},
		{name: "no email", users: []user{{"ada", "ada@example.com", ""}},
			event: triggertest.PreSignUp(presignup.SignUp, triggertest.WithoutAttribute("email"))},
		{name: "custom text", users: []user{{"ada", "ada@example.com", ""}},
			cfg:   presignup.UniqueEmailConfig{Messages: presignup.UniqueEmailMessages{Taken: "Try signing in instead"}},
			event: signUpWith("ada@example.com"), want: "Try signing in instead"},
		{name: "admin create user not checked", users: []user{{"ada", "ada@example.com", ""}},
			event: triggertest.PreSignUp(presignup.AdminCreateUser, triggertest.WithAttribute("email", "ada@example.com"))},
		{name: "admin create user with Sources", users: []user{{"ada", "ada@example.com", ""}},
			cfg:   presignup.UniqueEmailConfig{Sources: triggers.Sources{presignup.SignUp, presignup.AdminCreateUser}},
			event: triggertest.PreSignUp(presignup.AdminCreateUser, triggertest.WithAttribute("email", "ada@example.com")), want: taken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Client = pool(tt.users...)
			h := presignup.Must(presignup.RequireUniqueEmail(cfg))
			res := triggertest.InvokeHandler(t, h, tt.event)
			if tt.want == "" {
				res.RequireOK(t)
				return
			}
			res.RequireRejected(t, tt.want)
			if res.ErrorMessage != tt.want {
				t.Errorf("text %q, want exactly %q", res.ErrorMessage, tt.want)
			}
		})
	}
}

// Unconfirmed users past the first page do not hide a confirmed one.
func TestRequireUniqueEmailPages(t *testing.T) {
	t.Parallel()
	idp := fakeaws.NewCognito()
	for i := range 75 {
		name := fmt.Sprintf("a%03d", i)
		idp.AddUser(fixturePool, name, map[string]string{"email": "ada@example.com"})
		idp.SetUserStatus(fixturePool, name, ciptypes.UserStatusTypeUnconfirmed)
	}
	idp.AddUser(fixturePool, "z-confirmed", map[string]string{"email": "ada@example.com"})
	h := presignup.Must(presignup.RequireUniqueEmail(presignup.UniqueEmailConfig{Client: idp, IgnoreUnconfirmed: true}))
	triggertest.InvokeHandler(t, h, signUpWith("ada@example.com")).RequireRejected(t, presignup.DefaultUniqueEmailMessages.Taken)
	if n := idp.Calls("ListUsers"); n != 2 {
		t.Errorf("%d ListUsers calls, want 2 pages", n)
	}
}

func TestRequireUniqueEmailFailure(t *testing.T) {
	t.Parallel()
	idp := pool()
	idp.FailNext("ListUsers", errBoom)
	h := presignup.Must(presignup.RequireUniqueEmail(presignup.UniqueEmailConfig{Client: idp}))
	res := triggertest.InvokeHandler(t, h, signUpWith("ada@example.com")).RequireInternalError(t)
	if strings.Contains(res.ErrorMessage, "boom") {
		t.Errorf("the user sees the AWS error: %q", res.ErrorMessage)
	}
	if _, err := presignup.RequireUniqueEmail(presignup.UniqueEmailConfig{Client: idp, Sources: triggers.Sources{triggers.PreAuthenticationAuthentication}}); err == nil ||
		!strings.Contains(err.Error(), "presignup.RequireUniqueEmail: Sources:") {
		t.Errorf("foreign Sources = %v, want an error naming the module and field", err)
	}
	triggertest.RunModuleTests(t, presignup.Must(presignup.RequireUniqueEmail(presignup.UniqueEmailConfig{Client: pool(user{"ana", "ana.silva@example.com", ""})})),
		triggertest.RunConfig{Sources: triggers.Sources{presignup.SignUp}})
}

// A native sign-up after a federated one: Cognito cannot link it, so the user is told
// to sign in with the provider.
func TestRefuseAfterFederated(t *testing.T) {
	t.Parallel()
	federatedAda := user{"Google_1234", "ada@example.com", ciptypes.UserStatusTypeExternalProvider}
	tests := []struct {
		name  string
		users []user
		cfg   presignup.LinkConfig
		event *presignup.Event
		want  string
	}{
		{name: "refused, provider named", users: []user{federatedAda}, cfg: presignup.LinkConfig{RefuseAfterFederated: true},
			event: signUpWith("Ada@example.com"),
			want:  "This email address already signs in with Google. Please sign in with Google"},
		{name: "custom text", users: []user{{"corpsaml_ada", "ada@example.com", ciptypes.UserStatusTypeExternalProvider}},
			cfg:   presignup.LinkConfig{RefuseAfterFederated: true, FederatedMessage: "Use the {provider} button"},
			event: signUpWith("ada@example.com"), want: "Use the corpsaml button"},
		{name: "listed provider spelled as the pool names it", users: []user{{"corpsaml_ada", "ada@example.com", ciptypes.UserStatusTypeExternalProvider}},
			cfg:   presignup.LinkConfig{Providers: []string{"CorpSAML"}, RefuseAfterFederated: true, FederatedMessage: "Use {provider}"},
			event: signUpWith("ada@example.com"), want: "Use CorpSAML"},
		{name: "provider not listed", users: []user{federatedAda},
			cfg:   presignup.LinkConfig{Providers: []string{"Facebook"}, RefuseAfterFederated: true},
			event: signUpWith("ada@example.com")},
		{name: "without RefuseAfterFederated", users: []user{federatedAda}, event: signUpWith("ada@example.com")},
		{name: "native user has it", users: []user{{"ada", "ada@example.com", ""}},
			cfg: presignup.LinkConfig{RefuseAfterFederated: true}, event: signUpWith("ada@example.com")},
		{name: "other address", users: []user{federatedAda}, cfg: presignup.LinkConfig{RefuseAfterFederated: true},
			event: signUpWith("grace@example.com")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Client = pool(tt.users...)
			h := presignup.Must(presignup.LinkFederatedUser(cfg))
			res := triggertest.InvokeHandler(t, h, tt.event)
			if tt.want == "" {
				res.RequireNoOp(t)
				return
			}
			if res.RequireRejected(t, tt.want); res.ErrorMessage != tt.want {
				t.Errorf("text %q, want exactly %q", res.ErrorMessage, tt.want)
			}
		})
	}

	// A federated user whose provider said the address is not verified blocks nobody.
	idp := pool(federatedAda)
	idp2 := fakeaws.NewCognito()
	idp2.AddUser(fixturePool, "Google_1", map[string]string{"email": "ada@example.com", "email_verified": "false"})
	idp2.SetUserStatus(fixturePool, "Google_1", ciptypes.UserStatusTypeExternalProvider)
	triggertest.InvokeHandler(t, presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: idp2, RefuseAfterFederated: true})),
		signUpWith("ada@example.com")).RequireNoOp(t)
	triggertest.RunModuleTests(t, presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: idp, RefuseAfterFederated: true})),
		triggertest.RunConfig{Sources: triggers.Sources{presignup.SignUp, presignup.ExternalProvider}})
}

// With RefuseLinkingSignIn, the sign-in that made the link, and a redelivery of it, are
// refused with a clear text instead of Cognito's "Already found an entry for username".
func TestRefuseLinkingSignIn(t *testing.T) {
	t.Parallel()
	idp := pool(user{"ada", "ada@example.com", ""})
	h := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: idp, RefuseLinkingSignIn: true}))
	first := triggertest.PreSignUp(presignup.ExternalProvider, triggertest.WithUserName("Google_1234"),
		triggertest.WithAttribute("email", "ada@example.com"), triggertest.WithAttribute("email_verified", "true"))
	for range 2 {
		res := triggertest.InvokeHandler(t, h, first)
		if res.RequireRejected(t, presignup.DefaultLinkedMessage); res.ErrorMessage != presignup.DefaultLinkedMessage {
			t.Errorf("text %q, want %q", res.ErrorMessage, presignup.DefaultLinkedMessage)
		}
	}
	if n := idp.Calls("AdminLinkProviderForUser"); n != 1 {
		t.Errorf("%d link calls, want 1", n)
	}
	out, err := idp.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(fixturePool), Username: aws.String("ada")})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "identities" {
			got = aws.ToString(a.Value)
		}
	}
	if !strings.Contains(got, `"userId":"1234"`) || !strings.Contains(got, `"providerName":"Google"`) {
		t.Errorf("identities = %s, want the Google identity", got)
	}
	// Nothing to link: the sign-in goes on as a new user, without the text.
	other := triggertest.PreSignUp(presignup.ExternalProvider, triggertest.WithUserName("Google_99"),
		triggertest.WithAttribute("email", "grace@example.com"), triggertest.WithAttribute("email_verified", "true"))
	triggertest.InvokeHandler(t, h, other).RequireNoOp(t)
	custom := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: pool(user{"ada", "ada@example.com", ""}),
		RefuseLinkingSignIn: true, LinkedMessage: "Linked! Sign in again"}))
	triggertest.InvokeHandler(t, custom, first).RequireRejected(t, "Linked! Sign in again")
}

// TestIntegrationRequireUniqueEmail signs users up through cognito-local, which calls
// the trigger over the Lambda Invoke API, with the module looking users up in the same
// cognito-local through the real SDK client.
func TestIntegrationRequireUniqueEmail(t *testing.T) {
	t.Parallel()
	var handler atomic.Pointer[http.Handler]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PreSignUp": "preSignUp"},
	}})
	use := func(cfg presignup.UniqueEmailConfig) {
		cfg.Client = srv.Cognito
		h := triggers.InvokeServer(triggers.NewRouter(triggers.RouterConfig{Logger: testLogger(t)}).
			PreSignUp(presignup.Must(presignup.RequireUniqueEmail(cfg))))
		handler.Store(&h)
	}
	// Email addresses apart from user names, so that two users can share one: without
	// UsernameAttributes, cognito-local makes the email address the user name.
	pool := srv.CreateUserPool(t, func(in *cip.CreateUserPoolInput) {
		in.UsernameAttributes = []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypePhoneNumber}
	})
	signUp := func(userName, email string) error {
		_, err := srv.Cognito.SignUp(t.Context(), &cip.SignUpInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String(userName), Password: aws.String("Passw0rd!long"),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		})
		return err
	}
	refused := "failed with error " + presignup.DefaultUniqueEmailMessages.Taken + "."
	requireRefused := func(userName, email string) {
		t.Helper()
		err := signUp(userName, email)
		var lambdaErr *ciptypes.UserLambdaValidationException
		if !errors.As(err, &lambdaErr) || !strings.HasSuffix(err.Error(), refused) {
			t.Errorf("SignUp(%s, %s) = %v, want UserLambdaValidationException ending %q", userName, email, err, refused)
		}
	}

	use(presignup.UniqueEmailConfig{})
	if err := signUp("ada-1", "ada@example.com"); err != nil {
		t.Fatalf("first sign-up: %v", err)
	}
	requireRefused("ada-2", "ada@example.com") // the first is unconfirmed, and counts
	requireRefused("ada-3", "ADA@example.com") // typed in capitals

	use(presignup.UniqueEmailConfig{IgnoreUnconfirmed: true})
	if err := signUp("ada-4", "ada@example.com"); err != nil {
		t.Errorf("sign-up next to an unconfirmed user, with IgnoreUnconfirmed: %v", err)
	}
	if _, err := srv.Cognito.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(pool.ClientID),
		Username: aws.String("ada-1"), ConfirmationCode: aws.String(srv.CognitoCode)}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	requireRefused("ada-5", "ada@example.com") // confirmed users count either way
	if err := signUp("grace-1", "grace@example.com"); err != nil {
		t.Errorf("sign-up with a new address: %v", err)
	}
}
