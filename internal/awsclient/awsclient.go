// Package awsclient holds the process-wide AWS configuration that modules use when the
// caller passes no client. It is loaded on first use and then shared, so a function pays
// for SDK configuration only when a module needs a client, once per process, never per
// invocation. The standard AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> variables
// point the clients at local servers.
//
// The configuration depends on the build. A deployed function is built with
// -tags lambda.norpc, and there it comes from the variables Lambda always sets
// ([FromEnvironment]), which leaves the SDK's shared-file, SSO, STS and instance
// metadata providers out of the binary. Without the tag, as in tests and under -serve,
// it is config.LoadDefaultConfig.
//
// Each service has its own subpackage (lazydynamodb, lazyses, lazycognito), so that a
// binary carries only the services its modules use. A subpackage's Client is an empty
// struct whose methods are the few operations the modules call, each forwarding to the
// process-wide SDK client. Modules hold that adapter, never the SDK client, in their
// narrow interfaces: once a binary links text/template or html/template, which look
// methods up by name, the linker keeps every exported method of every type stored in an
// interface, and an SDK client's hundreds of operations with their serializers would
// add megabytes. A caller who passes a real *dynamodb.Client (or another SDK client) to
// a module stores it in an interface and so pays that cost in such a binary; passing
// nil does not.
package awsclient

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var (
	cfgMu   sync.Mutex
	cfg     aws.Config
	cfgDone bool
)

// Config returns the process-wide AWS configuration, loading it on the first call. A
// failed load is tried again on the next call, so a transient error does not poison the
// process.
func Config(ctx context.Context) (aws.Config, error) {
	cfgMu.Lock()
	defer cfgMu.Unlock()
	if cfgDone {
		return cfg, nil
	}
	c, err := load(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	cfg, cfgDone = c, true
	return cfg, nil
}

// Once creates a process-wide client: [Once.Do] calls its build function with [Config]
// until one call succeeds, and never again after that.
//
// It is not generic over the client type on purpose: the dictionary of a generic
// instantiation marks its type argument as stored in an interface, which is what this
// package avoids for SDK clients.
type Once struct {
	mu   sync.Mutex
	done bool
}

// Do calls build with the process-wide configuration unless an earlier call succeeded.
// When Do returns nil, whatever build stored is visible to the caller.
func (o *Once) Do(ctx context.Context, build func(aws.Config)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return nil
	}
	c, err := Config(ctx)
	if err != nil {
		return err
	}
	build(c)
	o.done = true
	return nil
}
