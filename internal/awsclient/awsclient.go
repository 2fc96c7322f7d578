// Package awsclient holds the process-wide AWS clients that modules use when the caller
// passes none. Each is created from config.LoadDefaultConfig on first use and then
// shared, so a function pays for SDK configuration only when a module needs a client,
// once per process, never per invocation; the standard AWS_ENDPOINT_URL_<SERVICE>
// variables point them at local servers.
package awsclient

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// lazy is a value built once, on first successful use. A failed build is tried again on
// the next call, so a transient credential error does not poison the process.
type lazy[T any] struct {
	mu    sync.Mutex
	value T
	done  bool
	build func(aws.Config) T
}

func (l *lazy[T]) get(ctx context.Context) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return l.value, nil
	}
	cfg, err := loadConfig(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	l.value, l.done = l.build(cfg), true
	return l.value, nil
}

var (
	cfgMu   sync.Mutex
	cfg     aws.Config
	cfgDone bool
)

func loadConfig(ctx context.Context) (aws.Config, error) {
	cfgMu.Lock()
	defer cfgMu.Unlock()
	if cfgDone {
		return cfg, nil
	}
	c, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	cfg, cfgDone = c, true
	return cfg, nil
}

var (
	dynamoDB = &lazy[*dynamodb.Client]{build: func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) }}
	ses      = &lazy[*sesv2.Client]{build: func(c aws.Config) *sesv2.Client { return sesv2.NewFromConfig(c) }}
	cognito  = &lazy[*cognitoidentityprovider.Client]{build: func(c aws.Config) *cognitoidentityprovider.Client {
		return cognitoidentityprovider.NewFromConfig(c)
	}}
)

// DynamoDB returns the process-wide DynamoDB client.
func DynamoDB(ctx context.Context) (*dynamodb.Client, error) { return dynamoDB.get(ctx) }

// SES returns the process-wide SES v2 client.
func SES(ctx context.Context) (*sesv2.Client, error) { return ses.get(ctx) }

// Cognito returns the process-wide Cognito user pools client.
func Cognito(ctx context.Context) (*cognitoidentityprovider.Client, error) { return cognito.get(ctx) }
