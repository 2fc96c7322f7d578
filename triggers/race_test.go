//go:build race

package triggers_test

// raceEnabled is true under the race detector, whose sync.Pool drops some of what is
// put back on purpose, so that allocation counts are not exact there.
const raceEnabled = true
