package terraform

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestModules checks child modules: addresses, inputs, outputs, ranges in
// the child's files, and the warnings for what is not followed.
func TestModules(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  map[string]string // address → attribute=value (render), or "" for present
		warn  []string          // substrings of the diagnostics, in order
		none  []string          // addresses that must not exist
	}{
		{
			name: "input variable and address",
			files: map[string]string{
				"main.tf": `
module "exec" {
  source = "./modules/exec"
  name   = "app-${var.env}"
}
variable "env" { default = "prod" }`,
				"modules/exec/main.tf": `
variable "name" { type = string }
resource "aws_iam_role" "r" { name = "${var.name}-execution" }`,
			},
			want: map[string]string{`module.exec.aws_iam_role.r`: `name="app-prod-execution" at modules/exec/main.tf:3:1`},
		},
		{
			name: "nested modules and path.module",
			files: map[string]string{
				"main.tf": `module "a" { source = "./a" }`,
				"a/main.tf": `
module "b" {
  source = "../b"
  n      = "x"
}`,
				"b/main.tf": `
variable "n" {}
resource "aws_iam_role" "r" { name = var.n }
resource "aws_ecs_task_definition" "t" { container_definitions = file("${path.module}/c.json") }`,
				"b/c.json": `[{"name":"c"}]`,
			},
			want: map[string]string{
				`module.a.module.b.aws_iam_role.r`:            `name="x" at b/main.tf:3:1`,
				`module.a.module.b.aws_ecs_task_definition.t`: `container_definitions="[{\"name\":\"c\"}]" at b/main.tf:4:1`,
			},
		},
		{
			name: "known output resolves in the caller",
			files: map[string]string{
				"main.tf": `
module "names" { source = "./names" }
resource "aws_iam_role" "r" { name = module.names.role }`,
				"names/main.tf": `
locals { base = "svc" }
output "role" { value = "${local.base}-execution" }`,
			},
			want: map[string]string{`aws_iam_role.r`: `name="svc-execution" at main.tf:3:1`},
		},
		{
			name: "unknown output is named by the caller's reference",
			files: map[string]string{
				"main.tf": `
module "iam" { source = "./iam" }
resource "aws_ecs_task_definition" "t" { execution_role_arn = module.iam.role_arn }`,
				"iam/main.tf": `
resource "aws_iam_role" "x" { name = "x" }
output "role_arn" { value = aws_iam_role.x.arn }`,
			},
			want: map[string]string{
				`aws_ecs_task_definition.t`:    `execution_role_arn=UNKNOWN(${module.iam.role_arn}) at main.tf:3:1`,
				"alias ${module.iam.role_arn}": "${module.iam.aws_iam_role.x.arn}",
			},
		},
		{
			name: "references inside a child are module-qualified",
			files: map[string]string{
				"main.tf": `module "svc" { source = "./svc" }`,
				"svc/main.tf": `
resource "aws_iam_role" "x" { name = "x" }
locals { exec = aws_iam_role.x.arn }
variable "fallback" { default = "" }
resource "aws_ecs_task_definition" "t" {
  execution_role_arn    = aws_iam_role.x.arn
  task_role_arn         = local.exec
  network_mode          = coalesce(aws_iam_role.x.arn, var.fallback)
  container_definitions = jsonencode([{ name = "a", secrets = [{ name = "S", valueFrom = aws_ssm_parameter.p.arn }] }])
}`,
			},
			want: map[string]string{
				`module.svc.aws_ecs_task_definition.t`: `execution_role_arn=UNKNOWN(${module.svc.aws_iam_role.x.arn}) task_role_arn=UNKNOWN(${module.svc.aws_iam_role.x.arn}) network_mode=UNKNOWN(${coalesce(module.svc.aws_iam_role.x.arn, module.svc.var.fallback)}) container_definitions="[{\"name\":\"a\",\"secrets\":[{\"name\":\"S\",\"valueFrom\":\"${module.svc.aws_ssm_parameter.p.arn}\"}]}]" at svc/main.tf:5:1`,
			},
		},
		{
			name: "unknown input keeps the caller's name",
			files: map[string]string{
				"main.tf": `
resource "aws_iam_role" "root" { name = "root" }
module "svc" {
  source   = "./svc"
  role_arn = aws_iam_role.root.arn
}`,
				"svc/main.tf": `
variable "role_arn" { type = string }
variable "unset" { type = string }
resource "aws_ecs_task_definition" "t" {
  execution_role_arn = var.role_arn
  family             = var.unset
}`,
			},
			want: map[string]string{
				`module.svc.aws_ecs_task_definition.t`: `execution_role_arn=UNKNOWN(${aws_iam_role.root.arn}) family=UNKNOWN(${module.svc.var.unset}) at svc/main.tf:4:1`,
			},
		},
		{
			name: "count on a module",
			files: map[string]string{
				"main.tf": `
module "r" {
  count  = 2
  source = "./r"
  n      = "r${count.index}"
}
resource "aws_iam_role" "o" { name = module.r[1].name }`,
				"r/main.tf": `
variable "n" {}
resource "aws_iam_role" "r" { name = var.n }
output "name" { value = var.n }`,
			},
			want: map[string]string{
				`module.r[0].aws_iam_role.r`: `name="r0" at r/main.tf:3:1`,
				`module.r[1].aws_iam_role.r`: `name="r1" at r/main.tf:3:1`,
				`aws_iam_role.o`:             `name="r1" at main.tf:7:1`,
			},
			none: []string{"module.r.aws_iam_role.r"},
		},
		{
			name: "for_each on a module",
			files: map[string]string{
				"main.tf": `
module "r" {
  for_each = toset(["a", "b"])
  source   = "./r"
  n        = each.key
}`,
				"r/main.tf": `
variable "n" {}
resource "aws_iam_role" "r" { name = var.n }`,
			},
			want: map[string]string{
				`module.r["a"].aws_iam_role.r`: `name="a" at r/main.tf:3:1`,
				`module.r["b"].aws_iam_role.r`: `name="b" at r/main.tf:3:1`,
			},
		},
		{
			name: "count zero means no instance",
			files: map[string]string{
				"main.tf":   `module "r" { count = 0, source = "./r" }`,
				"r/main.tf": `resource "aws_iam_role" "r" { name = "x" }`,
			},
			none: []string{"module.r.aws_iam_role.r", "module.r[0].aws_iam_role.r"},
		},
		{
			name: "unknown count reads as one instance",
			files: map[string]string{
				"main.tf": `
variable "n" { type = number }
module "r" {
  count  = var.n
  source = "./r"
}`,
				"r/main.tf": `resource "aws_iam_role" "r" { name = "x" }`,
			},
			want: map[string]string{`module.r.aws_iam_role.r`: `name="x" at r/main.tf:1:1`},
			warn: []string{"main.tf:4:12: warning: module.r: count is not known offline; reading it as one instance"},
		},
		{
			name: "registry and git sources warn once",
			files: map[string]string{
				"main.tf": `
module "ecs" {
  count   = 2
  source  = "terraform-aws-modules/ecs/aws"
  version = "~> 5.0"
}
module "git" { source = "git::https://example.com/m.git" }
resource "aws_iam_role" "r" { name = module.ecs[0].x }`,
			},
			want: map[string]string{`aws_iam_role.r`: `name=UNKNOWN(${module.ecs[0].x}) at main.tf:8:1`},
			warn: []string{
				`main.tf:4:13: warning: module.ecs: source "terraform-aws-modules/ecs/aws" is not a local path (./ or ../) and is not downloaded; its resources are not read`,
				`main.tf:7:25: warning: module.git: source "git::https://example.com/m.git" is not a local path`,
			},
		},
		{
			name: "missing directory",
			files: map[string]string{
				"main.tf": `module "m" { source = "./nope" }`,
			},
			warn: []string{`main.tf:1:23: warning: module.m: source "./nope": no such directory; module not read`},
		},
		{
			name: "cycle through the root",
			files: map[string]string{
				"main.tf":   `module "a" { source = "./a" }`,
				"a/main.tf": `module "back" { source = "../" }`,
			},
			warn: []string{`a/main.tf:1:26: warning: module.a.module.back: source "../" calls a module that is already being read (a cycle); not followed`},
		},
		{
			name: "undeclared argument",
			files: map[string]string{
				"main.tf": `
module "a" {
  source = "./a"
  nme    = "x"
}`,
				"a/main.tf": `variable "name" { default = "d" }`,
			},
			warn: []string{`main.tf:4:3: warning: module.a: the module declares no variable "nme"`},
		},
		{
			name: "syntax error in a child module",
			files: map[string]string{
				"main.tf": `
module "a" {
  count  = 2
  source = "./a"
}`,
				"a/main.tf": `resource "aws_iam_role" "r" { name = }`,
			},
			warn: []string{`a/main.tf:1:38: Invalid expression`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, tc.files)
			m, ds := Load(dir, tc.opts)
			got := ds.Error()
			got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
			for addr, want := range tc.want {
				if alias, ok := strings.CutPrefix(addr, "alias "); ok {
					if m.Aliases[alias] != want {
						t.Errorf("Aliases[%s] = %q, want %q (all: %v)", alias, m.Aliases[alias], want, m.Aliases)
					}
					continue
				}
				r := find(m, addr)
				if r == nil {
					t.Errorf("no %s; have %v", addr, addresses(m))
					continue
				}
				var parts []string
				for _, mem := range r.Attributes.Members {
					parts = append(parts, mem.Key+"="+render(mem.Value))
				}
				s := fmt.Sprintf("%s at %s:%d:%d", strings.Join(parts, " "), rel(dir, r.Range.File), r.Range.Start.Line, r.Range.Start.Column)
				if s != want {
					t.Errorf("%s:\n got %s\nwant %s", addr, s, want)
				}
			}
			for _, addr := range tc.none {
				if find(m, addr) != nil {
					t.Errorf("%s should not exist", addr)
				}
			}
			rest := got
			for _, w := range tc.warn {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("diagnostics lack %q (in order):\n%s", w, got)
					continue
				}
				if strings.Count(got, w) != 1 {
					t.Errorf("%q said %d times, want once:\n%s", w, strings.Count(got, w), got)
				}
				rest = rest[i+len(w):]
			}
			if len(tc.warn) == 0 && got != "" && strings.Contains(got, "module.") {
				t.Errorf("unexpected module diagnostics:\n%s", got)
			}
		})
	}
}

func rel(dir, file string) string {
	r, err := filepath.Rel(dir, file)
	if err != nil {
		return file
	}
	return filepath.ToSlash(r)
}

func addresses(m *Module) []string {
	var out []string
	for _, r := range append(append([]*Resource{}, m.Resources...), m.DataSources...) {
		out = append(out, r.Address)
	}
	return out
}

// TestModuleDepth follows a chain of modules to the limit and no further.
func TestModuleDepth(t *testing.T) {
	files := map[string]string{}
	path := ""
	for i := 0; i <= maxModuleDepth+1; i++ {
		files[path+"main.tf"] = fmt.Sprintf(`
module "m" { source = "./m" }
resource "aws_iam_role" "r" { name = "r%d" }`, i)
		path += "m/"
	}
	dir := write(t, files)
	m, ds := Load(dir, Options{})
	deepest := strings.Repeat("module.m.", maxModuleDepth) + "aws_iam_role.r"
	if find(m, deepest) == nil {
		t.Errorf("no %s", deepest)
	}
	if find(m, "module.m."+deepest) != nil {
		t.Errorf("followed deeper than %d", maxModuleDepth)
	}
	if !strings.Contains(ds.Error(), "modules nested deeper than 10; module not read") {
		t.Errorf("no depth warning: %v", ds)
	}
}
