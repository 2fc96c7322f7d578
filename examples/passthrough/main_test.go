package main

import (
	"testing"

	"github.com/lambda-triggers/cognito/examples/internal/exampletest"
	"github.com/lambda-triggers/cognito/triggers/triggertest"
)

// TestEveryFixture runs the program on every fixture event: each is answered exactly as
// Cognito sent it.
func TestEveryFixture(t *testing.T) {
	t.Parallel()
	for name, event := range triggertest.Fixtures() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			exampletest.RunEvent(t, nil, event).RequireNoOp(t, event)
		})
	}
}

func TestInvalidEvent(t *testing.T) {
	t.Parallel()
	exampletest.RunEvent(t, nil, []byte(`{"triggerSource":"Nope_X"}`)).RequireFailure(t, `invalid event: unknown triggerSource "Nope_X"`)
}

func TestMain(m *testing.M) { exampletest.Main(m, main) }
