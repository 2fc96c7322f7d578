package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"
)

// The wire codec of the event types, member by member, from the struct definitions: for
// each event XEvent, decodeXEvent and encodeXEvent, the codec hooks of its row in the
// table, with the members of its request and response written out inline (one function
// each way per event keeps a function's binary small).
//
// Code written by hand in the package wins: a function decodeXEvent or encodeXEvent
// declared there replaces the generated one, and a request or response type with a
// readJSON (decoder) or appendJSON (encoder) method is read or written by calling it.
// So a type with rules of its own (pre token generation's answer, inbound federation's
// {}) keeps them in ordinary code. decodeXEvent makes its own decoder, so that the
// decoder, reached only through direct calls, stays on the stack.

// fieldCodec says how a field type is read and written. read and write are format
// strings whose %s is the field's expression; cond is the omitempty test.
type fieldCodec struct {
	read  string // d.stringInto(&%s)
	write string // appendString(b, %s)
	cond  string // %s != ""
}

var fieldCodecs = map[string]fieldCodec{
	"string":               {"d.stringInto(&%s)", "appendString(b, %s)", `%s != ""`},
	"bool":                 {"d.boolInto(&%s)", "appendBool(b, %s)", "%s"},
	"Secret":               {"d.secretInto(&%s)", "appendString(b, %s.Reveal())", `%s != ""`},
	"Attributes":           {"d.attributesInto(&%s)", "appendAttributes(b, %s)", "len(%s) > 0"},
	"map[string]string":    {"d.stringMapInto(&%s)", "appendAttributes(b, %s)", "len(%s) > 0"},
	"[]string":             {"d.stringsInto(&%s)", "appendStrings(b, %s)", "len(%s) > 0"},
	"[]ChallengeResult":    {"d.session(&%s)", "appendSession(b, %s)", "len(%s) > 0"},
	"GroupConfiguration":   {"d.groupConfiguration(&%s, false)", "appendGroupConfiguration(b, &%s)", ""},
	"FederationAttributes": {"d.federationAttributes(&%s)", "appendFederationAttributes(b, &%s)", ""},
	// Pre token generation's override details are written by the event, which knows the
	// version and the request's groups.
	"*ClaimsOverrideDetails":         {read: "d.claimsOverrideDetails(&%s)"},
	"*ClaimsAndScopeOverrideDetails": {read: "d.claimsAndScopeOverrideDetails(&%s)"},
}

// field is one member of a request or response type.
type field struct {
	goName, jsonName, typ string
	omitempty             bool
	pos                   token.Pos
}

// wireStruct is a request or response type: its members, and whether it keeps unknown
// ones (an Unknown UnknownMembers field).
type wireStruct struct {
	name        string
	fields      []field
	keepUnknown bool
}

func wireStructOf(name string, st *ast.StructType) wireStruct {
	ws := wireStruct{name: name}
	for _, f := range st.Fields.List {
		typ := types.ExprString(f.Type)
		var tag reflect.StructTag
		if f.Tag != nil {
			s, _ := strconv.Unquote(f.Tag.Value)
			tag = reflect.StructTag(s)
		}
		jsonTag := tag.Get("json")
		if jsonTag == "-" {
			if typ == "UnknownMembers" {
				ws.keepUnknown = true
			}
			continue
		}
		jname, opts, _ := strings.Cut(jsonTag, ",")
		for _, n := range f.Names {
			j := jname
			if j == "" {
				j = n.Name
			}
			ws.fields = append(ws.fields, field{goName: n.Name, jsonName: j, typ: typ,
				omitempty: opts == "omitempty", pos: f.Pos()})
		}
	}
	return ws
}

// codecGen collects the generated code.
type codecGen struct {
	fset    *token.FileSet
	structs map[string]*ast.StructType
	byHand  map[string]bool // "Type.method" and "function" declared in the package's own source
	out     bytes.Buffer
}

func declaredByHand(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if fd.Recv == nil {
				out[fd.Name.Name] = true
				continue
			}
			if len(fd.Recv.List) != 1 {
				continue
			}
			recv := fd.Recv.List[0].Type
			if s, ok := recv.(*ast.StarExpr); ok {
				recv = s.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				out[id.Name+"."+fd.Name.Name] = true
			}
		}
	}
	return out
}

func codecMethods(fset *token.FileSet, files []*ast.File, rows []row, structs map[string]*ast.StructType) ([]byte, error) {
	g := &codecGen{fset: fset, structs: structs, byHand: declaredByHand(files)}
	g.out.WriteString(header)
	g.out.WriteString("package triggers\n")
	for _, r := range rows {
		req, resp, err := g.parts(r.event)
		if err != nil {
			return nil, err
		}
		if err := g.decoder(r.event, req, resp); err != nil {
			return nil, err
		}
		if err := g.encoder(r.event, req, resp); err != nil {
			return nil, err
		}
	}
	return g.out.Bytes(), nil
}

// parts returns the type names of the event's Request and Response fields.
func (g *codecGen) parts(event string) (req, resp string, err error) {
	for _, f := range g.structs[event].Fields.List {
		for _, n := range f.Names {
			switch n.Name {
			case "Request":
				req = types.ExprString(f.Type)
			case "Response":
				resp = types.ExprString(f.Type)
			}
		}
	}
	for _, t := range []string{req, resp} {
		if g.structs[t] == nil {
			return "", "", fmt.Errorf("event type %s: %q is not a struct type of the package", event, t)
		}
	}
	return req, resp, nil
}

func (g *codecGen) decoder(event, req, resp string) error {
	if g.byHand["decode"+event] {
		return nil
	}
	var parts [2]string
	for i, part := range []struct{ member, typ string }{{"Request", req}, {"Response", resp}} {
		code, err := g.reader(wireStructOf(part.typ, g.structs[part.typ]), "p."+part.member)
		if err != nil {
			return err
		}
		parts[i] = code
	}
	fmt.Fprintf(&g.out, `
// decode%[1]s decodes data into e, a *%[1]s, replacing all of it.
func decode%[1]s(data []byte, e Event) error {
	p, ok := e.(*%[1]s)
	if !ok {
		return errWrongType
	}
	*p = %[1]s{}
	d := newDecoder(data)
	return d.event(&p.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
%[2]s		case "response":
%[3]s		}
		return false, nil
	})
}
`, event, parts[0], parts[1])
	return nil
}

// reader returns the statements of a case clause that read the member at expr (p.Request)
// and report it known.
func (g *codecGen) reader(ws wireStruct, expr string) (string, error) {
	var b strings.Builder
	if g.byHand[ws.name+".readJSON"] {
		fmt.Fprintf(&b, "return true, %s.readJSON(&d)\n", expr)
		return b.String(), nil
	}
	fmt.Fprintf(&b, "r := &%s\n*r = %s{}\n", expr, ws.name)
	fallback := "d.skipValue()"
	if ws.keepUnknown {
		fallback = "d.keepUnknown(&r.Unknown, key)"
	}
	if len(ws.fields) == 0 {
		fmt.Fprintf(&b, "return true, d.members(func(key []byte) error { return %s })\n", fallback)
		return b.String(), nil
	}
	b.WriteString("return true, d.members(func(key []byte) error {\nswitch string(key) {\n")
	for _, f := range ws.fields {
		c, ok := fieldCodecs[f.typ]
		if !ok || c.read == "" {
			return "", fmt.Errorf("%s: %s.%s: the generator cannot read a %s (see fieldCodecs): write (*%s).readJSON by hand",
				g.fset.Position(f.pos), ws.name, f.goName, f.typ, ws.name)
		}
		fmt.Fprintf(&b, "case %q:\nreturn %s\n", f.jsonName, fmt.Sprintf(c.read, "r."+f.goName))
	}
	fmt.Fprintf(&b, "}\nreturn %s\n})\n", fallback)
	return b.String(), nil
}

func (g *codecGen) encoder(event, req, resp string) error {
	if g.byHand["encode"+event] {
		return nil
	}
	w := &writer{}
	w.pending = `,"request":`
	for _, part := range []struct{ member, typ, sep string }{{"Request", req, "sepRequest"}, {"Response", resp, "sepResponse"}} {
		if part.member == "Response" {
			w.pending += `,"response":`
		}
		expr := "p." + part.member
		if g.byHand[part.typ+".appendJSON"] {
			w.stmt("b = " + expr + ".appendJSON(b)")
			continue
		}
		ws := wireStructOf(part.typ, g.structs[part.typ])
		if !w.object(ws, expr, part.sep) {
			return fmt.Errorf("event type %s: %s has a member the generator cannot write (see fieldCodecs): "+
				"write (*%s).appendJSON, or encode%s, by hand", event, part.typ, part.typ, event)
		}
	}
	w.pending += "}"
	fmt.Fprintf(&g.out, `
// encode%[1]s appends the JSON of e, a *%[1]s.
func encode%[1]s(b []byte, e Event) ([]byte, error) {
	p, ok := e.(*%[1]s)
	if !ok {
		return b, errWrongType
	}
	b = appendHeader(b, &p.Header)
%[2]s	return append(b, %[3]s...), nil
}
`, event, w.body.String(), rawString(w.pending))
	return nil
}

// writer writes the statements of an encoder. Constant text is held in pending and
// written with the next statement, so that adjacent member names and punctuation go
// out in one append.
type writer struct {
	body    strings.Builder
	pending string
	indent  string
}

func (w *writer) flush() {
	switch len(w.pending) {
	case 0:
	case 1:
		fmt.Fprintf(&w.body, "%sb = append(b, %s)\n", w.indent, strconv.QuoteRune(rune(w.pending[0])))
	default:
		fmt.Fprintf(&w.body, "%sb = append(b, %s...)\n", w.indent, rawString(w.pending))
	}
	w.pending = ""
}

func (w *writer) stmt(s string) {
	w.flush()
	w.body.WriteString(w.indent + s + "\n")
}

// object writes the struct at expr as a JSON object, following its field order and
// omitempty tags as encoding/json would. It knows while writing whether a member has
// certainly been written, so that commas are decided at generation time where they can
// be; where they cannot, sep, a variable, says. It reports false, and writes nothing,
// when a member has a type it cannot write.
func (w *writer) object(ws wireStruct, expr, sep string) bool {
	for _, f := range ws.fields {
		if c, ok := fieldCodecs[f.typ]; !ok || c.write == "" {
			return false
		}
	}
	const (
		none  = iota // nothing written yet
		some         // a member has been written
		maybe        // sep says whether one has
	)
	state := none
	w.pending += "{"
	for _, f := range ws.fields {
		c := fieldCodecs[f.typ]
		member := expr + "." + f.goName
		name := strconv.Quote(f.jsonName) + ":"
		value := "b = " + fmt.Sprintf(c.write, member)
		if !f.omitempty || c.cond == "" {
			switch state {
			case none:
				w.pending += name
			case some:
				w.pending += "," + name
			case maybe:
				w.stmt(fmt.Sprintf("b = appendField(b, &%s, %s)", sep, rawString(name)))
			}
			w.stmt(value)
			state = some
			continue
		}
		literalTrue := f.typ == "bool"
		if state == none {
			w.stmt(sep + " := false")
			state = maybe
		}
		w.flush()
		fmt.Fprintf(&w.body, "%sif %s {\n", w.indent, fmt.Sprintf(c.cond, member))
		w.indent += "\t"
		switch {
		case state == some && literalTrue:
			w.pending = "," + name + "true"
			w.flush()
		case state == some:
			w.pending = "," + name
			w.stmt(value)
		case literalTrue:
			w.stmt(fmt.Sprintf("b = appendField(b, &%s, %s)", sep, rawString(name+"true")))
		default:
			w.stmt(fmt.Sprintf("b = appendField(b, &%s, %s)", sep, rawString(name)))
			w.stmt(value)
		}
		w.indent = w.indent[:len(w.indent)-1]
		w.body.WriteString(w.indent + "}\n")
	}
	if ws.keepUnknown {
		switch state {
		case none:
			w.stmt("b = append(b, " + expr + ".Unknown...)")
		case some:
			w.stmt("b = appendUnknownAfter(b, " + expr + ".Unknown)")
		case maybe:
			w.stmt(fmt.Sprintf("b = appendUnknown(b, &%s, %s.Unknown)", sep, expr))
		}
	}
	w.pending += "}"
	return true
}

// rawString quotes s for Go source, as a raw string where it can be one.
func rawString(s string) string {
	if strings.ContainsAny(s, "`\n\r") {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}
