// Package redirect checks the addresses the library sends users to: an allow list of
// origins and path prefixes that refuses anything a browser could read another way, so
// that a link or an endpoint is never an open redirect.
package redirect

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// maxRedirect bounds the redirect targets an [AllowList] considers; browsers and
// servers start to disagree about longer URLs.
const maxRedirect = 2048

// AllowList holds the redirect targets users may be sent to: each an
// origin (scheme, host and port) and a path prefix.
type AllowList []allowedTarget

type allowedTarget struct {
	scheme, host, path string
}

// ParseAllowList parses entries, each an absolute https URL (http only for a loopback
// host) without query or fragment: its origin and path prefix.
func ParseAllowList(entries []string) (AllowList, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("no allowed redirect targets")
	}
	list := make(AllowList, 0, len(entries))
	for _, raw := range entries {
		if !plainASCII(raw) {
			return nil, fmt.Errorf("allowed redirect %q: only printable ASCII without spaces or backslashes", raw)
		}
		u, err := ParseWebURL(raw, false)
		if err != nil {
			return nil, fmt.Errorf("allowed redirect: %w", err)
		}
		if u.RawQuery != "" || u.ForceQuery {
			return nil, fmt.Errorf("allowed redirect %q: must not have a query; list an origin and a path prefix", raw)
		}
		path := u.Path
		if path == "" {
			path = "/"
		}
		if hasDotSegment(path) || hasEncodedSeparator(u.EscapedPath()) {
			return nil, fmt.Errorf("allowed redirect %q: path must not contain dot segments or encoded slashes", raw)
		}
		list = append(list, allowedTarget{scheme: u.Scheme, host: canonicalHost(u), path: path})
	}
	return list, nil
}

// Match reports whether raw is on the list and returns the URL to redirect to.
//
// Browsers are more forgiving than url.Parse: they treat "\" as "/", skip tabs and line
// breaks, map full-width characters in host names, and resolve "/a/%2e%2e/b" to "/b".
// So anything that could be read two ways is refused before parsing: non-ASCII, control
// characters, spaces and backslashes anywhere, and encoded slashes or dot segments in
// the path. What remains must be an absolute URL with no user info whose scheme and
// host equal an entry's (default ports ignored, host case-insensitive) and whose path
// equals the entry's path or continues it after a "/". Protocol-relative ("//evil.com"),
// relative and javascript: URLs have no matching scheme and host, and
// "https://allowed.com.evil.com" or "https://allowed.com@evil.com" no matching host.
func (a AllowList) Match(raw string) (string, bool) {
	if raw == "" || len(raw) > maxRedirect || !plainASCII(raw) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" {
		return "", false
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || hasDotSegment(path) || hasEncodedSeparator(u.EscapedPath()) {
		return "", false
	}
	host := canonicalHost(u)
	for _, t := range a {
		if u.Scheme != t.scheme || host != t.host {
			continue
		}
		if path == t.path || strings.HasPrefix(path, strings.TrimSuffix(t.path, "/")+"/") {
			return u.String(), true
		}
	}
	return "", false
}

// plainASCII reports whether s has only printable ASCII other than space and backslash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func hasDotSegment(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func hasEncodedSeparator(escapedPath string) bool {
	p := strings.ToLower(escapedPath)
	return strings.Contains(p, "%2f") || strings.Contains(p, "%5c")
}

// canonicalHost returns u's host in lower case, without the scheme's default port.
func canonicalHost(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return host
}

// ParseWebURL parses an address the library sends users to or links them at: absolute,
// https (http only for a loopback host), no user info, and a fragment only if allowed.
func ParseWebURL(raw string, fragment bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%q is not an https URL", raw)
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("%q has no host", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("%q must use https (http is accepted only for localhost)", raw)
	case u.User != nil:
		return nil, fmt.Errorf("%q must not contain user info", raw)
	case !fragment && strings.Contains(raw, "#"):
		return nil, fmt.Errorf("%q must not contain a fragment", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
