package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
)

func sharedDir(t *testing.T) string { return testutil.SharedDir(t) }

// TestCorpusPolicies runs every rule over the real execution role policies
// of the corpus, as the identity policy (or trust policy, when the document
// has a Principal) of a role with no task definitions. It must not panic;
// the findings are kept in testdata/corpus.golden for review.
func TestCorpusPolicies(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "iam-policy")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("SKIPPING: no files in %s", dir)
	}
	var b strings.Builder
	for _, f := range files {
		name := filepath.Base(f)
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		root, err := jsontree.Parse(name, src)
		if err != nil {
			fmt.Fprintf(&b, "%s: not JSON: %v\n", name, err)
			continue
		}
		typ := policy.Identity
		if strings.Contains(string(src), `"Principal"`) {
			typ = policy.Trust
		}
		pol, ds := policy.FromNode(root, typ, name)
		if pol == nil {
			fmt.Fprintf(&b, "%s: not a %s policy (%d diagnostics)\n", name, typ, len(ds))
			continue
		}
		role := &account.Principal{Kind: "role", Name: "corpus"}
		p := &Pass{Role: role}
		if typ == policy.Trust {
			role.Trust = pol
		} else {
			role.Inline = []*policy.Policy{pol}
			p.Policies.Identity = role.Inline
		}
		fs := Run(p, All)
		fmt.Fprintf(&b, "%s (%s): %d findings\n", name, typ, len(fs))
		b.WriteString(format(fs))
	}
	golden(t, filepath.Join("testdata", "corpus.golden"), b.String())
}
