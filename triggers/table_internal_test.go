package triggers

import "testing"

// TestLookupsMatchTable checks the generated lookups against the rows they were
// generated from.
func TestLookupsMatchTable(t *testing.T) {
	for i := range table {
		d := &table[i]
		if got := rowOf(d.trigger); got != i {
			t.Errorf("rowOf(%s) = %d, want %d", d.trigger, got, i)
		}
		for _, p := range d.prefixes {
			if got := rowOfPrefix(p); got != i {
				t.Errorf("rowOfPrefix(%q) = %d, want %d", p, got, i)
			}
		}
		for _, src := range d.sources {
			if descriptorOfSource(src) != d {
				t.Errorf("%s does not map to the row of %s", src, d.trigger)
			}
		}
		e := NewEvent(d.trigger)
		if e == nil || e.Trigger() != d.trigger || !d.takes(e) {
			t.Errorf("NewEvent(%s) = %T, not the row's event type", d.trigger, e)
			continue
		}
		for _, other := range table {
			if other.trigger != d.trigger && (other.takes(e) || other.decode(nil, e) != errWrongType) {
				t.Errorf("the row of %s takes a %T", other.trigger, e)
			}
		}
	}
	if rowOf("Nope") != -1 || rowOfPrefix("Nope") != -1 {
		t.Error("an unknown trigger or prefix has a row")
	}
}
