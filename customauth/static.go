package customauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
)

// StaticAnswerStepName is the name of the step [StaticAnswerStep] returns.
const StaticAnswerStepName = "STATIC_ANSWER"

// StaticAnswerEnv is the environment variable [StaticAnswerConfig] reads the answer from
// when Answer is empty.
const StaticAnswerEnv = "CHALLENGEANSWER"

// StaticAnswerConfig configures [StaticAnswer] and [StaticAnswerStep].
type StaticAnswerConfig struct {
	// Answer is the right answer, the same for every user. Empty: the value of the
	// environment variable CHALLENGEANSWER (see [StaticAnswerEnv]); one of the two is
	// required.
	Answer string

	// Password makes [StaticAnswer] ask for the user's password (SRP) before the answer,
	// as [FlowConfig].Password does. A setting of the flow: [StaticAnswerStep] refuses it.
	Password bool

	// MaxWrongAnswers is how many wrong answers end a sign-in of [StaticAnswer], as
	// [FlowConfig].MaxWrongAnswers: [DefaultMaxWrongAnswers] when zero. A setting of the
	// flow: [StaticAnswerStep] refuses it.
	MaxWrongAnswers int
}

// StaticAnswerStep returns a step whose right answer is one fixed string, the same for
// every user: cfg.Answer, or the value of the environment variable CHALLENGEANSWER. It
// is scaffolding for trying out a custom flow and its client, not for production: anyone
// who learns the answer passes the step for any user.
//
// The answer stays in the function: it is not put in the private parameters, and answers
// are compared in constant time (over their SHA-256, so that the length does not show
// either). It reports an error when there is no answer, and a flow setting (Password,
// MaxWrongAnswers), which belongs in [FlowConfig].
func StaticAnswerStep(cfg StaticAnswerConfig) (Step, error) {
	const fn = "customauth.StaticAnswerStep"
	if err := noFlowSettings(fn, cfg.Password, cfg.MaxWrongAnswers); err != nil {
		return Step{}, err
	}
	return staticAnswerStep(fn, cfg)
}

// StaticAnswer returns a flow whose one step is [StaticAnswerStep]: the basic custom
// authentication scaffolding, not for production.
func StaticAnswer(cfg StaticAnswerConfig) (*Flow, error) {
	const fn = "customauth.StaticAnswer"
	s, err := staticAnswerStep(fn, cfg)
	return singleStep(fn, s, err, cfg.Password, cfg.MaxWrongAnswers)
}

func staticAnswerStep(fn string, cfg StaticAnswerConfig) (Step, error) {
	answer := cfg.Answer
	if answer == "" {
		answer = os.Getenv(StaticAnswerEnv)
	}
	if answer == "" {
		return Step{}, fmt.Errorf("%s: Answer is empty (and so is %s)", fn, StaticAnswerEnv)
	}
	want := sha256.Sum256([]byte(answer))
	return Step{
		Name:   StaticAnswerStepName,
		Create: func(context.Context, *Challenge) error { return nil },
		Verify: func(_ context.Context, a *Answer) (bool, error) {
			got := sha256.Sum256([]byte(a.Value.Reveal()))
			return subtle.ConstantTimeCompare(got[:], want[:]) == 1, nil
		},
	}, nil
}
