package triggertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lambda-triggers/cognito/triggers"
)

// RunConfig tells [RunModuleTests] what to expect of a module. The zero RunConfig
// expects nothing beyond the properties every module has.
type RunConfig struct {
	// Sources is the trigger sources the module acts on, as its documentation states. On
	// every other source of its trigger, RunModuleTests checks that the module succeeds
	// and leaves the response as Cognito sent it. Empty: the module acts on every source,
	// and that check is skipped.
	Sources triggers.Sources
	// EventOptions are applied to every fixture before the module sees it, to give the
	// events what the module expects (an attribute, client metadata). Default: none.
	EventOptions []Option
	// Router configures the router the module runs in, such as a longer Budget for a
	// module that needs more time against a slow fake. Its Logger is replaced: the checks
	// read the log output. Default: the zero RouterConfig.
	Router triggers.RouterConfig
}

// check reports a config that does not fit a module of trigger.
func (cfg RunConfig) check(trigger triggers.Trigger) error {
	if _, err := cfg.Sources.Resolve(trigger, nil); err != nil {
		return fmt.Errorf("triggertest.RunModuleTests: %w", err)
	}
	return nil
}

// minSecretLen is the shortest value the checks treat as a secret: six-digit codes count,
// while short values such as "true" would match unrelated log text.
const minSecretLen = 6

// RunModuleTests checks properties every module must have, in the spirit of
// testing/slogtest. It runs module as the only chain of a router, through the JSON
// boundary, on every fixture of the module's trigger (all event versions), with a debug
// logger, and reports in one subtest per fixture:
//
//   - the module does not panic, on the fixture or on a sparse copy of it whose request
//     maps and lists are null, as Cognito sends them when there is nothing to send;
//   - no log line and no error text reveals a secret of the event: a password, a
//     challenge answer, private challenge parameter values (including those the module
//     writes), a sender code, validation data values, provider tokens;
//   - on a trigger source the module does not act on (see [RunConfig.Sources]), it
//     succeeds and the response is what Cognito sent (see [ResponseDiff]).
//
// The module may succeed or fail on the fixtures: they are not written for it. Only log
// output that goes through the router's logger ([triggers.Logger] in the module) is
// checked. A source in cfg.Sources that is not of the module's trigger fails t.
//
//	func TestDenyTempMailConformance(t *testing.T) {
//		triggertest.RunModuleTests(t, denyTempMail, triggertest.RunConfig{
//			Sources: triggers.Sources{triggers.PreSignUpSignUp},
//		})
//	}
func RunModuleTests[E any, P interface {
	*E
	triggers.Event
}](t *testing.T, module triggers.Handler[E], cfg RunConfig) {
	t.Helper()
	trigger := P(new(E)).Trigger()
	if err := cfg.check(trigger); err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtureList {
		if f.source.Trigger() != trigger {
			continue
		}
		t.Run(f.name(), func(t *testing.T) {
			for _, p := range checkFixture[E, P](t, module, f, cfg) {
				t.Error(p)
			}
		})
	}
}

// checkFixture runs module on one fixture and its sparse copy, and describes every
// property it breaks.
func checkFixture[E any, P interface {
	*E
	triggers.Event
}](t TB, module triggers.Handler[E], f fixture, cfg RunConfig) []string {
	payload := Payload(f.source, append([]Option{WithVersion(f.version)}, cfg.EventOptions...)...)
	obs := observe[E, P](t, module, payload, cfg.Router)
	problems := obs.problems("")
	if len(cfg.Sources) > 0 && !cfg.Sources.Has(f.source) {
		if !obs.res.OK() {
			problems = append(problems, fmt.Sprintf("module does not act on %s but the invocation %s", f.source, obs.res.describe()))
		} else if diff := ResponseDiff(payload, obs.res.Response); diff != "" {
			problems = append(problems, fmt.Sprintf("module does not act on %s but changed the response:\n%s", f.source, diff))
		}
	}
	return append(problems, observe[E, P](t, module, sparse(payload), cfg.Router).problems("sparse event: ")...)
}

// observation is what one invocation of a module showed.
type observation struct {
	res      Result
	panicked *triggers.PanicError
	logs     []byte
	secrets  []secret
}

type secret struct{ what, value string }

func observe[E any, P interface {
	*E
	triggers.Event
}](t TB, module triggers.Handler[E], payload []byte, routerCfg triggers.RouterConfig) observation {
	var (
		mu       sync.Mutex
		logs     bytes.Buffer
		panicked *triggers.PanicError
	)
	// catch sits innermost, around the module alone, so that it tells a panic from the
	// generic error the router makes of it.
	catch := func(next triggers.Next) triggers.Next {
		return func(ctx context.Context, e triggers.Event) (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = &triggers.PanicError{Value: v, Stack: debug.Stack()}
				}
				var p *triggers.PanicError
				if errors.As(err, &p) {
					mu.Lock()
					panicked = p
					mu.Unlock()
				}
			}()
			return next(ctx, e)
		}
	}
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := routerCfg
	cfg.Logger = logger
	cfg.Middleware = append(slices.Clone(cfg.Middleware), catch)
	res := Invoke(t, routerFor[E, P](module, cfg), payload)

	obs := observation{res: res}
	in := P(new(E))
	if json.Unmarshal(payload, in) == nil {
		obs.secrets = secretsOf(in)
	}
	// The response echoes the request; only what the module wrote there is new.
	if out := new(triggers.CreateAuthChallengeEvent); res.OK() && res.Trigger == triggers.TriggerCreateAuthChallenge &&
		json.Unmarshal(res.Response, out) == nil {
		obs.secrets = append(obs.secrets, secretsOf(out)...)
	}
	mu.Lock()
	defer mu.Unlock()
	obs.panicked, obs.logs = panicked, bytes.Clone(logs.Bytes())
	return obs
}

func (o observation) problems(prefix string) []string {
	var out []string
	if o.panicked != nil {
		out = append(out, fmt.Sprintf("%smodule panicked: %v\n%s", prefix, o.panicked.Value, o.panicked.Stack))
	}
	for _, s := range o.secrets {
		for line := range bytes.Lines(o.logs) {
			if bytes.Contains(line, []byte(s.value)) {
				out = append(out, fmt.Sprintf("%sa log line reveals the %s: %s", prefix, s.what, bytes.TrimSpace(line)))
				break
			}
		}
		if strings.Contains(o.res.ErrorMessage, s.value) {
			out = append(out, fmt.Sprintf("%sthe error text the end user sees reveals the %s: %q", prefix, s.what, o.res.ErrorMessage))
		}
	}
	return out
}

// secretsOf lists the values of e that must never be logged. A value that the event
// also carries in the open (a user attribute, the user name) is left out: logging it
// reveals nothing.
func secretsOf(e triggers.Event) []secret {
	var out []secret
	public := map[string]bool{e.EventHeader().UserName: true}
	add := func(what, value string) {
		if len(value) >= minSecretLen && !public[value] {
			out = append(out, secret{what, value})
		}
	}
	addMap := func(what string, m map[string]string) {
		for k, v := range m {
			add(what+" "+k, v)
		}
	}
	publicMap := func(m map[string]string) {
		for _, v := range m {
			public[v] = true
		}
	}
	switch e := e.(type) {
	case *triggers.PreSignUpEvent:
		publicMap(e.Request.UserAttributes)
		addMap("validation data", e.Request.ValidationData)
	case *triggers.PreAuthenticationEvent:
		publicMap(e.Request.UserAttributes)
		addMap("validation data", e.Request.ValidationData)
	case *triggers.CreateAuthChallengeEvent:
		publicMap(e.Request.UserAttributes)
		addMap("private challenge parameter", e.Response.PrivateChallengeParameters)
	case *triggers.VerifyAuthChallengeEvent:
		publicMap(e.Request.UserAttributes)
		add("challenge answer", e.Request.ChallengeAnswer.Reveal())
		addMap("private challenge parameter", e.Request.PrivateChallengeParameters)
	case *triggers.UserMigrationEvent:
		add("password", e.Request.Password.Reveal())
		addMap("validation data", e.Request.ValidationData)
	case *triggers.CustomEmailSenderEvent:
		publicMap(e.Request.UserAttributes)
		add("code", e.Request.Code.Reveal())
	case *triggers.CustomSMSSenderEvent:
		publicMap(e.Request.UserAttributes)
		add("code", e.Request.Code.Reveal())
	case *triggers.InboundFederationEvent:
		for k, v := range e.Request.Attributes.TokenResponse {
			if strings.HasSuffix(k, "token") {
				add("provider's "+k, v)
			}
		}
	}
	return out
}

// sparse returns the event with every map and list of its request set to null.
func sparse(payload []byte) []byte {
	var doc map[string]json.RawMessage
	if json.Unmarshal(payload, &doc) != nil {
		return payload
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(doc["request"], &req) != nil || req == nil {
		return payload
	}
	for k, v := range req {
		if v := bytes.TrimSpace(v); len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			req[k] = json.RawMessage("null")
		}
	}
	var err error
	if doc["request"], err = json.Marshal(req); err != nil {
		return payload
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return payload
	}
	return out
}

// lockedWriter serializes writes from modules that log concurrently (triggers.Parallel).
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
