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

// StaticAnswerEnv is the environment variable [StaticAnswerStep] reads the answer from
// when none is given.
const StaticAnswerEnv = "CHALLENGEANSWER"

// StaticAnswerStep returns a step whose right answer is one fixed string, the same for
// every user: answer, or the value of the environment variable CHALLENGEANSWER when answer
// is empty. It is scaffolding for trying out a custom flow and its client, not for
// production: anyone who learns the answer passes the step for any user.
//
// The answer stays in the function: it is not put in the private parameters, and answers
// are compared in constant time (over their SHA-256, so that the length does not show
// either). It reports an error when there is no answer.
func StaticAnswerStep(answer string) (Step, error) {
	if answer == "" {
		answer = os.Getenv(StaticAnswerEnv)
	}
	if answer == "" {
		return Step{}, fmt.Errorf("customauth: static answer is empty (argument or %s)", StaticAnswerEnv)
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

// StaticAnswer returns a flow whose one step is [StaticAnswerStep]: the basic custom
// authentication scaffolding, not for production.
func StaticAnswer(answer string, opts ...FlowOption) (*Flow, error) {
	s, err := StaticAnswerStep(answer)
	if err != nil {
		return nil, err
	}
	return NewFlow([]Step{s}, opts...)
}
