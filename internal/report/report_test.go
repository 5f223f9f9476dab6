package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/report"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/execrole/execrole/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// example checks the README's example, with paths relative to the
// repository root as a user would type them.
func example(t *testing.T) *check.Result {
	t.Helper()
	old, _ := os.Getwd()
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
	tds, ds := taskdef.Load("examples/check/taskdef.json", taskdef.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	in := check.Input{}
	for _, td := range tds {
		reqs, _ := requirements.Derive(td, requirements.Options{})
		in.Tasks = append(in.Tasks, check.Task{Def: td, Reqs: reqs})
	}
	s, ds := iamdef.Load("examples/check/authorization-details.json", iamdef.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	in.Accounts = []*account.Snapshot{s}
	return check.Run(in)
}

func TestFormats(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	res := example(t)
	var text, js, sf bytes.Buffer
	if err := report.Text(&text, report.FromCheck(res)); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(report.FromCheck(res), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	js.Write(b)
	if err := report.SARIF(&sf, res, "test", ""); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, filepath.Join(dir, "example.txt"), text.Bytes(), *update)
	testutil.Golden(t, filepath.Join(dir, "example.json"), js.Bytes(), *update)
	testutil.Golden(t, filepath.Join(dir, "example.sarif"), sf.Bytes(), *update)

	// The SARIF log must validate against the SARIF 2.1.0 schema, which
	// GitHub code scanning enforces on upload.
	log, err := sarif.FromBytes(sf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Errorf("SARIF does not validate: %v", err)
	}
	var got struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	rules := got.Runs[0].Tool.Driver.Rules
	for _, r := range got.Runs[0].Results {
		if rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %s", r.RuleID, rules[r.RuleIndex].ID)
		}
		if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation.Region.StartLine == 0 {
			t.Errorf("result %s has no line in the user's file", r.RuleID)
		}
	}
	if len(got.Runs[0].Results) == 0 || got.Runs[0].Results[0].RuleID != report.LaunchRuleID {
		t.Errorf("the failing launch is not the first result")
	}
}
