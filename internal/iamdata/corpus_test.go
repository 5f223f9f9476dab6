package iamdata_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sharedDir(t *testing.T) string { return testutil.SharedDir(t) }

// toPolicy is a minimal jsontree-to-AST conversion for these tests only: it
// reads the elements Validate looks at and ignores malformed parts, which
// package policy's parser reports.
func toPolicy(name string, root *jsontree.Node) *policy.Policy {
	p := &policy.Policy{Name: name, Range: root.Range}
	if v := root.Get("Version"); v != nil {
		p.Version, _ = v.Text()
	}
	stmts := root.Get("Statement")
	if stmts == nil {
		return p
	}
	list := stmts.Items
	if stmts.Kind == jsontree.Object {
		list = []*jsontree.Node{stmts}
	}
	values := func(n *jsontree.Node) []policy.Value {
		items := []*jsontree.Node{n}
		if n.Kind == jsontree.Array {
			items = n.Items
		}
		var out []policy.Value
		for _, it := range items {
			if s, ok := it.Text(); ok {
				out = append(out, policy.Value{Text: s, Range: it.Range})
			}
		}
		return out
	}
	for i, sn := range list {
		if sn.Kind != jsontree.Object {
			continue
		}
		st := &policy.Statement{Index: i, Range: sn.Range}
		if e := sn.Get("Effect"); e != nil {
			s, _ := e.Text()
			st.Effect = policy.Effect(s)
		}
		for _, el := range []string{"Action", "NotAction"} {
			if n := sn.Get(el); n != nil {
				st.Actions, st.ActionSet, st.NotAction = values(n), true, el == "NotAction"
			}
		}
		for _, el := range []string{"Resource", "NotResource"} {
			if n := sn.Get(el); n != nil {
				st.Resources, st.ResourceSet, st.NotResource = values(n), true, el == "NotResource"
			}
		}
		if c := sn.Get("Condition"); c != nil {
			for _, op := range c.Members {
				for _, k := range op.Value.Members {
					st.Conditions = append(st.Conditions, &policy.Condition{
						OperatorText: op.Key, Key: k.Key, Values: values(k.Value), Range: k.KeyRange})
				}
			}
		}
		p.Statements = append(p.Statements, st)
	}
	return p
}

// TestCorpusGolden runs Validate over every embedded AWS managed policy and
// the real-world policies in /work/shared/corpus/iam-policy, and compares
// the findings with testdata/corpus.golden (rewrite with -update). AWS's
// own policies name some actions the service reference no longer lists;
// the golden file records them.
func TestCorpusGolden(t *testing.T) {
	shared := sharedDir(t)
	type input struct {
		name string
		src  []byte
	}
	var inputs []input
	for _, p := range managed.All() {
		inputs = append(inputs, input{"managed/" + p.Name + ".json", p.Document})
	}
	files, err := filepath.Glob(filepath.Join(shared, "corpus", "iam-policy", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus policies: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"corpus/" + filepath.Base(f), src})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# iam-data %s; Validate findings per policy\n", iamdata.Version)
	for _, in := range inputs {
		root, err := jsontree.Parse(in.name, in.src)
		if err != nil {
			fmt.Fprintf(&b, "%s: not JSON: %v\n", in.name, err)
			continue
		}
		ds := iamdata.Validate(toPolicy(in.name, root))
		if len(ds) == 0 {
			fmt.Fprintf(&b, "%s: ok\n", in.name)
		}
		for _, d := range ds {
			fmt.Fprintf(&b, "%s\n", d.Error())
		}
	}
	got := b.String()
	golden := filepath.Join("testdata", "corpus.golden")
	testutil.Golden(t, golden, []byte(got), *update)
}
