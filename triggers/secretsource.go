package triggers

import "context"

// SecretSource gives a module a secret when it needs one rather than when the chain is
// built: a key kept in Parameter Store or Secrets Manager, read on first use and cached
// (see package triggers/secrets), which may be rotated while the function runs. A module
// that takes one asks it on each use; an error fails that use closed.
type SecretSource func(ctx context.Context) (Secret, error)
