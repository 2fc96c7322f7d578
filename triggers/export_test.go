package triggers

// ResetColdStart makes the next invocation that writes metrics the process's first.
func ResetColdStart() { coldStart.Store(false) }

// MetricsNames exposes how the metrics read their names from the environment.
func MetricsNames(cfg MetricsConfig, getenv func(string) string) (namespace, service string) {
	m := newMetrics(cfg, getenv)
	return string(m.invocationHead), string(m.service)
}
