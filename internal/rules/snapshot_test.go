package rules

import (
	"os"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
)

// TestNewPassFromSnapshot runs all rules on a role read from an
// authorization-details export, with managed policies resolved.
func TestNewPassFromSnapshot(t *testing.T) {
	const file = "testdata/authdetails.json"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root, err := jsontree.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	snap, ds := account.Parse(file, root)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	role, ok := snap.Find("app-exec")
	if !ok {
		t.Fatal("role app-exec not found")
	}
	p := NewPass(snap, role, nil, nil)
	got := Run(p, All)
	golden(t, "testdata/authdetails.golden", format(got))
	ids := map[string]bool{}
	for _, f := range got {
		ids[f.RuleID] = true
		if f.Range.File != file {
			t.Errorf("finding inside an AWS managed policy, judged whole by ER005: %s %s", f.Range, f.Message)
		}
	}
	for _, want := range []string{"ER004", "ER005", "ER006"} {
		if !ids[want] {
			t.Errorf("no %s finding:\n%s", want, format(got))
		}
	}
}
