package triggertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/lambda-triggers/cognito/triggers"
)

// Challenge names the flow simulator deals in.
const (
	challengeCustom           = "CUSTOM_CHALLENGE"
	challengeSRPA             = "SRP_A"
	challengePasswordVerifier = "PASSWORD_VERIFIER"
)

// Error codes of [AuthError], as the Cognito API names them.
const (
	// AuthNotAuthorized: Define failed the sign-in ("Incorrect username or password."),
	// or the session was expired, used up or over the round limit.
	AuthNotAuthorized = "NotAuthorizedException"
	// AuthUserLambdaValidation: a trigger returned an error.
	AuthUserLambdaValidation = "UserLambdaValidationException"
	// AuthInvalidLambdaResponse: a trigger's response made no sense to Cognito.
	AuthInvalidLambdaResponse = "InvalidLambdaResponseException"
)

// DefaultAuthSessionValidity is how long the client has to answer each challenge: the
// default of the app client setting AuthSessionValidity (3 to 15 minutes).
const DefaultAuthSessionValidity = 3 * time.Minute

// DefaultAuthMaxRounds is how many challenges one simulated sign-in may go through before
// the simulator ends it. Cognito documents no such number, only that each session token
// expires and serves once; the bound keeps a Define that never decides from looping
// forever in a test. Set another with [AuthFlowConfig.MaxRounds].
const DefaultAuthMaxRounds = 20

// AuthUser is the user a simulated sign-in is for.
type AuthUser struct {
	// UserName is the name the client signs in with; Cognito puts it in every event.
	UserName string
	// Attributes are the user's attributes as Cognito sends them (sub, email,
	// email_verified, ...). Ignored when NotFound.
	Attributes map[string]string
	// NotFound simulates a user name no user has, in a pool whose app client prevents
	// user existence errors: every event carries userNotFound true and no attributes,
	// and a password is never right.
	NotFound bool
}

// AuthError is an error the Cognito API returns to the client.
type AuthError struct {
	Code    string // such as NotAuthorizedException
	Message string // such as "Incorrect username or password."
}

func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

// AuthStep is what the client sees after starting a sign-in or answering a challenge:
// tokens, a failure, or the next challenge.
type AuthStep struct {
	// Tokens reports that Cognito issued tokens: the sign-in succeeded.
	Tokens bool
	// Failed reports that the sign-in ended without tokens; Err says why.
	Failed bool
	Err    *AuthError
	// ChallengeName is the challenge the client must answer next (CUSTOM_CHALLENGE),
	// and Public its challenge parameters: the public challenge parameters Create
	// returned, plus USERNAME as Cognito adds it. Both are empty once the flow ended.
	ChallengeName string
	Public        map[string]string
}

// AuthChallenge is the challenge waiting for an answer, as Cognito holds it: including
// what the client never sees.
type AuthChallenge struct {
	Name     string
	Public   map[string]string // as Create returned them, without USERNAME
	Private  map[string]string
	Metadata string
}

// AuthFlowConfig is the user a simulated sign-in is for and the settings of the user pool
// and app client it happens in.
type AuthFlowConfig struct {
	// User is the user who signs in. Required: its UserName.
	User AuthUser
	// Now is the simulator's clock, which decides when a session expires; share it with
	// the triggers under test to make codes and sessions expire without waiting. nil means
	// time.Now.
	Now func() time.Time
	// SessionValidity is how long the client has to answer each challenge; zero means
	// [DefaultAuthSessionValidity].
	SessionValidity time.Duration
	// MaxRounds is how many challenges a sign-in may go through; zero means
	// [DefaultAuthMaxRounds].
	MaxRounds int
	// Retries makes every trigger invocation happen 1+Retries times with the same event,
	// as when Cognito retries after not hearing back in time; the last response counts.
	// Use it to check that triggers are idempotent: one email, one code, no reset
	// counters. Zero means no retries.
	Retries int
	// Region and UserPoolID are what the events carry; "" means "us-east-1" and
	// "us-east-1_EXAMPLE".
	Region     string
	UserPoolID string
	// ClientID is the app client id the events carry; "" means "exampleclientid".
	ClientID string
}

// AuthFlow simulates Cognito's custom authentication (CUSTOM_AUTH) for one user, calling
// the Define, Create and Verify auth challenge triggers of a function as Cognito does:
// through the JSON boundary, with the session, challenge results, challenge metadata,
// private parameters, userNotFound and client metadata carried between calls.
//
//   - [AuthFlow.Start] (InitiateAuth) calls Define with an empty session;
//     [AuthFlow.StartWithPassword] starts with SRP instead: Define sees SRP_A and may ask
//     for PASSWORD_VERIFIER, whose result the simulator is told.
//   - Whenever Define names CUSTOM_CHALLENGE, Create is called and its public parameters
//     returned to the client; [AuthFlow.Answer] (RespondToAuthChallenge) calls Verify
//     with the private parameters, appends the result and the metadata to the session,
//     and calls Define again.
//   - issueTokens ends the sign-in with tokens, failAuthentication with
//     NotAuthorizedException; a trigger error ends it with UserLambdaValidationException.
//   - Each challenge must be answered within the session validity, and a session serves
//     once: answering after the end fails. A sign-in ends after a bounded number of
//     challenges (see [AuthFlowConfig.MaxRounds]).
//
// Client metadata given with an answer reaches that round's Verify, Define and Create, and
// none reaches the first round, as with the real API. An AuthFlow is for one goroutine.
type AuthFlow struct {
	t    TB
	f    triggers.Function
	user AuthUser
	cfg  AuthFlowConfig

	session    []triggers.ChallengeResult
	pending    *AuthChallenge
	askedAt    time.Time
	srp        bool
	passwordOK bool
	ended      bool
	trace      []string
}

// NewAuthFlow returns a simulator of sign-ins by cfg.User against f, usually a
// [*triggers.Router] with the three custom auth triggers registered. A config without a
// user name, or with a negative number, fails t now.
func NewAuthFlow(t TB, f triggers.Function, cfg AuthFlowConfig) *AuthFlow {
	t.Helper()
	if err := cfg.resolve(); err != nil {
		t.Errorf("%v", err)
		t.FailNow()
	}
	return &AuthFlow{t: t, f: f, user: cfg.User, cfg: cfg, ended: true}
}

// resolve checks cfg and fills in the defaults.
func (cfg *AuthFlowConfig) resolve() error {
	switch {
	case cfg.User.UserName == "":
		return errors.New("triggertest.NewAuthFlow: User.UserName is empty")
	case cfg.SessionValidity < 0:
		return errors.New("triggertest.NewAuthFlow: SessionValidity is negative")
	case cfg.MaxRounds < 0:
		return errors.New("triggertest.NewAuthFlow: MaxRounds is negative")
	case cfg.Retries < 0:
		return errors.New("triggertest.NewAuthFlow: Retries is negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionValidity == 0 {
		cfg.SessionValidity = DefaultAuthSessionValidity
	}
	if cfg.MaxRounds == 0 {
		cfg.MaxRounds = DefaultAuthMaxRounds
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.UserPoolID == "" {
		cfg.UserPoolID = "us-east-1_EXAMPLE"
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "exampleclientid"
	}
	return nil
}

// Start begins a new sign-in without a password (InitiateAuth with CUSTOM_AUTH) and
// returns the first challenge or the outcome. Any sign-in in progress is abandoned.
func (s *AuthFlow) Start() AuthStep {
	s.t.Helper()
	s.reset(false, false)
	return s.run(nil)
}

// StartWithPassword begins a new sign-in that starts with SRP password verification;
// passwordOK says whether the password the client proves is right (never, for a user
// that is not found). It returns the first custom challenge or the outcome.
func (s *AuthFlow) StartWithPassword(passwordOK bool) AuthStep {
	s.t.Helper()
	s.reset(true, passwordOK && !s.user.NotFound)
	s.session = append(s.session, triggers.ChallengeResult{ChallengeName: challengeSRPA, ChallengeResult: true})
	return s.run(nil)
}

func (s *AuthFlow) reset(srp, passwordOK bool) {
	s.session, s.pending, s.ended = nil, nil, false
	s.srp, s.passwordOK = srp, passwordOK
	s.trace = append(s.trace, "start")
}

// Answer responds to the pending challenge (RespondToAuthChallenge with ANSWER).
func (s *AuthFlow) Answer(answer string) AuthStep {
	s.t.Helper()
	return s.AnswerWithMetadata(answer, nil)
}

// AnswerWithMetadata is [AuthFlow.Answer] with ClientMetadata, which Cognito passes to
// this round's Verify, Define and Create.
func (s *AuthFlow) AnswerWithMetadata(answer string, clientMetadata map[string]string) AuthStep {
	s.t.Helper()
	if s.ended || s.pending == nil {
		s.trace = append(s.trace, "answer -> invalid session")
		return failedStep(AuthNotAuthorized, "Invalid session for the user.")
	}
	if s.cfg.Now().Sub(s.askedAt) > s.cfg.SessionValidity {
		return s.end("answer -> session expired", AuthNotAuthorized, "Invalid session for the user, session is expired.")
	}
	ch := s.pending
	var resp triggers.VerifyAuthChallengeEvent
	if e := s.invoke(triggers.VerifyAuthChallengeResponseAuthentication, map[string]any{
		"userAttributes":             s.attributes(),
		"privateChallengeParameters": orEmpty(ch.Private),
		"challengeAnswer":            answer,
		"clientMetadata":             clientMetadata,
		"userNotFound":               s.user.NotFound,
	}, map[string]any{"answerCorrect": nil}, &resp); e != nil {
		return s.end("VerifyAuthChallengeResponse -> error", e.Code, e.Message)
	}
	ok := resp.Response.AnswerCorrect
	s.trace = append(s.trace, "VerifyAuthChallengeResponse -> "+strconv.FormatBool(ok))
	s.session = append(s.session, triggers.ChallengeResult{
		ChallengeName: ch.Name, ChallengeResult: ok, ChallengeMetadata: ch.Metadata})
	s.pending = nil
	return s.run(clientMetadata)
}

// run calls Define, and Create when Define asks for a custom challenge, until the client
// has something to answer or the sign-in ends.
func (s *AuthFlow) run(clientMetadata map[string]string) AuthStep {
	s.t.Helper()
	for {
		var def triggers.DefineAuthChallengeEvent
		if e := s.invoke(triggers.DefineAuthChallengeAuthentication, map[string]any{
			"userAttributes": s.attributes(),
			"session":        s.sessionJSON(),
			"clientMetadata": clientMetadata,
			"userNotFound":   s.user.NotFound,
		}, map[string]any{"challengeName": nil, "issueTokens": nil, "failAuthentication": nil}, &def); e != nil {
			return s.end("DefineAuthChallenge -> error", e.Code, e.Message)
		}
		r := def.Response
		switch {
		case r.FailAuthentication:
			return s.end("DefineAuthChallenge -> failAuthentication", AuthNotAuthorized, "Incorrect username or password.")
		case r.IssueTokens:
			s.trace = append(s.trace, "DefineAuthChallenge -> issueTokens")
			s.ended = true
			return AuthStep{Tokens: true}
		case r.ChallengeName == challengePasswordVerifier:
			s.trace = append(s.trace, "DefineAuthChallenge -> "+challengePasswordVerifier)
			if !s.srp || slices.ContainsFunc(s.session, func(c triggers.ChallengeResult) bool {
				return c.ChallengeName == challengePasswordVerifier
			}) {
				return s.end("PASSWORD_VERIFIER -> invalid", AuthInvalidLambdaResponse,
					"PASSWORD_VERIFIER can follow only SRP_A, once: the sign-in did not start with SRP or the password was verified already")
			}
			// The client answers with its SRP proof; Cognito checks it itself.
			s.trace = append(s.trace, "PASSWORD_VERIFIER -> "+strconv.FormatBool(s.passwordOK))
			s.session = append(s.session, triggers.ChallengeResult{
				ChallengeName: challengePasswordVerifier, ChallengeResult: s.passwordOK})
			clientMetadata = nil
		case r.ChallengeName == challengeCustom:
			s.trace = append(s.trace, "DefineAuthChallenge -> "+challengeCustom)
			if len(s.session) >= s.cfg.MaxRounds {
				return s.end("session -> too many rounds", AuthNotAuthorized, "Invalid session for the user.")
			}
			return s.create(clientMetadata)
		case r.ChallengeName == "":
			return s.end("DefineAuthChallenge -> no decision", AuthInvalidLambdaResponse,
				"DefineAuthChallenge neither issued tokens, failed authentication nor named a challenge")
		default:
			return s.end("DefineAuthChallenge -> "+r.ChallengeName, AuthInvalidLambdaResponse,
				fmt.Sprintf("the simulator does not model challenge %s", r.ChallengeName))
		}
	}
}

func (s *AuthFlow) create(clientMetadata map[string]string) AuthStep {
	var cr triggers.CreateAuthChallengeEvent
	if e := s.invoke(triggers.CreateAuthChallengeAuthentication, map[string]any{
		"userAttributes": s.attributes(),
		"challengeName":  challengeCustom,
		"session":        s.sessionJSON(),
		"clientMetadata": clientMetadata,
		"userNotFound":   s.user.NotFound,
	}, map[string]any{"publicChallengeParameters": nil, "privateChallengeParameters": nil, "challengeMetadata": nil}, &cr); e != nil {
		return s.end("CreateAuthChallenge -> error", e.Code, e.Message)
	}
	s.trace = append(s.trace, "CreateAuthChallenge")
	s.pending = &AuthChallenge{
		Name:     challengeCustom,
		Public:   maps.Clone(cr.Response.PublicChallengeParameters),
		Private:  maps.Clone(cr.Response.PrivateChallengeParameters),
		Metadata: cr.Response.ChallengeMetadata,
	}
	s.askedAt = s.cfg.Now()
	public := maps.Clone(cr.Response.PublicChallengeParameters)
	if public == nil {
		public = map[string]string{}
	}
	public["USERNAME"] = s.user.UserName
	return AuthStep{ChallengeName: challengeCustom, Public: public}
}

func (s *AuthFlow) end(trace, code, msg string) AuthStep {
	s.trace = append(s.trace, trace)
	s.ended, s.pending = true, nil
	return failedStep(code, msg)
}

func failedStep(code, msg string) AuthStep {
	return AuthStep{Failed: true, Err: &AuthError{Code: code, Message: msg}}
}

// Session returns the session as Cognito keeps it: one entry per answered challenge.
func (s *AuthFlow) Session() []triggers.ChallengeResult { return slices.Clone(s.session) }

// Challenge returns the challenge waiting for an answer, private parameters and metadata
// included, or nil when there is none.
func (s *AuthFlow) Challenge() *AuthChallenge {
	if s.pending == nil {
		return nil
	}
	c := *s.pending
	c.Public, c.Private = maps.Clone(c.Public), maps.Clone(c.Private)
	return &c
}

// Trace returns what happened so far, one line per step, such as
// "DefineAuthChallenge -> CUSTOM_CHALLENGE" or "VerifyAuthChallengeResponse -> false".
// It holds no answers or parameters, so two sign-ins that should look alike from outside
// can be compared with it.
func (s *AuthFlow) Trace() []string { return slices.Clone(s.trace) }

func (s *AuthFlow) attributes() map[string]string {
	if s.user.NotFound {
		return map[string]string{}
	}
	return orEmpty(s.user.Attributes)
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// sessionJSON is the session as Cognito sends it: challengeMetadata is null when unset.
func (s *AuthFlow) sessionJSON() []map[string]any {
	out := make([]map[string]any, 0, len(s.session))
	for _, c := range s.session {
		var meta any
		if c.ChallengeMetadata != "" {
			meta = c.ChallengeMetadata
		}
		out = append(out, map[string]any{
			"challengeName": c.ChallengeName, "challengeResult": c.ChallengeResult, "challengeMetadata": meta})
	}
	return out
}

// invoke sends one event to the function, 1+retries times, and decodes the last
// response into out. A failure is returned as the API error the client would see.
func (s *AuthFlow) invoke(src triggers.TriggerSource, request, response map[string]any, out any) *AuthError {
	s.t.Helper()
	if md, _ := request["clientMetadata"].(map[string]string); md == nil {
		delete(request, "clientMetadata")
	}
	payload, err := json.Marshal(map[string]any{
		"version":       "1",
		"region":        s.cfg.Region,
		"userPoolId":    s.cfg.UserPoolID,
		"userName":      s.user.UserName,
		"callerContext": map[string]string{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": s.cfg.ClientID},
		"triggerSource": string(src),
		"request":       request,
		"response":      response,
	})
	if err != nil {
		s.t.Errorf("triggertest: encode %s event: %v", src, err)
		s.t.FailNow()
	}
	ctx := contextOf(s.t)
	var result []byte
	for range 1 + max(s.cfg.Retries, 0) {
		result, err = s.f.Invoke(ctx, payload)
	}
	trigger := src.Trigger()
	if err != nil {
		return &AuthError{Code: AuthUserLambdaValidation, Message: triggers.InvokeErrorOf(trigger, err).Text()}
	}
	if err := json.Unmarshal(result, out); err != nil {
		return &AuthError{Code: AuthInvalidLambdaResponse,
			Message: fmt.Sprintf("%s returned a response that is not its event: %v", trigger, err)}
	}
	return nil
}
