// Package customauth builds Cognito custom authentication flows: the Define, Create and
// Verify auth challenge triggers, derived from one description so that they agree.
//
// A [Flow] is optionally the user's password (SRP_A, then PASSWORD_VERIFIER) followed by
// one or more [Step] values, each a custom challenge that knows how to create itself and
// check its answer, and a limit on wrong answers. The flow owns the sequence: Define
// replays Cognito's session to decide what comes next, counting wrong answers there (so a
// retried or re-issued Create cannot reset them), and issues tokens only when the session
// ends with the last step's CUSTOM_CHALLENGE passed. Create names the step in the
// challenge metadata and in a "step" parameter; Verify runs that step's check. A user
// Cognito did not find (PreventUserExistenceErrors) gets the same challenges, cannot
// answer the last step, and never gets tokens.
//
// Ready flows and steps:
//   - [EmailOTP] / [EmailOTPStep]: a one-time code sent by email through SES v2;
//   - [CodeStep]: the same machinery with a delivery of your own, such as package
//     customauth/smsotp's SMS through SNS;
//   - [MagicLink] / [MagicLinkStep]: a sign-in link by email that works in any browser,
//     its token signed by [HMACSigner] or a KMS key (package customauth/kmssigner);
//   - [StepUpStep]: a valid access token of the user, in client metadata, before a step
//     that sends a fresh code;
//   - [Captcha], [PasswordThenCaptcha] / [CaptchaStep]: a reCAPTCHA (v2 or v3), hCaptcha
//     or Turnstile token as the answer;
//   - [StaticAnswer] / [StaticAnswerStep]: one fixed answer, scaffolding only.
//
// Each constructor takes one config struct ([FlowConfig], [EmailOTPConfig], ...); the
// ready flows' configs also hold the flow's settings (Password, MaxWrongAnswers).
// Constructors return (value, error) for configuration errors; [Must] turns an error into
// a panic for flows built at start-up. [GuardTokens] protects a hand-written Define.
//
// Each step is a module of its own for observers: with [triggers.RouterConfig] Metrics set the router
// counts every step's Create and Verify under Module=<step name> (EMAIL_OTP, CAPTCHA,
// ...), and the steps that send something count each message, such as EMAIL_OTP.Sent.
//
//	func main() {
//		captcha, err := customauth.CaptchaStep(customauth.CaptchaConfig{MinScore: 0.5}) // secret: RECAPTCHASECRET
//		if err != nil {
//			log.Fatal(err)
//		}
//		otp, err := customauth.EmailOTPStep(customauth.EmailOTPConfig{
//			From:  "sign-in@example.com", // hash key: OTP_HMAC_KEY
//			Store: &customauth.DynamoDBStore{Table: "sign-in-codes"},
//		})
//		if err != nil {
//			log.Fatal(err)
//		}
//		flow := customauth.Must(customauth.NewFlow(customauth.FlowConfig{Steps: []customauth.Step{captcha, otp}}))
//		triggers.Start(flow.Register(triggers.NewRouter(triggers.RouterConfig{})))
//	}
//
// # Email one-time codes: where the state lives
//
// The plain code exists only in the email. Everything else holds its keyed hash,
// HMAC-SHA256 with a secret key (EmailOTPConfig.Key or OTP_HMAC_KEY) over the pool, the
// user, a random code id, the issue time and the code:
//
//   - the private challenge parameters (codeHash, codeId, issuedAt, and a random nonce
//     per challenge), which reach only Verify;
//   - the challenge metadata, "EMAIL_OTP:v1.<code id>.<issue time>.<hash>", which Cognito
//     keeps in the session and shows to Define and Create, never to the client. After a
//     wrong answer, Create finds the code there and asks for it again without sending
//     anything. A hash without the key reveals nothing about the code; the metadata is
//     logged at debug level, the key and the code never are;
//   - optionally a [CodeStore] ([DynamoDBStore]), one record per user: code id, hash,
//     issue and expiry times, the nonce of the challenge that used it, and the nonces of
//     challenges answered wrongly. With it a new sign-in within the cooldown is asked for
//     the code already sent (one email per cooldown, and per retried Create), a code
//     signs in once (a retried Verify of the same challenge still succeeds), and the
//     limit of wrong answers holds for a code across sign-in attempts, so restarting the
//     sign-in buys no tries. Conditional writes keep concurrent attempts to one email.
//
// Without a store each sign-in attempt sends a fresh code; the limit of wrong answers
// then holds per attempt, and Cognito's own throttling bounds the attempts.
package customauth
