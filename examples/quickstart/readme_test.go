package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	goprinter "go/printer"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's module tables give each constructor's signature, so that a newcomer
// writes DenyDomains([]string{"a", "b"}) rather than DenyDomains("a", "b"): every
// signature written there with its parameters is the function's, parameter for
// parameter.
func TestReadmeSignatures(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile("(?m)^### .*\\(`(\\w+)`\\)\\s*$")
	call := regexp.MustCompile("`(?:\\w+\\.)?([A-Z]\\w*)\\(([^`()]*)\\)`")
	checked := 0
	matches := section.FindAllSubmatchIndex(readme, -1)
	for i, m := range matches {
		pkg := string(readme[m[2]:m[3]])
		end := len(readme)
		if i+1 < len(matches) {
			end = matches[i+1][0]
		}
		funcs := exportedFuncs(t, filepath.Join("..", "..", pkg))
		for _, c := range call.FindAllSubmatch(readme[m[1]:end], -1) {
			name, params := string(c[1]), string(c[2])
			want, ok := funcs[name]
			typed := false
			for _, part := range strings.Split(params, ", ") {
				typed = typed || strings.Contains(strings.TrimSpace(part), " ")
			}
			if !ok || !typed {
				continue // not a function of the package, or a call rather than a signature
			}
			checked++
			if params != want {
				t.Errorf("README, %s: %s(%s); the function is %s(%s)", pkg, name, params, name, want)
			}
		}
	}
	if checked < 15 {
		t.Errorf("checked %d signatures; the module tables should show them", checked)
	}
}

// exportedFuncs returns the parameter lists of the exported functions of the package in
// dir, as gofmt writes them.
func exportedFuncs(t *testing.T, dir string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() {
				continue
			}
			var parts []string
			for _, field := range fn.Type.Params.List {
				var b bytes.Buffer
				_ = goprinter.Fprint(&b, fset, field.Type)
				var idents []string
				for _, n := range field.Names {
					idents = append(idents, n.Name)
				}
				parts = append(parts, strings.TrimSpace(strings.Join(idents, ", ")+" "+b.String()))
			}
			out[fn.Name.Name] = strings.Join(parts, ", ")
		}
	}
	return out
}
