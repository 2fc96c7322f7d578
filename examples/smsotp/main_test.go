package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/internal/localaws"
	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
	"github.com/lambda-triggers/cognito/triggers/triggertest/awslocal"
)

const testKey = "OTP_HMAC_KEY=test-key-of-at-least-thirty-two-bytes-0123456789"

func TestStartupErrors(t *testing.T) {
	t.Parallel()
	exampletest.RequireStartupErrors(t, "smsotp: ", triggertest.Payload(triggers.DefineAuthChallengeAuthentication), []exampletest.StartupError{
		{Name: "no key", Env: nil, Want: "missing environment variable OTP_HMAC_KEY"},
		{Name: "short key", Env: []string{"OTP_HMAC_KEY=tiny-secret-value"}, Want: "OTP_HMAC_KEY: smsotp.Flow: customauth.CodeStep: SMS_OTP needs a hash key"},
		{Name: "bad flag", Env: []string{testKey, "SMS_ALLOW_UNVERIFIED=maybe"}, Want: "SMS_ALLOW_UNVERIFIED: want true or false"},
		{Name: "bad password flag", Env: []string{testKey, "CUSTOM_AUTH_PASSWORD=sometimes"}, Want: "CUSTOM_AUTH_PASSWORD: want true or false"},
		{Name: "reference without a name", Env: []string{"OTP_HMAC_KEY=ssm:"}, Want: `OTP_HMAC_KEY: secrets: "ssm:" names no parameter or secret`},
	}, "tiny-secret-value")
}

// smsServer stands in for SNS: it answers Publish as SNS does and keeps the messages
// by phone number.
type smsServer struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (s *smsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" || r.PostForm.Get("PhoneNumber") == "" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad request</Message></Error></ErrorResponse>`))
		return
	}
	s.mu.Lock()
	s.sent[r.PostForm.Get("PhoneNumber")] = append(s.sent[r.PostForm.Get("PhoneNumber")], r.PostForm.Get("Message"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`))
}

func (s *smsServer) messages(phone string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent[phone]...)
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// TestIntegrationSignIn signs in by SMS code through the program, with Cognito's part
// played by the flow simulator, DynamoDB local as the code store, and a stand-in for SNS
// that the real SNS client talks to (no local SNS server answers Publish to a phone
// number): the code arrives, a wrong answer is asked again without a second message, the
// right one gets tokens, and a user whose number is not verified gets nothing.
func TestIntegrationSignIn(t *testing.T) {
	srv := localAWS.Servers(t)
	sns := &smsServer{sent: map[string][]string{}}
	stub := httptest.NewServer(sns)
	t.Cleanup(stub.Close)
	table := srv.CreateTable(t, "", "pk", "")
	env := append(srv.Env(), testKey, "SMS_OTP_TABLE="+table, "AWS_ENDPOINT_URL_SNS="+stub.URL)
	phone := fmt.Sprintf("+1555%07d", rand.IntN(1e7)) // unique among the tests sharing the store
	user := triggertest.AuthUser{UserName: awslocal.UniqueName("ana"), Attributes: map[string]string{
		"phone_number": phone, "phone_number_verified": "true"}}
	flow := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: user})

	step := flow.Start()
	if step.ChallengeName != "CUSTOM_CHALLENGE" || step.Public["step"] != "SMS_OTP" || step.Public["phone"] != "+*******"+phone[len(phone)-4:] {
		t.Fatalf("first step %+v, want the SMS code challenge", step)
	}
	got := sns.messages(phone)
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	code := codePattern.FindString(got[0])
	if step = flow.Answer("0" + code); step.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("after a wrong answer: %+v, want the challenge again", step)
	}
	if step = flow.Answer(code); !step.Tokens {
		t.Fatalf("after the right code: %+v, want tokens", step)
	}
	if n := len(sns.messages(phone)); n != 1 {
		t.Errorf("%d messages for one sign-in, want 1", n)
	}

	unverified := triggertest.AuthUser{UserName: awslocal.UniqueName("bo"), Attributes: map[string]string{"phone_number": "+15555550199"}}
	other := triggertest.NewAuthFlow(t, exampletest.Program(t, env), triggertest.AuthFlowConfig{User: unverified})
	if step := other.Start(); step.Public["step"] != "SMS_OTP" || len(sns.messages("+15555550199")) != 0 {
		t.Errorf("unverified number: %+v, %d messages; want the same challenge and none", step, len(sns.messages("+15555550199")))
	}
}

var localAWS = localaws.New(awslocal.Config{DynamoDB: true})

func TestMain(m *testing.M) { exampletest.Main(m, main, localAWS) }
