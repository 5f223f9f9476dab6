package render_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/execrole/execrole/internal/testutil"
)

// corpusInput is one input of the shared corpus as a user would pass it to
// `execrole generate`: a file, or a Terraform directory.
type corpusInput struct {
	name, path string
	strip      func(string) string // the machine's directories out of messages
}

func corpusInputs(t *testing.T) []corpusInput {
	corpus := filepath.Join(testutil.SharedDir(t), "corpus")
	var out []corpusInput
	for _, kind := range []string{"taskdef-json", "cloudformation", "mixed"} {
		files, err := filepath.Glob(filepath.Join(corpus, kind, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			dir := filepath.Dir(f) + string(filepath.Separator)
			out = append(out, corpusInput{kind + "/" + filepath.Base(f), f, func(s string) string { return strings.ReplaceAll(s, dir, "") }})
		}
	}
	for _, d := range testutil.TerraformDirs(t, corpus) {
		dir, root := d.Dir+string(filepath.Separator), d.Root+string(filepath.Separator)
		out = append(out, corpusInput{"terraform/" + d.Name, d.Dir, func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, dir, ""), root, "")
		}})
	}
	return out
}

// TestCorpusGenerate runs what `execrole generate FILE --region eu-west-1
// --account 123456789012` runs (load, requirements, rolegen, JSON) over
// every task definition the shared corpus holds, and keeps each result in
// testdata/corpus/, reviewed by hand. A failure must be an error diagnostic
// naming file:line:col, never a panic or a position-less error.
func TestCorpusGenerate(t *testing.T) {
	const region, account = "eu-west-1", "123456789012"
	inputs := corpusInputs(t)
	seen := 0
	for _, in := range inputs {
		t.Run(strings.ReplaceAll(in.name, "/", "_"), func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "# execrole generate %s --region %s --account %s\n", in.name, region, account)
			tds, ds := taskdef.Load(in.path, taskdef.Options{Region: region, Account: account})
			override := true
			var reqs []requirements.Requirement
			roleName := ""
			for _, td := range tds {
				fmt.Fprintf(&b, "# task definition %s at %s\n", name(td), in.strip(td.Source.File))
				r, more := requirements.Derive(td, requirements.Options{Region: region, Account: account, AWSLogsExecutionRoleOverride: &override})
				ds = append(ds, more...)
				reqs = append(reqs, r...)
				// generate keeps the role the task definition names.
				if roleName == "" && !td.ExecutionRoleArn.Unknown {
					if a := td.ExecutionRoleArn.Text; strings.Contains(a, ":role/") {
						roleName = a[strings.LastIndexByte(a, '/')+1:]
					}
				}
			}
			warnings := 0
			for _, d := range ds {
				if d.Severity != source.Error {
					warnings++
					// Parts left out of the role are worth a reviewer's
					// eye: a role for unknown containers grants nothing.
					if strings.Contains(d.Summary, "not analysed") {
						fmt.Fprintf(&b, "# warning %s\n", in.strip(d.Error()))
					}
					continue
				}
				if d.Range.File == "" || d.Range.Start.Line < 1 || d.Range.Start.Column < 1 {
					t.Errorf("error without file:line:col: %v", d)
				}
				fmt.Fprintf(&b, "# error %s\n", in.strip(d.Error()))
			}
			fmt.Fprintf(&b, "# %d warning(s)\n", warnings)
			switch {
			case ds.HasErrors():
				b.WriteString("# not generated: the input has errors\n")
			case len(tds) == 0:
				b.WriteString("# not generated: no task definition\n")
			default:
				seen += len(tds)
				res, err := rolegen.Generate(reqs, rolegen.Options{RoleName: roleName, Account: account, Region: region})
				if err != nil {
					t.Fatalf("generate: %v", err)
				}
				out, err := render.JSON(res)
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				if !json.Valid(out) {
					t.Fatalf("render.JSON wrote invalid JSON:\n%s", out)
				}
				checkGenerated(t, res)
				b.WriteString(in.strip(string(out)))
			}
			golden := filepath.Join("testdata", "corpus", strings.ReplaceAll(in.name, "/", "__")+".golden")
			testutil.Golden(t, golden, []byte(b.String()), *update)
		})
	}
	if seen == 0 {
		t.Errorf("no task definition generated from %d corpus inputs", len(inputs))
	}
}

func name(td *taskdef.TaskDefinition) string {
	switch {
	case td.Family.Text != "":
		return td.Family.Text
	case td.Source.ID != "":
		return td.Source.ID
	}
	return "(no family)"
}

// placeholderInAction finds a ${...} where IAM needs a literal: actions and
// role names cannot be left to the reader.
var placeholderInAction = regexp.MustCompile(`\$\{`)

// checkGenerated holds every generated statement to what IAM accepts:
// an action and a resource, actions literal.
func checkGenerated(t *testing.T, res *rolegen.Result) {
	t.Helper()
	for _, role := range []*rolegen.Role{res.ExecutionRole, res.TaskRole} {
		if role == nil {
			continue
		}
		if placeholderInAction.MatchString(role.Name) {
			t.Errorf("role name %q has a placeholder", role.Name)
		}
		raw, err := json.Marshal(role)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Policies []struct {
				Document struct {
					Statement []struct {
						Action   any
						Resource any
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		for _, p := range v.Policies {
			for i, s := range p.Document.Statement {
				if s.Action == nil || s.Resource == nil {
					t.Errorf("role %s statement %d lacks Action or Resource", role.Name, i)
				}
				if a, _ := json.Marshal(s.Action); placeholderInAction.Match(a) {
					t.Errorf("role %s statement %d: placeholder in Action %s", role.Name, i, a)
				}
			}
		}
	}
}
