package fakeaws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/lambda-triggers/cognito/customauth"
	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/migrate"
	"github.com/lambda-triggers/cognito/postconfirm"
	"github.com/lambda-triggers/cognito/presignup"
	"github.com/lambda-triggers/cognito/pretoken"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// The fakes satisfy the client interfaces of the modules.
var (
	_ presignup.RateLimitClient    = (*fakeaws.DynamoDB)(nil)
	_ presignup.InvitationClient   = (*fakeaws.DynamoDB)(nil)
	_ presignup.LinkClient         = (*fakeaws.Cognito)(nil)
	_ postconfirm.GroupClient      = (*fakeaws.Cognito)(nil)
	_ postconfirm.ProfileClient    = (*fakeaws.DynamoDB)(nil)
	_ postconfirm.MarkerClient     = (*fakeaws.DynamoDB)(nil)
	_ postconfirm.InvitationClient = (*fakeaws.DynamoDB)(nil)
	_ postconfirm.EmailClient      = (*fakeaws.SES)(nil)
	_ pretoken.GetItemAPI          = (*fakeaws.DynamoDB)(nil)
	_ customauth.DynamoDBAPI       = (*fakeaws.DynamoDB)(nil)
	_ customauth.EmailSender       = (*fakeaws.SES)(nil)
	_ migrate.GetItemAPI           = (*fakeaws.DynamoDB)(nil)
)

// moduleEnv is where a module scenario runs: a DynamoDB, the fake or a client of
// dynalite, and a way to make a table in it.
type moduleEnv struct {
	db    dynamoAPI
	table func(t *testing.T, partitionKey string) string
}

// moduleScenario runs real modules against env and returns a transcript of what a user
// or an operator would observe; the fake and dynalite must give the same one.
type moduleScenario struct {
	name string
	run  func(t *testing.T, env moduleEnv) []string
	want []string
}

var clock = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// result describes an invocation's outcome in one line.
func result(r triggertest.Result) string {
	if r.OK() {
		return "ok"
	}
	return r.ErrorType + ": " + r.ErrorMessage
}

func mustPut(t *testing.T, db dynamoAPI, table string, it item) {
	t.Helper()
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
		t.Fatalf("put %s: %v", render(it), err)
	}
}

func scan(t *testing.T, db dynamoAPI, table string) []item {
	t.Helper()
	out, err := db.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out.Items
}

var moduleScenarios = []moduleScenario{
	{
		name: "presignup.RateLimit",
		run: func(t *testing.T, env moduleEnv) []string {
			table := env.table(t, presignup.RateLimitAttrKey)
			limit := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: env.db, Table: table, Limit: 2, Window: time.Hour, Now: clock}))
			signUp := func(ip, email string) string {
				return result(triggertest.InvokeHandler(t, limit, triggertest.PreSignUp(triggers.PreSignUpSignUp,
					triggertest.WithClientMetadata("ipAddress", ip), triggertest.WithAttribute("email", email))))
			}
			out := []string{
				signUp("192.0.2.1", "a@example.com"),
				signUp("192.0.2.1", "b@example.com"),
				signUp("192.0.2.1", "c@example.com"),
				signUp("192.0.2.1", "a@example.com"), // Cognito delivering the first again
				signUp("192.0.2.2", "d@example.com"),
			}
			for _, it := range scan(t, env.db, table) {
				out = append(out, fmt.Sprintf("window: count %s, %d attempts", it["count"].(*types.AttributeValueMemberN).Value,
					len(it["attempts"].(*types.AttributeValueMemberSS).Value)))
			}
			slices.Sort(out[5:])
			return out
		},
		want: []string{"ok", "ok", "Rejected: " + presignup.DefaultRateLimitMessages.Limited, "ok", "ok",
			"window: count 1, 1 attempts", "window: count 2, 2 attempts"},
	},
	{
		name: "presignup.RequireInvitation and postconfirm.MarkInvitationUsed",
		run: func(t *testing.T, env moduleEnv) []string {
			table := env.table(t, "code")
			mustPut(t, env.db, table, item{"code": s("INV-1"), "email": s("Ana@Example.com"), "expiresAt": n("1900000000")})
			mustPut(t, env.db, table, item{"code": s("INV-2"), "email": s("bob@example.com"), "expiresAt": n("1700000000")})
			require := presignup.Must(presignup.RequireInvitation(presignup.InvitationConfig{Client: env.db, Table: table, Now: clock}))
			mark, err := postconfirm.MarkInvitationUsed(postconfirm.InvitationConfig{Client: env.db, Table: table, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			signUp := func(email, code string) string {
				return "sign-up " + code + ": " + result(triggertest.InvokeHandler(t, require, triggertest.PreSignUp(triggers.PreSignUpSignUp,
					triggertest.WithClientMetadata("invitationCode", code), triggertest.WithAttribute("email", email))))
			}
			confirm := func(user, email, code string) string {
				e := triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp, triggertest.WithUserName(user),
					triggertest.WithAttribute("email", email), triggertest.WithClientMetadata("invitationCode", code))
				err := mark(t.Context(), e)
				switch {
				case errors.Is(err, postconfirm.ErrInvitationUsed):
					return "confirm " + user + ": used by someone else"
				case err != nil:
					return "confirm " + user + ": " + err.Error()
				}
				return "confirm " + user + ": ok"
			}
			out := []string{
				signUp("ana@example.com", "INV-1"),
				signUp("ana@example.com", "INV-2"),
				signUp("bob@example.com", "INV-2"),
				signUp("ana@example.com", "INV-9"),
				confirm("ana", "ana@example.com", "INV-1"),
				confirm("ana", "ana@example.com", "INV-1"),
				confirm("ana-twin", "ana@example.com", "INV-1"),
				signUp("ana@example.com", "INV-1"),
			}
			for _, it := range scan(t, env.db, table) {
				if it["code"].(*types.AttributeValueMemberS).Value == "INV-1" {
					out = append(out, "INV-1: "+render(item{"usedBy": it["usedBy"], "usedAt": it["usedAt"]}))
				}
			}
			return out
		},
		want: []string{
			"sign-up INV-1: ok",
			"sign-up INV-2: Rejected: " + presignup.DefaultInvitationMessages.WrongEmail,
			"sign-up INV-2: Rejected: " + presignup.DefaultInvitationMessages.Expired,
			"sign-up INV-9: Rejected: " + presignup.DefaultInvitationMessages.NotFound,
			"confirm ana: ok", "confirm ana: ok", "confirm ana-twin: used by someone else",
			"sign-up INV-1: Rejected: " + presignup.DefaultInvitationMessages.Used,
			`INV-1: {"usedAt":{"N":"1772366400"},"usedBy":{"S":"ana"}}`,
		},
	},
	{
		name: "postconfirm.CreateProfile and WelcomeEmail, delivered three times",
		run: func(t *testing.T, env moduleEnv) []string {
			profiles, markers := env.table(t, "id"), env.table(t, "pk")
			mail := fakeaws.NewSES()
			profile, err := postconfirm.CreateProfile(postconfirm.ProfileConfig{Client: env.db, Table: profiles, PartitionKey: "id",
				Item: postconfirm.Columns{"email": "email", "name": "name"}})
			if err != nil {
				t.Fatal(err)
			}
			welcome, err := postconfirm.WelcomeEmail(postconfirm.WelcomeConfig{Sender: mail, Markers: env.db, Table: markers,
				Email:        postconfirm.Email{From: "hello@example.com", Subject: "Welcome, {{.Attributes.name}}", Text: "Hello {{.Attributes.name}}!"},
				ReclaimAfter: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			chain := postconfirm.BestEffort(postconfirm.Critical(profile), postconfirm.Critical(welcome))
			var out []string
			for range 3 {
				out = append(out, result(triggertest.InvokeHandler(t, chain,
					triggertest.PostConfirmation(triggers.PostConfirmationConfirmSignUp))))
			}
			for _, e := range mail.Sent() {
				out = append(out, fmt.Sprintf("email to %v: %s / %s", e.To, e.Subject, e.Text))
			}
			out = append(out, "profiles: "+render(scan(t, env.db, profiles)))
			for _, it := range scan(t, env.db, markers) {
				out = append(out, "marker: status "+it["status"].(*types.AttributeValueMemberS).Value+
					", message "+it["messageId"].(*types.AttributeValueMemberS).Value)
			}
			return out
		},
		want: []string{"ok", "ok", "ok",
			"email to [ana.silva@example.com]: Welcome, Ana Silva / Hello Ana Silva!",
			`profiles: [{"email":{"S":"ana.silva@example.com"},"id":{"S":"5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"},"name":{"S":"Ana Silva"}}]`,
			"marker: status sent, message fake-000001",
		},
	},
	{
		name: "customauth.EmailOTP with a DynamoDBStore",
		run: func(t *testing.T, env moduleEnv) []string {
			table := env.table(t, "pk")
			mail := fakeaws.NewSES()
			now := clock()
			at := func() time.Time { return now }
			flow := customauth.Must(customauth.EmailOTP(customauth.EmailOTPConfig{
				From: "sign-in@example.com", Key: []byte(strings.Repeat("k", 32)), Client: mail, Now: at,
				Store: &customauth.DynamoDBStore{Client: env.db, Table: table},
			}))
			router := flow.Register(triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}))
			user := triggertest.AuthUser{UserName: "ana", Attributes: map[string]string{"email": "ana@example.com", "email_verified": "true"}}
			sim := triggertest.NewAuthFlow(t, router, triggertest.AuthFlowConfig{User: user, Now: at})
			code := func() string {
				sent := mail.Sent()
				if len(sent) == 0 {
					return ""
				}
				return regexp.MustCompile(`\d{6}`).FindString(sent[len(sent)-1].Text)
			}
			step := func(s triggertest.AuthStep) string {
				switch {
				case s.Tokens:
					return "tokens"
				case s.Failed:
					return "failed: " + s.Err.Code
				}
				return "challenge"
			}
			wrong := func() string {
				c := []byte(code())
				c[0] = '0' + (c[0]-'0'+1)%10
				return string(c)
			}
			out := []string{
				"start: " + step(sim.Start()),
				"wrong: " + step(sim.Answer(wrong())),
				"right: " + step(sim.Answer(code())),
				fmt.Sprintf("emails: %d", len(mail.Sent())),
			}
			// A used code is not asked for again: the next sign-in gets a new one.
			now = now.Add(10 * time.Second)
			first := code()
			out = append(out, "restart: "+step(sim.Start()), fmt.Sprintf("emails: %d", len(mail.Sent())),
				"old code: "+step(sim.Answer(first)))
			// Within the cooldown a new sign-in is asked for the code already sent.
			now = now.Add(10 * time.Second)
			out = append(out, "again: "+step(sim.Start()), fmt.Sprintf("emails: %d", len(mail.Sent())),
				"sent code: "+step(sim.Answer(code())))
			return out
		},
		want: []string{"start: challenge", "wrong: challenge", "right: tokens", "emails: 1",
			"restart: challenge", "emails: 2", "old code: challenge",
			"again: challenge", "emails: 2", "sent code: tokens"},
	},
	{
		name: "pretoken.ClaimsFromDynamoDB",
		run: func(t *testing.T, env moduleEnv) []string {
			table := env.table(t, "userId")
			mustPut(t, env.db, table, item{"userId": s("5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"),
				"permissions": ss("write", "read"), "quota": n("250"), "plan": s("pro"),
				"settings": &types.AttributeValueMemberM{Value: item{"theme": s("dark")}}, "internal": s("not a claim")})
			claims, err := pretoken.ClaimsFromDynamoDB(pretoken.DynamoDBConfig{Client: env.db, Table: table, KeyAttribute: "userId",
				Claims:        map[string]string{"permissions": "permissions", "quota": "quota", "plan": "plan", "settings": "settings", "absent": "absent"},
				MissingClaims: map[string]any{"plan": "free"}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, user := range []string{"5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11", "someone-else"} {
				res := triggertest.InvokeHandler(t, claims, triggertest.PreTokenGeneration(triggers.TokenGenerationAuthentication, "2",
					triggertest.WithAttribute("sub", user)))
				if !res.OK() {
					out = append(out, result(res))
					continue
				}
				var doc struct {
					Response json.RawMessage `json:"response"`
				}
				if err := json.Unmarshal(res.Response, &doc); err != nil {
					t.Fatal(err)
				}
				out = append(out, string(doc.Response))
			}
			return out
		},
		want: []string{
			`{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"permissions":["read","write"],"plan":"pro","quota":250,"settings":{"theme":"dark"}}},"accessTokenGeneration":{"claimsToAddOrOverride":{"permissions":["read","write"],"plan":"pro","quota":250,"settings":{"theme":"dark"}}},"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins","arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-editors"],"preferredRole":"arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins"}}}`,
			`{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"plan":"free"}},"accessTokenGeneration":{"claimsToAddOrOverride":{"plan":"free"}},"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins","arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-editors"],"preferredRole":"arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins"}}}`,
		},
	},
	{
		name: "migrate.NewDynamoDBStore",
		run: func(t *testing.T, env moduleEnv) []string {
			table := env.table(t, "username")
			hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			mustPut(t, env.db, table, item{"username": s("ana"), "passwordHash": s(string(hash)),
				"mail": s("ana@example.com"), "verified": &types.AttributeValueMemberBOOL{Value: true}, "logins": n("42")})
			dummy, err := migrate.DummyBcryptHash(bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			store, err := migrate.NewDynamoDBStore(migrate.DynamoDBStoreConfig{Client: env.db, Table: table, KeyAttribute: "username",
				Attributes: map[string]string{"mail": "email", "verified": "email_verified", "logins": "custom:logins"},
				Hasher:     migrate.Bcrypt, DummyHash: dummy})
			if err != nil {
				t.Fatal(err)
			}
			module, err := migrate.Migrate(migrate.Config{Store: store})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, try := range []struct{ user, password string }{{"ana", "correct horse"}, {"ana", "wrong"}, {"nobody", "correct horse"}} {
				res := triggertest.InvokeHandler(t, module, triggertest.UserMigration(triggers.UserMigrationAuthentication,
					triggertest.WithUserName(try.user), triggertest.WithPassword(try.password)))
				if !res.OK() {
					out = append(out, try.user+": "+result(res))
					continue
				}
				r := triggertest.EventAs[triggers.UserMigrationEvent](res).Response
				out = append(out, fmt.Sprintf("%s: %s %v", try.user, r.FinalUserStatus, map[string]string(r.UserAttributes)))
			}
			return out
		},
		want: []string{
			"ana: CONFIRMED map[custom:logins:42 email:ana@example.com email_verified:true]",
			"ana: Rejected: " + migrate.DefaultMessage,
			"nobody: Rejected: " + migrate.DefaultMessage,
		},
	},
}

func runModuleScenarios(t *testing.T, env func(t *testing.T) moduleEnv) {
	for _, sc := range moduleScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got := sc.run(t, env(t))
			if !slices.Equal(got, sc.want) {
				t.Errorf("transcript\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(sc.want, "\n     "))
			}
		})
	}
}

func TestModulesOnTheFake(t *testing.T) {
	t.Parallel()
	runModuleScenarios(t, func(t *testing.T) moduleEnv {
		db := fakeaws.NewDynamoDB()
		i := 0
		return moduleEnv{db: db, table: func(t *testing.T, pk string) string {
			i++
			name := fmt.Sprintf("table-%d", i)
			db.AddTable(name, pk, "")
			return name
		}}
	})
}

// A module fails on the fake as it would on DynamoDB: a missing table or a failed call
// is an internal error, and the next call works again.
func TestModuleErrorsThroughTheFake(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	limit := presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "no-such-table", Limit: 2, Window: time.Hour}))
	triggertest.InvokeHandler(t, limit, triggertest.PreSignUp(triggers.PreSignUpSignUp,
		triggertest.WithClientMetadata("ipAddress", "192.0.2.1"))).RequireInternalError(t)

	db.AddTable("limits", "pk", "")
	limit = presignup.Must(presignup.RateLimit(presignup.RateLimitConfig{Client: db, Table: "limits", Limit: 2, Window: time.Hour}))
	db.FailNext("UpdateItem", context.DeadlineExceeded)
	triggertest.InvokeHandler(t, limit, triggertest.PreSignUp(triggers.PreSignUpSignUp,
		triggertest.WithClientMetadata("ipAddress", "192.0.2.1"))).RequireInternalError(t)
	triggertest.InvokeHandler(t, limit, triggertest.PreSignUp(triggers.PreSignUpSignUp,
		triggertest.WithClientMetadata("ipAddress", "192.0.2.1"))).RequireOK(t)
}
