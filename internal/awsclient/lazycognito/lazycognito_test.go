package lazycognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-triggers/cognito/internal/awsclient/awsclienttest"
	"github.com/lambda-triggers/cognito/internal/awsclient/lazycognito"
)

// TestClient checks that each method of the adapter calls its operation on the
// process-wide client, which is created once, on the first use that finds a usable
// configuration. It changes the process environment, so it does not run in parallel.
func TestClient(t *testing.T) {
	var c lazycognito.Client
	pool := aws.String("eu-west-1_example")
	awsclienttest.RequireLazy(t, awsclienttest.Service{
		EndpointVar: "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", Name: awsclienttest.Target, Body: `{}`,
		Default: func(ctx context.Context) error { _, err := lazycognito.Default(ctx); return err },
	}, []awsclienttest.Call{
		{Request: "AWSCognitoIdentityProviderService.ListUsers", Do: func(ctx context.Context) error {
			_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool})
			return err
		}},
		{Request: "AWSCognitoIdentityProviderService.AdminLinkProviderForUser", Do: func(ctx context.Context) error {
			_, err := c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pool,
				DestinationUser: &types.ProviderUserIdentifierType{}, SourceUser: &types.ProviderUserIdentifierType{}})
			return err
		}},
		{Request: "AWSCognitoIdentityProviderService.GetGroup", Do: func(ctx context.Context) error {
			_, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("g")})
			return err
		}},
		{Request: "AWSCognitoIdentityProviderService.CreateGroup", Do: func(ctx context.Context) error {
			_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("g")})
			return err
		}},
		{Request: "AWSCognitoIdentityProviderService.AdminAddUserToGroup", Do: func(ctx context.Context) error {
			_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, GroupName: aws.String("g"),
				Username: aws.String("u")})
			return err
		}},
		{Request: "AWSCognitoIdentityProviderService.ConfirmSignUp", Do: func(ctx context.Context) error {
			_, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String("c"), Username: aws.String("u"),
				ConfirmationCode: aws.String("123456")})
			return err
		}},
	})
}
