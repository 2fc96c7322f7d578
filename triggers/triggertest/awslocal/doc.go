// Package awslocal runs local servers that speak the DynamoDB, SES and
// Cognito user pool APIs, so that integration tests exercise triggers
// through the real aws-sdk-go-v2 clients on one machine, without an AWS
// account or Docker.
//
// The servers are the npm packages dynalite (DynamoDB), aws-ses-v2-local
// (SES) and cognito-local (Cognito user pools), pinned by the package.json
// and package-lock.json embedded in this package. The first start installs
// them with npm ci into a cache directory ([CacheDirEnv] overrides it);
// later starts reuse the install. Each server listens on a free port of
// 127.0.0.1 and runs in its own process group, killed when the test ends.
//
// [Config.KMS] adds local-kms, a KMS written in Go and built from the version the module's
// go.mod pins, and the AWS Encryption SDK for JavaScript encrypts codes under its keys as
// Cognito does ([Servers.EncryptCode]).
//
// Node.js 20 or later and npm must be in PATH. Without them [Start] skips
// the test, or fails it when the environment variable CI is true.
//
//	func TestIntegrationWelcomeEmail(t *testing.T) {
//		srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, SES: true})
//		table := srv.CreateTable(t, "", "pk", "")
//		welcome := newWelcomeSender(srv.AWSConfig(), table) // the code under test
//		errs := awslocal.Replay(t.Context(), 3, func(ctx context.Context) error {
//			return welcome(ctx, event)
//		})
//		if sent := srv.Emails(t); len(sent) != 1 {
//			t.Errorf("3 deliveries (errors %v) sent %d emails, want 1", errs, len(sent))
//		}
//	}
//
// Tests that share one set of servers start them in TestMain with
// [StartServers] and stop them with [Servers.Close]; code under test that
// runs as a child process gets the endpoints from [Servers.Env].
package awslocal
