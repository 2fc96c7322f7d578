//go:build lambda.norpc

package awsclient

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// load reads the configuration from the variables Lambda sets, since the deployed build
// runs only there.
func load(context.Context) (aws.Config, error) { return FromEnvironment(os.Getenv) }
