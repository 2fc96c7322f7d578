package triggertest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// The fixtures are events as Cognito sends them, one per trigger source, written from
// the shapes Cognito documents and including the quirks real payloads have: booleans and
// numbers among user attributes, null maps, null responses, the clientId
// CLIENT_ID_NOT_APPLICABLE of admin calls, a null code in account takeover notifications.
// A file is named <triggerSource>.json, or <triggerSource>.v<N>.json for a pre token
// generation event of another version than the default.
//
//go:embed fixtures/*.json
var fixtureFiles embed.FS

type fixture struct {
	source  triggers.TriggerSource
	version string
	data    []byte
}

// name is how subtests and messages refer to the fixture: the trigger source, with the
// version for pre token generation events of version 2 and 3.
func (f fixture) name() string {
	if f.source.Trigger() == triggers.TriggerPreTokenGeneration && f.version != "1" &&
		f.source != triggers.TokenGenerationClientCredentials {
		return string(f.source) + "/v" + f.version
	}
	return string(f.source)
}

var (
	// fixtureList holds every fixture in triggers.TriggerSources order, the default
	// version of a source first.
	fixtureList []fixture
	// defaultVersion maps a source to the version Fixture returns.
	defaultVersion = map[triggers.TriggerSource]string{}
)

func init() {
	entries, err := fixtureFiles.ReadDir("fixtures")
	if err != nil {
		panic(err)
	}
	bySource := map[triggers.TriggerSource][]fixture{}
	for _, ent := range entries {
		data, err := fixtureFiles.ReadFile("fixtures/" + ent.Name())
		if err != nil {
			panic(err)
		}
		var head struct {
			Version       string                 `json:"version"`
			TriggerSource triggers.TriggerSource `json:"triggerSource"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			panic(fmt.Sprintf("triggertest: fixture %s: %v", ent.Name(), err))
		}
		base, _, _ := strings.Cut(ent.Name(), ".")
		if base != string(head.TriggerSource) {
			panic(fmt.Sprintf("triggertest: fixture %s has triggerSource %s", ent.Name(), head.TriggerSource))
		}
		f := fixture{source: head.TriggerSource, version: head.Version, data: data}
		if !strings.Contains(strings.TrimSuffix(ent.Name(), ".json"), ".") {
			defaultVersion[f.source] = f.version
			bySource[f.source] = slices.Insert(bySource[f.source], 0, f)
		} else {
			bySource[f.source] = append(bySource[f.source], f)
		}
	}
	for _, src := range triggers.TriggerSources {
		fixtureList = append(fixtureList, bySource[src]...)
	}
}

func lookup(src triggers.TriggerSource, version string) (fixture, bool) {
	if version == "" {
		version = defaultVersion[src]
	}
	for _, f := range fixtureList {
		if f.source == src && f.version == version {
			return f, true
		}
	}
	return fixture{}, false
}

// Fixture returns the fixture event for src as Cognito sends it, as a fresh copy the
// caller may change. Every source in [triggers.TriggerSources] has one. Pre token
// generation sources return their version 1 event, except TokenGeneration_ClientCredentials,
// which exists only in version 3; [FixtureVersion] returns the others.
//
// Fixture panics when src has no fixture: a test that asks for one is wrong, not unlucky.
func Fixture(src triggers.TriggerSource) []byte {
	return FixtureVersion(src, "")
}

// FixtureVersion returns the fixture event for src in the given event version ("1", "2"
// or "3" for pre token generation; "1" for every other trigger), as a fresh copy. An
// empty version means the default one, as for [Fixture]. It panics when there is no such
// fixture.
func FixtureVersion(src triggers.TriggerSource, version string) []byte {
	f, ok := lookup(src, version)
	if !ok {
		panic(fmt.Sprintf("triggertest: no fixture for triggerSource %q version %q", src, version))
	}
	return bytes.Clone(f.data)
}

// Fixtures yields every fixture of the given triggers, or of all triggers when none is
// given, as a name and a fresh copy of the event. The name is the trigger source,
// followed by "/v2" or "/v3" for pre token generation events of those versions, so that
// it reads well as a subtest name:
//
//	for name, event := range triggertest.Fixtures(triggers.TriggerPreTokenGeneration) {
//		t.Run(name, func(t *testing.T) { ... })
//	}
func Fixtures(trigger ...triggers.Trigger) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for _, f := range fixtureList {
			if len(trigger) > 0 && !slices.Contains(trigger, f.source.Trigger()) {
				continue
			}
			if !yield(f.name(), bytes.Clone(f.data)) {
				return
			}
		}
	}
}
