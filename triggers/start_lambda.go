//go:build lambda.norpc

package triggers

import (
	"context"
	"fmt"
	"os"
)

func runOutsideLambda(context.Context, Function) int {
	fmt.Fprintln(os.Stderr, "this binary is built for AWS Lambda (-tags lambda.norpc) and runs only there; "+
		"build without that tag to use -event and -serve")
	return 2
}
