package taskdef

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/execrole/execrole/internal/cfn"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// Options carries what the input may not say.
type Options struct {
	// Params are CloudFormation parameter values (--param K=V).
	Params map[string]string
	// Vars and VarFiles are Terraform variable values (-var K=V) and
	// .tfvars files, applied after the module's own *.auto.tfvars.
	Vars     map[string]string
	VarFiles []string
	// Region, Account and Partition are used when no ARN in the task
	// definition names them.
	Region, Account, Partition string
}

// Load reads every task definition in a file (or, for Terraform, a
// directory). The format follows from the extension and content. Errors
// name file:line:column; what cannot be resolved stays a placeholder.
func Load(path string, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fromTerraform(path, opts)
	}
	if strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".tf.json") || strings.HasSuffix(path, ".tfvars") {
		return fromTerraform(path, opts)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		var ds source.Diagnostics
		ds.Errorf(source.Range{File: path}, "cannot read: %v", err)
		return nil, ds
	}
	return LoadBytes(path, src, opts)
}

// LoadBytes is Load for content already in memory.
func LoadBytes(file string, src []byte, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	var ds source.Diagnostics
	ext := strings.ToLower(filepath.Ext(file))
	trim := bytes.TrimLeft(src, " \t\r\n\ufeff")
	if len(trim) == 0 {
		ds.Errorf(source.Range{File: file}, "empty file: expected a task definition")
		return nil, ds
	}
	isJSON := trim[0] == '{' || trim[0] == '['
	var root *jsontree.Node
	if isJSON && ext != ".yaml" && ext != ".yml" {
		n, err := jsontree.Parse(file, src)
		if err != nil {
			msg := "not valid JSON: %v"
			if bytes.Contains(src, []byte("${")) || strings.HasSuffix(file, ".tpl") {
				msg = "not valid JSON: %v (this looks like a template with ${...} placeholders; render it, for instance with terraform console or envsubst, or load the Terraform that uses it)"
			}
			ds.Errorf(source.Range{File: file}, msg, err)
			return nil, ds
		}
		root = n
	} else {
		n, yds := cfn.Decode(file, src)
		ds = append(ds, yds...)
		if n == nil {
			return nil, ds
		}
		root = n
	}
	if cfn.LooksLikeTemplate(root) {
		tds, more := fromCFN(root, opts)
		return tds, append(ds, more...)
	}
	if root.Kind == jsontree.Object && root.Get("format_version") != nil && (root.Get("values") != nil || root.Get("planned_values") != nil) {
		return fromTerraform(file, opts)
	}
	tds, more := fromJSON(root, file, opts)
	return tds, append(ds, more...)
}

// fromCFN reads every AWS::ECS::TaskDefinition of a template
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html).
func fromCFN(root *jsontree.Node, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	t, ds := cfn.FromNode(root, cfn.Options{Params: opts.Params, Region: opts.Region, Account: opts.Account, Partition: opts.Partition})
	if t == nil {
		return nil, ds
	}
	var out []*TaskDefinition
	for _, res := range t.ResourcesOfType("AWS::ECS::TaskDefinition") {
		if !res.Created {
			ds.Warnf(res.Range, "%s is not created: its condition %s is false", res.LogicalID, res.Condition)
			continue
		}
		props := res.Properties
		if props == nil {
			props = &jsontree.Node{Kind: jsontree.Object, Range: res.Range}
		}
		r := &reader{pascal: true, diags: &ds}
		td := r.taskDefinition(props)
		td.Source = Source{File: t.File, Format: FormatCloudFormation, ID: res.LogicalID}
		place(td, opts)
		out = append(out, td)
	}
	if len(out) == 0 {
		ds.Warnf(root.Range, "template has no AWS::ECS::TaskDefinition resource")
	}
	return out, ds
}
