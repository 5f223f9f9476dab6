package eval

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestDocExamples replays testdata/docs/*.json: the AWS documentation's
// worked examples, in the oracle corpus's case format so that CLI
// testscripts can reuse them. Each case names its documentation page, and
// the full explanation is compared with testdata/docs/<file>.golden.
func TestDocExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "docs", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no doc examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cases []oracleCase
			if err := json.Unmarshal(src, &cases); err != nil {
				t.Fatal(err)
			}
			var golden strings.Builder
			for i := range cases {
				c := &cases[i]
				if !strings.HasPrefix(c.Doc, "https://docs.aws.amazon.com/") {
					t.Errorf("%q: doc %q is not an AWS documentation URL", c.Name, c.Doc)
				}
				set, req, err := c.build(t, filepath.Base(f))
				if err != nil {
					t.Fatalf("%q: %v", c.Name, err)
				}
				e, err := Compile(set)
				if err != nil {
					t.Fatalf("%q: %v", c.Name, err)
				}
				res := e.Explain(req)
				if got := res.Decision.String(); got != c.Expected.Response {
					t.Errorf("%q (%s): got %s, want %s\n%s", c.Name, c.Doc, got, c.Expected.Response, res)
				}
				golden.WriteString("== " + c.Name + "\n" + res.String() + "\n")
			}
			gf := strings.TrimSuffix(f, ".json") + ".golden"
			testutil.Golden(t, gf, []byte(golden.String()), *update)
		})
	}
}
