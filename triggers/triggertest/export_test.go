package triggertest

import "github.com/lambda-triggers/cognito/triggers"

// CheckModule runs the checks of RunModuleTests on one fixture and returns the problems
// found, so that tests can show the checks fail on a faulty module.
func CheckModule[E any, P interface {
	*E
	triggers.Event
}](t TB, module triggers.Handler[E], src triggers.TriggerSource, version string, cfg RunConfig) []string {
	f, ok := lookup(src, version)
	if !ok {
		panic("no fixture")
	}
	return checkFixture[E, P](t, module, f, cfg)
}

// Check reports a config RunModuleTests refuses for a module of trigger.
func (cfg RunConfig) Check(trigger triggers.Trigger) error { return cfg.check(trigger) }
