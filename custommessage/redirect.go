package custommessage

import (
	"fmt"
	"net/url"
	"strings"
)

// maxRedirect bounds the redirect targets [ConfirmHandler] considers; browsers and
// servers start to disagree about longer URLs.
const maxRedirect = 2048

// allowList holds the redirect targets a [ConfirmHandler] may send users to: each an
// origin (scheme, host and port) and a path prefix.
type allowList []allowedTarget

type allowedTarget struct {
	scheme, host, path string
}

func parseAllowList(entries []string) (allowList, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("no allowed redirect targets")
	}
	list := make(allowList, 0, len(entries))
	for _, raw := range entries {
		if !plainASCII(raw) {
			return nil, fmt.Errorf("allowed redirect %q: only printable ASCII without spaces or backslashes", raw)
		}
		u, err := parseWebURL(raw, false)
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

// match reports whether raw is on the list and returns the URL to redirect to.
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
func (a allowList) match(raw string) (string, bool) {
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
