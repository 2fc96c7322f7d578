package presignup_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

// dynamo is one DynamoDB server for the integration tests that need nothing else,
// started by the first of them and stopped by TestMain.
var dynamo = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { localaws.Main(m, dynamo) }

func putInvitation(t *testing.T, srv *awslocal.Servers, table, code, email string, expiresAt time.Time, usedBy string) {
	t.Helper()
	item := map[string]types.AttributeValue{
		"code":  &types.AttributeValueMemberS{Value: code},
		"email": &types.AttributeValueMemberS{Value: email},
	}
	if !expiresAt.IsZero() {
		item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expiresAt.Unix(), 10)}
	}
	if usedBy != "" {
		item["usedBy"] = &types.AttributeValueMemberS{Value: usedBy}
		item["usedAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Unix(), 10)}
	}
	if _, err := srv.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func getUsedBy(t *testing.T, srv *awslocal.Servers, table, code string) string {
	t.Helper()
	out, err := srv.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"code": &types.AttributeValueMemberS{Value: code}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Item["usedBy"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func TestIntegrationRequireInvitation(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", "code", "")
	hour := time.Now().Add(time.Hour)
	putInvitation(t, srv, table, "valid-7f3a", "Ada@Example.com", hour, "")
	putInvitation(t, srv, table, "used-91cc", "ada@example.com", hour, "bob")
	putInvitation(t, srv, table, "expired-0b2e", "ada@example.com", time.Now().Add(-time.Minute), "")
	putInvitation(t, srv, table, "forever-44d1", "ada@example.com", time.Time{}, "")

	h := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: srv.DynamoDB, Table: table}))
	d := presignup.DefaultInvitationMessages
	tests := []struct {
		name, email, code string
		want              string
	}{
		{"accepted", "ada@example.com", "valid-7f3a", ""},
		{"accepted, other case", "ADA@example.COM", "valid-7f3a", ""},
		{"accepted, no expiry", "ada@example.com", "forever-44d1", ""},
		{"missing", "ada@example.com", "", d.Missing},
		{"not found", "ada@example.com", "nope-0000", d.NotFound},
		{"wrong email", "eve@example.com", "valid-7f3a", d.WrongEmail},
		{"used", "ada@example.com", "used-91cc", d.Used},
		{"expired", "ada@example.com", "expired-0b2e", d.Expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := withEmail(tt.email)
			if tt.code != "" {
				e.Request.ValidationData = map[string]string{"invitationCode": tt.code}
			}
			if got := outcome(h(t.Context(), e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// After the user confirms, postconfirm.MarkInvitationUsed marks the code used and the
// same code is turned away from then on, the same user's retry included.
func TestIntegrationInvitationSingleUse(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", "code", "")
	putInvitation(t, srv, table, "once-5e1d", "grace@example.com", time.Now().Add(time.Hour), "")
	require := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: srv.DynamoDB, Table: table}))
	mark, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Client: srv.DynamoDB, Table: table})
	if err != nil {
		t.Fatal(err)
	}
	signUp := withEmail("grace@example.com")
	signUp.UserName = "grace"
	signUp.Request.ClientMetadata = map[string]string{"invitationCode": "once-5e1d"}
	if err := require(t.Context(), signUp); err != nil {
		t.Fatalf("sign-up with a fresh invitation: %v", err)
	}

	confirm := &postconfirm.Event{}
	confirm.TriggerSource = triggers.PostConfirmationConfirmSignUp
	confirm.UserPoolID, confirm.UserName = signUp.UserPoolID, "grace"
	confirm.Request.UserAttributes = map[string]string{"email": "grace@example.com"}
	confirm.Request.ClientMetadata = map[string]string{"invitationCode": "once-5e1d"}
	for i, err := range awslocal.Replay(t.Context(), 3, func(ctx context.Context) error { return mark(ctx, confirm) }) {
		if err != nil {
			t.Errorf("confirmation delivery %d: %v", i+1, err)
		}
	}
	if got := getUsedBy(t, srv, table, "once-5e1d"); got != "grace" {
		t.Errorf("usedBy = %q, want grace", got)
	}
	again := withEmail("grace@example.com")
	again.UserName = "grace-2"
	again.Request.ClientMetadata = map[string]string{"invitationCode": "once-5e1d"}
	if got := outcome(require(t.Context(), again)); got != presignup.DefaultInvitationMessages.Used {
		t.Errorf("second sign-up with the code = %q, want %q", got, presignup.DefaultInvitationMessages.Used)
	}
}

func TestIntegrationRateLimit(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")
	clk := &clock{now: time.Unix(1_750_000_000, 0)} // window [1_749_999_600, 1_750_003_200)
	const limit = 3
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: srv.DynamoDB, Table: table, Limit: limit, Window: time.Hour, Now: clk.Now}))
	limited := presignup.DefaultRateLimitMessages.Limited

	for i := range limit {
		if err := h(t.Context(), attempt("203.0.113.7", "u"+strconv.Itoa(i))); err != nil {
			t.Fatalf("sign-up %d of %d: %v", i+1, limit, err)
		}
	}
	over := attempt("203.0.113.7", "u-over")
	if got := outcome(h(t.Context(), over)); got != limited {
		t.Fatalf("sign-up %d = %q, want %q", limit+1, got, limited)
	}

	// Cognito delivering events again: an admitted one stays admitted and is not
	// counted again; the rejected one stays rejected.
	for i, err := range awslocal.Replay(t.Context(), 3, func(ctx context.Context) error { return h(ctx, attempt("203.0.113.7", "u1")) }) {
		if err != nil {
			t.Errorf("redelivery %d of an admitted sign-up: %v", i+1, err)
		}
	}
	for i, err := range awslocal.Replay(t.Context(), 3, func(ctx context.Context) error { return h(ctx, over) }) {
		if got := outcome(err); got != limited {
			t.Errorf("redelivery %d of the rejected sign-up = %q, want %q", i+1, got, limited)
		}
	}
	if err := h(t.Context(), attempt("198.51.100.20", "elsewhere")); err != nil {
		t.Errorf("another client: %v", err)
	}

	out, err := srv.DynamoDB.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	var counts []string
	for _, item := range out.Items {
		count := item["count"].(*types.AttributeValueMemberN).Value
		counts = append(counts, count)
		if exp := item["expiresAt"].(*types.AttributeValueMemberN).Value; exp != "1750003200" {
			t.Errorf("expiresAt = %s, want the window's end 1750003200", exp)
		}
		if pk := item["pk"].(*types.AttributeValueMemberS).Value; strings.Contains(pk, "203.0.113") || strings.Contains(pk, "198.51") {
			t.Errorf("pk %q holds the client address", pk)
		}
		if n := len(item["attempts"].(*types.AttributeValueMemberSS).Value); strconv.Itoa(n) != count {
			t.Errorf("%d attempts remembered for count %s", n, count)
		}
	}
	if len(counts) != 2 || !(counts[0] == "3" && counts[1] == "1" || counts[0] == "1" && counts[1] == "3") {
		t.Errorf("counters = %v, want 3 for the limited client and 1 for the other", counts)
	}

	// The local server never deletes expired items, as DynamoDB's TTL may not have yet:
	// the next window must not see the old counter.
	clk.Add(time.Hour)
	if err := h(t.Context(), attempt("203.0.113.7", "next-window")); err != nil {
		t.Errorf("first sign-up of the next window: %v", err)
	}
}

func TestIntegrationRateLimitConcurrent(t *testing.T) {
	t.Parallel()
	srv := dynamo.Servers(t)
	table := srv.CreateTable(t, "", "pk", "")
	const limit, tries = 5, 12
	h := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: srv.DynamoDB, Table: table, Limit: limit, Window: time.Hour,
		Now: func() time.Time { return time.Unix(1_750_000_000, 0) }}))
	var next atomic.Int32
	errs := awslocal.ReplayConcurrent(t.Context(), tries, func(ctx context.Context) error {
		return h(ctx, attempt("192.0.2.1", "burst-"+strconv.Itoa(int(next.Add(1)))))
	})
	admitted, rejected := 0, 0
	for _, err := range errs {
		switch outcome(err) {
		case "":
			admitted++
		case presignup.DefaultRateLimitMessages.Limited:
			rejected++
		default:
			t.Errorf("unexpected outcome: %v", err)
		}
	}
	if admitted != limit || rejected != tries-limit {
		t.Errorf("%d concurrent sign-ups: %d admitted, %d rejected; want %d and %d", tries, admitted, rejected, limit, tries-limit)
	}
}

// linkRecorder uses the real server for ListUsers and records links, since
// cognito-local does not implement AdminLinkProviderForUser.
type linkRecorder struct {
	*cip.Client
	mu    sync.Mutex
	links []*cip.AdminLinkProviderForUserInput
}

func (r *linkRecorder) AdminLinkProviderForUser(_ context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.links = append(r.links, in)
	return &cip.AdminLinkProviderForUserOutput{}, nil
}

// TestIntegrationCognito runs sign-ups through cognito-local, which calls the triggers
// over the Lambda Invoke API, as Cognito would.
func TestIntegrationCognito(t *testing.T) {
	t.Parallel()
	var handler atomic.Pointer[http.Handler]
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(lambda.Close)
	srv := awslocal.Start(t, awslocal.Config{DynamoDB: true, Cognito: &awslocal.CognitoConfig{
		LambdaEndpoint: lambda.URL,
		Triggers:       map[string]string{"PreSignUp": "preSignUp", "PostConfirmation": "postConfirmation"},
	}})
	table := srv.CreateTable(t, "", "code", "")
	putInvitation(t, srv, table, "e2e-c0de", "ada@example.com", time.Now().Add(time.Hour), "")
	mark, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Client: srv.DynamoDB, Table: table})
	if err != nil {
		t.Fatal(err)
	}
	router := triggers.NewRouter(triggers.RouterConfig{Logger: testLogger(t)}).
		PreSignUp(presignup.Chain(
			presignup.Must(presignup.DenyDomains(presignup.DomainsConfig{Deny: []string{"tempmail.test"}})),
			presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: srv.DynamoDB, Table: table})),
		)).
		PostConfirmation(postconfirm.BestEffort(postconfirm.Critical(mark)))
	h := triggers.InvokeServer(router)
	handler.Store(&h)
	pool := srv.CreateUserPool(t)

	t.Run("sign-up flow", func(t *testing.T) {
		signUp := func(email string, meta map[string]string) error {
			_, err := srv.Cognito.SignUp(t.Context(), &cip.SignUpInput{
				ClientId: aws.String(pool.ClientID), Username: aws.String(email), Password: aws.String("Passw0rd!long"),
				UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
				ClientMetadata: meta,
			})
			return err
		}
		for _, tt := range []struct {
			email string
			meta  map[string]string
			want  string
		}{
			{"mallory@tempmail.test", map[string]string{"invitationCode": "e2e-c0de"}, "failed with error Invalid email domain: tempmail.test."},
			{"ada@example.com", nil, "failed with error " + presignup.DefaultInvitationMessages.Missing + "."},
			{"ada@example.com", map[string]string{"invitationCode": "guess-1234"}, "failed with error " + presignup.DefaultInvitationMessages.NotFound + "."},
		} {
			err := signUp(tt.email, tt.meta)
			var lambdaErr *ciptypes.UserLambdaValidationException
			// cognito-local names the function where Cognito names the trigger
			// ("preSignUp failed with error ..."), so only the rest is compared.
			if !errors.As(err, &lambdaErr) || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("SignUp(%s) = %v, want UserLambdaValidationException %q", tt.email, err, tt.want)
			}
		}
		if err := signUp("ada@example.com", map[string]string{"invitationCode": "e2e-c0de"}); err != nil {
			t.Fatalf("SignUp with the invitation: %v", err)
		}
		if _, err := srv.Cognito.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{
			ClientId: aws.String(pool.ClientID), Username: aws.String("ada@example.com"),
			ConfirmationCode: aws.String(srv.CognitoCode),
			ClientMetadata:   map[string]string{"invitationCode": "e2e-c0de"},
		}); err != nil {
			t.Fatalf("ConfirmSignUp: %v", err)
		}
		user, err := srv.Cognito.AdminGetUser(t.Context(), &cip.AdminGetUserInput{
			UserPoolId: aws.String(pool.ID), Username: aws.String("ada@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := getUsedBy(t, srv, table, "e2e-c0de"), aws.ToString(user.Username); got != want || got == "" {
			t.Errorf("usedBy = %q, want the confirmed user %q", got, want)
		}
	})

	t.Run("link federated user", func(t *testing.T) {
		create := func(email, verified string) string {
			out, err := srv.Cognito.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{
				UserPoolId: aws.String(pool.ID), Username: aws.String(email),
				MessageAction: ciptypes.MessageActionTypeSuppress,
				UserAttributes: []ciptypes.AttributeType{
					{Name: aws.String("email"), Value: aws.String(email)},
					{Name: aws.String("email_verified"), Value: aws.String(verified)},
				},
			})
			if err != nil {
				t.Fatalf("AdminCreateUser(%s): %v", email, err)
			}
			return aws.ToString(out.User.Username)
		}
		grace := create("grace@example.com", "true")
		create("unverified@example.com", "false")

		ctx, _ := logged(t)
		rec := &linkRecorder{Client: srv.Cognito}
		link := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: rec}))
		fed := func(userName, email string) *presignup.Event {
			e := federated(userName, map[string]string{"email": email})
			e.UserPoolID = pool.ID
			return e
		}
		for _, e := range []*presignup.Event{
			fed("google_118", "Grace@Example.com"),
			fed("Google_119", "unverified@example.com"),
			fed("Google_120", "nobody@example.com"),
		} {
			if err := link(ctx, e); err != nil {
				t.Errorf("%s: %v", e.UserName, err)
			}
		}
		if len(rec.links) != 1 {
			t.Fatalf("%d links, want 1 (the verified native user only)", len(rec.links))
		}
		in := rec.links[0]
		if got := aws.ToString(in.DestinationUser.ProviderAttributeValue); got != grace {
			t.Errorf("destination = %q, want the native user %q", got, grace)
		}
		if got := aws.ToString(in.SourceUser.ProviderName) + "/" + aws.ToString(in.SourceUser.ProviderAttributeValue); got != "Google/118" {
			t.Errorf("source = %q, want Google/118", got)
		}

		// cognito-local has no AdminLinkProviderForUser: with the real client the module
		// must report the failure, not pretend it linked.
		noRetry := cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
		real := presignup.Must(presignup.LinkFederatedUser(presignup.LinkConfig{Client: noRetry}))
		err := real(ctx, fed("Google_121", "grace@example.com"))
		if err == nil {
			t.Fatal("AdminLinkProviderForUser against cognito-local succeeded; the unit tests' fake may now be replaced by the server")
		}
		if _, ok := triggers.AsRejection(err); ok {
			t.Errorf("got a rejection %v, want an internal error", err)
		}
		t.Logf("cognito-local: %v", err)
	})
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
