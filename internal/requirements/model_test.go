package requirements_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

// Derive over package taskdef's model and DeriveNode over the JSON tree
// must agree on every golden task definition: two walkers, one answer.
func TestDeriveModelMatchesNode(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join("testdata", "taskdefs", tc.name+".json")
			want, wantDiags := derive(t, file, tc.opts)
			tds, ds := taskdef.Load(file, taskdef.Options{})
			if ds.HasErrors() || len(tds) != 1 {
				t.Fatalf("taskdef.Load: %d task definitions, %v", len(tds), ds)
			}
			got, gotDiags := requirements.Derive(tds[0], tc.opts)
			// File names differ (taskdef keeps the path as given).
			ignore := cmpopts.IgnoreFields(requirements.Requirement{}, "Range", "Location")
			if diff := cmp.Diff(want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Derive vs DeriveNode (-node +model):\n%s", diff)
			}
			if len(wantDiags) != len(gotDiags) {
				t.Errorf("diagnostics: node %v, model %v", wantDiags, gotDiags)
			}
		})
	}
}

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
