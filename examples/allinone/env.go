package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// commaList splits a comma-separated value and drops blank entries.
func commaList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// pairList reads comma-separated key=value pairs.
func pairList(name, s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range commaList(s) {
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%s: want comma-separated name=value pairs, got %q", name, item)
		}
		out[k] = v
	}
	return out, nil
}

// boolVar reads a true/false variable; unset is false.
func boolVar(env func(string) string, name string) (bool, error) {
	s := env(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s: want true or false, got %q", name, s)
	}
	return b, nil
}

// intVar reads a whole number; unset is def.
func intVar(env func(string) string, name string, def int) (int, error) {
	s := env(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: want a whole number, got %q", name, s)
	}
	return n, nil
}

// durationVar reads a duration such as 1h or 30m; unset is def.
func durationVar(env func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := env(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: want a duration such as 1h or 30m, got %q", name, s)
	}
	return d, nil
}
