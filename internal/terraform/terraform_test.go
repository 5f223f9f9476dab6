package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/jsontree"
)

// write makes a module directory from name → content.
func write(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for n, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func find(m *Module, addr string) *Resource {
	for _, r := range append(append([]*Resource{}, m.Resources...), m.DataSources...) {
		if r.Address == addr {
			return r
		}
	}
	return nil
}

// TestEvaluate checks one attribute's rendered value per construct.
func TestEvaluate(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		addr  string
		attr  string
		want  string
	}{
		{"literal", map[string]string{"m.tf": `resource "aws_iam_role" "r" { name = "x" }`}, Options{}, "aws_iam_role.r", "name", `"x"`},
		{"variable default", map[string]string{"m.tf": `
variable "n" { default = "d" }
resource "aws_iam_role" "r" { name = var.n }`}, Options{}, "aws_iam_role.r", "name", `"d"`},
		{"tfvars beats default", map[string]string{"m.tf": `
variable "n" { default = "d" }
resource "aws_iam_role" "r" { name = var.n }`, "terraform.tfvars": `n = "tfvars"`}, Options{}, "aws_iam_role.r", "name", `"tfvars"`},
		{"auto.tfvars beats terraform.tfvars", map[string]string{"m.tf": `
variable "n" {}
resource "aws_iam_role" "r" { name = var.n }`, "terraform.tfvars": `n = "a"`, "x.auto.tfvars": `n = "b"`}, Options{}, "aws_iam_role.r", "name", `"b"`},
		{"-var beats tfvars", map[string]string{"m.tf": `
variable "n" {}
resource "aws_iam_role" "r" { name = var.n }`, "terraform.tfvars": `n = "a"`}, Options{Vars: map[string]string{"n": "cli"}}, "aws_iam_role.r", "name", `"cli"`},
		{"-var typed list", map[string]string{"m.tf": `
variable "n" { type = list(string) }
resource "aws_iam_role" "r" { managed_policy_arns = var.n }`}, Options{Vars: map[string]string{"n": `["a","b"]`}}, "aws_iam_role.r", "managed_policy_arns", `["a", "b"]`},
		{"unset variable is named unknown", map[string]string{"m.tf": `
variable "n" { type = string }
resource "aws_iam_role" "r" { name = var.n }`}, Options{}, "aws_iam_role.r", "name", `UNKNOWN(${var.n})`},
		{"locals chain", map[string]string{"m.tf": `
locals {
  c = "${local.b}-c"
  b = "${local.a}-b"
  a = "a"
}
resource "aws_iam_role" "r" { name = local.c }`}, Options{}, "aws_iam_role.r", "name", `"a-b-c"`},
		{"resource reference", map[string]string{"m.tf": `
resource "aws_iam_role" "x" { name = "x" }
resource "aws_ecs_task_definition" "t" { execution_role_arn = aws_iam_role.x.arn }`}, Options{}, "aws_ecs_task_definition.t", "execution_role_arn", `UNKNOWN(${aws_iam_role.x.arn})`},
		{"jsonencode keeps unknown parts named", map[string]string{"m.tf": `
resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([{ name = "a", secrets = [{ name = "S", valueFrom = aws_secretsmanager_secret.s.arn }] }])
}`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `"[{\"name\":\"a\",\"secrets\":[{\"name\":\"S\",\"valueFrom\":\"${aws_secretsmanager_secret.s.arn}\"}]}]"`},
		{"caller identity and region", map[string]string{"m.tf": `
data "aws_caller_identity" "c" {}
data "aws_region" "r" {}
resource "aws_iam_policy" "p" { name = "arn:aws:logs:${data.aws_region.r.name}:${data.aws_caller_identity.c.account_id}:*" }`},
			Options{Region: "eu-west-1", Account: "123456789012"}, "aws_iam_policy.p", "name", `"arn:aws:logs:eu-west-1:123456789012:*"`},
		{"caller identity without account", map[string]string{"m.tf": `
data "aws_caller_identity" "c" {}
resource "aws_iam_policy" "p" { name = data.aws_caller_identity.c.account_id }`}, Options{}, "aws_iam_policy.p", "name", `UNKNOWN(${data.aws_caller_identity.c.account_id})`},
		{"functions", map[string]string{"m.tf": `
locals { m = merge({a = "1"}, {b = "2"}) }
resource "aws_iam_role" "r" {
  name = upper(join("-", concat(split(",", "a,b"), [lookup(local.m, "b", "z"), format("%03d", length(keys(local.m)))])))
}`}, Options{}, "aws_iam_role.r", "name", `"A-B-2-002"`},
		{"try and can", map[string]string{"m.tf": `
resource "aws_iam_role" "r" { name = try(jsondecode("nope").x, can(tolist(["a"])) ? "ok" : "no") }`}, Options{}, "aws_iam_role.r", "name", `"ok"`},
		{"more functions", map[string]string{"m.tf": `
resource "aws_iam_role" "r" {
  tags = { a = trimspace("  x "), b = replace("a.b", ".", "-"), c = tostring(coalesce("", "c")), d = element(distinct(flatten([["x"], ["x", "y"]])), 1), e = tostring(contains(values({k = "v"}), "v")), f = lower("F"), g = tostring(length(toset(["a", "a"]))) }
}`}, Options{}, "aws_iam_role.r", "tags", `{a: "x", b: "a-b", c: "c", d: "y", e: "true", f: "f", g: "1"}`},
		{"file and templatefile", map[string]string{"m.tf": `
resource "aws_ecs_task_definition" "t" {
  family = trimspace(file("${path.module}/f.txt"))
  container_definitions = templatefile("c.json.tpl", { image = "nginx" })
}`, "f.txt": "fam\n", "c.json.tpl": `[{"name":"a","image":"${image}"}]`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `"[{\"name\":\"a\",\"image\":\"nginx\"}]"`},
		{"template_file data source", map[string]string{"m.tf": `
data "template_file" "c" {
  template = file("c.tpl")
  vars = { x = "1" }
}
resource "aws_ecs_task_definition" "t" { container_definitions = data.template_file.c.rendered }`, "c.tpl": `[{"cpu":${x}}]`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `"[{\"cpu\":1}]"`},
		{"template_file with an unknown variable writes its placeholder", map[string]string{"m.tf": `
data "template_file" "c" {
  template = file("c.tpl")
  vars = { arn = aws_ssm_parameter.p.arn, image = "nginx" }
}
resource "aws_ecs_task_definition" "t" { container_definitions = data.template_file.c.rendered }`, "c.tpl": `[{"image":"${image}","secrets":[{"name":"S","valueFrom":"${arn}"}]}]`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `"[{\"image\":\"nginx\",\"secrets\":[{\"name\":\"S\",\"valueFrom\":\"${aws_ssm_parameter.p.arn}\"}]}]"`},
		{"templatefile with an unknown variable writes its placeholder", map[string]string{"m.tf": `
variable "image" { type = string }
resource "aws_ecs_task_definition" "t" { container_definitions = templatefile("c.tpl", { image = var.image }) }`, "c.tpl": `[{"image":"${image}"}]`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `"[{\"image\":\"${var.image}\"}]"`},
		{"a placeholder that would break the JSON leaves the template unknown", map[string]string{"m.tf": `
variable "cpu" { type = number }
resource "aws_ecs_task_definition" "t" { container_definitions = templatefile("c.tpl", { cpu = var.cpu }) }`, "c.tpl": `[{"cpu":${cpu}}]`}, Options{}, "aws_ecs_task_definition.t", "container_definitions", `UNKNOWN(${templatefile("c.tpl", { cpu = var.cpu })})`},
		{"nested blocks", map[string]string{"m.tf": `
resource "aws_ecs_task_definition" "t" {
  volume {
    name = "v"
    efs_volume_configuration {
      file_system_id = "fs-1"
      authorization_config { iam = "ENABLED" }
    }
  }
}`}, Options{}, "aws_ecs_task_definition.t", "volume", `[{name: "v", efs_volume_configuration: [{file_system_id: "fs-1", authorization_config: [{iam: "ENABLED"}]}]}]`},
		{"dynamic block", map[string]string{"m.tf": `
resource "aws_iam_role" "r" {
  dynamic "inline_policy" {
    for_each = { a = "1", b = "2" }
    content {
      name = inline_policy.key
      policy = inline_policy.value
    }
  }
}`}, Options{}, "aws_iam_role.r", "inline_policy", `[{name: "a", policy: "1"}, {name: "b", policy: "2"}]`},
		{"count index", map[string]string{"m.tf": `
resource "aws_iam_role" "r" {
  count = 2
  name = "r${count.index}"
}`}, Options{}, "aws_iam_role.r[1]", "name", `"r1"`},
		{"for_each", map[string]string{"m.tf": `
resource "aws_iam_role_policy_attachment" "a" {
  for_each = toset(["arn:a"])
  policy_arn = each.value
}`}, Options{}, `aws_iam_role_policy_attachment.a["arn:a"]`, "policy_arn", `"arn:a"`},
		{"policy document", map[string]string{"m.tf": `
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
}
resource "aws_iam_role" "r" { assume_role_policy = data.aws_iam_policy_document.assume.json }`}, Options{}, "aws_iam_role.r", "assume_role_policy",
			`"{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"123456789012\"}},\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}"`},
		{"policy document override and source", map[string]string{"m.tf": `
data "aws_iam_policy_document" "base" {
  statement {
    sid = "A"
    actions = ["s3:GetObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "p" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid = "A"
    effect = "Deny"
    not_actions = ["s3:*", "kms:Decrypt"]
    not_resources = ["arn:x"]
  }
}
resource "aws_iam_policy" "x" { policy = data.aws_iam_policy_document.p.json }`}, Options{}, "aws_iam_policy.x", "policy",
			`"{\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[\"s3:*\",\"kms:Decrypt\"],\"NotResource\":\"arn:x\",\"Sid\":\"A\"}],\"Version\":\"2012-10-17\"}"`},
		{"policy document writes unknown resources as placeholders", map[string]string{"m.tf": `
data "aws_iam_policy_document" "p" {
  statement {
    actions = ["secretsmanager:GetSecretValue", "s3:GetObject"]
    resources = [aws_secretsmanager_secret.s.arn, "${aws_s3_bucket.b.arn}/.env"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.c.account_id]
    }
  }
}
data "aws_caller_identity" "c" {}
resource "aws_iam_policy" "x" { policy = data.aws_iam_policy_document.p.json }`}, Options{}, "aws_iam_policy.x", "policy",
			`"{\"Statement\":[{\"Action\":[\"secretsmanager:GetSecretValue\",\"s3:GetObject\"],\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"${data.aws_caller_identity.c.account_id}\"}},\"Effect\":\"Allow\",\"Resource\":[\"${aws_secretsmanager_secret.s.arn}\",\"${aws_s3_bucket.b.arn}/.env\"]}],\"Version\":\"2012-10-17\"}"`},
		{"policy document with an unknown action stays unknown", map[string]string{"m.tf": `
data "aws_iam_policy_document" "p" {
  statement {
    actions   = [var.action]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "x" { policy = data.aws_iam_policy_document.p.json }`}, Options{}, "aws_iam_policy.x", "policy", `UNKNOWN(${data.aws_iam_policy_document.p.json})`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ds := Load(write(t, tc.files), tc.opts)
			if ds.HasErrors() {
				t.Fatalf("errors: %v", ds)
			}
			r := find(m, tc.addr)
			if r == nil {
				t.Fatalf("no %s; have %d resources", tc.addr, len(m.Resources))
			}
			n := r.Get(tc.attr)
			if n == nil {
				t.Fatalf("%s has no %s: %s", tc.addr, tc.attr, render(r.Attributes))
			}
			if d := cmp.Diff(tc.want, render(n)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestCountZeroIsAbsent(t *testing.T) {
	m, _ := Load(write(t, map[string]string{"m.tf": `
variable "create" { default = false }
resource "aws_iam_role" "r" { count = var.create ? 1 : 0 }
resource "aws_iam_policy" "p" { for_each = {} }`}), Options{})
	if len(m.Resources) != 0 {
		t.Errorf("got %d resources, want none", len(m.Resources))
	}
}

func TestUnknownCountIsOneInstanceWithWarning(t *testing.T) {
	m, ds := Load(write(t, map[string]string{"m.tf": `
resource "aws_iam_role" "r" { count = length(data.aws_subnets.s.ids) }`}), Options{})
	if len(m.Resources) != 1 || m.Resources[0].Address != "aws_iam_role.r" {
		t.Fatalf("got %v", m.Resources)
	}
	if !strings.Contains(ds.Error(), "m.tf:2:39: warning: aws_iam_role.r: count is not known offline") {
		t.Errorf("diagnostics: %v", ds)
	}
}

func TestInvalidHCLNamesPosition(t *testing.T) {
	dir := write(t, map[string]string{"bad.tf": "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n"})
	m, ds := Load(dir, Options{})
	if m == nil || !ds.HasErrors() {
		t.Fatalf("want an error, got %v", ds)
	}
	if got := ds[0].Range.String(); got != filepath.Join(dir, "bad.tf")+":2:10" {
		t.Errorf("error at %s: %v", got, ds)
	}
}

// TestParseJSONPositions: JSON in a heredoc or a file is positioned in that
// text; jsonencode output at the attribute.
func TestParseJSONPositions(t *testing.T) {
	dir := write(t, map[string]string{
		"m.tf": `resource "aws_ecs_task_definition" "t" {
  container_definitions = <<EOF
[
  {"name": "a", "image": "x"}
]
EOF
  volume {
    name = "v"
  }
}
resource "aws_ecs_task_definition" "f" {
  container_definitions = file("c.json")
}
resource "aws_ecs_task_definition" "j" {
  container_definitions = jsonencode([{ name = "b" }])
}
`,
		"c.json": "[\n {\"name\": \"c\"}]\n",
	})
	m, ds := Load(dir, Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	tests := []struct{ addr, want string }{
		{"aws_ecs_task_definition.t", filepath.Join(dir, "m.tf") + ":4:12"},
		{"aws_ecs_task_definition.f", filepath.Join(dir, "c.json") + ":2:11"},
		{"aws_ecs_task_definition.j", filepath.Join(dir, "m.tf") + ":15:27"},
	}
	for _, tc := range tests {
		j, err := m.ParseJSON(find(m, tc.addr).Get("container_definitions"))
		if err != nil {
			t.Fatalf("%s: %v", tc.addr, err)
		}
		if got := j.Items[0].Get("name").Range.String(); got != tc.want {
			t.Errorf("%s: name at %s, want %s", tc.addr, got, tc.want)
		}
	}
}

func TestParseJSONUnknownPlaceholders(t *testing.T) {
	m, _ := Load(write(t, map[string]string{"m.tf": `
resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([{ name = "a", image = var.image }])
}`}), Options{})
	j, err := m.ParseJSON(find(m, "aws_ecs_task_definition.t").Get("container_definitions"))
	if err != nil {
		t.Fatal(err)
	}
	img := j.Items[0].Get("image")
	if !img.Unknown || img.Str != "${var.image}" {
		t.Errorf("image = %+v, want Unknown ${var.image}", img)
	}
	if j.Items[0].Get("name").Unknown {
		t.Error("name is known")
	}
	if _, err := m.ParseJSON(&jsontree.Node{Kind: jsontree.String, Str: "${x}", Unknown: true}); err == nil {
		t.Error("unknown node parsed")
	}
}

// TestPolicyDocumentIsValidJSON renders a document with every statement
// field and decodes it.
func TestPolicyDocumentIsValidJSON(t *testing.T) {
	m, _ := Load(write(t, map[string]string{"m.tf": `
data "aws_iam_policy_document" "p" {
  policy_id = "id1"
  statement {
    sid = "S"
    actions = ["a:B", "a:C"]
    resources = ["*"]
    not_principals {
      type = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
  statement {
    effect = "Deny"
    actions = ["*"]
    principals {
      type = "*"
      identifiers = ["*"]
    }
  }
}`}), Options{})
	doc := find(m, "data.aws_iam_policy_document.p").Get("json")
	var got map[string]any
	if err := json.Unmarshal([]byte(doc.Str), &got); err != nil {
		t.Fatalf("%v: %s", err, doc.Str)
	}
	want := map[string]any{"Version": "2012-10-17", "Id": "id1", "Statement": []any{
		map[string]any{"Sid": "S", "Effect": "Allow", "Action": []any{"a:B", "a:C"}, "Resource": "*",
			"NotPrincipal": map[string]any{"AWS": "arn:aws:iam::111122223333:root"}},
		map[string]any{"Effect": "Deny", "Action": "*", "Principal": "*"},
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`resource "aws_iam_role" "r" { name = "x" }`))
	f.Add([]byte("locals { a = local.b\n b = local.a }\nresource \"x_y\" \"z\" { count = 3\n v = jsonencode([local.a]) }"))
	f.Add([]byte(`data "aws_iam_policy_document" "p" { statement { actions = [1] } }`))
	f.Add([]byte("resource \"a_b\" \"c\" {\n dynamic \"d\" {\n for_each = [1,2]\n content { x = d.value }\n }\n}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "m.tf"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		m, _ := Load(dir, Options{})
		if m == nil {
			t.Fatal("nil module")
		}
		for _, r := range m.Resources {
			if r.Attributes == nil || r.Attributes.Kind != jsontree.Object {
				t.Fatalf("%s: attributes %v", r.Address, r.Attributes)
			}
		}
	})
}

func BenchmarkLoadTenContainers(b *testing.B) {
	var cs []string
	for i := range 10 {
		cs = append(cs, fmt.Sprintf(`{
      name = "c%d"
      image = "${local.repo}/c%d:${var.tag}"
      essential = true
      secrets = [{ name = "S", valueFrom = aws_secretsmanager_secret.s.arn }]
      logConfiguration = { logDriver = "awslogs", options = { "awslogs-group" = "/ecs/c%d", "awslogs-region" = data.aws_region.current.name } }
    }`, i, i, i))
	}
	src := `variable "tag" { default = "v1" }
locals { repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }
data "aws_region" "current" {}
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}
resource "aws_iam_role" "exec" { assume_role_policy = data.aws_iam_policy_document.assume.json }
resource "aws_ecs_task_definition" "t" {
  family = "app"
  execution_role_arn = aws_iam_role.exec.arn
  container_definitions = jsonencode([` + strings.Join(cs, ",") + `])
}`
	dir := write(b, map[string]string{"main.tf": src})
	b.ReportAllocs()
	for b.Loop() {
		m, ds := Load(dir, Options{Region: "eu-west-1"})
		if ds.HasErrors() || len(m.Resources) != 2 {
			b.Fatal(ds)
		}
	}
}

// TestRoleSide: every role-side resource the check command follows comes out
// with its policy-bearing attributes resolved.
func TestRoleSide(t *testing.T) {
	m, ds := Load(write(t, map[string]string{"iam.tf": `
resource "aws_iam_role" "exec" {
  name                 = "exec"
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
  managed_policy_arns  = ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
  permissions_boundary = "arn:aws:iam::123456789012:policy/boundary"
  inline_policy {
    name   = "logs"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream"], Resource = "*" }] })
  }
}
resource "aws_iam_policy" "p" { policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
resource "aws_iam_role_policy" "rp" {
  role   = aws_iam_role.exec.id
  policy = aws_iam_policy.p.policy
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.exec.name
  policy_arn = aws_iam_policy.p.arn
}
resource "aws_iam_role_policies_exclusive" "e" {
  role_name    = aws_iam_role.exec.name
  policy_names = [aws_iam_role_policy.rp.name]
}
resource "aws_iam_role_policy_attachments_exclusive" "x" {
  role_name   = aws_iam_role.exec.name
  policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
}
`}), Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var got []string
	for _, r := range m.Resources {
		got = append(got, r.Address+" "+shape(r.Attributes))
	}
	want := []string{
		"aws_iam_role.exec {name: string, assume_role_policy: string, managed_policy_arns: [string], permissions_boundary: string, inline_policy: [{name: string, policy: string}]}",
		"aws_iam_policy.p {policy: string}",
		"aws_iam_role_policy.rp {role: unknown, policy: unknown}",
		"aws_iam_role_policy_attachment.a {role: unknown, policy_arn: unknown}",
		"aws_iam_role_policies_exclusive.e {role_name: unknown, policy_names: [unknown]}",
		"aws_iam_role_policy_attachments_exclusive.x {role_name: unknown, policy_arns: [string]}",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := find(m, "aws_iam_role_policy.rp").Get("role").Str; got != "${aws_iam_role.exec.id}" {
		t.Errorf("placeholder %q", got)
	}
	for _, n := range []*jsontree.Node{find(m, "aws_iam_role.exec").Get("assume_role_policy"), find(m, "aws_iam_role.exec").Get("inline_policy").Items[0].Get("policy")} {
		if _, err := m.ParseJSON(n); err != nil {
			t.Error(err)
		}
	}
}

func TestRangeIsBounded(t *testing.T) {
	m, ds := Load(write(t, map[string]string{"m.tf": `resource "a_b" "c" { v = length(range(100000000)) }`}), Options{})
	if got := find(m, "a_b.c").Get("v"); !got.Unknown || !strings.Contains(ds.Error(), "range of more than") {
		t.Errorf("v = %s, diagnostics %v", render(got), ds)
	}
}

func TestVarFilesAndMissingPath(t *testing.T) {
	dir := write(t, map[string]string{
		"m.tf":          "variable \"n\" {}\nresource \"aws_iam_role\" \"r\" { name = var.n }\n",
		"prod.tfvars":   `n = "prod"`,
		"x.auto.tfvars": `n = "auto"`,
		"broken.tfvars": `n = `,
	})
	m, ds := Load(dir, Options{VarFiles: []string{filepath.Join(dir, "prod.tfvars")}})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if got := render(find(m, "aws_iam_role.r").Get("name")); got != `"prod"` {
		t.Errorf("-var-file should beat *.auto.tfvars: got %s", got)
	}
	_, ds = Load(dir, Options{VarFiles: []string{filepath.Join(dir, "broken.tfvars")}})
	if !ds.HasErrors() || !strings.Contains(ds.Error(), "broken.tfvars:1:") {
		t.Errorf("broken tfvars: %v", ds)
	}
	m, ds = Load(filepath.Join(dir, "nope.tf"), Options{})
	if m == nil || !ds.HasErrors() {
		t.Errorf("missing file: %v", ds)
	}
}

// TestPlaceholdersMarkedUnknown: ParseJSON flags every string that holds a
// placeholder this load wrote, whole or inside text, and no other.
func TestPlaceholdersMarkedUnknown(t *testing.T) {
	dir := write(t, map[string]string{"m.tf": `
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/.env", "arn:aws:s3:::literal/$${not.a.placeholder}"]
  }
}
resource "aws_iam_policy" "x" { policy = data.aws_iam_policy_document.p.json }`})
	m, ds := Load(dir, Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	doc, err := m.ParseJSON(find(m, "aws_iam_policy.x").Get("policy"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range doc.Get("Statement").Items[0].Get("Resource").Items {
		got = append(got, render(r))
	}
	want := []string{"UNKNOWN(${aws_s3_bucket.b.arn})", "UNKNOWN(${aws_s3_bucket.b.arn}/.env)", `"arn:aws:s3:::literal/${not.a.placeholder}"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
