// Package envvar reads the examples' configuration from environment variables. A reader
// takes the environment as a function (os.Getenv in a program, a map's lookup in a test),
// takes an empty variable for unset, and reports a bad value with an error that names the
// variable and the form it wants, so that a function that refuses to start says which
// setting to fix.
package envvar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// List splits a comma-separated value and drops blank entries.
func List(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Pairs reads comma-separated key=value pairs from s, the value of the variable name.
func Pairs(name, s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range List(s) {
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
		}
		out[k] = v
	}
	return out, nil
}

// Bool reads a true/false variable; unset is false.
func Bool(env func(string) string, name string) (bool, error) {
	return parse(env, name, false, strconv.ParseBool, "true or false")
}

// Int reads a whole number; unset is def.
func Int(env func(string) string, name string, def int) (int, error) {
	return parse(env, name, def, strconv.Atoi, "a whole number")
}

// Duration reads a duration such as 1h or 30m; unset is def.
func Duration(env func(string) string, name string, def time.Duration) (time.Duration, error) {
	return parse(env, name, def, time.ParseDuration, "a duration such as 1h or 30m")
}

// parse reads the variable name with conv; unset is def. The error says what the variable
// wants, not why conv refused, which would repeat the value in Go's words.
func parse[T any](env func(string) string, name string, def T, conv func(string) (T, error), want string) (T, error) {
	s := env(name)
	if s == "" {
		return def, nil
	}
	v, err := conv(s)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: want %s, got %q", name, want, s)
	}
	return v, nil
}
