//go:build !lambda.norpc

package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// load uses the SDK's full default chain (shared files, SSO, web identity, instance
// metadata), for the places other than Lambda where this build runs.
func load(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }
