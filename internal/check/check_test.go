package check_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

// load reads the tasks and roles of one input the way `execrole check` does
// when the template defines both.
func load(t *testing.T, path string) check.Input {
	t.Helper()
	opts := taskdef.Options{Region: "eu-west-1", Account: "111122223333"}
	tds, ds := taskdef.Load(path, opts)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var in check.Input
	for _, td := range tds {
		reqs, _ := requirements.Derive(td, requirements.Options{})
		in.Tasks = append(in.Tasks, check.Task{Def: td, Reqs: reqs})
	}
	s, ds := iamdef.Load(path, iamdef.Options{Region: "eu-west-1", Account: "111122223333", Partition: "aws"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	in.Accounts = []*account.Snapshot{s}
	return in
}

const cfnYAML = `Resources:
  Exec:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      RequiresCompatibilities: [FARGATE]
      ExecutionRoleArn: !GetAtt Exec.Arn
      ContainerDefinitions:
        - Name: app
          Image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1
          Secrets:
            - Name: TOKEN
              ValueFrom: arn:aws:ssm:eu-west-1:111122223333:parameter/app/token
`

const cfnJSON = `{
  "Resources": {
    "Exec": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
      }
    },
    "Task": {
      "Type": "AWS::ECS::TaskDefinition",
      "Properties": {
        "Family": "app",
        "RequiresCompatibilities": ["FARGATE"],
        "ExecutionRoleArn": {"Fn::GetAtt": ["Exec", "Arn"]},
        "ContainerDefinitions": [{"Name": "app", "Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1",
          "Secrets": [{"Name": "DB", "ValueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"}]}]
      }
    }
  }
}`

const terraform = `resource "aws_iam_role" "exec" {
  name = "app-exec"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "exec" {
  role       = aws_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = aws_iam_role.exec.arn
  container_definitions = jsonencode([{
    name    = "app"
    image   = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"
    secrets = [{ name = "DB", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db" }]
  }])
}`

// TestPatchMakesTaskStart applies the proposed patch with git apply and
// checks again: the task must then start. This proves the patch is valid
// for the user's file format and sufficient.
func TestPatchMakesTaskStart(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("SKIPPED: git not installed; patches not applied")
	}
	for _, tc := range []struct {
		name, file, body string
		patches          int
	}{
		{"CloudFormation YAML", "stack.yaml", cfnYAML, 1},
		{"CloudFormation JSON", "stack.json", cfnJSON, 1},
		{"Terraform", "main.tf", terraform, 1},
		// The corpus's most common trust mistake: the typo is corrected
		// where it is written, and the missing permission added.
		{"CloudFormation YAML, misspelt trust principal", "stack.yaml", strings.Replace(cfnYAML, "{Service: ecs-tasks.amazonaws.com}", "{Service: ecs-task.amazonaws.com}", 1), 2},
		{"Terraform, misspelt trust principal", "main.tf", strings.Replace(terraform, `Service = "ecs-tasks.amazonaws.com"`, `Service = "ecs-task.amazonaws.com"`, 1), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			chdir(t, dir)
			path := tc.file
			if tc.file == "main.tf" {
				path = "."
			}
			res := check.Run(load(t, path))
			tr := res.Tasks[0]
			if tr.Verdict() != launch.Fails || len(tr.Patches) != tc.patches {
				t.Fatalf("verdict %s, %d patches; want a failing task with %d", tr.Verdict(), len(tr.Patches), tc.patches)
			}
			var diffs []string
			for _, p := range tr.Patches {
				diffs = append(diffs, p.Diff)
				if err := os.WriteFile("fix.diff", []byte(p.Diff), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(git, "apply", "fix.diff").CombinedOutput(); err != nil {
					t.Fatalf("git apply: %v\n%s\n%s", err, out, p.Diff)
				}
			}
			os.Remove("fix.diff")
			res = check.Run(load(t, path))
			if v := res.Tasks[0].Verdict(); v != launch.Starts {
				t.Errorf("after the patches the task %s: %s\n%s", v, res.Tasks[0].Report.StoppedReason, strings.Join(diffs, "\n"))
			}
		})
	}
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}

// TestRoleNotFound: without the role there is nothing to simulate, and the
// note says what to pass.
func TestRoleNotFound(t *testing.T) {
	td := &taskdef.TaskDefinition{ExecutionRoleArn: taskdef.Str{Text: "arn:aws:iam::111122223333:role/missing", Path: "executionRoleArn"}}
	for _, tc := range []struct {
		name     string
		accounts []*account.Snapshot
		want     string
	}{
		{"no role source", nil, "pass --iam"},
		{"not in the export", []*account.Snapshot{{File: "authz.json", Format: account.FormatAuthorizationDetails}}, "is not defined in authz.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := check.Run(check.Input{Tasks: []check.Task{{Def: td}}, Accounts: tc.accounts})
			tr := res.Tasks[0]
			if tr.Verdict() != launch.Unknown || !strings.Contains(tr.Note, tc.want) {
				t.Errorf("verdict %s note %q, want unknown and %q", tr.Verdict(), tr.Note, tc.want)
			}
			if res.Failed() {
				t.Errorf("an unknown verdict alone must not fail the check")
			}
		})
	}
}

// TestMissingManagedPolicy: a customer managed policy defined elsewhere may
// grant what is missing, so a denial becomes unknown, with the policy named.
func TestMissingManagedPolicy(t *testing.T) {
	in := load(t, writeTemp(t, "stack.yaml", strings.Replace(cfnYAML,
		"- arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
		"- arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy\n        - !ImportValue shared-secrets-policy", 1)))
	tr := check.Run(in).Tasks[0]
	if tr.Verdict() != launch.Unknown || !strings.Contains(tr.Note, "${ImportValue:shared-secrets-policy}") {
		t.Errorf("verdict %s note %q; want unknown naming the unreadable policy", tr.Verdict(), tr.Note)
	}
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRoleFilePatch: a role file is the user's own input too; the fix is
// added to its Policies (created when absent), and the task then starts.
func TestRoleFilePatch(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("SKIPPED: git not installed; patches not applied")
	}
	const td = `{"family": "app", "executionRoleArn": "arn:aws:iam::111122223333:role/app-exec", "requiresCompatibilities": ["FARGATE"],
 "containerDefinitions": [{"name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1",
   "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:eu-west-1:111122223333:parameter/app/token"}]}]}`
	const trust = `"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	for _, tc := range []struct{ name, role string }{
		{"with Policies", `{
  "RoleName": "app-exec",
  ` + trust + `,
  "Policies": [
    {"PolicyName": "other", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}}
  ],
  "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
}
`},
		{"without Policies", `{
  "RoleName": "app-exec",
  ` + trust + `,
  "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chdir(t, t.TempDir())
			if err := os.WriteFile("td.json", []byte(td), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile("role.json", []byte(tc.role), 0o644); err != nil {
				t.Fatal(err)
			}
			run := func() *check.TaskResult {
				tds, ds := taskdef.Load("td.json", taskdef.Options{})
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				reqs, _ := requirements.Derive(tds[0], requirements.Options{})
				s, ds := iamdef.Load("role.json", iamdef.Options{})
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				return check.Run(check.Input{Tasks: []check.Task{{Def: tds[0], Reqs: reqs}}, Accounts: []*account.Snapshot{s}}).Tasks[0]
			}
			tr := run()
			if tr.Verdict() != launch.Fails || len(tr.Patches) != 1 || tr.Patches[0].Diff == "" || tr.Patches[0].Command == "" {
				t.Fatalf("verdict %s, patches %+v; want a failing task with a diff and a command", tr.Verdict(), tr.Patches)
			}
			if err := os.WriteFile("fix.diff", []byte(tr.Patches[0].Diff), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(git, "apply", "fix.diff").CombinedOutput(); err != nil {
				t.Fatalf("git apply: %v\n%s\n%s", err, out, tr.Patches[0].Diff)
			}
			if v := run().Verdict(); v != launch.Starts {
				t.Errorf("after the patch the task %s\n%s", v, tr.Patches[0].Diff)
			}
		})
	}
}
