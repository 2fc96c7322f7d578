//go:build !lambda.norpc

package triggers

import (
	"context"
	"os"
)

func runOutsideLambda(ctx context.Context, f Function) int {
	return Run(ctx, f, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
