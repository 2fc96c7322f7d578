package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckedInFilesAreCurrent fails when a generated file of package triggers differs
// from what the generator writes today: run go generate ./triggers.
func TestCheckedInFilesAreCurrent(t *testing.T) {
	files, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("triggers/%s is stale: run go generate ./triggers", name)
		}
	}
}

// A minimal package for the generator: one trigger whose types exercise the member rules.
const tablePkg = `package triggers

var table = [...]descriptor{
	// Thing registers the thing chain.
	{trigger: TriggerThing, prefixes: []string{"Thing", "OldThing"}},
}

type ThingEvent struct {
	Header
	Request  ThingRequest  ` + "`json:\"request\"`" + `
	Response ThingResponse ` + "`json:\"response\"`" + `
}
`

func writePkg(t *testing.T, types string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "table.go"), []byte(tablePkg+types), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGeneratedMembers(t *testing.T) {
	dir := writePkg(t, `
type ThingRequest struct {
	Name  string     `+"`json:\"name\"`"+`
	Meta  Attributes `+"`json:\"meta,omitempty\"`"+`
	Code  Secret     `+"`json:\"code\"`"+`
}

type ThingResponse struct {
	Label   string `+"`json:\"label,omitempty\"`"+`
	Force   bool   `+"`json:\"force,omitempty\"`"+`
	Done    bool   `+"`json:\"done\"`"+`
	Unknown UnknownMembers `+"`json:\"-\"`"+`
}
`)
	files, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	codec := string(files["codec_gen.go"])
	for _, want := range []string{
		// the request: a leading member written at once, an omitempty one after a comma
		"b = append(b, `,\"request\":{\"name\":`...)",
		"if len(p.Request.Meta) > 0 {\n\t\tb = append(b, `,\"meta\":`...)",
		"b = appendString(b, p.Request.Code.Reveal())",
		"return d.skipValue()",
		// the response: leading omitempty members decide the comma at run time
		"sepResponse := false",
		"b = appendField(b, &sepResponse, `\"label\":`)",
		"if p.Response.Force {\n\t\tb = appendField(b, &sepResponse, `\"force\":true`)\n\t}",
		"b = appendField(b, &sepResponse, `\"done\":`)",
		"b = appendUnknownAfter(b, p.Response.Unknown)",
		"return append(b, `}}`...), nil",
		"return d.keepUnknown(&r.Unknown, key)",
		"func decodeThingEvent(data []byte, e Event) error {",
	} {
		if !strings.Contains(codec, want) {
			t.Errorf("codec_gen.go lacks\n%s\n---- it is:\n%s", want, codec)
		}
	}
	router := string(files["router_gen.go"])
	if !strings.Contains(router, "// Thing registers the thing chain.\nfunc (r *Router) Thing(h Handler[ThingEvent]) *Router { return Register(r, h) }") {
		t.Errorf("router_gen.go:\n%s", router)
	}
	if tg := string(files["table_gen.go"]); !strings.Contains(tg, "case \"Thing\", \"OldThing\":\n\t\treturn 0") ||
		!strings.Contains(tg, "table[0].decode, table[0].encode = decodeThingEvent, encodeThingEvent") ||
		!strings.Contains(tg, "case TriggerThing:\n\t\treturn new(ThingEvent)") {
		t.Errorf("table_gen.go:\n%s", files["table_gen.go"])
	}
	if !strings.Contains(string(files["events_gen.go"]), "func (*ThingEvent) Trigger() Trigger { return TriggerThing }") {
		t.Errorf("events_gen.go:\n%s", files["events_gen.go"])
	}
}

func TestGeneratorRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, types, want string
	}{
		{"unknown member type", `
type ThingRequest struct {
	When float64 ` + "`json:\"when\"`" + `
}
type ThingResponse struct{}
`, "cannot read a float64"},
		{"write-only unknown", `
type ThingRequest struct{}
type ThingResponse struct {
	Details *ClaimsOverrideDetails ` + "`json:\"details\"`" + `
}
`, "write (*ThingResponse).appendJSON, or encodeThingEvent, by hand"},
		{"missing response type", `
type ThingRequest struct{}
`, `"ThingResponse" is not a struct type`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generate(writePkg(t, tt.types))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one that says %q", err, tt.want)
			}
		})
	}
}

func TestHandWrittenMethodsWin(t *testing.T) {
	dir := writePkg(t, `
type ThingRequest struct{}
type ThingResponse struct {
	Details *ClaimsOverrideDetails `+"`json:\"details\"`"+`
}

func encodeThingEvent(b []byte, e Event) ([]byte, error) { return b, nil }
`)
	files, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	codec := string(files["codec_gen.go"])
	if strings.Contains(codec, "func encodeThingEvent") {
		t.Errorf("the generator wrote what is written by hand:\n%s", codec)
	}
	if !strings.Contains(codec, "func decodeThingEvent") {
		t.Errorf("the generator left out the decoder:\n%s", codec)
	}
}
