package awslocal

// WithPort returns cfg with the port of one server fixed, so a test can hand it a
// port that is already taken.
func WithPort(cfg Config, server string, port int) Config {
	cfg.ports = map[string]int{server: port}
	return cfg
}

// ProcessIDs returns the process IDs, which are also the process group IDs,
// of the running servers.
func (s *Servers) ProcessIDs() map[string]int {
	ids := map[string]int{}
	for _, p := range s.procs {
		ids[p.name] = p.cmd.Process.Pid
	}
	return ids
}

// LogTail exposes the log ring buffer to its unit test.
type LogTail = logTail
