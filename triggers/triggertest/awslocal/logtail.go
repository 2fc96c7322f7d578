package awslocal

import (
	"bytes"
	"regexp"
	"sync"
)

// logLines is how many lines of a server's output are kept for error
// messages: enough to show a stack trace, few enough to read.
const logLines = 64

// maxLineBytes bounds a single kept line, since some servers log whole
// request bodies on one line.
const maxLineBytes = 2048

// ansiEscape matches terminal colour sequences, which cognito-local emits
// unconditionally and which only clutter an error message.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// logTail is an io.Writer that keeps the last lines written to it. The
// process's stdout and stderr share one, so lines appear in the order the
// server wrote them.
type logTail struct {
	mu      sync.Mutex
	lines   []string // ring of complete lines
	next    int      // index in lines that the next line overwrites
	full    bool     // lines has wrapped at least once
	partial []byte   // an unterminated last line
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = appendBounded(l.partial, p)
			break
		}
		l.partial = appendBounded(l.partial, p[:i])
		l.push(l.partial)
		l.partial = l.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func appendBounded(dst, src []byte) []byte {
	if room := maxLineBytes - len(dst); len(src) > room {
		src = src[:max(room, 0)]
	}
	return append(dst, src...)
}

func (l *logTail) push(line []byte) {
	s := ansiEscape.ReplaceAllString(string(bytes.TrimRight(line, "\r")), "")
	if l.lines == nil {
		l.lines = make([]string, logLines)
	}
	l.lines[l.next] = s
	l.next = (l.next + 1) % logLines
	if l.next == 0 {
		l.full = true
	}
}

// Lines returns the kept lines, oldest first, including an unterminated last
// line.
func (l *logTail) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	if l.full {
		out = append(out, l.lines[l.next:]...)
	}
	out = append(out, l.lines[:l.next]...)
	if len(l.partial) > 0 {
		out = append(out, ansiEscape.ReplaceAllString(string(l.partial), ""))
	}
	return out
}
