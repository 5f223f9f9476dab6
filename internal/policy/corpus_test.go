package policy_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
)

func sharedDir(t testing.TB) string { return testutil.SharedDir(t) }

// TestCorpus parses every real-world policy in the shared corpus and pins
// the outcome. Trust policies are recognised by name; files ending .tpl
// are Terraform templates and may legitimately fail.
func TestCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "iam-policy")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("SKIPPING: %v", err)
	}
	var golden strings.Builder
	for _, e := range entries {
		name := e.Name()
		if !strings.Contains(name, ".json") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		typ := policy.Identity
		if strings.Contains(name, "trust") || strings.Contains(name, "assume_role") {
			typ = policy.Trust
		}
		p, ds := policy.Parse(name, src, typ)
		if ds.HasErrors() != (p == nil) {
			t.Errorf("%s: errors=%v but policy nil=%v", name, ds.HasErrors(), p == nil)
		}
		if p != nil {
			roundTrip(t, p, typ)
			golden.WriteString("== " + name + " (" + typ.String() + "): ok, " + strconv.Itoa(len(p.Statements)) + " statements\n")
		} else {
			golden.WriteString("== " + name + " (" + typ.String() + "): rejected\n")
		}
		for _, d := range ds {
			golden.WriteString(d.Error() + "\n")
		}
	}
	checkGolden(t, "testdata/corpus.golden", golden.String())
}

// TestManagedPolicies parses every embedded AWS managed policy: all must
// be valid identity policies and survive a print round trip.
func TestManagedPolicies(t *testing.T) {
	all := managed.All()
	if len(all) == 0 {
		t.Fatal("no managed policies embedded")
	}
	failed := 0
	for _, m := range all {
		p, ds := policy.Parse(m.ARN, m.Document, policy.Identity)
		if p == nil {
			failed++
			if failed <= 10 {
				t.Errorf("%s: %v", m.Name, ds)
			}
			continue
		}
		roundTrip(t, p, policy.Identity)
	}
	t.Logf("%d managed policies, %d rejected", len(all), failed)
}
