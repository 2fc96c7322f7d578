package customauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefineEvent is the define auth challenge event.
type DefineEvent = triggers.DefineAuthChallengeEvent

// CreateEvent is the create auth challenge event.
type CreateEvent = triggers.CreateAuthChallengeEvent

// VerifyEvent is the verify auth challenge response event.
type VerifyEvent = triggers.VerifyAuthChallengeEvent

// DefineHandler is a define auth challenge module or chain.
type DefineHandler = triggers.Handler[DefineEvent]

// CreateHandler is a create auth challenge module or chain.
type CreateHandler = triggers.Handler[CreateEvent]

// VerifyHandler is a verify auth challenge response module or chain.
type VerifyHandler = triggers.Handler[VerifyEvent]

// ChainDefine runs define auth challenge modules in order; see [triggers.Chain].
func ChainDefine(mods ...DefineHandler) DefineHandler { return triggers.Chain(mods...) }

// ChainCreate runs create auth challenge modules in order; see [triggers.Chain].
func ChainCreate(mods ...CreateHandler) CreateHandler { return triggers.Chain(mods...) }

// ChainVerify runs verify auth challenge response modules in order; see [triggers.Chain].
func ChainVerify(mods ...VerifyHandler) VerifyHandler { return triggers.Chain(mods...) }

// Challenge names as they appear in the session and in Define's response.
const (
	ChallengeCustom           = "CUSTOM_CHALLENGE"
	ChallengeSRPA             = "SRP_A"
	ChallengePasswordVerifier = "PASSWORD_VERIFIER"
)

// DefaultMaxWrongAnswers is how many wrong answers a flow allows when none is configured:
// the third wrong answer ends the sign-in.
const DefaultMaxWrongAnswers = 3

// StepParam is the public and private challenge parameter in which a flow names the step
// being asked, so that the client knows which prompt to show and Verify knows which check
// to run. Steps may not set it themselves.
const StepParam = "step"

// Step is one custom challenge of a [Flow]: how it is created and how its answer is
// checked. The flow decides when a step is asked, counts wrong answers and issues tokens;
// a step only makes and checks its challenge.
type Step struct {
	// Name identifies the step. The flow records it in each challenge's metadata and
	// checks it in the session before moving on or issuing tokens, so the steps of one
	// flow need distinct names. It may not contain a colon. It is also the module name
	// under which observers see the step's Create and Verify (see [triggers.Named]):
	// the router's metrics count them with the dimension Module=<Name>, and a tracer
	// opens a span for each. Keep it a fixed word, as the built-in steps' are.
	Name string

	// Create fills in the challenge. It runs again for every attempt at the step: after a
	// wrong answer, and when Cognito retries the invocation.
	Create func(ctx context.Context, c *Challenge) error

	// Verify reports whether the answer is right. An error fails the sign-in with the
	// generic error text; a wrong or unverifiable answer should be false, nil.
	Verify func(ctx context.Context, a *Answer) (bool, error)

	// Uncounted, when set, reports whether a challenge of the step whose Carry was carry
	// only asked the client what it wants, such as whether it already holds a sign-in
	// link: a false result to it is not a wrong answer. Client metadata reaches Create
	// only from the second challenge on (InitiateAuth's does not reach the custom auth
	// triggers), so a step that needs the client's say before it sends anything asks
	// first. The flow allows as many such challenges per step as wrong answers.
	Uncounted func(carry string) bool
}

// Challenge is what a step's Create reads and fills in.
type Challenge struct {
	// Event is the create auth challenge event. Create fills in Public, Private and Carry
	// rather than the event's response, which the flow writes.
	Event *CreateEvent

	// Attempt is 1 for the first challenge of this step in the session and n+1 after n
	// wrong answers to it (uncounted challenges, see [Step].Uncounted, included).
	Attempt int

	// Previous is the Carry of this step's latest challenge in the session, "" on the
	// first attempt.
	Previous string

	// Public parameters are returned to the client. Private parameters reach only
	// Verify. Neither may use the key [StepParam].
	Public  map[string]string
	Private map[string]string

	// Carry is kept in the session (inside the challenge metadata) and handed to the
	// step's next attempt as Previous. Cognito passes the metadata to Define and Create
	// only, never to the client, but it is logged at debug level: it must hold nothing
	// from which an answer can be recovered without a secret key.
	Carry string
}

// Answer is what a step's Verify checks.
type Answer struct {
	// Event is the verify auth challenge response event.
	Event *VerifyEvent

	// Value is the user's answer.
	Value triggers.Secret

	// Private holds the private parameters the step's Create set.
	Private map[string]string

	// MaxWrongAnswers is the flow's limit, for steps that also count wrong answers
	// outside the session (such as a code shared by several sign-in attempts).
	MaxWrongAnswers int
}

// Flow is a custom authentication flow: optionally the user's password (SRP_A, then
// PASSWORD_VERIFIER), then each step in order, with a limit on wrong answers over the
// whole sign-in. Its three handlers, [Flow.Define], [Flow.Create] and [Flow.Verify], are
// derived from the same description, so they cannot disagree. Build one with [NewFlow] or
// a ready flow such as [EmailOTP]; a Flow is safe for concurrent use.
//
// Define reads everything from the session Cognito keeps, never from state a retried or
// re-issued Create could reset: wrong answers are counted from the session, and tokens are
// issued only when the session shows every step answered correctly, in order, with the
// last entry a CUSTOM_CHALLENGE whose result is true. A user Cognito did not find
// (userNotFound) goes through the same challenges, cannot answer the last step, and never
// gets tokens.
type Flow struct {
	password bool
	maxWrong int
	steps    []Step
	byName   map[string]int
	create   []CreateHandler // per step, named for observers
	verify   []VerifyHandler // per step, named for observers
}

// FlowConfig configures [NewFlow].
type FlowConfig struct {
	// Steps are the custom challenges, asked in order. Required: at least one, each with
	// a Name (distinct, without a colon), a Create and a Verify.
	Steps []Step

	// Password makes the flow start with the user's password: the client starts the
	// sign-in with SRP (CHALLENGE_NAME SRP_A), Define asks for PASSWORD_VERIFIER, and a
	// wrong password fails the sign-in. False: the flow is passwordless.
	Password bool

	// MaxWrongAnswers is how many wrong answers, over all steps, end the sign-in:
	// [DefaultMaxWrongAnswers] when zero. Negative is refused.
	MaxWrongAnswers int
}

// NewFlow returns a flow that asks cfg.Steps in order, after the password when
// cfg.Password is set. It reports a configuration error: no steps, a step without a
// name, Create or Verify, a name that is repeated or holds a colon, or a negative limit
// of wrong answers.
func NewFlow(cfg FlowConfig) (*Flow, error) { return newFlow("customauth.NewFlow", cfg) }

// newFlow is [NewFlow] for the constructor fn, which its errors name.
func newFlow(fn string, cfg FlowConfig) (*Flow, error) {
	f := &Flow{password: cfg.Password, maxWrong: cfg.MaxWrongAnswers, byName: make(map[string]int, len(cfg.Steps))}
	switch {
	case len(cfg.Steps) == 0:
		return nil, fmt.Errorf("%s: Steps is empty: a flow needs at least one step", fn)
	case f.maxWrong < 0:
		return nil, fmt.Errorf("%s: MaxWrongAnswers must be at least 1, got %d", fn, f.maxWrong)
	case f.maxWrong == 0:
		f.maxWrong = DefaultMaxWrongAnswers
	}
	f.steps = append([]Step(nil), cfg.Steps...)
	for i := range f.steps {
		s := &f.steps[i]
		_, dup := f.byName[s.Name]
		switch {
		case s.Name == "":
			return nil, fmt.Errorf("%s: Steps[%d] has no name", fn, i)
		case strings.Contains(s.Name, ":"):
			return nil, fmt.Errorf("%s: step name %q contains a colon", fn, s.Name)
		case s.Create == nil || s.Verify == nil:
			return nil, fmt.Errorf("%s: step %q needs both Create and Verify", fn, s.Name)
		case dup:
			return nil, fmt.Errorf("%s: step name %q is used twice", fn, s.Name)
		}
		f.byName[s.Name] = i
		f.create = append(f.create, triggers.Named(s.Name, func(ctx context.Context, e *CreateEvent) error {
			return f.createStep(ctx, e, i)
		}))
		f.verify = append(f.verify, triggers.Named(s.Name, func(ctx context.Context, e *VerifyEvent) error {
			return f.verifyStep(ctx, e, i)
		}))
	}
	return f, nil
}

// singleStep returns the flow of a ready flow constructor fn: step alone, with the flow
// settings of its config.
func singleStep(fn string, step Step, err error, password bool, maxWrong int) (*Flow, error) {
	if err != nil {
		return nil, err
	}
	return newFlow(fn, FlowConfig{Steps: []Step{step}, Password: password, MaxWrongAnswers: maxWrong})
}

// noFlowSettings reports the flow settings of a ready flow's config given to its step
// constructor fn, which has no flow to apply them to.
func noFlowSettings(fn string, password bool, maxWrong int) error {
	if password || maxWrong != 0 {
		return fmt.Errorf("%s: Password and MaxWrongAnswers are settings of a flow; set them in FlowConfig", fn)
	}
	return nil
}

// Must returns f, or panics when err is not nil. It is for flows built in package
// variables or main, where a configuration error should stop the program.
func Must(f *Flow, err error) *Flow {
	if err != nil {
		panic(err)
	}
	return f
}

// Register registers the flow's Define, Create and Verify handlers on r and returns r.
func (f *Flow) Register(r *triggers.Router) *triggers.Router {
	return r.DefineAuthChallenge(f.Define()).
		CreateAuthChallenge(f.Create()).
		VerifyAuthChallenge(f.Verify())
}

// progress is what a session says about a flow: what comes next, or why it must fail.
type progress struct {
	failure      string // non-empty when the sign-in must fail
	needPassword bool   // the next challenge is PASSWORD_VERIFIER
	next         int    // index of the step to ask next; len(steps) once all passed
	attempts     int    // wrong answers to step next so far
	wrong        int    // wrong answers in the whole session
	uncounted    int    // uncounted challenges of step next that were not passed
	carry        string // Carry of step next's latest challenge
}

func failed(format string, args ...any) progress {
	return progress{failure: fmt.Sprintf(format, args...)}
}

// progress replays the session. Every entry must be the challenge the flow would have
// asked at that point; anything else fails the sign-in.
func (f *Flow) progress(session []triggers.ChallengeResult) progress {
	i := 0
	if f.password {
		if len(session) == 0 || session[0].ChallengeName != ChallengeSRPA || !session[0].ChallengeResult {
			return failed("the sign-in did not start with SRP_A")
		}
		if len(session) == 1 {
			return progress{needPassword: true}
		}
		if session[1].ChallengeName != ChallengePasswordVerifier {
			return failed("expected PASSWORD_VERIFIER, got %s", session[1].ChallengeName)
		}
		if !session[1].ChallengeResult {
			return failed("wrong password")
		}
		i = 2
	}
	var p progress
	for _, r := range session[i:] {
		if r.ChallengeName != ChallengeCustom {
			return failed("unexpected challenge %s", r.ChallengeName)
		}
		if p.next >= len(f.steps) {
			return failed("a challenge followed the last step")
		}
		name, carry, _ := strings.Cut(r.ChallengeMetadata, ":")
		if want := f.steps[p.next].Name; name != want {
			return failed("challenge metadata names step %q, expected %q", name, want)
		}
		if r.ChallengeResult {
			p.next++
			p.attempts, p.uncounted, p.carry = 0, 0, ""
			continue
		}
		p.attempts++
		p.carry = carry
		if u := f.steps[p.next].Uncounted; u != nil && u(carry) {
			if p.uncounted++; p.uncounted > f.maxWrong {
				return failed("%d uncounted challenges of step %q", p.uncounted, f.steps[p.next].Name)
			}
			continue
		}
		p.wrong++
		if p.wrong >= f.maxWrong {
			return failed("%d wrong answers", p.wrong)
		}
	}
	return p
}

// Define returns the define auth challenge handler. It acts on every define auth
// challenge event (Cognito sends only DefineAuthChallenge_Authentication) and replaces the
// response: PASSWORD_VERIFIER or CUSTOM_CHALLENGE while steps remain, tokens when the
// session shows them all passed, failAuthentication otherwise.
func (f *Flow) Define() DefineHandler {
	return func(ctx context.Context, e *DefineEvent) error {
		session := e.Request.Session
		p := f.progress(session)
		var resp triggers.DefineAuthChallengeResponse
		switch {
		case p.failure != "":
			resp.FailAuthentication = true
		case p.needPassword:
			resp.ChallengeName = ChallengePasswordVerifier
		case p.next < len(f.steps):
			resp.ChallengeName = ChallengeCustom
		case e.Request.UserNotFound:
			p.failure = "user not found"
			resp.FailAuthentication = true
		case !lastPassed(session, f.steps[len(f.steps)-1].Name):
			// progress only reaches the end through such an entry; checked again so
			// that no future change to progress can issue tokens without it.
			p.failure = "the last challenge was not passed"
			resp.FailAuthentication = true
		default:
			resp.IssueTokens = true
		}
		e.Response = resp
		logger := triggers.Logger(ctx)
		switch {
		case p.failure != "":
			logger.LogAttrs(ctx, slog.LevelInfo, "custom auth failed",
				slog.String("reason", p.failure), slog.Int("sessionLength", len(session)))
		case resp.IssueTokens:
			logger.LogAttrs(ctx, slog.LevelDebug, "custom auth passed", slog.Int("sessionLength", len(session)))
		default:
			logger.LogAttrs(ctx, slog.LevelDebug, "custom auth next challenge",
				slog.String("challengeName", resp.ChallengeName), slog.Int("wrongAnswers", p.wrong))
		}
		return nil
	}
}

// lastPassed reports whether the session ends with a passed custom challenge of step.
func lastPassed(session []triggers.ChallengeResult, step string) bool {
	if len(session) == 0 {
		return false
	}
	last := session[len(session)-1]
	name, _, _ := strings.Cut(last.ChallengeMetadata, ":")
	return last.ChallengeName == ChallengeCustom && last.ChallengeResult && name == step
}

// Create returns the create auth challenge handler. It acts on events whose challengeName
// is CUSTOM_CHALLENGE (a no-op on others), runs the Create of the step the session is at,
// and replaces the response with the step's parameters, [StepParam] added to both, and
// metadata "<step name>" or "<step name>:<carry>".
func (f *Flow) Create() CreateHandler {
	return func(ctx context.Context, e *CreateEvent) error {
		if e.Request.ChallengeName != ChallengeCustom {
			return nil
		}
		p := f.progress(e.Request.Session)
		switch {
		case p.failure != "":
			return fmt.Errorf("customauth: create called for a failed session: %s", p.failure)
		case p.needPassword:
			return errors.New("customauth: create called before the password was verified")
		case p.next >= len(f.steps):
			return errors.New("customauth: create called after the last step")
		}
		return f.create[p.next](ctx, e)
	}
}

// createStep creates the challenge of step i, which the session is at (Create checked).
func (f *Flow) createStep(ctx context.Context, e *CreateEvent, i int) error {
	p := f.progress(e.Request.Session)
	step := &f.steps[i]
	c := &Challenge{
		Event:    e,
		Attempt:  p.attempts + 1,
		Previous: p.carry,
		Public:   map[string]string{},
		Private:  map[string]string{},
	}
	if err := step.Create(ctx, c); err != nil {
		return fmt.Errorf("customauth: create %s challenge: %w", step.Name, err)
	}
	if _, ok := c.Public[StepParam]; ok {
		return fmt.Errorf("customauth: step %s set the reserved public parameter %q", step.Name, StepParam)
	}
	if _, ok := c.Private[StepParam]; ok {
		return fmt.Errorf("customauth: step %s set the reserved private parameter %q", step.Name, StepParam)
	}
	c.Public[StepParam] = step.Name
	c.Private[StepParam] = step.Name
	meta := step.Name
	if c.Carry != "" {
		meta += ":" + c.Carry
	}
	e.Response = triggers.CreateAuthChallengeResponse{
		PublicChallengeParameters:  c.Public,
		PrivateChallengeParameters: c.Private,
		ChallengeMetadata:          meta,
	}
	return nil
}

// Verify returns the verify auth challenge response handler. It acts on every verify
// event: it runs the Verify of the step named in the private parameters and sets
// answerCorrect, which is false when the step is unknown, and false for the last step
// when Cognito did not find the user.
func (f *Flow) Verify() VerifyHandler {
	return func(ctx context.Context, e *VerifyEvent) error {
		e.Response.AnswerCorrect = false
		name := e.Request.PrivateChallengeParameters[StepParam]
		i, ok := f.byName[name]
		if !ok {
			triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "custom auth answer for an unknown step",
				slog.String("step", name))
			return nil
		}
		return f.verify[i](ctx, e)
	}
}

// verifyStep checks the answer to a challenge of step i.
func (f *Flow) verifyStep(ctx context.Context, e *VerifyEvent, i int) error {
	step := &f.steps[i]
	private := make(map[string]string, len(e.Request.PrivateChallengeParameters))
	for k, v := range e.Request.PrivateChallengeParameters {
		if k != StepParam {
			private[k] = v
		}
	}
	ok, err := step.Verify(ctx, &Answer{
		Event:           e,
		Value:           e.Request.ChallengeAnswer,
		Private:         private,
		MaxWrongAnswers: f.maxWrong,
	})
	if err != nil {
		return fmt.Errorf("customauth: verify %s answer: %w", step.Name, err)
	}
	// A missing user passes earlier steps as a real one would (a solved CAPTCHA is a
	// solved CAPTCHA) and can never pass the last one.
	last := i == len(f.steps)-1
	e.Response.AnswerCorrect = ok && !(e.Request.UserNotFound && last)
	triggers.Logger(ctx).LogAttrs(ctx, slog.LevelDebug, "custom auth answer checked",
		slog.String("step", step.Name), slog.Bool("answerCorrect", e.Response.AnswerCorrect))
	return nil
}

// GuardTokens wraps a hand-written define auth challenge handler so that it cannot issue
// tokens unless the session ends with a CUSTOM_CHALLENGE whose result is true, no built-in
// challenge in the session failed, and the user exists. A refused response becomes
// failAuthentication and is logged at warn level. Flows built by this package check all
// of this already; the guard is for Define handlers written by hand.
func GuardTokens(define DefineHandler) DefineHandler {
	return func(ctx context.Context, e *DefineEvent) error {
		if err := define(ctx, e); err != nil {
			return err
		}
		if !e.Response.IssueTokens {
			return nil
		}
		if reason := tokensRefused(e); reason != "" {
			e.Response = triggers.DefineAuthChallengeResponse{FailAuthentication: true}
			triggers.Logger(ctx).LogAttrs(ctx, slog.LevelWarn, "custom auth refused to issue tokens",
				slog.String("reason", reason))
		}
		return nil
	}
}

func tokensRefused(e *DefineEvent) string {
	s := e.Request.Session
	if e.Request.UserNotFound {
		return "user not found"
	}
	if len(s) == 0 {
		return "empty session"
	}
	for _, r := range s {
		if !r.ChallengeResult && r.ChallengeName != ChallengeCustom {
			return r.ChallengeName + " failed"
		}
	}
	if last := s[len(s)-1]; last.ChallengeName != ChallengeCustom || !last.ChallengeResult {
		return "the last challenge is not a passed CUSTOM_CHALLENGE"
	}
	return ""
}
