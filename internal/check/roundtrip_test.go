package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/source"
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
			// Where the task runs, as generate takes it from the task's
			// own ARNs (placed by taskdef, which the options only fill).
			res, err := rolegen.Generate(reqs, rolegen.Options{Account: td.Account.Text, Region: td.Region.Text})
			if err != nil {
				continue // e.g. a role too large for IAM: rolegen's corpus golden shows it
			}
			formats := []string{"json", "cloudformation", "terraform"}
			if js, _ := render.JSON(res); strings.Contains(string(js), "${") {
				// Placeholders are for the user to replace before
				// deploying (generate says so): only its JSON is read
				// with them, as placeholders.
				formats = formats[:1]
			}
			for _, format := range formats {
				snap := readBack(t, format, res)
				if snap == nil {
					t.Errorf("%s: generate's %s does not read back", path, format)
					continue
				}
				r := check.Run(check.Input{Tasks: []check.Task{{Def: td, Reqs: reqs}}, Accounts: []*account.Snapshot{snap}, Role: snap.Roles[0]})
				tr := r.Tasks[0]
				checked++
				if tr.Verdict() == launch.Fails {
					t.Errorf("%s %s (%s): the generated role does not let the task start: %s", filepath.Base(path), td.Source.ID, format, tr.Report.StoppedReason)
				}
				for _, f := range r.Findings {
					if f.Severity == rules.Error {
						t.Errorf("%s %s (%s): the generated role has an error: %s %s", filepath.Base(path), td.Source.ID, format, f.RuleID, f.Message)
					}
				}
			}
		}
	}
	if checked < 90 {
		t.Errorf("only %d task definitions checked", checked)
	}
	t.Logf("%d generated roles checked", checked)
}

// readBack renders a generated role in one format and reads it with the
// loader `check --role` uses: what generate writes, check must understand
// the same way.
func readBack(t *testing.T, format string, res *rolegen.Result) *account.Snapshot {
	t.Helper()
	var out []byte
	var err error
	name := "generated.json"
	switch format {
	case "json":
		out, err = render.JSON(res)
	case "cloudformation":
		out, err = render.CloudFormation(res)
		name = "generated.yaml"
	case "terraform":
		out, err = render.Terraform(res)
		name = "main.tf"
	}
	if err != nil {
		t.Errorf("render %s: %v", format, err)
		return nil
	}
	var snap *account.Snapshot
	var ds source.Diagnostics
	if format == "terraform" {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
		snap, ds = iamdef.Load(dir, iamdef.Options{})
	} else {
		snap, ds = iamdef.LoadBytes(name, out, iamdef.Options{})
	}
	if ds.HasErrors() || snap == nil || len(snap.Roles) == 0 {
		t.Logf("%s: %v\n%s", format, ds, out)
		return nil
	}
	return snap
}
