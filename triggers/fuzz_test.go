package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
)

// One fuzzer per trigger, through the JSON boundary: a router with a chain of no modules
// for the trigger gets arbitrary bytes. Whatever they are, Handle must not panic; when it
// refuses them it says so as an invalid event and sends nothing; when it accepts them
// they were JSON, its answer is JSON that decodes to what the input decoded to (as far as
// the wire format carries it), and answering its own answer changes no byte.

func FuzzPreSignUp(f *testing.F) { codecFuzz(f, (*triggers.Router).PreSignUp) }

func FuzzPostConfirmation(f *testing.F) { codecFuzz(f, (*triggers.Router).PostConfirmation) }

func FuzzPreAuthentication(f *testing.F) { codecFuzz(f, (*triggers.Router).PreAuthentication) }

func FuzzPostAuthentication(f *testing.F) { codecFuzz(f, (*triggers.Router).PostAuthentication) }

func FuzzDefineAuthChallenge(f *testing.F) { codecFuzz(f, (*triggers.Router).DefineAuthChallenge) }

func FuzzCreateAuthChallenge(f *testing.F) { codecFuzz(f, (*triggers.Router).CreateAuthChallenge) }

func FuzzVerifyAuthChallenge(f *testing.F) { codecFuzz(f, (*triggers.Router).VerifyAuthChallenge) }

func FuzzPreTokenGeneration(f *testing.F) { codecFuzz(f, (*triggers.Router).PreTokenGeneration) }

func FuzzUserMigration(f *testing.F) { codecFuzz(f, (*triggers.Router).UserMigration) }

func FuzzCustomMessage(f *testing.F) { codecFuzz(f, (*triggers.Router).CustomMessage) }

func FuzzCustomEmailSender(f *testing.F) { codecFuzz(f, (*triggers.Router).CustomEmailSender) }

func FuzzCustomSMSSender(f *testing.F) { codecFuzz(f, (*triggers.Router).CustomSMSSender) }

func FuzzInboundFederation(f *testing.F) { codecFuzz(f, (*triggers.Router).InboundFederation) }

// codecFuzzSeeds are odd inputs every fuzzer starts from, in addition to the trigger's
// fixtures; %s stands for one of the trigger's sources.
var codecFuzzSeeds = []string{
	``, `null`, `{}`, `[]`, `"x"`, `{"triggerSource":null}`, `{"triggerSource":"Nope_Nope"}`,
	`{"triggerSource":"%s"}`,
	`{"version":1,"triggerSource":"%s","request":null,"response":null}`,
	`{"version":"3","triggerSource":"%s","request":{"userAttributes":{"a":true,"b":1e3,"c":null,"d":{"e":[1,"\ud800"]}}}}`,
	`{"triggerSource":"%s","triggerSource":"%s","userName":"a\u00e9\ud83d\ude00","request":{"session":[{"challengeResult":true}]}}`,
	"{\"triggerSource\":\"%s\",\"userName\":\"\xff\xfe\",\"request\":{\"clientMetadata\":{\"\xc0\":\"\xed\xa0\x80\"}}}",
	`{"triggerSource":"%s","response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"n":-0.0e-0,"l":[[{}]]}}}}}`,
}

func codecFuzz[E any, P interface {
	*E
	triggers.Event
}](f *testing.F, register func(*triggers.Router, triggers.Handler[E]) *triggers.Router) {
	router := register(triggers.NewRouter(triggers.RouterConfig{Logger: codecDiscardLogger()}), triggers.Chain[E]())
	trigger := P(new(E)).Trigger()
	source := ""
	for name, payload := range codecFixtures(f) {
		if codecTriggerOf(f, payload) != trigger || strings.HasPrefix(name, "bench") {
			continue
		}
		f.Add(payload)
		var compact bytes.Buffer
		if err := json.Compact(&compact, payload); err != nil {
			f.Fatal(err)
		}
		f.Add(compact.Bytes())
		if source == "" {
			var h struct{ TriggerSource string }
			_ = json.Unmarshal(payload, &h)
			source = h.TriggerSource
		}
	}
	if source == "" {
		f.Fatalf("no fixture for %s", trigger)
	}
	for _, seed := range codecFuzzSeeds {
		f.Add([]byte(strings.ReplaceAll(seed, "%s", source)))
	}

	ctx := context.Background()
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, ierr := router.Handle(ctx, payload)
		if ierr != nil {
			if out != nil {
				t.Fatalf("refused, yet answered %s", out)
			}
			if ierr.Type != triggers.ErrorTypeInvalidEvent || !strings.HasPrefix(ierr.Message, "invalid event: ") {
				t.Fatalf("a chain of no modules failed with %s %q", ierr.Type, ierr.Message)
			}
			return
		}
		if !json.Valid(payload) {
			t.Fatalf("accepted input that is not JSON: %q", payload)
		}
		if !json.Valid(out) {
			t.Fatalf("answered with something that is not JSON: %q", out)
		}
		in, got := P(new(E)), P(new(E))
		if err := json.Unmarshal(payload, in); err != nil {
			t.Fatalf("the router accepted what UnmarshalJSON refuses: %v", err)
		}
		if err := json.Unmarshal(out, got); err != nil {
			t.Fatalf("the answer does not decode: %v\n%s", err, out)
		}
		if !codecSameContent(codecWireView(in), got) {
			t.Fatalf("the answer reads differently\nin  %#v\nout %#v\n%s", in, got, out)
		}
		again, ierr := router.Handle(ctx, out)
		if ierr != nil {
			t.Fatalf("the router refuses its own answer: %v", ierr)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, again)
		}
	})
}
