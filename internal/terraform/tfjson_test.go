package terraform

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/execrole/execrole/internal/source"
)

// renderAll renders every resource and data instance of a module.
func renderAll(m *Module) map[string]string {
	out := map[string]string{}
	for _, r := range append(append([]*Resource{}, m.Resources...), m.DataSources...) {
		out[r.Address] = render(r.Attributes)
	}
	return out
}

// TestJSONSyntax loads the same configuration written in native and in
// JSON syntax and expects the same resources with the same values.
func TestJSONSyntax(t *testing.T) {
	tests := []struct {
		name       string
		native, js string
		extra      map[string]string // files both directories get
	}{
		{
			name: "variables, locals, policy document, jsonencode, nested blocks",
			native: `
variable "env" {
  type    = string
  default = "prod"
}
variable "tags" {
  type    = map(string)
  default = { team = "platform" }
}
locals { name = "app-${var.env}" }
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
      values   = ["111122223333"]
    }
  }
}
resource "aws_iam_role" "r" {
  name               = local.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}
resource "aws_ecs_task_definition" "t" {
  family                = "${local.name}-web"
  cpu                   = 256
  execution_role_arn    = aws_iam_role.r.arn
  container_definitions = jsonencode([{ name = "web", image = "nginx", secrets = [{ name = "S", valueFrom = aws_ssm_parameter.p.arn }] }])
  volume {
    name = "v"
    efs_volume_configuration { file_system_id = "fs-1" }
  }
}
resource "aws_s3_object" "o" { content = "not a block" }`,
			js: `{
  "//": "a comment",
  "variable": {
    "env": { "type": "string", "default": "prod" },
    "tags": { "type": "map(string)", "default": { "team": "platform" } }
  },
  "locals": { "name": "app-${var.env}" },
  "data": {
    "aws_iam_policy_document": {
      "assume": {
        "statement": [{
          "actions": ["sts:AssumeRole"],
          "principals": { "type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"] },
          "condition": { "test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111122223333"] }
        }]
      }
    }
  },
  "resource": {
    "aws_iam_role": {
      "r": {
        "name": "${local.name}",
        "assume_role_policy": "${data.aws_iam_policy_document.assume.json}",
        "tags": "${var.tags}"
      }
    },
    "aws_ecs_task_definition": {
      "t": {
        "family": "${local.name}-web",
        "cpu": 256,
        "execution_role_arn": "${aws_iam_role.r.arn}",
        "container_definitions": "${jsonencode([{ name = \"web\", image = \"nginx\", secrets = [{ name = \"S\", valueFrom = aws_ssm_parameter.p.arn }] }])}",
        "volume": { "name": "v", "efs_volume_configuration": { "file_system_id": "fs-1" } }
      }
    },
    "aws_s3_object": { "o": { "content": "not a block" } }
  }
}`,
		},
		{
			name: "count, dynamic blocks, outputs and a local module",
			native: `
resource "aws_iam_role" "r" {
  count = 2
  name  = "r${count.index}"
  dynamic "inline_policy" {
    for_each = { a = "1" }
    content {
      name   = inline_policy.key
      policy = inline_policy.value
    }
  }
}
module "m" {
  source = "./m"
  n      = aws_iam_role.r[0].name
}
resource "aws_iam_role" "o" { name = module.m.out }`,
			js: `{
  "resource": {
    "aws_iam_role": {
      "r": {
        "count": 2,
        "name": "r${count.index}",
        "dynamic": {
          "inline_policy": {
            "for_each": "${ { a = \"1\" } }",
            "content": { "name": "${inline_policy.key}", "policy": "${inline_policy.value}" }
          }
        }
      },
      "o": { "name": "${module.m.out}" }
    }
  },
  "module": { "m": { "source": "./m", "n": "${aws_iam_role.r[0].name}" } }
}`,
			extra: map[string]string{"m/main.tf.json": `{
  "variable": { "n": {} },
  "output": { "out": { "value": "${var.n}-out" } },
  "resource": { "aws_iam_role": { "x": { "name": "${var.n}" } } }
}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nf := map[string]string{"main.tf": tc.native}
			jf := map[string]string{"main.tf.json": tc.js}
			for k, v := range tc.extra {
				nf[k], jf[k] = v, v
			}
			nm, nds := Load(write(t, nf), Options{})
			jm, jds := Load(write(t, jf), Options{})
			if nds.HasErrors() || jds.HasErrors() {
				t.Fatalf("errors:\nnative: %v\njson: %v", nds, jds)
			}
			want, got := renderAll(nm), renderAll(jm)
			if len(want) == 0 {
				t.Fatal("no resources")
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("JSON syntax differs from native (-native +json):\n%s", d)
			}
		})
	}
}

// TestJSONPositions checks that ranges point into the .tf.json file.
func TestJSONPositions(t *testing.T) {
	dir := write(t, map[string]string{"main.tf.json": `{
  "resource": {
    "aws_ecs_task_definition": {
      "t": {
        "execution_role_arn": "${aws_iam_role.r.arn}",
        "family": "web"
      }
    }
  }
}`})
	m, ds := Load(filepath.Join(dir, "main.tf.json"), Options{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	r := find(m, "aws_ecs_task_definition.t")
	if r == nil {
		t.Fatal("no resource")
	}
	at := func(rg source.Range) string {
		return filepath.Base(rg.File) + ":" + strings.TrimPrefix(rg.String(), rg.File+":")
	}
	if got := at(r.Range); !strings.HasPrefix(got, "main.tf.json:4:7") {
		t.Errorf("resource at %s, want main.tf.json:4:7", got)
	}
	e := r.Get("execution_role_arn")
	if !e.Unknown || e.Str != "${aws_iam_role.r.arn}" {
		t.Errorf("execution_role_arn = %s", render(e))
	}
	if got := at(e.Range); !strings.HasPrefix(got, "main.tf.json:5:") {
		t.Errorf("execution_role_arn at %s, want line 5", got)
	}
	if got := at(r.Get("family").Range); !strings.HasPrefix(got, "main.tf.json:6:") {
		t.Errorf("family at %s, want line 6", got)
	}
}

// TestJSONErrors: bad JSON configuration is an error with its position,
// never a panic, and the other files of the module are still read.
func TestJSONErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"invalid JSON", "{\n  \"resource\": {,\n}", "bad.tf.json:2:16: Invalid start of value"},
		{"block is not an object", `{"resource": {"aws_iam_role": {"r": "x"}}}`, "bad.tf.json:1:37: Incorrect JSON value type"},
		{"bad template", `{"resource": {"aws_iam_role": {"r": {"name": "${"}}}}`, "bad.tf.json:1:"},
		{"bad type expression", `{"variable": {"v": {"type": "list("}}}`, "bad.tf.json:1:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, map[string]string{"bad.tf.json": tc.src, "ok.tf": `resource "aws_iam_role" "ok" { name = "ok" }`})
			m, ds := Load(dir, Options{})
			if !ds.HasErrors() {
				t.Fatalf("no error: %v", ds)
			}
			got := strings.ReplaceAll(ds.Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want a diagnostic at %s", got, tc.want)
			}
			if find(m, "aws_iam_role.ok") == nil {
				t.Errorf("the valid file was not read")
			}
		})
	}
}

// FuzzJSONConfig: any .tf.json content is parsed, converted and evaluated
// without a panic, and a conversion error always has a position.
func FuzzJSONConfig(f *testing.F) {
	f.Add(`{"resource": {"aws_iam_role": {"r": {"name": "${var.x}", "count": 2}}}}`)
	f.Add(`{"variable": {"x": {"type": "list(string)", "default": ["a"]}}, "locals": {"y": "${var.x[0]}"}}`)
	f.Add(`{"data": {"aws_iam_policy_document": {"d": {"statement": [{"actions": ["s3:*"], "dynamic": {"principals": {"for_each": "${[1]}", "content": {"type": "AWS"}}}}]}}}}`)
	f.Add(`{"module": {"m": {"source": "./m", "for_each": "${toset([\"a\"])}"}}, "output": {"o": {"value": "${module.m}"}}}`)
	f.Add(`{"resource": [1, 2]}`)
	f.Fuzz(func(t *testing.T, src string) {
		body, diags := parseJSONConfig([]byte(src), "f.tf.json")
		for _, d := range diags {
			if d.Severity == hcl.DiagError && d.Subject == nil {
				t.Errorf("error without a position: %v", d)
			}
		}
		if body == nil {
			return
		}
		m := newModule(t.TempDir())
		m.files["f.tf.json"] = []byte(src)
		var ds source.Diagnostics
		e := newEvaluator(m, Options{}, &ds)
		e.collect([]*hclsyntax.Body{body})
		e.run()
		addrs := []string{}
		for _, r := range m.Resources {
			addrs = append(addrs, r.Address)
		}
		sort.Strings(addrs)
	})
}

// TestJSONVariableDefault: a variable's default is a literal JSON value
// and its type an expression, not templates
// (https://developer.hashicorp.com/terraform/language/syntax/json#variable-blocks).
func TestJSONVariableDefault(t *testing.T) {
	dir := write(t, map[string]string{"main.tf.json": `{
  "variable": { "v": { "type": "list(string)", "default": ["${literal}"] } },
  "resource": { "aws_iam_role": { "r": { "managed_policy_arns": "${var.v}" } } }
}`})
	m, ds := Load(dir, Options{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	r := find(m, "aws_iam_role.r")
	if r == nil {
		t.Fatal("no resource")
	}
	if got, want := render(r.Get("managed_policy_arns")), `["${literal}"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
