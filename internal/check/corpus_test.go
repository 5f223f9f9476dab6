package check_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/execrole/execrole/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// unit is one input of the corpus as a user would check it: a template, a
// Terraform directory (the corpus flattens directories into file names), or
// a task definition with the policy files that its repository pairs with it.
type unit struct {
	name  string
	path  string // file or directory to load
	role  *account.Snapshot
	tasks []check.Task
	diags int
}

// TestCorpus runs check over the role-bearing files of ../shared/corpus and
// keeps verdicts and findings in testdata/corpus.golden, reviewed by hand.
// The mistakes the corpus README lists must be caught, and its correct roles
// must get no error-level finding.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(testutil.SharedDir(t), "corpus")
	units := corpusUnits(t, corpus)
	var b strings.Builder
	results := map[string]*check.Result{}
	for _, u := range units {
		in := check.Input{Tasks: u.tasks}
		if u.role != nil && len(u.role.Roles) > 0 {
			in.Accounts = []*account.Snapshot{u.role}
		}
		res := check.Run(in)
		results[u.name] = res
		fmt.Fprintf(&b, "== %s: %d task definition(s), %d role(s), %d load diagnostic(s)\n", u.name, len(u.tasks), roles(u.role), u.diags)
		for _, tr := range res.Tasks {
			fmt.Fprintf(&b, "  task %s: %s", name(tr.Def), tr.Verdict())
			if tr.Role != nil {
				fmt.Fprintf(&b, " (role %s)", tr.Role.Name)
			}
			b.WriteString("\n")
			if tr.Note != "" {
				fmt.Fprintf(&b, "    note: %s\n", strip(u.path, tr.Note))
			}
			if r := tr.Report; r != nil && r.FailedStep != "" {
				fmt.Fprintf(&b, "    failed step %s: %s\n", r.FailedStep, strip(u.path, r.StoppedReason))
			}
		}
		for _, f := range res.Findings {
			fmt.Fprintf(&b, "  %s %s %s: %s\n", f.RuleID, f.Severity, strip(u.path, f.Range.String()), strip(u.path, f.Message))
		}
	}
	testutil.Golden(t, filepath.Join("testdata", "corpus.golden"), []byte(b.String()), *update)

	// Mistakes the corpus README and SOURCES.tsv name, and what catches them.
	caught := []struct{ unit, rule, says string }{
		{"terraform/dihogoteixeira__533-AWS-TERRAFORM__AULA_09", "ER001", ""},                                                    // TRUST-BAD ecs-task.amazonaws.com
		{"iam-policy/yetigong__trading-agent", "ER001", ""},                                                                      // TRUST-BAD OIDC
		{"terraform/kayac__ecspresso__tests__terraform", "ER003", ""},                                                            // TRUST-EXTRA AWS principal
		{"terraform/lecongbang314__ecs-terraform__modules__vpc-and-ecs-fargate", "ER003", ""},                                    // TRUST-EXTRA ecs.amazonaws.com
		{"terraform/lecongbang314__ecs-terraform__modules__vpc-and-ecs-fargate", "ER007", ""},                                    // ROLE-OVER service:*
		{"terraform/NaaaRiii__terraform-for-plusone", "ER005", ""},                                                               // SecretsManagerReadWrite
		{"terraform/BeeQuantAI__terraform_BorisM__ecs-module", "ER011", ""},                                                      // CreateLogGroup missing
		{"cloudformation/loudsmilestudios__tetraforce-infrastructure__cloudformation__tetraforce__iam.yaml", "ER007", ""},        // action wildcards
		{"iam-policy/calemcnulty-gai__chatgenius", "ER006", ""},                                                                  // secrets on *
		{"iam-policy/yetigong__trading-agent", "ER006", ""},                                                                      // wildcards
		{"terraform/alphagov__govuk-infrastructure__terraform__deployments__govuk-publishing-platform", "ER006", "every secret"}, // all secrets in account
		{"terraform/cloudposse__terraform-aws-ecs-alb-service-task", "ER006", "ssm:GetParameters"},                               // ssm on *
		{"terraform/terraform-aws-modules__terraform-aws-ecs__modules__service@v5.12.1", "ER006", "every parameter"},             // default wildcards
	}
	// Mistakes execrole cannot see from the corpus: the role is built by a
	// child module whose source is not in it (root_keycloak.tf calls
	// ./tdr-terraform-modules/iam_role with AmazonSSMReadOnlyAccess). This
	// fails once child modules are followed, to move the case above.
	for _, u := range []string{"terraform/nationalarchives__tdr-terraform-environments"} {
		if r := results[u]; r == nil || len(r.Findings) > 0 {
			t.Errorf("%s: expected no role (child module source not in the corpus); update this test", u)
		}
	}
	for _, c := range caught {
		res, ok := results[c.unit]
		if !ok {
			t.Errorf("%s: no such corpus unit", c.unit)
			continue
		}
		found := false
		for _, f := range res.Findings {
			found = found || f.RuleID == c.rule && strings.Contains(f.Message, c.says)
		}
		if !found {
			t.Errorf("%s: the corpus's mistake is not caught by %s", c.unit, c.rule)
		}
	}
	// Roles the corpus README marks ROLE-OK.
	for _, ok := range []string{
		"cloudformation/aws-cloudformation__aws-cloudformation-templates__ECS__FargateLaunchType__clusters__public-vpc.yaml",
		"cloudformation/aws-samples__amazon-ecs-configmaps-example__examples__nginx.cloudformation.yaml",
		"cloudformation/aws-samples__amazon-ecs-fargate-consul-connect-example__cfn__greeter__service-consul-connect-greeter-fargate.yml",
		"terraform/terraform-aws-modules__terraform-aws-ecs__modules__service",
	} {
		for _, f := range results[ok].Findings {
			if f.Severity == rules.Error {
				t.Errorf("%s: correct role got an error: %s %s", ok, f.RuleID, f.Message)
			}
		}
		for _, tr := range results[ok].Tasks {
			if tr.Verdict() == launch.Fails {
				t.Errorf("%s: task %s predicted to fail with a correct role: %s", ok, name(tr.Def), tr.Report.StoppedReason)
			}
		}
	}
}

// corpusUnits groups the corpus files the way their repositories lay them out.
func corpusUnits(t *testing.T, corpus string) []*unit {
	var units []*unit
	// The account a user passes with --account: Terraform that reads it
	// from aws_caller_identity then resolves.
	const acct = "123456789012"
	opts := taskdef.Options{Account: acct}
	derive := func(u *unit, tds []*taskdef.TaskDefinition) {
		for _, td := range tds {
			reqs, _ := requirements.Derive(td, requirements.Options{})
			u.tasks = append(u.tasks, check.Task{Def: td, Reqs: reqs})
		}
	}
	cfns, _ := filepath.Glob(filepath.Join(corpus, "cloudformation", "*"))
	for _, f := range cfns {
		u := &unit{name: "cloudformation/" + filepath.Base(f), path: f}
		tds, ds := taskdef.Load(f, opts)
		derive(u, tds)
		s, ds2 := iamdef.Load(f, iamdef.Options{Partition: "aws", Account: acct})
		u.role, u.diags = s, len(ds)+len(ds2)
		units = append(units, u)
	}
	// Terraform: one directory per repository path, in a copy of its
	// repository so that local modules and templates resolve; files taken
	// from an older revision (name.LABEL.tf) form their own directory.
	for _, d := range testutil.TerraformDirs(t, corpus) {
		u := &unit{name: "terraform/" + d.Name, path: d.Dir}
		tds, ds := taskdef.Load(d.Dir, opts)
		derive(u, tds)
		s, ds2 := iamdef.Load(d.Dir, iamdef.Options{Partition: "aws", Account: acct})
		u.role, u.diags = s, len(ds)+len(ds2)
		units = append(units, u)
	}
	// Task definitions paired with the policy files of their repository.
	pairs := []struct{ name, taskdef, policy, trust string }{
		{"iam-policy/calemcnulty-gai__chatgenius", "calemcnulty-gai__chatgenius__ecs-task-definition.json", "calemcnulty-gai__chatgenius__ecs-task-execution-role.json", ""},
		{"iam-policy/yetigong__trading-agent", "yetigong__trading-agent__aws__deployment__task-definition.json", "yetigong__trading-agent__aws__deployment__ecs-task-execution-role-policy.json", "yetigong__trading-agent__aws__deployment__trust-policy.json"},
	}
	for _, p := range pairs {
		f := filepath.Join(corpus, "taskdef-json", p.taskdef)
		u := &unit{name: p.name, path: f}
		tds, ds := taskdef.Load(f, opts)
		derive(u, tds)
		u.diags = len(ds)
		role := &account.Principal{Kind: "role"}
		if len(tds) > 0 {
			role.ARN = tds[0].ExecutionRoleArn.Text
			role.Name = role.ARN[strings.LastIndexByte(role.ARN, '/')+1:]
		}
		role.Inline = append(role.Inline, readPolicy(t, filepath.Join(corpus, "iam-policy", p.policy), policy.Identity))
		if p.trust != "" {
			role.Trust = readPolicy(t, filepath.Join(corpus, "iam-policy", p.trust), policy.Trust)
		}
		u.role = &account.Snapshot{File: p.policy, Format: iamdef.FormatRoleFile, Roles: []*account.Principal{role}}
		units = append(units, u)
	}
	return units
}

func readPolicy(t *testing.T, path string, typ policy.Type) *policy.Policy {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := jsontree.Parse(filepath.Base(path), src)
	if err != nil {
		t.Fatal(err)
	}
	p, ds := policy.FromNode(root, typ, filepath.Base(path))
	if p == nil {
		t.Fatalf("%s: %v", path, ds)
	}
	return p
}

func roles(s *account.Snapshot) int {
	if s == nil {
		return 0
	}
	return len(s.Roles)
}

func name(td *taskdef.TaskDefinition) string {
	if td.Family.Text != "" {
		return td.Family.Text
	}
	return td.Source.ID
}

// strip removes the temporary or shared directory from paths so the golden
// file does not depend on where the test runs.
// Files of a Terraform unit are named relative to its directory, and
// files of its repository outside it relative to the repository.
var (
	tmpDir  = regexp.MustCompile(`/[^ :]*/corpus/[a-z-]+/`)
	repoDir = regexp.MustCompile(`/[^ :]*/[^/ :]+@[0-9a-f]{40}/?`)
)

func strip(path, s string) string {
	s = strings.ReplaceAll(s, path+"/", "")
	s = repoDir.ReplaceAllString(s, "")
	return tmpDir.ReplaceAllString(s, "")
}
