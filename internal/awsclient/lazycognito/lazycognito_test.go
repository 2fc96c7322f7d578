package lazycognito_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
)

func newServer(t *testing.T) *awsclienttest.Server {
	return awsclienttest.NewServer(t, awsclienttest.Target, `{}`)
}

func setEnv(t *testing.T, endpoint string) {
	awsclienttest.SetEnv(t, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", endpoint)
}

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	ctx := t.Context()
	var c lazycognito.Client
	pool := aws.String("eu-west-1_example")
	calls := []struct {
		op   string
		call func(context.Context) error
	}{
		{"ListUsers", func(ctx context.Context) error {
			_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool})
			return err
		}},
		{"AdminLinkProviderForUser", func(ctx context.Context) error {
			_, err := c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pool,
				DestinationUser: &types.ProviderUserIdentifierType{}, SourceUser: &types.ProviderUserIdentifierType{}})
			return err
		}},
		{"GetGroup", func(ctx context.Context) error {
			_, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("g")})
			return err
		}},
		{"CreateGroup", func(ctx context.Context) error {
			_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("g")})
			return err
		}},
		{"AdminAddUserToGroup", func(ctx context.Context) error {
			_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, GroupName: aws.String("g"),
				Username: aws.String("u")})
			return err
		}},
		{"ConfirmSignUp", func(ctx context.Context) error {
			_, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String("c"), Username: aws.String("u"),
				ConfirmationCode: aws.String("123456")})
			return err
		}},
	}

	setEnv(t, "")
	if _, err := lazycognito.Default(ctx); err == nil {
		t.Fatal("Default: no error without a usable configuration")
	}
	for _, tt := range calls {
		if err := tt.call(ctx); err == nil {
			t.Errorf("%s: no error without a usable configuration", tt.op)
		}
	}

	first := newServer(t)
	setEnv(t, first.URL)
	if _, err := lazycognito.Default(ctx); err != nil {
		t.Fatalf("Default: %v", err)
	}
	// The client exists now: a later change of endpoint does not make another one.
	second := newServer(t)
	setEnv(t, second.URL)
	var want []string
	for _, tt := range calls {
		op := tt.op
		want = append(want, "AWSCognitoIdentityProviderService."+op)
		if err := tt.call(ctx); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	if got := first.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	if got := second.Requests(); len(got) > 0 {
		t.Errorf("requests %q to the endpoint set after the client was created", got)
	}
}
