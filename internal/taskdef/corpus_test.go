package taskdef

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"
)

func sharedDir(t *testing.T) string { return testutil.SharedDir(t) }

// TestCorpus loads every real-world task definition input and records,
// per file, what was read and what was said about it. The golden file is
// reviewed by hand: counts, families and messages must make sense.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	var b strings.Builder
	for _, sub := range []string{"taskdef-json", "cloudformation", "mixed"} {
		files, err := filepath.Glob(filepath.Join(corpus, sub, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel := sub + "/" + filepath.Base(f)
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			tds, ds := LoadBytes(rel, src, Options{})
			fmt.Fprintf(&b, "%s: %d task definition(s)\n", rel, len(tds))
			for _, td := range tds {
				var names []string
				for _, c := range td.Containers {
					names = append(names, text(c.Name))
				}
				fmt.Fprintf(&b, "  %s family=%s format=%s exec=%s account=%s region=%s containers=[%s]\n",
					td.Source.ID, text(td.Family), td.Source.Format, text(td.ExecutionRoleArn), text(td.Account), text(td.Region), strings.Join(names, " "))
			}
			for _, d := range ds {
				fmt.Fprintf(&b, "  %s\n", d.Error())
			}
		}
	}
	golden(t, "corpus.golden.txt", []byte(b.String()))
}
