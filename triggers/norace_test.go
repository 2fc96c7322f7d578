//go:build !race

package triggers_test

const raceEnabled = false
