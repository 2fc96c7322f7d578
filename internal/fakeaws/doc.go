// Package fakeaws holds in-memory fakes of the AWS clients the trigger modules take:
// [DynamoDB], [SES] (v2), [Cognito] user pools, and the Parameter Store ([SSM]) and
// [SecretsManager] reads of the secret readers. Each has the method signatures of the
// aws-sdk-go-v2 client it stands for, so it satisfies the narrow client interfaces of
// the trigger packages (a config's Client field, or a field named for the client's role
// such as Sender or Markers) as the real client does, and
// answers in the same way: the same outputs, the SDK's typed errors (such as
// *types.ConditionalCheckFailedException) wrapped as the SDK wraps them, and the same
// ValidationException for a request DynamoDB would refuse.
//
// They serve this module's own tests and the in-memory mode of examples/quickstart; they
// are not part of the public test kit, so their behaviour can follow what the module's
// tests need without a compatibility promise. A user's test fakes the narrow client
// interface a module takes (most have one or two methods) or runs against the local
// servers of package awslocal. They are fakes, not a database, a mail server or a user
// directory: everything lives in one process and goes when it ends. The integration tests of this package
// run the same calls, and real modules, against the DynamoDB fake and against dynalite
// and assert the same outcomes.
//
// What a fake does not implement fails loudly, with an error wrapping [ErrUnsupported],
// instead of answering as if it had succeeded.
//
//	func TestSignUpLimit(t *testing.T) {
//		db := fakeaws.NewDynamoDB()
//		db.AddTable("signup-limits", "pk", "")
//		limit := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{
//			Client: db, Table: "signup-limits", Limit: 1, Window: time.Hour}))
//
//		event := triggertest.PreSignUp(triggers.PreSignUpSignUp, triggertest.WithClientMetadata("ipAddress", "192.0.2.1"))
//		triggertest.InvokeHandler(t, limit, event).RequireOK(t)
//		triggertest.InvokeHandler(t, limit, triggertest.PreSignUp(triggers.PreSignUpSignUp,
//			triggertest.WithClientMetadata("ipAddress", "192.0.2.1"),
//			triggertest.WithAttribute("email", "second@example.com"))).RequireRejected(t, "")
//	}
//
// Every fake is safe for concurrent use and honours the context of each call. Calls,
// FailNext and SetHook let a test count calls, inject a failure or add latency.
package fakeaws
