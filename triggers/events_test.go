package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// passThrough returns a router with an empty chain for every trigger: what it answers is
// the codec's work alone.
func passThrough() *triggers.Router {
	return triggers.NewRouter(triggers.RouterConfig{Logger: slog.New(slog.DiscardHandler)}).
		PreSignUp(triggers.Chain[triggers.PreSignUpEvent]()).
		PostConfirmation(triggers.Chain[triggers.PostConfirmationEvent]()).
		PreAuthentication(triggers.Chain[triggers.PreAuthenticationEvent]()).
		PostAuthentication(triggers.Chain[triggers.PostAuthenticationEvent]()).
		DefineAuthChallenge(triggers.Chain[triggers.DefineAuthChallengeEvent]()).
		CreateAuthChallenge(triggers.Chain[triggers.CreateAuthChallengeEvent]()).
		VerifyAuthChallenge(triggers.Chain[triggers.VerifyAuthChallengeEvent]()).
		PreTokenGeneration(triggers.Chain[triggers.PreTokenGenerationEvent]()).
		UserMigration(triggers.Chain[triggers.UserMigrationEvent]()).
		CustomMessage(triggers.Chain[triggers.CustomMessageEvent]()).
		CustomEmailSender(triggers.Chain[triggers.CustomEmailSenderEvent]()).
		CustomSMSSender(triggers.Chain[triggers.CustomSMSSenderEvent]()).
		InboundFederation(triggers.Chain[triggers.InboundFederationEvent]())
}

// decodeFixtureEvent decodes data into a new event of its trigger's type.
func decodeFixtureEvent(t *testing.T, data []byte) triggers.Event {
	t.Helper()
	var head struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		t.Fatalf("event is not JSON: %v", err)
	}
	e := triggers.NewEvent(head.TriggerSource.Trigger())
	if e == nil {
		t.Fatalf("no event type for triggerSource %q", head.TriggerSource)
	}
	if err := json.Unmarshal(data, e); err != nil {
		t.Fatalf("decode %s: %v\n%s", head.TriggerSource, err, data)
	}
	return e
}

// sameEvent compares two decoded events, taking an empty map and a nil one as equal:
// `"clientMetadata": {}` and a missing clientMetadata carry the same information.
func sameEvent(a, b triggers.Event) bool {
	return reflect.DeepEqual(dropEmptyMaps(reflect.ValueOf(a)), dropEmptyMaps(reflect.ValueOf(b)))
}

func dropEmptyMaps(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return dropEmptyMaps(v.Elem())
	case reflect.Struct:
		out := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			out[v.Type().Field(i).Name] = dropEmptyMaps(v.Field(i))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		out := make(map[string]any, v.Len())
		for _, k := range v.MapKeys() {
			out[k.String()] = dropEmptyMaps(v.MapIndex(k))
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = dropEmptyMaps(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

func handle(t *testing.T, r *triggers.Router, payload []byte) []byte {
	t.Helper()
	out, ierr := r.Handle(context.Background(), payload)
	if ierr != nil {
		t.Fatalf("pass-through failed: %s %q", ierr.Type, ierr.Message)
	}
	return out
}

// Every fixture survives decode -> encode -> decode through the wire codec unchanged,
// secrets included, and a second pass encodes the same JSON.
func TestFixturesRoundTripThroughTheCodec(t *testing.T) {
	t.Parallel()
	router := passThrough()
	for name, data := range triggertest.Fixtures() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := decodeFixtureEvent(t, data)
			out := handle(t, router, data)
			back := decodeFixtureEvent(t, out)
			if !sameEvent(in, back) {
				t.Errorf("round trip changed the event\nsent %s\n got %s", data, out)
			}
			var first, second any
			if err := json.Unmarshal(out, &first); err != nil {
				t.Fatalf("response is not JSON: %v", err)
			}
			if err := json.Unmarshal(handle(t, router, out), &second); err != nil {
				t.Fatalf("second response is not JSON: %v", err)
			}
			if !reflect.DeepEqual(first, second) {
				t.Errorf("encoding is not stable:\nfirst  %s\nsecond %v", out, second)
			}
		})
	}
}

// The rule the library is built on: a function with no modules answers Cognito exactly
// as Cognito asked, for every trigger source and event version.
func TestNoOpChainAnswersCognitoAsItAsked(t *testing.T) {
	t.Parallel()
	router := passThrough()
	for name, data := range triggertest.Fixtures() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := handle(t, router, data)
			if diff := triggertest.ResponseDiff(data, out); diff != "" {
				t.Errorf("Cognito would read the response differently:\n%s\nsent %s\n got %s", diff, data, out)
			}
			var doc struct {
				Response any `json:"response"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			// The faults of pass-through handlers built on aws-lambda-go's types, named
			// so that a failure says which one came back.
			walkJSON("response", doc.Response, func(path string, v any) {
				if strings.HasSuffix(path, ".groupOverrideDetails") {
					t.Errorf("%s present: Cognito would replace the user's groups", path)
				}
				if v == "" {
					t.Errorf(`%s is "": Cognito would use an empty value`, path)
				}
			})
		})
	}
}

func walkJSON(path string, v any, visit func(string, any)) {
	visit(path, v)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkJSON(path+"."+k, x, visit)
		}
	case []any:
		for _, x := range v {
			walkJSON(path+"[]", x, visit)
		}
	}
}

// Real payloads carry more than the documented shapes; decoding takes them as Cognito
// means them.
func TestLenientDecoding(t *testing.T) {
	t.Parallel()
	var got triggers.Event
	capture := func(_ context.Context, e *triggers.PostAuthenticationEvent) error { got = e; return nil }
	tests := []struct {
		name  string
		opts  []triggertest.Option
		check func(e *triggers.PostAuthenticationEvent) string // "" when as wanted
	}{
		{"boolean and number attributes", []triggertest.Option{
			triggertest.Set("request.userAttributes.phone_number_verified", false),
			triggertest.Set("request.userAttributes.custom:score", 7.5),
		}, func(e *triggers.PostAuthenticationEvent) string {
			a := e.Request.UserAttributes
			if a["email_verified"] != "true" || a["phone_number_verified"] != "false" ||
				a["custom:login_count"] != "41" || a["custom:score"] != "7.5" {
				return "attributes " + strings.Join([]string{a["email_verified"], a["phone_number_verified"],
					a["custom:login_count"], a["custom:score"]}, ",")
			}
			return ""
		}},
		{"null attribute dropped", []triggertest.Option{triggertest.Set("request.userAttributes.name", nil)},
			func(e *triggers.PostAuthenticationEvent) string {
				if _, ok := e.Request.UserAttributes["name"]; ok {
					return "null attribute kept"
				}
				return ""
			}},
		{"null maps", []triggertest.Option{triggertest.Set("request.userAttributes", nil),
			triggertest.Set("request.clientMetadata", nil)},
			func(e *triggers.PostAuthenticationEvent) string {
				if e.Request.UserAttributes != nil || e.Request.ClientMetadata != nil {
					return "null maps decoded as non-nil"
				}
				return ""
			}},
		{"null request and response", []triggertest.Option{triggertest.Set("request", nil), triggertest.Set("response", nil)},
			func(e *triggers.PostAuthenticationEvent) string {
				if e.UserName == "" {
					return "header lost"
				}
				return ""
			}},
		{"unknown fields", []triggertest.Option{triggertest.Set("newTopLevel", map[string]any{"x": 1}),
			triggertest.Set("request.newRequestField", []any{1, "two"}), triggertest.Set("response.newResponseField", true),
			triggertest.Set("callerContext.newContextField", "x")},
			func(e *triggers.PostAuthenticationEvent) string {
				if !e.Request.NewDeviceUsed || e.Request.UserAttributes["email"] == "" {
					return "known fields lost next to unknown ones"
				}
				return ""
			}},
		{"version as a number", []triggertest.Option{triggertest.Set("version", 1)},
			func(e *triggers.PostAuthenticationEvent) string {
				if e.Version != "1" {
					return "version " + e.Version
				}
				return ""
			}},
	}
	for _, tt := range tests {
		// Not parallel: the cases share capture.
		payload := triggertest.Payload(triggers.PostAuthenticationAuthentication, tt.opts...)
		got = nil
		res := triggertest.InvokeHandlerPayload(t, capture, payload)
		if !res.OK() {
			t.Errorf("%s: %s %q", tt.name, res.ErrorType, res.ErrorMessage)
			continue
		}
		if problem := tt.check(got.(*triggers.PostAuthenticationEvent)); problem != "" {
			t.Errorf("%s: %s", tt.name, problem)
		}
	}
}

// A payload of the wrong shape is refused as invalid, naming the field and never its
// values, which may be secret.
func TestMalformedEventsAreRefused(t *testing.T) {
	t.Parallel()
	router := passThrough()
	tests := []struct {
		name    string
		payload []byte
	}{
		{"attributes as a list", triggertest.Payload(triggers.PreSignUpSignUp,
			triggertest.Set("request.userAttributes", []any{"hunter2-secret-value"}))},
		{"password as an object", triggertest.Payload(triggers.UserMigrationAuthentication,
			triggertest.Set("request.password", map[string]any{"hunter2-secret-value": true}))},
		{"truncated", triggertest.Fixture(triggers.VerifyAuthChallengeResponseAuthentication)[:200]},
		{"no trigger source", triggertest.Payload(triggers.CustomSMSSenderSignUp, triggertest.Unset("triggerSource"))},
		{"unknown trigger", triggertest.Payload(triggers.CustomSMSSenderSignUp, triggertest.Set("triggerSource", "Nope_Nope"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := triggertest.Invoke(t, router, tt.payload).RequireInvalidEvent(t)
			for _, secret := range []string{"hunter2-secret-value", "739154"} {
				if strings.Contains(res.ErrorMessage, secret) {
					t.Errorf("error text reveals a value: %q", res.ErrorMessage)
				}
			}
		})
	}
}

// What a module sets is sent, and only that: fields left alone stay out of the response.
func TestFaithfulEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		invoke func(t *testing.T) triggertest.Result
		want   string // the response member, as JSON
	}{
		{"pre token V1 claims only", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
				e.Response.ClaimsOverrideDetails = &triggers.ClaimsOverrideDetails{
					ClaimsToAddOrOverride: map[string]string{"tenant": "t1"}}
				return nil
			}, triggertest.PreTokenGeneration(triggers.TokenGenerationAuthentication, "1"))
		}, `{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tenant":"t1"},"groupOverrideDetails":{"groupsToOverride":["admins","editors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins","arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-editors"],"preferredRole":"arn:aws:iam::123456789012:role/eu-west-1_Xa7bC9dEf-admins"}}}`},
		{"pre token V2 removes groups on purpose", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
				e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
					GroupOverrideDetails: &triggers.GroupConfiguration{GroupsToOverride: []string{}}}
				return nil
			}, triggertest.PreTokenGeneration(triggers.TokenGenerationHostedAuth, "2"))
		}, `{"claimsAndScopeOverrideDetails":{"groupOverrideDetails":{"groupsToOverride":[]}}}`},
		{"pre token V3 claim types", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.PreTokenGenerationEvent) error {
				e.Response.ClaimsAndScopeOverrideDetails = &triggers.ClaimsAndScopeOverrideDetails{
					AccessTokenGeneration: &triggers.AccessTokenGeneration{
						ClaimsToAddOrOverride: map[string]any{"n": 3, "b": true, "l": []string{"x"}},
						ScopesToSuppress:      []string{"https://api.example.com/reports.export"}}}
				return nil
			}, triggertest.PreTokenGeneration(triggers.TokenGenerationClientCredentials, "3"))
		}, `{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"b":true,"l":["x"],"n":3},"scopesToSuppress":["https://api.example.com/reports.export"]}}}`},
		{"custom message email only", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.CustomMessageEvent) error {
				e.Response.EmailSubject = "Your code"
				e.Response.EmailMessage = "Code: " + e.Request.CodeParameter
				return nil
			}, triggertest.CustomMessage(triggers.CustomMessageForgotPassword))
		}, `{"emailMessage":"Code: {####}","emailSubject":"Your code"}`},
		{"migration", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.UserMigrationEvent) error {
				e.Response.UserAttributes = triggers.Attributes{"email": "legacy.user@example.com", "email_verified": "true"}
				e.Response.FinalUserStatus = "CONFIRMED"
				e.Response.MessageAction = "SUPPRESS"
				e.Response.EnableSMSMFA = true
				return nil
			}, triggertest.UserMigration(triggers.UserMigrationAuthentication))
		}, `{"userAttributes":{"email":"legacy.user@example.com","email_verified":"true"},"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS","enableSMSMFA":true}`},
		{"define issues tokens", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.DefineAuthChallengeEvent) error {
				e.Response.IssueTokens = true
				return nil
			}, triggertest.DefineAuthChallenge())
		}, `{"issueTokens":true,"failAuthentication":false}`},
		{"create challenge", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.CreateAuthChallengeEvent) error {
				e.Response.PublicChallengeParameters = map[string]string{"email": "a***@example.com"}
				e.Response.PrivateChallengeParameters = map[string]string{"answer": "604218"}
				e.Response.ChallengeMetadata = "EMAIL_OTP"
				return nil
			}, triggertest.CreateAuthChallenge())
		}, `{"publicChallengeParameters":{"email":"a***@example.com"},"privateChallengeParameters":{"answer":"604218"},"challengeMetadata":"EMAIL_OTP"}`},
		{"federation keeps all attributes with an empty map", func(t *testing.T) triggertest.Result {
			return triggertest.InvokeHandler(t, func(_ context.Context, e *triggers.InboundFederationEvent) error {
				e.Response.UserAttributesToMap = nil
				return nil
			}, triggertest.InboundFederation())
		}, `{"userAttributesToMap":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tt.invoke(t).RequireOK(t)
			var doc struct {
				Response json.RawMessage `json:"response"`
			}
			if err := json.Unmarshal(res.Response, &doc); err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(doc.Response, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("response\n got %s\nwant %s", doc.Response, tt.want)
			}
		})
	}
}

// Secrets cross the wire as Cognito sent them: redaction is for logs, not for the
// function's answer.
func TestSecretsCrossTheWireUnchanged(t *testing.T) {
	t.Parallel()
	router := passThrough()
	for _, tt := range []struct {
		src   triggers.TriggerSource
		field string
	}{
		{triggers.UserMigrationAuthentication, "password"},
		{triggers.VerifyAuthChallengeResponseAuthentication, "challengeAnswer"},
		{triggers.CustomEmailSenderSignUp, "code"},
		{triggers.CustomSMSSenderAuthentication, "code"},
	} {
		data := triggertest.Fixture(tt.src)
		var in, out struct {
			Request map[string]json.RawMessage `json:"request"`
		}
		if err := json.Unmarshal(data, &in); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(handle(t, router, data), &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(in.Request[tt.field], out.Request[tt.field]) {
			t.Errorf("%s: request.%s sent %s, returned %s", tt.src, tt.field, in.Request[tt.field], out.Request[tt.field])
		}
	}
}

// TestNewEvent checks that every trigger has an event type that reports that trigger,
// and that an unknown trigger has none.
func TestNewEvent(t *testing.T) {
	t.Parallel()
	for _, trigger := range triggers.Triggers {
		e := triggers.NewEvent(trigger)
		if e == nil {
			t.Errorf("NewEvent(%q) = nil", trigger)
			continue
		}
		if got := e.Trigger(); got != trigger {
			t.Errorf("NewEvent(%q) is a %T, whose trigger is %q", trigger, e, got)
		}
	}
	for _, trigger := range []triggers.Trigger{"", "Nope", "VerifyAuthChallenge"} {
		if e := triggers.NewEvent(trigger); e != nil {
			t.Errorf("NewEvent(%q) = %T, want nil", trigger, e)
		}
	}
}

func TestSourcesResolve(t *testing.T) {
	t.Parallel()
	def := triggers.Sources{triggers.PreSignUpSignUp}
	tests := []struct {
		name    string
		in      triggers.Sources
		want    triggers.Sources
		wantErr string
	}{
		{"empty takes the default", nil, def, ""},
		{"own sources", triggers.Sources{triggers.PreSignUpAdminCreateUser}, triggers.Sources{triggers.PreSignUpAdminCreateUser}, ""},
		{"foreign source", triggers.Sources{triggers.PostConfirmationConfirmSignUp}, nil, `"PostConfirmation_ConfirmSignUp" is not a PreSignUp trigger source`},
		{"unknown source", triggers.Sources{"Nonsense"}, nil, `"Nonsense" is not a PreSignUp trigger source`},
	}
	for _, tt := range tests {
		got, err := tt.in.Resolve(triggers.TriggerPreSignUp, def)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
		if len(got) > 0 && !got.Has(got[0]) || got.Has(triggers.CustomMessageSignUp) {
			t.Errorf("%s: Has disagrees with the list %v", tt.name, got)
		}
	}
}
