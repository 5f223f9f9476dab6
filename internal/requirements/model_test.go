package requirements_test

import (
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

// Every corpus file taskdef can load derives without panics, and every
// requirement is complete; formats other than JSON (CloudFormation,
// Terraform) only reach requirements through Derive.
func TestDeriveCorpusAllFormats(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	total := 0
	for _, f := range files {
		tds, _ := taskdef.Load(f, taskdef.Options{Region: "us-east-1", Account: "111122223333"})
		for _, td := range tds {
			reqs, _ := requirements.Derive(td, requirements.Options{})
			for _, r := range reqs {
				if r.Role == "" || r.Action == "" || r.Resource == "" || r.Path == "" {
					t.Errorf("%s: incomplete requirement %+v", f, r)
				}
			}
			total += len(reqs)
		}
	}
	t.Logf("%d files, %d requirements", len(files), total)
}
