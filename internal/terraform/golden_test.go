package terraform

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/jsontree"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sharedDir(t testing.TB) string { return testutil.SharedDir(t) }

// summary prints what Load found, in a stable, reviewable form. It prints
// shapes, not values, so that no corpus content is copied into the repo.
func summary(m *Module, ds fmt.Stringer, base string) string {
	var b strings.Builder
	rel := func(s string) string { return strings.ReplaceAll(s, base, "$DIR") }
	for _, set := range []struct {
		name string
		rs   []*Resource
	}{{"resource", m.Resources}, {"data", m.DataSources}} {
		for _, r := range set.rs {
			fmt.Fprintf(&b, "%s %s at %s\n", set.name, r.Address, rel(r.Range.String()))
			for _, mem := range r.Attributes.Members {
				fmt.Fprintf(&b, "  %s = %s at %s\n", mem.Key, shape(mem.Value), rel(mem.Value.Range.String()))
				if v := mem.Value; v.Kind == jsontree.String && !v.Unknown && (mem.Key == "container_definitions" || mem.Key == "policy" || mem.Key == "assume_role_policy" || mem.Key == "json") {
					j, err := m.ParseJSON(v)
					if err != nil {
						fmt.Fprintf(&b, "    json error: %s\n", rel(err.Error()))
					} else {
						fmt.Fprintf(&b, "    json %s at %s\n", shape(j), rel(j.Range.String()))
					}
				}
			}
		}
	}
	fmt.Fprintf(&b, "diagnostics:\n%s\n", rel(ds.String()))
	return b.String()
}

// shape renders a value's structure: kinds, keys and which parts are
// unknown, without the values themselves.
func shape(n *jsontree.Node) string {
	switch n.Kind {
	case jsontree.String:
		if n.Unknown {
			return "unknown"
		}
		return "string"
	case jsontree.Array:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, shape(it))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case jsontree.Object:
		var parts []string
		for _, m := range n.Members {
			parts = append(parts, m.Key+": "+shape(m.Value))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return n.Kind.String()
}

func render(n *jsontree.Node) string {
	switch n.Kind {
	case jsontree.String:
		if n.Unknown {
			return "UNKNOWN(" + n.Str + ")"
		}
		return fmt.Sprintf("%q", n.Str)
	case jsontree.Number:
		return n.Str
	case jsontree.Bool:
		return fmt.Sprint(n.Bool)
	case jsontree.Null:
		return "null"
	case jsontree.Array:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, render(it))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	var parts []string
	for _, m := range n.Members {
		parts = append(parts, m.Key+": "+render(m.Value))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

type dsString struct{ s string }

func (d dsString) String() string { return d.s }

func TestGoldenCorpus(t *testing.T) {
	shared := sharedDir(t)
	var paths []string
	for _, dir := range []string{"terraform", "mixed"} {
		ents, err := os.ReadDir(filepath.Join(shared, "corpus", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tf") {
				paths = append(paths, filepath.Join(shared, "corpus", dir, e.Name()))
			}
		}
	}
	// The whole directory too, as one module.
	paths = append(paths, filepath.Join(shared, "corpus", "terraform"))
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			m, ds := Load(p, Options{Region: "eu-west-1", Account: "123456789012"})
			got := summary(m, dsString{ds.Error()}, filepath.Dir(p))
			golden := filepath.Join("testdata", "corpus", filepath.Base(p)+".golden")
			testutil.Golden(t, golden, []byte(got), *update)
			// The invalid revision must fail with the position of the
			// unquoted ARN (SOURCES.tsv).
			if strings.Contains(p, "ecsTaskExecutionRole.at-0cbfe4c.tf") && !strings.Contains(ds.Error(), "ecsTaskExecutionRole.at-0cbfe4c.tf:19:19: Missing newline after argument") {
				t.Errorf("invalid HCL not reported at 19:19: %v", ds)
			}
		})
	}
}

// TestGoldenModules loads a module tree with local child modules (one in
// JSON syntax, one called with for_each) and a registry module, and keeps
// addresses, shapes, ranges and diagnostics in a reviewed golden file.
func TestGoldenModules(t *testing.T) {
	dir := filepath.Join("testdata", "modules", "root")
	m, ds := Load(dir, Options{Region: "eu-west-1", Account: "111122223333"})
	var b strings.Builder
	b.WriteString(summary(m, dsString{ds.Error()}, dir))
	// Placeholders are this fixture's point: print them, not just shapes.
	for _, r := range m.Resources {
		for _, mem := range r.Attributes.Members {
			if mem.Value.Unknown {
				fmt.Fprintf(&b, "placeholder %s.%s = %s\n", r.Address, mem.Key, mem.Value.Str)
			}
			if mem.Key == "container_definitions" && !mem.Value.Unknown {
				if j, err := m.ParseJSON(mem.Value); err == nil {
					fmt.Fprintf(&b, "json %s.%s = %s\n", r.Address, mem.Key, render(j))
				}
			}
		}
	}
	var keys []string
	for k := range m.Aliases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "alias %s = %s\n", k, m.Aliases[k])
	}
	testutil.Golden(t, filepath.Join("testdata", "modules.golden"), []byte(b.String()), *update)
}
