package triggers_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
)

// TestLoggingNeverShowsSecrets logs every event that can carry a secret in every way a
// module might: the event by pointer and by value, its request and its response, through
// both of slog's handlers, at debug level.
func TestLoggingNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value"
	meta := triggers.Attributes{"captchaToken": secret}
	migration := &triggers.UserMigrationEvent{}
	migration.Request = triggers.UserMigrationRequest{Password: secret, ValidationData: meta, ClientMetadata: meta}
	migration.Response.UserAttributes = triggers.Attributes{"email": "ana@example.com"}
	signUp := &triggers.PreSignUpEvent{}
	signUp.Request = triggers.PreSignUpRequest{UserAttributes: triggers.Attributes{"email": "ana@example.com"}, ValidationData: meta, ClientMetadata: meta}
	preAuth := &triggers.PreAuthenticationEvent{}
	preAuth.Request.ValidationData = meta
	postConfirm := &triggers.PostConfirmationEvent{}
	postConfirm.Request.ClientMetadata = meta
	postAuth := &triggers.PostAuthenticationEvent{}
	postAuth.Request.ClientMetadata = meta
	define := &triggers.DefineAuthChallengeEvent{}
	define.Request.ClientMetadata = meta
	create := &triggers.CreateAuthChallengeEvent{}
	create.Request.ClientMetadata = meta
	create.Response.PrivateChallengeParameters = map[string]string{"codeHash": secret}
	verify := &triggers.VerifyAuthChallengeEvent{}
	verify.Request = triggers.VerifyAuthChallengeRequest{ChallengeAnswer: secret,
		PrivateChallengeParameters: map[string]string{"answer": secret}, ClientMetadata: meta}
	token := &triggers.PreTokenGenerationEvent{}
	token.Request.ClientMetadata = meta
	token.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
		IDTokenGeneration: &triggers.IDTokenGeneration{ClaimsToAddOrOverride: map[string]any{"apiKey": secret}}}
	message := &triggers.CustomMessageEvent{}
	message.Request.ClientMetadata = meta
	email := &triggers.CustomEmailSenderEvent{}
	email.Request = triggers.CustomSenderRequest{Code: secret, ClientMetadata: meta}
	sms := &triggers.CustomSMSSenderEvent{}
	sms.Request = triggers.CustomSenderRequest{Code: secret}
	federation := &triggers.InboundFederationEvent{}
	federation.Request.Attributes.TokenResponse = triggers.Attributes{"access_token": secret, "id_token": secret}

	values := map[string][]any{
		"migration":  {migration, *migration, migration.Request, migration.Request.Password},
		"sign-up":    {signUp, *signUp, signUp.Request},
		"pre auth":   {preAuth, *preAuth, preAuth.Request},
		"confirm":    {postConfirm, *postConfirm, postConfirm.Request},
		"post auth":  {postAuth, *postAuth, postAuth.Request},
		"define":     {define, *define, define.Request},
		"create":     {create, *create, create.Request, create.Response},
		"verify":     {verify, *verify, verify.Request},
		"token":      {token, *token, token.Request, token.Response},
		"message":    {message, *message, message.Request},
		"email":      {email, *email, email.Request},
		"sms":        {sms, *sms, sms.Request},
		"federation": {federation, *federation, federation.Request, federation.Request.Attributes},
	}
	for name, vs := range values {
		for _, handler := range []string{"json", "text"} {
			var out bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewJSONHandler(&out, opts)
			if handler == "text" {
				h = slog.NewTextHandler(&out, opts)
			}
			logger := slog.New(h)
			for _, v := range vs {
				logger.Debug("value", "v", v)
			}
			if strings.Contains(out.String(), secret) {
				t.Errorf("%s, %s handler: a secret reached the log:\n%s", name, handler, out.String())
			}
			if !strings.Contains(out.String(), "[REDACTED]") {
				t.Errorf("%s, %s handler: nothing was shown as redacted:\n%s", name, handler, out.String())
			}
		}
	}
}
