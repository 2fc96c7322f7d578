//go:build unix

package triggers_test

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU reports, when the returned function is called, the CPU time the process
// spent per iteration since reportCPU was called, as cpu-ns/op. On a machine shared with
// other work, wall time per iteration counts the time the benchmark waited for a core;
// CPU time does not.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
