package main

import (
	"fmt"
	"io"
	"strings"
)

// printer writes the journey: sections of labelled rows, each row a step of the story:
//
//	PreSignUp refuses a disposable address
//	   app       SignUp mallory@tempmail.test
//	   the user  PreSignUp failed with error Invalid email domain: tempmail.test.
type printer struct {
	w   io.Writer
	err error
}

const labelWidth = 9

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) title(format string, args ...any) {
	p.printf(format+"\n", args...)
}

func (p *printer) section(format string, args ...any) {
	p.printf("\n"+format+"\n", args...)
}

// row writes one labelled line; a text of several lines is indented under the first.
func (p *printer) row(label, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	indent := strings.Repeat(" ", 3+labelWidth+1)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	p.printf("   %-*s %s\n", labelWidth, label, lines[0])
	for _, l := range lines[1:] {
		if l == "" {
			p.printf("\n")
			continue
		}
		p.printf("%s%s\n", indent, l)
	}
}

// table writes key = value lines, aligned, for a row.
func table(keys []string, value func(key string) string) string {
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%-*s  %s\n", width, k, value(k))
	}
	return b.String()
}
