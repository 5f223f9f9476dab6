package iamdef

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/account"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// describe summarises a snapshot's roles for comparison.
func describe(s *account.Snapshot) string {
	var b strings.Builder
	for _, r := range s.Roles {
		b.WriteString(r.Name + " " + r.ARN)
		if r.Trust != nil {
			b.WriteString(" trust")
		}
		for _, p := range r.Inline {
			b.WriteString(" inline:" + p.Name)
		}
		for _, a := range r.Attached {
			b.WriteString(" attached:" + a.ARN)
		}
		if r.Boundary != nil {
			b.WriteString(" boundary:" + r.Boundary.ARN)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name, file, body, want, format string
		opts                           Options
	}{{
		name: "role file as written for CloudFormation properties",
		file: "role.json",
		body: `{"RoleName": "app-exec", "Path": "/svc/",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
  "Policies": [{"PolicyName": "secrets", "PolicyDocument": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ssm:GetParameters\", \"Resource\": \"*\"}]}"}],
  "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
  "PermissionsBoundary": "arn:aws:iam::111122223333:policy/boundary"}`,
		opts:   Options{Account: "111122223333"},
		format: FormatRoleFile,
		want:   "app-exec arn:aws:iam::111122223333:role/svc/app-exec trust inline:app-exec/secrets attached:arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy boundary:arn:aws:iam::111122223333:policy/boundary\n",
	}, {
		name: "aws iam get-role output",
		file: "get-role.json",
		body: `{"Role": {"RoleName": "x", "Arn": "arn:aws:iam::111122223333:role/x",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
  "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/b"}}}`,
		format: FormatRoleFile,
		want:   "x arn:aws:iam::111122223333:role/x trust boundary:arn:aws:iam::111122223333:policy/b\n",
	}, {
		name: "CloudFormation: inline, AWS::IAM::Policy, AWS::IAM::ManagedPolicy by Roles and by Ref",
		file: "stack.yaml",
		body: `Resources:
  Exec:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: logs:CreateLogStream
                Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/app:*
      ManagedPolicyArns: [!Ref Shared]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Exec]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: ssm:GetParameters, Resource: "*"}]
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Exec]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: "*"}]
`,
		format: FormatCloudFormation,
		want:   "Exec arn:aws:iam::${AccountId}:role/Exec trust inline:Exec/logs inline:Exec/extra attached:${Ref:Shared}\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, t.TempDir(), tc.file, tc.body)
			s, ds := Load(path, tc.opts)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if s.Format != tc.format {
				t.Errorf("format %q, want %q", s.Format, tc.format)
			}
			if got := describe(s); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestTerraform follows a role through the resources that attach policies
// to it, including references the evaluator cannot resolve.
func TestTerraform(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "main.tf", `
data "aws_iam_policy_document" "assume" {
  count = var.create ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
variable "create" { default = true }
resource "aws_iam_role" "exec" {
  count              = var.create ? 1 : 0
  name               = "app-exec"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  inline_policy {
    name   = "logs"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:CreateLogStream", Resource = "*" }] })
  }
}
resource "aws_iam_role_policy" "secrets" {
  role   = join("", aws_iam_role.exec[*].id)
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ssm:GetParameters", Resource = "*" }] })
}
resource "aws_iam_policy" "kms" {
  name   = "kms"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = "*" }] })
}
resource "aws_iam_role_policy_attachment" "kms" {
  role       = aws_iam_role.exec[0].name
  policy_arn = aws_iam_policy.kms.arn
}
`)
	s, ds := Load(dir, Options{Account: "111122223333"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := "app-exec arn:aws:iam::111122223333:role/app-exec trust inline:app-exec/logs inline:app-exec/secrets attached:${aws_iam_policy.kms.arn}\n"
	if got := describe(s); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	p, ok := s.Find("${aws_iam_role.exec[0].arn}")
	if !ok || p.Name != "app-exec" {
		t.Errorf("the task definition's execution_role_arn placeholder does not find the role")
	}
	pols, err := s.PoliciesOf(p)
	if err != nil || len(pols.Identity) != 3 {
		t.Errorf("PoliciesOf: %d policies, %v; want 3 (customer managed policy by address)", len(pols.Identity), err)
	}
	if _, ok := s.Mentioned("${try(aws_iam_role.exec[0].arn, var.role_arn)}"); !ok {
		t.Errorf("an unevaluated expression naming the role does not find it")
	}
	if _, ok := s.Mentioned("${aws_iam_role.exec_other.arn}"); ok {
		t.Errorf("a longer resource name matched aws_iam_role.exec")
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `{"RoleName": `, "r.json:1:14: invalid JSON"},
		{"no role", `{"Version": "2012-10-17", "Statement": []}`, "expected IAM roles"},
		{"role without a name", `{"AssumeRolePolicyDocument": {}}`, "neither RoleName nor Arn"},
		{"empty", ``, "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := LoadBytes("r.json", []byte(tc.body), Options{})
			if !ds.HasErrors() || !strings.Contains(ds.Error(), tc.want) {
				t.Errorf("diagnostics %v, want an error containing %q", ds, tc.want)
			}
		})
	}
}

// FuzzLoadBytes: any bytes give diagnostics or a snapshot, never a panic.
func FuzzLoadBytes(f *testing.F) {
	f.Add([]byte(`{"RoleName": "r", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}, "Policies": [{"PolicyName": "p", "PolicyDocument": "{}"}]}`))
	f.Add([]byte("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies: [{PolicyName: p, PolicyDocument: {Statement: []}}]\n"))
	f.Add([]byte(`{"RoleDetailList": [{"RoleName": "r", "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B%7D"}]}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, ds := LoadBytes("f.json", src, Options{})
		if s == nil && !ds.HasErrors() {
			t.Fatalf("no snapshot and no error")
		}
	})
}

// TestTerraformModules: roles in local child modules carry their
// module-qualified aliases, policies and attachments inside the module
// resolve against the module's own resources, and a caller that gets the
// role through an output finds it too.
func TestTerraformModules(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "iam"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "main.tf", `
module "iam" {
  source = "./iam"
  name   = "app"
}
resource "aws_iam_role" "exec" { name = "root-exec" }
`)
	write(t, dir, "iam/main.tf", `
variable "name" {}
resource "aws_iam_role" "exec" {
  name = "${var.name}-exec"
}
resource "aws_iam_policy" "kms" {
  name   = "kms"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = "*" }] })
}
resource "aws_iam_role_policy_attachment" "kms" {
  role       = aws_iam_role.exec.name
  policy_arn = aws_iam_policy.kms.arn
}
resource "aws_iam_role_policy" "ssm" {
  role   = aws_iam_role.exec.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ssm:GetParameters", Resource = "*" }] })
}
output "exec_arn" { value = aws_iam_role.exec.arn }
`)
	s, ds := Load(dir, Options{Account: "111122223333"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := "root-exec arn:aws:iam::111122223333:role/root-exec\n" +
		"app-exec arn:aws:iam::111122223333:role/app-exec inline:app-exec/ssm attached:${module.iam.aws_iam_policy.kms.arn}\n"
	if got := describe(s); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for ref, name := range map[string]string{
		"${aws_iam_role.exec.arn}":            "root-exec",
		"${module.iam.aws_iam_role.exec.arn}": "app-exec",
		"${module.iam.exec_arn}":              "app-exec",
	} {
		if p, ok := s.Find(ref); !ok || p.Name != name {
			t.Errorf("Find(%s) = %v, want %s", ref, p, name)
		}
	}
	p, _ := s.Find("${module.iam.exec_arn}")
	if pols, err := s.PoliciesOf(p); err != nil || len(pols.Identity) != 2 {
		t.Errorf("PoliciesOf: %v, %v; want the inline policy and the module's customer managed policy", pols, err)
	}
}
