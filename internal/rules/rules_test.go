package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// loadCase reads a fixture: {"role": {"name", "arn", "trust", "policies",
// "attached"}, "region": "...", "tasks": [register-task-definition JSON]}.
// Ranges point into the fixture so findings show real positions.
func loadCase(t testing.TB, file string) *Pass {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root, err := jsontree.Parse(filepath.ToSlash(file), src)
	if err != nil {
		t.Fatal(err)
	}
	p := &Pass{}
	if rn := root.Get("role"); rn != nil {
		role := &account.Principal{Kind: "role", Range: rn.Range}
		role.Name, _ = rn.Get("name").Text()
		role.ARN, _ = rn.Get("arn").Text()
		if tn := rn.Get("trust"); tn != nil {
			pol, ds := policy.FromNode(tn, policy.Trust, "trust")
			if ds.HasErrors() {
				t.Fatalf("%s: trust: %v", file, ds)
			}
			role.Trust = pol
		}
		if ps := rn.Get("policies"); ps != nil {
			for i, n := range ps.Items {
				pol, ds := policy.FromNode(n, policy.Identity, fmt.Sprintf("inline-%d", i))
				if ds.HasErrors() {
					t.Fatalf("%s: policy %d: %v", file, i, ds)
				}
				role.Inline = append(role.Inline, pol)
				p.Policies.Identity = append(p.Policies.Identity, pol)
			}
		}
		if as := rn.Get("attached"); as != nil {
			for _, n := range as.Items {
				arn, _ := n.Text()
				role.Attached = append(role.Attached, account.Attachment{ARN: arn, Name: policyNameOfARN(arn), Range: n.Range})
				pol, err := account.Managed(arn)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				p.Policies.Identity = append(p.Policies.Identity, pol)
			}
		}
		p.Role = role
	}
	if tn := root.Get("taskRole"); tn != nil {
		p.TaskRole = &account.Principal{Kind: "role", Range: tn.Range}
		p.TaskRole.Name, _ = tn.Get("name").Text()
		p.TaskRole.ARN, _ = tn.Get("arn").Text()
	}
	region, _ := root.Get("region").Text()
	if ts := root.Get("tasks"); ts != nil {
		for _, n := range ts.Items {
			tds, ds := taskdef.FromNode(n, filepath.ToSlash(file))
			if ds.HasErrors() {
				t.Fatalf("%s: task: %v", file, ds)
			}
			for _, td := range tds {
				if region != "" {
					td.Region = taskdef.Str{Text: region}
				}
				reqs, _ := requirements.Derive(td, requirements.Options{})
				p.Tasks = append(p.Tasks, Task{Def: td, Reqs: reqs})
			}
		}
	}
	return p
}

func format(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s %s: %s\n", f.Range, f.RuleID, f.Severity, f.Message)
	}
	return b.String()
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	testutil.Golden(t, file, []byte(got), *update)
}

// TestRules is the generic runner: every rule has testdata/ID/fail*.json
// (the rule must report) and pass*.json (it must not); all of the rule's
// findings are kept in testdata/ID/want.txt.
func TestRules(t *testing.T) {
	for _, r := range All {
		t.Run(r.ID, func(t *testing.T) {
			fails, _ := filepath.Glob(filepath.Join("testdata", r.ID, "fail*.json"))
			passes, _ := filepath.Glob(filepath.Join("testdata", r.ID, "pass*.json"))
			if len(fails) == 0 || len(passes) == 0 {
				t.Fatalf("rule %s needs testdata/%s/fail*.json and pass*.json", r.ID, r.ID)
			}
			var all strings.Builder
			for _, f := range slices.Concat(fails, passes) {
				got := Run(loadCase(t, f), []*Rule{r})
				isFail := strings.HasPrefix(filepath.Base(f), "fail")
				if isFail && len(got) == 0 {
					t.Errorf("%s: %s reported nothing", f, r.ID)
				}
				if !isFail && len(got) != 0 {
					t.Errorf("%s: %s reported on a passing example:\n%s", f, r.ID, format(got))
				}
				for _, g := range got {
					if g.RuleID != r.ID || g.Severity != r.Severity || !g.Range.Start.IsValid() {
						t.Errorf("%s: malformed finding %+v", f, g)
					}
				}
				all.WriteString(format(got))
			}
			golden(t, filepath.Join("testdata", r.ID, "want.txt"), all.String())
		})
	}
}

func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range All {
		if want := fmt.Sprintf("ER%03d", i+1); r.ID != want {
			t.Errorf("All[%d].ID = %s, want %s (ID order)", i, r.ID, want)
		}
		if seen[r.Name] || r.Title == "" || strings.Contains(r.Title, "\n") || r.Check == nil {
			t.Errorf("%s: bad name, title or check", r.ID)
		}
		seen[r.Name] = true
		if _, err := os.Stat(filepath.Join("..", "..", r.Doc)); err != nil {
			t.Errorf("%s: doc page: %v", r.ID, err)
		}
		if page, err := os.ReadFile(filepath.Join("..", "..", r.Doc)); err == nil {
			if first, _, _ := strings.Cut(string(page), "\n"); first != "# "+r.ID+": "+r.Title {
				t.Errorf("%s: page title %q, want %q", r.ID, first, "# "+r.ID+": "+r.Title)
			}
		}
		if r.Severity != Error && r.Severity != Warning && r.Severity != Note {
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
	}
}

// TestGetAuthorizationTokenNeverFlagged: ecr:GetAuthorizationToken supports
// no resource-level permission, so "*" is the only correct resource.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
func TestGetAuthorizationTokenNeverFlagged(t *testing.T) {
	for _, f := range []string{"testdata/ecr-token.json", "testdata/ecr-token-notask.json", "testdata/ecr-token-nonecr.json"} {
		if got := Run(loadCase(t, f), All); len(got) != 0 {
			t.Errorf("%s: findings on a correct role:\n%s", f, format(got))
		}
	}
}

// TestSecretValueNeverPrinted runs every rule on a task with secrets in its
// environment and checks no finding text contains their values.
func TestSecretValueNeverPrinted(t *testing.T) {
	secrets := []string{"hunter2-very-secret", "AKIAIOSFODNN7EXAMPLE", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
	got := Run(loadCase(t, "testdata/ER014/fail.json"), All)
	if len(got) == 0 {
		t.Fatal("no findings")
	}
	text := format(got)
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("finding prints secret value %q:\n%s", s, text)
		}
	}
}

// TestOrderStable: findings do not depend on the order rules run in.
func TestOrderStable(t *testing.T) {
	p := loadCase(t, "testdata/mixed.json")
	a := Run(p, All)
	rev := slices.Clone(All)
	slices.Reverse(rev)
	b := Run(p, rev)
	if len(a) < 3 {
		t.Fatalf("want several findings, got %d", len(a))
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("order depends on rule order:\n%s", d)
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "logs:createloggroup", true},
		{"logs:*", "logs:createloggroup", true},
		{"logs:create*", "logs:createloggroup", true},
		{"logs:create*", "logs:putlogevents", false},
		{"sts:assume?ole", "sts:assumerole", true},
		{"sts:assume?ole", "sts:assumeole", false},
		{"*group", "logs:createloggroup", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"", "x", false},
	} {
		if got := globMatch(c.pat, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

func BenchmarkRun(b *testing.B) {
	p := loadCase(b, "testdata/mixed.json")
	for b.Loop() {
		Run(p, All)
	}
}
