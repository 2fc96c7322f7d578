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

// The wire codec of the event types, field by field, from the struct definitions: for
// each event, readJSON and appendJSON methods on the event and on its Request and
// Response types. A method written by hand in the package wins: the generator writes
// none of that name for that type, so a type with rules of its own (pre token
// generation's answer, inbound federation's {}) keeps them in ordinary code. An event's
// decodeJSON takes the payload and makes its own decoder, so that the decoder, reached
// only through direct calls, stays on the stack.

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
	byHand  map[string]bool // "Type.method" declared in the package's own source
	out     bytes.Buffer
	done    map[string]bool
	canRead map[string]bool
	canEnc  map[string]bool
}

func methodsByHand(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
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
	g := &codecGen{fset: fset, structs: structs, byHand: methodsByHand(files),
		done: map[string]bool{}, canRead: map[string]bool{}, canEnc: map[string]bool{}}
	g.out.WriteString(header)
	g.out.WriteString("package triggers\n")
	for _, r := range rows {
		req, resp, err := g.parts(r.event)
		if err != nil {
			return nil, err
		}
		for _, part := range []string{req, resp} {
			if err := g.wireStruct(part); err != nil {
				return nil, err
			}
		}
		if err := g.event(r.event, req, resp); err != nil {
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

func (g *codecGen) event(event, req, resp string) error {
	if !g.byHand[event+".decodeJSON"] {
		fmt.Fprintf(&g.out, `
// decodeJSON decodes data into the event, which the caller has reset to its zero value.
func (e *%s) decodeJSON(data []byte) error {
	d := newDecoder(data)
	return d.event(&e.Header, func(key []byte) (bool, error) {
		switch string(key) {
		case "request":
			return true, e.Request.readJSON(&d)
		case "response":
			return true, e.Response.readJSON(&d)
		}
		return false, nil
	})
}
`, event)
	}
	if !g.byHand[event+".appendJSON"] {
		for _, t := range []string{req, resp} {
			if !g.canEnc[t] {
				return fmt.Errorf("event type %s: %s has a member the generator cannot write (see fieldCodecs): "+
					"write (*%s).appendJSON, or the event's, by hand", event, t, t)
			}
		}
		fmt.Fprintf(&g.out, `
// appendJSON appends the event's JSON.
func (e *%s) appendJSON(b []byte) ([]byte, error) {
	b = appendHeader(b, &e.Header)
	b = append(b, %s...)
	b = e.Request.appendJSON(b)
	b = append(b, %s...)
	b = e.Response.appendJSON(b)
	return append(b, '}'), nil
}
`, event, rawString(`,"request":`), rawString(`,"response":`))
	}
	return nil
}

// wireStruct writes the readJSON and appendJSON methods of a request or response type.
func (g *codecGen) wireStruct(name string) error {
	if g.done[name] {
		return nil
	}
	g.done[name] = true
	ws := wireStructOf(name, g.structs[name])
	if g.byHand[name+".readJSON"] {
		g.canRead[name] = true
	} else if err := g.reader(ws); err != nil {
		return err
	}
	if g.byHand[name+".appendJSON"] {
		g.canEnc[name] = true
	} else {
		g.writer(ws)
	}
	return nil
}

func (g *codecGen) reader(ws wireStruct) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\n// readJSON decodes a %s object, replacing all of r.\n", ws.name)
	fmt.Fprintf(&b, "func (r *%s) readJSON(d *decoder) error {\n\t*r = %s{}\n", ws.name, ws.name)
	fallback := "d.skipValue()"
	if ws.keepUnknown {
		fallback = "d.keepUnknown(&r.Unknown, key)"
	}
	if len(ws.fields) == 0 {
		fmt.Fprintf(&b, "\treturn d.members(func(key []byte) error { return %s })\n}\n", fallback)
		g.out.Write(b.Bytes())
		g.canRead[ws.name] = true
		return nil
	}
	b.WriteString("\treturn d.members(func(key []byte) error {\n\t\tswitch string(key) {\n")
	for _, f := range ws.fields {
		c, ok := fieldCodecs[f.typ]
		if !ok || c.read == "" {
			return fmt.Errorf("%s: %s.%s: the generator cannot read a %s (see fieldCodecs): write (*%s).readJSON by hand",
				g.fset.Position(f.pos), ws.name, f.goName, f.typ, ws.name)
		}
		fmt.Fprintf(&b, "\t\tcase %q:\n\t\t\treturn %s\n", f.jsonName, fmt.Sprintf(c.read, "r."+f.goName))
	}
	fmt.Fprintf(&b, "\t\t}\n\t\treturn %s\n\t})\n}\n", fallback)
	g.out.Write(b.Bytes())
	g.canRead[ws.name] = true
	return nil
}

// writer writes appendJSON, which follows the struct's field order and omitempty tags
// as encoding/json would. It knows while writing whether a member has certainly been
// written, so that commas are decided at generation time where they can be.
func (g *codecGen) writer(ws wireStruct) {
	for _, f := range ws.fields {
		if c, ok := fieldCodecs[f.typ]; !ok || c.write == "" {
			return // left to the event's own appendJSON
		}
	}
	const (
		none  = iota // nothing written yet
		some         // a member has been written
		maybe        // sep says whether one has
	)
	var (
		body    bytes.Buffer
		pending string
		state   = none
	)
	flush := func(indent string) {
		switch len(pending) {
		case 0:
		case 1:
			fmt.Fprintf(&body, "%sb = append(b, %s)\n", indent, strconv.QuoteRune(rune(pending[0])))
		default:
			fmt.Fprintf(&body, "%sb = append(b, %s...)\n", indent, rawString(pending))
		}
		pending = ""
	}
	stmt := func(indent, s string) {
		flush(indent)
		body.WriteString(indent + s + "\n")
	}
	pending = "{"
	for _, f := range ws.fields {
		c := fieldCodecs[f.typ]
		expr := "r." + f.goName
		name := strconv.Quote(f.jsonName) + ":"
		value := "b = " + fmt.Sprintf(c.write, expr)
		literalTrue := f.typ == "bool" && f.omitempty
		if !f.omitempty || c.cond == "" {
			switch state {
			case none:
				pending += name
			case some:
				pending += "," + name
			case maybe:
				stmt("\t", fmt.Sprintf("b = appendField(b, &sep, %s)", rawString(name)))
			}
			stmt("\t", value)
			state = some
			continue
		}
		cond := fmt.Sprintf(c.cond, expr)
		if state == none {
			stmt("\t", "sep := false")
			state = maybe
		}
		flush("\t")
		fmt.Fprintf(&body, "\tif %s {\n", cond)
		if state == some {
			pending = "," + name
		} else {
			stmt("\t\t", fmt.Sprintf("b = appendField(b, &sep, %s)", rawString(name+map[bool]string{true: "true"}[literalTrue])))
		}
		if literalTrue {
			if state == some {
				pending += "true"
				flush("\t\t")
			}
		} else {
			stmt("\t\t", value)
		}
		body.WriteString("\t}\n")
	}
	if ws.keepUnknown {
		switch state {
		case none:
			stmt("\t", "b = append(b, r.Unknown...)")
		case some:
			stmt("\t", "b = appendUnknownAfter(b, r.Unknown)")
		case maybe:
			stmt("\t", "b = appendUnknown(b, &sep, r.Unknown)")
		}
	}
	end := strconv.QuoteRune('}')
	if pending != "" {
		end = rawString(pending+"}") + "..."
	}
	fmt.Fprintf(&g.out, "\n// appendJSON appends r as a JSON object.\nfunc (r *%s) appendJSON(b []byte) []byte {\n%s\treturn append(b, %s)\n}\n",
		ws.name, body.String(), end)
	g.canEnc[ws.name] = true
}

// rawString quotes s for Go source, as a raw string where it can be one.
func rawString(s string) string {
	if strings.ContainsAny(s, "`\n\r") {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}
