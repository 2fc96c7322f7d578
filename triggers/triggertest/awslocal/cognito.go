package awslocal

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// PlaceholderGroup is the group [Servers.CreateUserPool] adds to every pool.
// cognito-local answers GetGroup with HTTP 500 on a pool that has no group
// at all, instead of ResourceNotFoundException; one group makes it answer
// like Cognito, so code that looks a group up before creating it can be
// tested.
const PlaceholderGroup = "awslocal-placeholder"

// UserPool identifies a pool made by [Servers.CreateUserPool].
type UserPool struct {
	// ID is the user pool ID.
	ID string
	// ClientID is an app client without a secret that allows
	// USER_PASSWORD_AUTH, CUSTOM_AUTH and REFRESH_TOKEN_AUTH.
	ClientID string
}

// CreateUserPool creates a user pool with a unique name, an app client and
// [PlaceholderGroup]. The configure functions may change the pool's input
// before it is sent, for example to set UsernameAttributes; cognito-local
// otherwise makes e-mail the username attribute. It fails t if Cognito was
// not started or a call fails.
func (s *Servers) CreateUserPool(t testing.TB, configure ...func(*cip.CreateUserPoolInput)) UserPool {
	t.Helper()
	ctx, cancel := helperContext()
	defer cancel()
	pool, err := s.CreateUserPoolContext(ctx, configure...)
	if err != nil {
		t.Fatalf("awslocal: %v", err)
	}
	return pool
}

// CreateUserPoolContext is [Servers.CreateUserPool] for code without a
// testing.TB, such as TestMain.
func (s *Servers) CreateUserPoolContext(ctx context.Context, configure ...func(*cip.CreateUserPoolInput)) (UserPool, error) {
	if s.Cognito == nil {
		return UserPool{}, fmt.Errorf("create user pool: Cognito was not started; set Config.Cognito")
	}
	in := &cip.CreateUserPoolInput{PoolName: aws.String(UniqueName("pool"))}
	for _, c := range configure {
		c(in)
	}
	created, err := s.Cognito.CreateUserPool(ctx, in)
	if err != nil {
		return UserPool{}, fmt.Errorf("create user pool %q: %w", aws.ToString(in.PoolName), err)
	}
	pool := UserPool{ID: aws.ToString(created.UserPool.Id)}
	client, err := s.Cognito.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:     aws.String(pool.ID),
		ClientName:     aws.String(UniqueName("client")),
		GenerateSecret: false,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowCustomAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		return UserPool{}, fmt.Errorf("create app client in pool %s: %w", pool.ID, err)
	}
	pool.ClientID = aws.ToString(client.UserPoolClient.ClientId)
	if _, err := s.Cognito.CreateGroup(ctx, &cip.CreateGroupInput{
		UserPoolId:  aws.String(pool.ID),
		GroupName:   aws.String(PlaceholderGroup),
		Description: aws.String("Makes cognito-local answer GetGroup for missing groups with ResourceNotFoundException."),
	}); err != nil {
		return UserPool{}, fmt.Errorf("create group %q in pool %s: %w", PlaceholderGroup, pool.ID, err)
	}
	return pool, nil
}
