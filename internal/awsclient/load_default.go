//go:build !lambda.norpc

package awsclient

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"

	"github.com/lambda-triggers/cognito/triggers"
)

// load uses the SDK's full default chain (shared files, SSO, web identity, instance
// metadata), for the places other than Lambda where this build runs: mostly a developer's
// machine. The SDK logs through log/slog, so that its warnings are JSON like the
// function's other lines, and a failure to find credentials names the variables that
// point the clients at local servers.
func load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(slogLogger{}))
	if err != nil {
		return cfg, err
	}
	if cfg.Credentials != nil {
		cfg.Credentials = hintProvider{cfg.Credentials}
	}
	return cfg, nil
}

// localHint is added to a failure to find credentials.
const localHint = "to run against local servers instead, set AWS_ENDPOINT_URL_DYNAMODB, " +
	"AWS_ENDPOINT_URL_SESV2 and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL), " +
	"AWS_REGION, and any static AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"

// hintProvider adds localHint to the error of a credentials provider that found none.
type hintProvider struct{ aws.CredentialsProvider }

func (p hintProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return c, fmt.Errorf("no AWS credentials found (%w); %s", err, localHint)
	}
	return c, nil
}

// slogLogger passes the SDK's log lines to log/slog: warnings at warn level, the rest at
// debug level, through the invocation's logger (triggers.Logger) when the SDK gives a
// context, else slog.Default().
type slogLogger struct{ ctx context.Context }

// WithContext implements the SDK's logging.ContextLogger.
func (l slogLogger) WithContext(ctx context.Context) logging.Logger { return slogLogger{ctx} }

func (l slogLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	ctx, logger := l.ctx, slog.Default()
	if ctx == nil {
		ctx = context.Background()
	} else {
		logger = triggers.Logger(ctx)
	}
	logger.Log(ctx, level, fmt.Sprintf(format, v...), slog.String("source", "aws-sdk-go-v2"))
}
