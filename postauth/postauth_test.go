package postauth_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/lambda-triggers/cognito/internal/fakeaws"
	"github.com/lambda-triggers/cognito/postauth"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

const fixtureSub = "5c1e3f80-9a71-4c0e-8d0a-2b5d7f4e6a11"

var testEmail = postauth.Email{
	From:    "Security <security@example.com>",
	Subject: "New sign-in{{with .Attributes.name}} for {{.}}{{end}}",
	Text:    "Hello {{.Attributes.name}}, a new device signed in through {{.ClientID}} at {{.SignedInAt.Format \"2006-01-02 15:04\"}}.",
	HTML:    "<p>Hello {{.Attributes.name}}</p>",
}

// clock is a settable time for the configs' Now fields.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func must(h postauth.Handler, err error) postauth.Handler {
	if err != nil {
		panic(err)
	}
	return h
}

func str(item map[string]types.AttributeValue, name string) string {
	switch v := item[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberBOOL:
		return strconv.FormatBool(v.Value)
	}
	return ""
}

// signIn is the fixture's event, changed by opts.
func signIn(opts ...triggertest.Option) *postauth.Event {
	return triggertest.PostAuthentication(opts...)
}

func TestRecordSignIn(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	clk := newClock()
	record := must(postauth.RecordSignIn(postauth.RecordConfig{Client: db, Table: "profiles", PartitionKey: "id", Now: clk.now}))
	chain := postauth.BestEffort(record)
	item := func() map[string]types.AttributeValue {
		t.Helper()
		items := db.Items("profiles")
		if len(items) != 1 {
			t.Fatalf("%d items, want 1", len(items))
		}
		return items[0]
	}

	for range 3 { // Cognito's retries of one sign-in
		triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t).RequireNoOp(t)
	}
	it := item()
	first := "2026-03-01T09:00:00.000Z"
	if str(it, "id") != fixtureSub || str(it, "signInCount") != "1" || str(it, "firstSignInAt") != first ||
		str(it, "lastSignInAt") != first || str(it, "lastClientId") != "4j2u2vb6e0f2l2o8jv1mh1sf3n" ||
		str(it, "lastNewDeviceUsed") != "true" {
		t.Fatalf("after one sign-in delivered three times: %v", it)
	}

	clk.advance(postauth.DefaultRetryWindow + time.Second)
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	clk.advance(time.Second)
	triggertest.InvokeHandler(t, chain, signIn(triggertest.WithClientID("other-client"),
		triggertest.Set("request.newDeviceUsed", false))).RequireOK(t)
	it = item()
	if str(it, "signInCount") != "3" || str(it, "firstSignInAt") != first ||
		str(it, "lastSignInAt") != "2026-03-01T09:00:32.000Z" || str(it, "lastClientId") != "other-client" ||
		str(it, "lastNewDeviceUsed") != "false" {
		t.Fatalf("after three sign-ins: %v", it)
	}
}

// readsOverlap holds every write for a moment, so that concurrent deliveries all read
// the item before any of them writes it and the writes' conditions decide.
func readsOverlap(_ context.Context, op string) error {
	if op == "UpdateItem" {
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

func TestRecordSignInConcurrent(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	db.SetHook(readsOverlap)
	chain := postauth.BestEffort(must(postauth.RecordSignIn(postauth.RecordConfig{
		Client:       db,
		Table:        "profiles",
		PartitionKey: "id",
	})))
	var wg sync.WaitGroup
	for i := range 8 {
		// Eight sign-ins from different apps at once, each delivered twice at once.
		e := signIn(triggertest.WithClientMetadata("appVersion", strconv.Itoa(i)))
		for range 2 {
			wg.Go(func() { triggertest.InvokeHandler(t, chain, e).RequireOK(t) })
		}
	}
	wg.Wait()
	if n := str(db.Items("profiles")[0], "signInCount"); n != "8" {
		t.Errorf("signInCount %s after 8 concurrent sign-ins delivered twice each, want 8", n)
	}
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("sign-ins", "pk", "sk")
	clk := newClock()
	chain := postauth.BestEffort(must(postauth.AuditTrail(postauth.AuditConfig{Client: db, Table: "sign-ins", Now: clk.now})))
	entries := func() []map[string]types.AttributeValue {
		var out []map[string]types.AttributeValue
		for _, it := range db.Items("sign-ins") {
			if str(it, "pk") == fixtureSub {
				out = append(out, it)
			}
		}
		return out
	}

	// The first delivery fails to write its entry after updating the guard; the retry
	// writes it, under the first delivery's time.
	db.FailNext("PutItem", errors.New("connection reset"))
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	if n := len(entries()); n != 0 {
		t.Fatalf("%d entries after a failed write", n)
	}
	clk.advance(3 * time.Second)
	for range 2 {
		triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	}
	got := entries()
	if len(got) != 1 {
		t.Fatalf("%d entries for one sign-in, want 1: %v", len(got), got)
	}
	e := got[0]
	wantExp := strconv.FormatInt(time.Date(2026, 3, 1, 9, 0, 3, 0, time.UTC).Add(postauth.DefaultAuditRetention).Unix(), 10)
	if !strings.HasPrefix(str(e, "sk"), "2026-03-01T09:00:00.000Z#") || str(e, "signedInAt") != "2026-03-01T09:00:00.000Z" ||
		str(e, "clientId") != "4j2u2vb6e0f2l2o8jv1mh1sf3n" || str(e, "newDeviceUsed") != "true" ||
		str(e, "userName") != fixtureSub || str(e, "expiresAt") != wantExp {
		t.Errorf("entry %v", e)
	}
	if _, ok := e["clientMetadata"]; ok {
		t.Error("client metadata stored")
	}

	clk.advance(postauth.DefaultRetryWindow)
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	if n := len(entries()); n != 2 {
		t.Errorf("%d entries after a second sign-in, want 2", n)
	}
}

func TestAuditTrailConcurrent(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("sign-ins", "pk", "sk")
	db.SetHook(readsOverlap)
	chain := postauth.BestEffort(must(postauth.AuditTrail(postauth.AuditConfig{Client: db, Table: "sign-ins"})))
	e := signIn()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { triggertest.InvokeHandler(t, chain, e).RequireOK(t) })
	}
	wg.Wait()
	if n := len(db.Items("sign-ins")); n != 2 { // the entry and the guard
		t.Errorf("%d items after one sign-in delivered 6 times at once, want the entry and the guard", n)
	}
}

func TestNewDeviceNotice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		events          []triggertest.Option
		allowUnverified bool
		want            int
	}{
		{"new device", nil, false, 1},
		{"known device", []triggertest.Option{triggertest.Set("request.newDeviceUsed", false)}, false, 0},
		{"unverified email", []triggertest.Option{triggertest.WithAttribute("email_verified", "false")}, false, 0},
		{"unverified email allowed", []triggertest.Option{triggertest.WithAttribute("email_verified", "false")}, true, 1},
		{"no email", []triggertest.Option{triggertest.WithoutAttribute("email")}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ses, db := fakeaws.NewSES(), fakeaws.NewDynamoDB()
			db.AddTable("markers", "pk", "")
			chain := postauth.BestEffort(must(postauth.NewDeviceNotice(postauth.NoticeConfig{
				Sender:               ses,
				Markers:              db,
				Table:                "markers",
				Email:                testEmail,
				AllowUnverifiedEmail: tt.allowUnverified,
			})))
			e := signIn(tt.events...)
			for range 3 {
				triggertest.InvokeHandler(t, chain, e).RequireOK(t)
			}
			if n := len(ses.Sent()); n != tt.want {
				t.Fatalf("%d notices for one sign-in delivered 3 times, want %d", n, tt.want)
			}
		})
	}
}

func TestNewDeviceNoticeContentAndRetry(t *testing.T) {
	t.Parallel()
	ses, db := fakeaws.NewSES(), fakeaws.NewDynamoDB()
	db.AddTable("markers", "pk", "")
	clk := newClock()
	chain := postauth.BestEffort(must(postauth.NewDeviceNotice(postauth.NoticeConfig{
		Sender:  ses,
		Markers: db,
		Table:   "markers",
		Email:   testEmail,
		Now:     clk.now,
	})))

	// SES refuses the first attempt: the claim is released, and the retry sends.
	ses.FailNext("SendEmail", &sestypes.TooManyRequestsException{Message: new(string)})
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	if n := len(ses.Sent()); n != 0 {
		t.Fatalf("%d notices after SES refused", n)
	}
	clk.advance(2 * time.Second)
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	sent := ses.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d notices after the retry, want 1", len(sent))
	}
	m := sent[0]
	if m.To[0] != "ana.silva@example.com" || m.Subject != "New sign-in for Ana Silva" ||
		m.Text != "Hello Ana Silva, a new device signed in through 4j2u2vb6e0f2l2o8jv1mh1sf3n at 2026-03-01 09:00." ||
		m.HTML != "<p>Hello Ana Silva</p>" {
		t.Errorf("notice %+v", m)
	}

	// A later sign-in from another new device is told too.
	clk.advance(time.Minute)
	triggertest.InvokeHandler(t, chain, signIn()).RequireOK(t)
	if n := len(ses.Sent()); n != 2 {
		t.Errorf("%d notices after a second sign-in, want 2", n)
	}
	for _, it := range db.Items("markers") {
		if str(it, "expiresAt") == "" {
			t.Errorf("marker %v has no expiresAt", it)
		}
	}
}

func TestNewDeviceNoticeConcurrent(t *testing.T) {
	t.Parallel()
	ses, db := fakeaws.NewSES(), fakeaws.NewDynamoDB()
	db.AddTable("markers", "pk", "")
	chain := postauth.BestEffort(must(postauth.NewDeviceNotice(postauth.NoticeConfig{
		Sender:  ses,
		Markers: db,
		Table:   "markers",
		Email:   testEmail,
	})))
	e := signIn()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { triggertest.InvokeHandler(t, chain, e).RequireOK(t) })
	}
	wg.Wait()
	if n := len(ses.Sent()); n != 1 {
		t.Errorf("%d notices for one sign-in delivered 6 times at once, want 1", n)
	}
}

func TestConstructorsRefuseBadConfiguration(t *testing.T) {
	t.Parallel()
	db, ses := fakeaws.NewDynamoDB(), fakeaws.NewSES()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"record without table", second(postauth.RecordSignIn(postauth.RecordConfig{
			Client:       db,
			PartitionKey: "id",
		})), "postauth.RecordSignIn: Table is empty"},
		{"record without key", second(postauth.RecordSignIn(postauth.RecordConfig{
			Client: db,
			Table:  "t",
		})), "postauth.RecordSignIn: PartitionKey is empty"},
		{"short window", second(postauth.RecordSignIn(postauth.RecordConfig{
			Client:       db,
			Table:        "t",
			PartitionKey: "id",
			RetryWindow:  time.Second,
		})), "postauth.RecordSignIn: RetryWindow"},
		{"negative window", second(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Table:       "m",
			Email:       testEmail,
			RetryWindow: -time.Minute,
		})), "postauth.NewDeviceNotice: RetryWindow"},
		{"long window", second(postauth.AuditTrail(postauth.AuditConfig{
			Client:      db,
			Table:       "t",
			RetryWindow: 2 * time.Hour,
		})), "postauth.AuditTrail: RetryWindow"},
		{"short retention", second(postauth.AuditTrail(postauth.AuditConfig{
			Client:    db,
			Table:     "t",
			Retention: time.Hour,
		})), "Retention 1h0m0s is shorter than a day"},
		{"negative retention", second(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Table:     "m",
			Email:     testEmail,
			Retention: -time.Hour,
		})), "Retention -1h0m0s is shorter than a day"},
		{"same audit keys", second(postauth.AuditTrail(postauth.AuditConfig{
			Client:       db,
			Table:        "t",
			PartitionKey: "k",
			SortKey:      "k",
		})), "PartitionKey and SortKey"},
		{"audit key equal to the default sort key", second(postauth.AuditTrail(postauth.AuditConfig{
			Table:        "t",
			PartitionKey: "sk",
		})), "PartitionKey and SortKey"},
		{"audit without table", second(postauth.AuditTrail(postauth.AuditConfig{
			Client: db,
		})), "postauth.AuditTrail: Table is empty"},
		{"notice without table", second(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Sender:  ses,
			Markers: db,
			Email:   testEmail,
		})), "postauth.NewDeviceNotice: Table is empty"},
		{"notice bad sender", second(postauth.NewDeviceNotice(postauth.NoticeConfig{Sender: ses, Markers: db, Table: "m",
			Email: postauth.Email{From: "nobody", Subject: "s", Text: "t"}})), "sender"},
		{"notice without body", second(postauth.NewDeviceNotice(postauth.NoticeConfig{Sender: ses, Markers: db, Table: "m",
			Email: postauth.Email{From: "a@example.com", Subject: "s"}})), "no body"},
		{"notice misspelt field", second(postauth.NewDeviceNotice(postauth.NoticeConfig{Sender: ses, Markers: db, Table: "m",
			Email: postauth.Email{From: "a@example.com", Subject: "{{.Attribute.x}}", Text: "t"}})), "subject template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", tt.err, tt.want)
			}
		})
	}
}

func second(_ postauth.Handler, err error) error { return err }

// A failing module is logged and the sign-in goes on; a critical one refuses it.
func TestBestEffortAndCritical(t *testing.T) {
	t.Parallel()
	db := fakeaws.NewDynamoDB()
	db.AddTable("profiles", "id", "")
	record := must(postauth.RecordSignIn(postauth.RecordConfig{Client: db, Table: "profiles", PartitionKey: "id"}))
	var after atomic.Int32
	count := func(context.Context, *postauth.Event) error { after.Add(1); return nil }

	var logs triggertest.Logs
	db.FailNext("UpdateItem", errors.New("throttled"))
	triggertest.InvokeHandler(t, postauth.BestEffort(record, count), signIn(), triggers.RouterConfig{Logger: logs.Logger()}).RequireOK(t)
	failed := logs.Find(t, "post authentication module failed")
	if len(failed) != 1 || failed[0]["module"] != "RecordSignIn" || !strings.Contains(failed[0]["error"].(string), "throttled") {
		t.Errorf("failure logged as %v", failed)
	}
	if after.Load() != 1 {
		t.Error("the module after a failed one did not run")
	}

	db.FailNext("UpdateItem", errors.New("throttled"))
	res := triggertest.InvokeHandler(t, postauth.BestEffort(postauth.Critical(record), count), signIn())
	res.RequireInternalError(t)
	if after.Load() != 1 {
		t.Error("the chain went on after a critical failure")
	}

	// A panic is a failure like another: logged with its module's name, the sign-in goes on.
	var panicLogs triggertest.Logs
	boom := postauth.Named("boom", func(context.Context, *postauth.Event) error { panic("boom") })
	triggertest.InvokeHandler(t, postauth.Parallel(boom, count), signIn(), triggers.RouterConfig{Logger: panicLogs.Logger()}).RequireOK(t)
	if failed := panicLogs.Find(t, "post authentication module failed"); len(failed) != 1 || failed[0]["module"] != "boom" ||
		failed[0]["stack"] == nil {
		t.Errorf("panic logged as %v", failed)
	}

	// An event without sub is a module failure, not a refused sign-in.
	triggertest.InvokeHandler(t, postauth.Parallel(record, count), signIn(triggertest.WithoutAttribute("sub"))).RequireOK(t)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	db, ses := fakeaws.NewDynamoDB(), fakeaws.NewSES()
	db.AddTable("profiles", "id", "")
	db.AddTable("sign-ins", "pk", "sk")
	db.AddTable("markers", "pk", "")
	mods := map[string]postauth.Handler{
		"RecordSignIn": must(postauth.RecordSignIn(postauth.RecordConfig{Client: db, Table: "profiles", PartitionKey: "id"})),
		"AuditTrail":   must(postauth.AuditTrail(postauth.AuditConfig{Client: db, Table: "sign-ins"})),
		"NewDeviceNotice": must(postauth.NewDeviceNotice(postauth.NoticeConfig{
			Sender:  ses,
			Markers: db,
			Table:   "markers",
			Email:   testEmail,
		})),
	}
	for name, m := range mods {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			triggertest.RunModuleTests(t, m, triggertest.RunConfig{Sources: triggers.Sources{triggers.PostAuthenticationAuthentication}})
			triggertest.RunModuleTests(t, postauth.Critical(m), triggertest.RunConfig{Sources: triggers.Sources{triggers.PostAuthenticationAuthentication}})
		})
	}
}
