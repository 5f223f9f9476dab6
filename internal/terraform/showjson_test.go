package terraform

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const stateJSON = `{
  "format_version": "1.0",
  "terraform_version": "1.9.5",
  "values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_iam_role.exec",
          "mode": "managed",
          "type": "aws_iam_role",
          "name": "exec",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 0,
          "values": {"name": "exec", "arn": "arn:aws:iam::123456789012:role/exec", "managed_policy_arns": ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]},
          "sensitive_values": {}
        },
        {
          "address": "data.aws_region.current",
          "mode": "data",
          "type": "aws_region",
          "name": "current",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 0,
          "values": {"name": "eu-west-1"},
          "sensitive_values": {}
        }
      ],
      "child_modules": [
        {
          "address": "module.svc",
          "resources": [
            {
              "address": "module.svc.aws_ecs_task_definition.this[0]",
              "mode": "managed",
              "type": "aws_ecs_task_definition",
              "name": "this",
              "index": 0,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "schema_version": 1,
              "values": {"family": "svc", "container_definitions": "[{\"name\":\"a\"}]", "volume": []},
              "sensitive_values": {}
            }
          ]
        }
      ]
    }
  }
}`

func TestShowJSON(t *testing.T) {
	planJSON := strings.Replace(strings.Replace(stateJSON, `"values": {
    "root_module"`, `"planned_values": {
    "root_module"`, 1), `"format_version": "1.0"`, `"format_version": "1.2"`, 1)
	tests := []struct {
		name, src string
		want      []string
		wantErr   string
	}{
		{"state", stateJSON, []string{"aws_iam_role.exec", "module.svc.aws_ecs_task_definition.this[0]", "data data.aws_region.current"}, ""},
		{"plan", planJSON, []string{"aws_iam_role.exec", "module.svc.aws_ecs_task_definition.this[0]", "data data.aws_region.current"}, ""},
		{"bad json", `{"values": [}`, nil, "show.json:1:"},
		{"not terraform", `{"format_version": "9.0", "values": {}}`, nil, "not Terraform state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, map[string]string{"show.json": tc.src})
			m, ds := Load(filepath.Join(dir, "show.json"), Options{})
			if tc.wantErr != "" {
				if !ds.HasErrors() || !strings.Contains(ds.Error(), tc.wantErr) {
					t.Fatalf("diagnostics %v, want %q", ds, tc.wantErr)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			var got []string
			for _, r := range m.Resources {
				got = append(got, r.Address)
			}
			for _, r := range m.DataSources {
				got = append(got, "data "+r.Address)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			td := find(m, "module.svc.aws_ecs_task_definition.this[0]")
			j, err := m.ParseJSON(td.Get("container_definitions"))
			if err != nil {
				t.Fatal(err)
			}
			if n := j.Items[0].Get("name"); n.Str != "a" || n.Range.Start.Line != 40 {
				t.Errorf("name %q at %s, want a at line 40 (the attribute)", n.Str, n.Range)
			}
		})
	}
}
