package taskdef

import (
	"errors"
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/terraform"
)

// fromTerraform reads every aws_ecs_task_definition of a .tf file, a
// directory of them, or `terraform show -json` output
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_task_definition).
// Each resource's attributes are renamed into the register-JSON shape and
// read by the same reader as register JSON, so paths and rules agree
// across formats; ranges stay in the user's .tf files.
func fromTerraform(path string, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	m, ds := terraform.Load(path, terraform.Options{Vars: opts.Vars, VarFiles: opts.VarFiles, Region: opts.Region, Account: opts.Account})
	var out []*TaskDefinition
	for _, res := range m.Resources {
		if res.Type != "aws_ecs_task_definition" {
			continue
		}
		n := registerShape(m, res, &ds)
		r := &reader{diags: &ds}
		td := r.taskDefinition(n)
		td.Source = Source{File: res.Range.File, Format: FormatTerraform, ID: res.Address}
		place(td, opts)
		out = append(out, td)
	}
	if len(out) == 0 && !ds.HasErrors() {
		ds.Warnf(source.Range{File: path}, "no aws_ecs_task_definition resource found")
	}
	return out, ds
}

// tfSingleBlocks are the provider's nested blocks with at most one
// instance; Terraform gives them as one-element lists, the register JSON
// as objects.
var tfSingleBlocks = map[string]bool{
	"runtime_platform": true, "proxy_configuration": true, "ephemeral_storage": true,
	"efs_volume_configuration": true, "authorization_config": true,
	"fsx_windows_file_server_volume_configuration": true, "docker_volume_configuration": true,
}

// tfRenames are the attributes whose register name is not the camelCase
// of the Terraform one.
var tfRenames = map[string]string{
	"volume":                "volumes",
	"arn":                   "taskDefinitionArn",
	"placement_constraints": "placementConstraints",
	"inference_accelerator": "inferenceAccelerators",
}

// tfMaps hold user keys (tags, driver options), which are not renamed.
var tfMaps = map[string]bool{
	"tags": true, "tags_all": true, "properties": true, "driver_opts": true, "labels": true,
}

// registerShape converts a resource's attributes into a register
// task-definition object, parsing container_definitions.
func registerShape(m *terraform.Module, res *terraform.Resource, ds *source.Diagnostics) *jsontree.Node {
	attrs := res.Attributes
	if attrs == nil || attrs.Kind != jsontree.Object {
		attrs = &jsontree.Node{Kind: jsontree.Object, Range: res.Range}
	}
	out := camelNode(attrs, true)
	cd := res.Get("container_definitions")
	if cd == nil {
		return out // the reader reports the missing containerDefinitions
	}
	var parsed *jsontree.Node
	switch {
	case cd.Unknown:
		// The reader warns that the list is unknown offline.
		parsed = cd
	default:
		t, err := m.ParseJSON(cd)
		if err != nil {
			var d *source.Diagnostic
			if errors.As(err, &d) {
				ds.Errorf(d.Range, "%s: container_definitions: %s", res.Address, d.Summary)
			} else {
				ds.Errorf(cd.Range, "%s: container_definitions: %v", res.Address, err)
			}
			parsed = &jsontree.Node{Kind: jsontree.Array, Range: cd.Range}
		} else {
			parsed = t
		}
	}
	for i := range out.Members {
		if out.Members[i].Key == "containerDefinitions" {
			out.Members[i].Value = parsed
		}
	}
	return out
}

// camelNode copies n renaming object keys from snake_case to camelCase,
// unwrapping single blocks; values are shared, ranges kept.
func camelNode(n *jsontree.Node, top bool) *jsontree.Node {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case jsontree.Array:
		c := *n
		c.Items = make([]*jsontree.Node, len(n.Items))
		for i, it := range n.Items {
			c.Items[i] = camelNode(it, false)
		}
		return &c
	case jsontree.Object:
		c := *n
		c.Members = make([]*jsontree.Member, 0, len(n.Members))
		for _, mem := range n.Members {
			v := mem.Value
			key := camel(mem.Key)
			if r, ok := tfRenames[mem.Key]; ok && (top || mem.Key != "arn") {
				key = r
			}
			switch {
			case tfMaps[mem.Key]:
			case tfSingleBlocks[mem.Key] && v.Kind == jsontree.Array && !v.Unknown:
				if len(v.Items) == 0 {
					continue
				}
				v = camelNode(v.Items[0], false)
			default:
				v = camelNode(v, false)
			}
			c.Members = append(c.Members, &jsontree.Member{Key: key, KeyRange: mem.KeyRange, Value: v})
		}
		return &c
	}
	return n
}

// camel turns execution_role_arn into executionRoleArn.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
