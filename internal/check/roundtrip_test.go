package check_test

import (
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/execrole/execrole/internal/testutil"
)

// TestGeneratedRolesStart is generate and check proving each other on every
// task definition of the corpus: the role `generate` writes for a task,
// read back from its JSON, must let the task start (or be undecidable only
// for what no role can settle: another account's resource policy, an
// unresolved placeholder) and get no error-level finding.
func TestGeneratedRolesStart(t *testing.T) {
	corpus := filepath.Join(testutil.SharedDir(t), "corpus")
	const acct, region = "123456789012", "eu-west-1"
	var paths []string
	for _, sub := range []string{"taskdef-json", "cloudformation"} {
		fs, _ := filepath.Glob(filepath.Join(corpus, sub, "*"))
		paths = append(paths, fs...)
	}
	for _, d := range testutil.TerraformDirs(t, corpus) {
		paths = append(paths, d.Dir)
	}
	checked := 0
	for _, path := range paths {
		tds, ds := taskdef.Load(path, taskdef.Options{Account: acct, Region: region})
		if ds.HasErrors() {
			continue // reported by the taskdef corpus test
		}
		for _, td := range tds {
			reqs, _ := requirements.Derive(td, requirements.Options{})
			res, err := rolegen.Generate(reqs, rolegen.Options{Account: acct, Region: region})
			if err != nil {
				continue // e.g. a role too large for IAM: rolegen's corpus golden shows it
			}
			out, err := render.JSON(res)
			if err != nil {
				t.Errorf("%s: render: %v", path, err)
				continue
			}
			snap, ds := iamdef.LoadBytes("generated.json", out, iamdef.Options{})
			if ds.HasErrors() {
				t.Errorf("%s: generate's JSON does not read back: %v", path, ds)
				continue
			}
			r := check.Run(check.Input{Tasks: []check.Task{{Def: td, Reqs: reqs}}, Accounts: []*account.Snapshot{snap}, Role: snap.Roles[0]})
			tr := r.Tasks[0]
			checked++
			if tr.Verdict() == launch.Fails {
				t.Errorf("%s %s: the generated role does not let the task start: %s", filepath.Base(path), td.Source.ID, tr.Report.StoppedReason)
			}
			for _, f := range r.Findings {
				if f.Severity == rules.Error {
					t.Errorf("%s %s: the generated role has an error: %s %s", filepath.Base(path), td.Source.ID, f.RuleID, f.Message)
				}
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d task definitions checked", checked)
	}
	t.Logf("%d generated roles checked", checked)
}
