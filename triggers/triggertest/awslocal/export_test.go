package awslocal

// WithPort fixes the port of one server, so a test can hand it a port that
// is already taken.
func WithPort(server string, port int) Option {
	return func(s *settings) {
		if s.ports == nil {
			s.ports = map[string]int{}
		}
		s.ports[server] = port
	}
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
