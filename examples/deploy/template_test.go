// Package deploy holds the AWS SAM template that deploys examples/allinone, and this test,
// which checks that the template parses and agrees with the function: every reference
// resolves, resources do not depend on each other in a circle, the function gets every
// environment variable it reads and is attached to every trigger it serves, each table a
// module uses exists with the key, time to live and permissions the module needs, and
// the build command builds what CodeUri deploys.
package deploy

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/lambda-triggers/cognito/internal/lambdaruntime"
	"github.com/lambda-triggers/cognito/triggers"
)

const (
	templatePath = "template.yaml"
	functionDir  = "../allinone"
	function     = "TriggerFunction"
)

// A node is a value of the template: a scalar, a list or a map, with the CloudFormation
// tag (!Ref, !GetAtt, ...) it carries, if any.
type node struct {
	Tag    string
	Scalar string
	List   []*node
	Map    map[string]*node
	Keys   []string // Map's keys in template order
	Line   int
	kind   byte // 's', 'l' or 'm'
}

func (n *node) get(keys ...string) *node {
	for _, k := range keys {
		if n == nil || n.kind != 'm' {
			return nil
		}
		n = n.Map[k]
	}
	return n
}

func (n *node) str() string {
	if n == nil || n.kind != 's' {
		return ""
	}
	return n.Scalar
}

func (n *node) walk(f func(*node)) {
	if n == nil {
		return
	}
	f(n)
	for _, c := range n.List {
		c.walk(f)
	}
	for _, k := range n.Keys {
		n.Map[k].walk(f)
	}
}

// parseTemplate reads src with a YAML parser into the template's nodes, with the
// CloudFormation short-form tags (!Ref, !GetAtt, ...) kept on the nodes that carry them.
// A key repeated in a map is an error, as CloudFormation refuses it.
func parseTemplate(src string) (*node, error) {
	dec := yaml.NewDecoder(strings.NewReader(src))
	var doc, more yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || dec.Decode(&more) == nil {
		return nil, fmt.Errorf("want one YAML document")
	}
	return fromYAML(doc.Content[0])
}

func fromYAML(y *yaml.Node) (*node, error) {
	n := &node{Line: y.Line}
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		n.Tag = y.Tag
	}
	switch y.Kind {
	case yaml.ScalarNode:
		n.kind = 's'
		if y.Tag != "!!null" || y.Value != "~" && y.Value != "null" {
			n.Scalar = y.Value
		}
	case yaml.SequenceNode:
		n.kind = 'l'
		for _, c := range y.Content {
			v, err := fromYAML(c)
			if err != nil {
				return nil, err
			}
			n.List = append(n.List, v)
		}
	case yaml.MappingNode:
		n.kind, n.Map = 'm', map[string]*node{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			key := y.Content[i].Value
			if _, dup := n.Map[key]; dup {
				return nil, fmt.Errorf("line %d: key %s repeated", y.Content[i].Line, key)
			}
			v, err := fromYAML(y.Content[i+1])
			if err != nil {
				return nil, err
			}
			n.Map[key] = v
			n.Keys = append(n.Keys, key)
		}
	default:
		return nil, fmt.Errorf("line %d: anchors and aliases are not used in the template", y.Line)
	}
	return n, nil
}

func loadTemplate(t *testing.T) (*node, string) {
	t.Helper()
	src, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := parseTemplate(string(src))
	if err != nil {
		t.Fatalf("%s: %v", templatePath, err)
	}
	return tmpl, string(src)
}

func TestParser(t *testing.T) {
	t.Parallel()
	good := "A:\n  B: !If [C, !Ref D, \"\"] # note\n  E:\n    - F: 1\n      G: 'it''s'\n    - !Sub\n      - x${Y}\n      - Y: !GetAtt Z.Arn\n" +
		"  H: !Sub |\n    line ${X}\n  I: {J: !Ref K}\n  L:\n"
	n, err := parseTemplate(good)
	if err != nil {
		t.Fatal(err)
	}
	if b := n.get("A", "B"); b.Tag != "!If" || len(b.List) != 3 || b.List[1].Tag != "!Ref" || b.List[1].Scalar != "D" || b.List[2].Scalar != "" {
		t.Errorf("B = %+v", b)
	}
	e := n.get("A", "E")
	if e.kind != 'l' || len(e.List) != 2 || e.List[0].get("G").str() != "it's" || e.List[1].Tag != "!Sub" ||
		e.List[1].List[1].get("Y").Scalar != "Z.Arn" {
		t.Errorf("E = %+v", e)
	}
	if h := n.get("A", "H"); h.Tag != "!Sub" || h.Scalar != "line ${X}\n" {
		t.Errorf("H = %+v", h)
	}
	if j := n.get("A", "I", "J"); j.Tag != "!Ref" || j.Scalar != "K" {
		t.Errorf("I.J = %+v", j)
	}
	if l := n.get("A", "L"); l == nil || l.kind != 's' || l.Scalar != "" {
		t.Errorf("L = %+v, want null", l)
	}
	for _, bad := range []string{"A:\n\tB: c\n", "A: b: c\n", "A:\n  B: c\n   D: e\n", "A: [b, c\n",
		"A: x\nA: y\n", "A: &x 1\nB: *x\n", "A: 1\n---\nB: 2\n"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parsed %q, want an error", bad)
		}
	}
}

// pseudo reports whether name is a pseudo parameter such as AWS::Region.
func pseudo(name string) bool { return strings.HasPrefix(name, "AWS::") }

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// references returns the resources, parameters and conditions n refers to, and the
// references to names the template does not define.
func references(tmpl, n *node) (refs, problems []string) {
	params, resources, conditions := tmpl.get("Parameters"), tmpl.get("Resources"), tmpl.get("Conditions")
	check := func(name, how string, line int, local map[string]bool) {
		if name == "" || pseudo(name) || local[name] {
			return
		}
		ok := resources.get(name) != nil || (how != "!GetAtt" && params.get(name) != nil) || (how == "condition" && conditions.get(name) != nil)
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d: %s %s names nothing the template defines", line, how, name))
		}
		if !slices.Contains(refs, name) {
			refs = append(refs, name)
		}
	}
	n.walk(func(c *node) {
		switch c.Tag {
		case "!Ref":
			check(c.str(), "!Ref", c.Line, nil)
		case "!GetAtt":
			res, attr, ok := strings.Cut(c.str(), ".")
			if !ok || attr == "" {
				problems = append(problems, fmt.Sprintf("line %d: !GetAtt %q lacks an attribute", c.Line, c.str()))
			}
			check(res, "!GetAtt", c.Line, nil)
		case "!If":
			if len(c.List) != 3 {
				problems = append(problems, fmt.Sprintf("line %d: !If takes 3 arguments", c.Line))
			} else {
				check(c.List[0].str(), "condition", c.Line, nil)
			}
		case "!Sub":
			s, local := c.str(), map[string]bool{}
			if c.kind == 'l' && len(c.List) == 2 {
				s = c.List[0].str()
				for _, k := range c.List[1].Keys {
					local[k] = true
				}
			}
			for _, m := range subVar.FindAllStringSubmatch(s, -1) {
				name, _, _ := strings.Cut(m[1], ".")
				check(name, "!Sub", c.Line, local)
			}
		case "!Condition":
			check(c.str(), "condition", c.Line, nil)
		case "", "!Not", "!Equals", "!Or", "!Select", "!Split":
		default:
			problems = append(problems, fmt.Sprintf("line %d: unexpected tag %s", c.Line, c.Tag))
		}
	})
	return refs, problems
}

func TestReferences(t *testing.T) {
	t.Parallel()
	tmpl, _ := loadTemplate(t)
	for _, section := range []string{"Parameters", "Conditions", "Resources", "Outputs"} {
		if tmpl.get(section) == nil || tmpl.get(section).kind != 'm' {
			t.Fatalf("no %s section", section)
		}
	}
	if tmpl.get("Transform").str() != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform %q, want the SAM transform", tmpl.get("Transform").str())
	}
	used := map[string]bool{}
	for _, section := range []string{"Conditions", "Resources", "Outputs"} {
		for _, name := range tmpl.get(section).Keys {
			n := tmpl.get(section, name)
			refs, problems := references(tmpl, n)
			for _, p := range problems {
				t.Errorf("%s.%s: %s", section, name, p)
			}
			for _, r := range refs {
				used[r] = true
			}
			if cond := n.get("Condition").str(); cond != "" && tmpl.get("Conditions", cond) == nil {
				t.Errorf("%s.%s: condition %s is not defined", section, name, cond)
			}
		}
	}
	// Every parameter is used; an unused one is a setting that does nothing.
	for _, p := range tmpl.get("Parameters").Keys {
		if !used[p] {
			t.Errorf("parameter %s is never used", p)
		}
	}
}

// TestNoCycle checks that no resource depends on itself through references, which
// CloudFormation refuses: the pool names the function, so the function's role must not
// name the pool.
func TestNoCycle(t *testing.T) {
	t.Parallel()
	tmpl, _ := loadTemplate(t)
	resources := tmpl.get("Resources")
	deps := map[string][]string{}
	for _, name := range resources.Keys {
		refs, _ := references(tmpl, resources.get(name))
		for _, ref := range refs {
			if resources.get(ref) != nil {
				deps[name] = append(deps[name], ref)
			}
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case 1:
			t.Errorf("circular dependency: %s", strings.Join(append(path, name), " -> "))
			return
		case 2:
			return
		}
		state[name] = 1
		for _, d := range deps[name] {
			visit(d, append(path, name))
		}
		state[name] = 2
	}
	for _, name := range resources.Keys {
		visit(name, nil)
	}
}

// allinone is what examples/allinone's source says about the function: the environment
// variables it reads and the triggers it registers.
type allinone struct {
	env      []string
	triggers []triggers.Trigger
}

// readAllinone collects the string literals that the function passes to env (env("NAME"),
// os.Getenv("NAME") or a helper called with env and "NAME") in its own source, and the
// triggers of the Router methods it calls.
func readAllinone(t *testing.T) allinone {
	t.Helper()
	fset := token.NewFileSet()
	var out allinone
	router := reflect.TypeFor[*triggers.Router]()
	isEnv := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "env" }
	// readers are the function's own functions and function literals that read the
	// variable their first parameter names with os.Getenv or env, such as a helper
	// boolean(name string); a call of one with a string literal reads that variable.
	readers := map[string]bool{}
	isGetenv := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		x, ok := sel.X.(*ast.Ident)
		return ok && x.Name == "os" && sel.Sel.Name == "Getenv"
	}
	reads := func(typ *ast.FuncType, body *ast.BlockStmt) bool {
		if body == nil || typ.Params == nil || len(typ.Params.List) == 0 || len(typ.Params.List[0].Names) == 0 {
			return false
		}
		param, found := typ.Params.List[0].Names[0].Name, false
		ast.Inspect(body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && (isGetenv(c.Fun) || isEnv(c.Fun)) && len(c.Args) == 1 {
				if id, ok := c.Args[0].(*ast.Ident); ok && id.Name == param {
					found = true
				}
			}
			return !found
		})
		return found
	}
	for _, f := range parseDir(t, fset, functionDir) {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv == nil && reads(n.Type, n.Body) {
					readers[n.Name.Name] = true
				}
			case *ast.AssignStmt:
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					id, ok := n.Lhs[0].(*ast.Ident)
					lit, lok := n.Rhs[0].(*ast.FuncLit)
					if ok && lok && reads(lit.Type, lit.Body) {
						readers[id.Name] = true
					}
				}
			}
			return true
		})
	}
	isReader := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return isGetenv(e) || ok && readers[id.Name]
	}
	// visitor returns the ast.Inspect function for a file of the function that refers to
	// imports.
	visitor := func(imports map[string]string) func(ast.Node) bool {
		var visit func(ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				ast.Inspect(n.X, visit)
				return false // Sel names a field, a method or another package's member
			case *ast.CallExpr:
				if isEnv(n.Fun) || slices.ContainsFunc(n.Args, isEnv) || isReader(n.Fun) {
					for _, a := range n.Args {
						if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							name, _ := strconv.Unquote(lit.Value)
							out.env = append(out.env, name)
						}
					}
				}
				// A Router method, not a package's function such as presignup.Chain.
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && imports[x.Name] != "" {
						break
					}
					if m, ok := router.MethodByName(sel.Sel.Name); ok && m.Type.NumIn() == 2 && m.Type.NumOut() == 1 && m.Type.Out(0) == router {
						out.triggers = append(out.triggers, registers(t, m))
					}
				}
			}
			return true
		}
		return visit
	}
	for _, f := range parseDir(t, fset, functionDir) {
		ast.Inspect(f, visitor(imports(f)))
	}
	slices.Sort(out.env)
	out.env = slices.Compact(out.env)
	if len(out.env) < 10 || len(out.triggers) < 5 {
		t.Fatalf("read %d variables and %d triggers from %s; has its source changed shape?",
			len(out.env), len(out.triggers), functionDir)
	}
	return out
}

// parseDir parses the Go files of dir, without its tests.
func parseDir(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

// imports maps the names under which f refers to its imports to their paths.
func imports(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, spec := range f.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		name := path.Base(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		out[name] = p
	}
	return out
}

// registers returns the trigger that the Router method m registers.
func registers(t *testing.T, m reflect.Method) triggers.Trigger {
	t.Helper()
	h := m.Type.In(1)
	noop := reflect.MakeFunc(h, func([]reflect.Value) []reflect.Value { return []reflect.Value{reflect.Zero(h.Out(0))} })
	r := triggers.NewRouter(triggers.RouterConfig{})
	m.Func.Call([]reflect.Value{reflect.ValueOf(r), noop})
	got := r.Registered()
	if len(got) != 1 {
		t.Fatalf("Router.%s registered %v", m.Name, got)
	}
	return got[0]
}

func resourceOfType(t *testing.T, tmpl *node, typ string) (string, *node) {
	t.Helper()
	resources := tmpl.get("Resources")
	for _, name := range resources.Keys {
		if r := resources.get(name); r.get("Type").str() == typ {
			return name, r
		}
	}
	t.Fatalf("no resource of type %s", typ)
	return "", nil
}

func TestFunction(t *testing.T) {
	t.Parallel()
	tmpl, _ := loadTemplate(t)
	fn := tmpl.get("Resources", function)
	if fn.get("Type").str() != "AWS::Serverless::Function" {
		t.Fatalf("%s is not a SAM function", function)
	}
	props := fn.get("Properties")
	for key, want := range map[string]string{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "build/"} {
		if got := props.get(key).str(); got != want {
			t.Errorf("%s %q, want %q", key, got, want)
		}
	}
	if a := props.get("Architectures"); a == nil || len(a.List) != 1 || a.List[0].str() != "arm64" {
		t.Errorf("Architectures %+v, want [arm64]", a)
	}

	fact := readAllinone(t)
	vars := props.get("Environment", "Variables")
	for _, name := range fact.env {
		if vars.get(name) == nil {
			t.Errorf("the function reads %s, which the template does not set", name)
		}
	}
	for _, name := range vars.Keys {
		if !slices.Contains(fact.env, name) {
			t.Errorf("the template sets %s, which the function never reads", name)
		}
	}

	_, pool := resourceOfType(t, tmpl, "AWS::Cognito::UserPool")
	config := pool.get("Properties", "LambdaConfig")
	attached := map[string]bool{}
	for _, key := range config.Keys {
		target := config.get(key)
		if target.Tag == "!If" {
			target = target.List[1] // attached when the condition holds
		}
		switch key {
		case "KMSKeyID":
			continue // checked by TestCustomSenders
		case "PreTokenGenerationConfig":
			key, target = string(triggers.TriggerPreTokenGeneration), target.get("LambdaArn")
		case "InboundFederation":
			if target.get("LambdaVersion").str() != "V1_0" {
				t.Errorf("LambdaConfig.InboundFederation has version %q, want V1_0, the only one", target.get("LambdaVersion").str())
			}
			target = target.get("LambdaArn")
		case "CustomEmailSender", "CustomSMSSender":
			target = target.get("LambdaArn")
		}
		attached[key] = true
		if target.Tag != "!GetAtt" || target.str() != function+".Arn" {
			t.Errorf("LambdaConfig.%s is not the function", key)
		}
	}
	for _, trigger := range fact.triggers {
		if !attached[string(trigger)] {
			t.Errorf("the function serves %s, which LambdaConfig does not attach", trigger)
		}
		delete(attached, string(trigger))
	}
	for key := range attached {
		t.Errorf("LambdaConfig attaches %s, which the function does not serve", key)
	}

	_, perm := resourceOfType(t, tmpl, "AWS::Lambda::Permission")
	p := perm.get("Properties")
	if p.get("Principal").str() != "cognito-idp.amazonaws.com" || p.get("Action").str() != "lambda:InvokeFunction" ||
		p.get("FunctionName").str() != function+".Arn" || p.get("SourceArn").Tag != "!GetAtt" || p.get("SourceArn").str() != "UserPool.Arn" {
		t.Errorf("the invoke permission is not Cognito's (%s %s), for the pool (%s) and the function (%s)",
			p.get("Principal").str(), p.get("Action").str(), p.get("SourceArn").str(), p.get("FunctionName").str())
	}
}

// TestCustomSenders checks what the custom senders need: a KMS key for Cognito to encrypt
// codes with (and nobody else but the account's administrators), the pool's KMSKeyID and
// the function's KEY_ARN naming it, and kms:Decrypt for the function on that key only.
func TestCustomSenders(t *testing.T) {
	t.Parallel()
	tmpl, _ := loadTemplate(t)
	resolve := func(n *node) *node {
		if n != nil && n.Tag == "!If" {
			if n.List[0].str() != "HasCustomSenders" {
				t.Errorf("custom sender setting under condition %s", n.List[0].str())
			}
			return n.List[1]
		}
		return n
	}
	const keyName = "CustomSenderKey" // the stack's other key signs sign-in links
	key := tmpl.get("Resources", keyName)
	if key.get("Type").str() != "AWS::KMS::Key" {
		t.Fatalf("no KMS key %s", keyName)
	}
	if key.get("Condition").str() != "HasCustomSenders" {
		t.Errorf("key %s exists without the custom senders' condition", keyName)
	}
	keyARN := keyName + ".Arn"
	_, pool := resourceOfType(t, tmpl, "AWS::Cognito::UserPool")
	config := pool.get("Properties", "LambdaConfig")
	if got := resolve(config.get("KMSKeyID")); got == nil || got.Tag != "!GetAtt" || got.str() != keyARN {
		t.Errorf("LambdaConfig.KMSKeyID is not %s", keyARN)
	}
	for _, trigger := range []string{"CustomEmailSender", "CustomSMSSender"} {
		if v := resolve(config.get(trigger)); v == nil || v.get("LambdaVersion").str() != "V1_0" {
			t.Errorf("LambdaConfig.%s lacks LambdaVersion V1_0", trigger)
		}
	}
	vars := tmpl.get("Resources", function, "Properties", "Environment", "Variables")
	if got := resolve(vars.get("KEY_ARN")); got == nil || got.Tag != "!GetAtt" || got.str() != keyARN {
		t.Errorf("KEY_ARN is not %s", keyARN)
	}

	var cognito, admin bool
	for _, s := range key.get("Properties", "KeyPolicy", "Statement").List {
		principal := s.get("Principal")
		switch {
		case principal.get("Service").str() == "cognito-idp.amazonaws.com":
			cognito = s.get("Action").str() == "kms:Encrypt" &&
				s.get("Condition", "StringEquals", "aws:SourceAccount").str() == "AWS::AccountId" &&
				strings.Contains(s.get("Condition", "ArnLike", "aws:SourceArn").str(), ":cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/")
		case strings.HasSuffix(principal.get("AWS").str(), ":root"):
			admin = true
		default:
			t.Errorf("key policy statement %s grants another principal", s.get("Sid").str())
		}
	}
	if !cognito || !admin {
		t.Errorf("key policy: Cognito may encrypt from this account's pools %v, the account administers the key %v", cognito, admin)
	}

	roleName, _ := strings.CutSuffix(tmpl.get("Resources", function, "Properties", "Role").str(), ".Arn")
	decrypt := 0
	for _, s := range statements(tmpl.get("Resources", roleName)) {
		for _, a := range s.get("Action").List {
			r := s.get("Resource")
			onKey := r != nil && r.Tag == "!GetAtt" && r.str() == keyARN
			if strings.HasPrefix(a.str(), "kms:") && (onKey || a.str() == "kms:Decrypt") {
				decrypt++
				if a.str() != "kms:Decrypt" || !onKey {
					t.Errorf("statement %s: %s on %s, want kms:Decrypt on %s only", s.get("Sid").str(), a.str(), r.str(), keyARN)
				}
			}
		}
	}
	if decrypt != 1 {
		t.Errorf("%d KMS actions for the function on the key or decrypting, want kms:Decrypt on the key alone", decrypt)
	}
}

// tables says, for each variable that names a table, the key and time-to-live
// attributes the module that reads it expects, and the DynamoDB actions it calls.
var tables = map[string]struct {
	key, ttl string
	actions  []string
	sort     string // the sort key, "" for none
}{
	"RATE_LIMIT_TABLE":    {"pk", "expiresAt", []string{"GetItem", "UpdateItem"}, ""},
	"INVITATIONS_TABLE":   {"code", "", []string{"GetItem", "UpdateItem"}, ""},
	"PROFILES_TABLE":      {"id", "", []string{"PutItem"}, ""},
	"WELCOME_TABLE":       {"pk", "", []string{"PutItem", "UpdateItem", "DeleteItem"}, ""},
	"ENTITLEMENTS_TABLE":  {"userId", "", []string{"GetItem"}, ""},
	"OTP_TABLE":           {"pk", "ttl", []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem"}, ""},
	"LEGACY_USERS_TABLE":  {"username", "", []string{"GetItem"}, ""},
	"SIGNIN_TABLE":        {"id", "", []string{"GetItem", "UpdateItem"}, ""},
	"AUDIT_TABLE":         {"pk", "expiresAt", []string{"GetItem", "PutItem", "UpdateItem"}, "sk"},
	"NEW_DEVICE_TABLE":    {"pk", "expiresAt", []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem"}, ""},
	"BLOCK_LIST_TABLE":    {"pk", "expiresAt", []string{"GetItem"}, ""},
	"SMS_OTP_TABLE":       {"pk", "ttl", []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem"}, ""},
	"MAGIC_LINK_TABLE":    {"pk", "ttl", []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem"}, ""},
	"CUSTOM_SENDER_TABLE": {"pk", "expiresAt", []string{"PutItem", "DeleteItem"}, ""},
}

// statements returns the role's policy statements with !If resolved to the statement
// it adds when its condition holds.
func statements(role *node) []*node {
	var out []*node
	for _, policy := range role.get("Properties", "Policies").List {
		for _, s := range policy.get("PolicyDocument", "Statement").List {
			if s.Tag == "!If" {
				s = s.List[1]
			}
			out = append(out, s)
		}
	}
	return out
}

func TestTablesAndPermissions(t *testing.T) {
	t.Parallel()
	tmpl, _ := loadTemplate(t)
	vars := tmpl.get("Resources", function, "Properties", "Environment", "Variables")
	roleName, _ := strings.CutSuffix(tmpl.get("Resources", function, "Properties", "Role").str(), ".Arn")
	role := tmpl.get("Resources", roleName)
	if role.get("Type").str() != "AWS::IAM::Role" {
		t.Fatalf("the function's role %s is not an AWS::IAM::Role", roleName)
	}
	stmts := statements(role)
	for _, s := range stmts {
		for _, a := range s.get("Action").List {
			if strings.Contains(a.str(), "*") {
				t.Errorf("statement %s allows %s", s.get("Sid").str(), a.str())
			}
		}
		s.get("Resource").walk(func(n *node) {
			if n.kind == 's' && strings.TrimSpace(n.Scalar) == "*" {
				t.Errorf("statement %s applies to every resource", s.get("Sid").str())
			}
		})
		if s.get("NotAction") != nil {
			t.Errorf("statement %s allows every action but some", s.get("Sid").str())
		}
		// Direct SMS has no resource to name: the one statement without Resource allows
		// sns:Publish alone, on everything but topics.
		if nr := s.get("NotResource"); nr != nil {
			actions := s.get("Action").List
			if len(actions) != 1 || actions[0].str() != "sns:Publish" || nr.Tag != "!Sub" || nr.str() != "arn:${AWS::Partition}:sns:*:*:*" {
				t.Errorf("statement %s uses NotResource for more than sns:Publish to phone numbers", s.get("Sid").str())
			}
		} else if s.get("Resource") == nil {
			t.Errorf("statement %s names no resource", s.get("Sid").str())
		}
	}
	for v, want := range tables {
		value := vars.get(v)
		if value == nil {
			t.Errorf("%s is not set", v)
			continue
		}
		if value.Tag == "!If" {
			value = value.List[1]
		}
		// The statement that grants access to the table: by its ARN for a table of the
		// template, by the parameter in its ARN for a table named by a parameter.
		var grant *node
		for _, s := range stmts {
			res := s.get("Resource")
			if res == nil {
				continue // NotResource
			}
			if value.Tag == "!Ref" && tmpl.get("Resources", value.str()) != nil {
				if res.Tag == "!GetAtt" && res.str() == value.str()+".Arn" {
					grant = s
				}
			} else if res.Tag == "!Sub" && strings.Contains(res.str(), ":table/${"+value.str()+"}") {
				grant = s
			}
		}
		if grant == nil {
			t.Errorf("%s: no statement grants access to %s", v, value.str())
			continue
		}
		var actions []string
		for _, a := range grant.get("Action").List {
			actions = append(actions, strings.TrimPrefix(a.str(), "dynamodb:"))
		}
		slices.Sort(actions)
		wantActions := slices.Sorted(slices.Values(want.actions))
		if !slices.Equal(actions, wantActions) {
			t.Errorf("%s: actions %v, want exactly %v", v, actions, wantActions)
		}
		table := tmpl.get("Resources", value.str())
		if table == nil {
			continue // a table that exists already, named by a parameter
		}
		if table.get("Type").str() != "AWS::DynamoDB::Table" {
			t.Errorf("%s names %s, not a table", v, value.str())
			continue
		}
		props := table.get("Properties")
		ks := props.get("KeySchema")
		switch {
		case want.sort == "" && (ks == nil || len(ks.List) != 1 || ks.List[0].get("AttributeName").str() != want.key):
			t.Errorf("%s: table %s's key is not %s alone", v, value.str(), want.key)
		case want.sort != "" && (ks == nil || len(ks.List) != 2 || ks.List[0].get("AttributeName").str() != want.key ||
			ks.List[0].get("KeyType").str() != "HASH" || ks.List[1].get("AttributeName").str() != want.sort ||
			ks.List[1].get("KeyType").str() != "RANGE"):
			t.Errorf("%s: table %s's key is not %s with the sort key %s", v, value.str(), want.key, want.sort)
		}
		ttl := props.get("TimeToLiveSpecification")
		if got := ttl.get("AttributeName").str(); got != want.ttl || (want.ttl != "" && ttl.get("Enabled").str() != "true") {
			t.Errorf("%s: table %s's time to live is on %q, want %q", v, value.str(), got, want.ttl)
		}
		if table.get("Condition").str() != "" && vars.get(v).Tag != "!If" {
			t.Errorf("%s names %s, which exists only under a condition, without one", v, value.str())
		}
	}

	// KMS: Sign and Verify on the links' key alone, an asymmetric signing key.
	keyVar := vars.get("MAGIC_LINK_KMS_KEY_ID")
	if keyVar == nil || keyVar.Tag != "!If" || keyVar.List[1].Tag != "!Ref" {
		t.Fatal("MAGIC_LINK_KMS_KEY_ID is not the stack's key under a condition")
	}
	keyName := keyVar.List[1].str()
	key := tmpl.get("Resources", keyName)
	if key.get("Type").str() != "AWS::KMS::Key" || key.get("Properties", "KeyUsage").str() != "SIGN_VERIFY" ||
		key.get("Properties", "KeySpec").str() != "ECC_NIST_P256" {
		t.Errorf("%s is not an ECC_NIST_P256 signing key, which the KMS signer's default ECDSA_SHA_256 needs", keyName)
	}
	var signing bool
	for _, s := range stmts {
		if res := s.get("Resource"); res != nil && res.Tag == "!GetAtt" && res.str() == keyName+".Arn" {
			var actions []string
			for _, a := range s.get("Action").List {
				actions = append(actions, a.str())
			}
			signing = slices.Equal(actions, []string{"kms:Sign", "kms:Verify"})
		}
	}
	if !signing {
		t.Errorf("no statement allows exactly kms:Sign and kms:Verify on %s", keyName)
	}
	if vars.get("SMS_OTP").str() != "SmsSignInCodes" || !slices.ContainsFunc(stmts, func(s *node) bool { return s.get("NotResource") != nil }) {
		t.Error("SMS codes are not turned on by a parameter with a statement that lets the function send SMS")
	}

	// SES: the sender's identity; Cognito: the pool, from a policy of its own.
	var ses bool
	for _, s := range stmts {
		if slices.ContainsFunc(s.get("Action").List, func(a *node) bool { return a.str() == "ses:SendEmail" }) {
			ses = strings.Contains(s.get("Resource").List[0].str(), ":identity/${SenderEmail}")
		}
	}
	if !ses {
		t.Error("no statement lets the function send email as the sender")
	}
	_, groups := resourceOfType(t, tmpl, "AWS::IAM::Policy")
	gp := groups.get("Properties")
	var actions []string
	for _, a := range gp.get("PolicyDocument", "Statement").List[0].get("Action").List {
		actions = append(actions, a.str())
	}
	if !slices.Equal(actions, []string{"cognito-idp:GetGroup", "cognito-idp:CreateGroup", "cognito-idp:AdminAddUserToGroup"}) ||
		gp.get("PolicyDocument", "Statement").List[0].get("Resource").str() != "UserPool.Arn" ||
		gp.get("Roles").List[0].str() != roleName {
		t.Errorf("the add-to-group policy is not the three group actions on the pool for the function's role: %v", actions)
	}
}

// shellWords splits a command line at spaces, honouring single quotes.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestBuildCommand checks that the build command in the template's header builds the
// function for Lambda (linux/arm64, the flags lambdaruntime.Build uses) into the
// directory CodeUri deploys, and that the README, where it documents a build of the
// function, gives the same command.
func TestBuildCommand(t *testing.T) {
	t.Parallel()
	tmpl, src := loadTemplate(t)
	var command string
	for line := range strings.SplitSeq(src, "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok && strings.Contains(c, " go build ") {
			command = strings.TrimSpace(c)
		}
	}
	if command == "" {
		t.Fatal("the template's header has no go build command")
	}
	codeURI := tmpl.get("Resources", function, "Properties", "CodeUri").str()
	want := append(append([]string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "go", "build"}, lambdaruntime.BuildFlags...),
		"-o", path.Join("examples/deploy", codeURI, "bootstrap"), "./examples/allinone")
	if got := shellWords(command); !slices.Equal(got, want) {
		t.Errorf("build command\n%q\nwant\n%q", got, want)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(readme), "\n") {
		if strings.Contains(line, "go build") && strings.Contains(line, "./examples/allinone") && strings.TrimSpace(line) != command {
			t.Errorf("README.md builds the function with\n%s\nthe template with\n%s", strings.TrimSpace(line), command)
		}
	}
}
