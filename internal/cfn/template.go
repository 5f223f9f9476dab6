// Package cfn reads CloudFormation templates (YAML with short-form tags, or
// JSON) into position-carrying JSON trees with intrinsic functions resolved
// as far as the template and the user's flags allow. What cannot be known
// offline (!GetAtt, !ImportValue, Ref to a resource) becomes a visible
// placeholder node marked Unknown, never an error.
package cfn

import (
	"bytes"
	"errors"
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
	yaml "go.yaml.in/yaml/v4"
)

// Options supplies what a stack gets at deploy time.
type Options struct {
	// Params overrides parameter defaults, as --param K=V.
	Params map[string]string
	// Region, Account, Partition and StackName answer the pseudo
	// parameters; empty ones become placeholders such as ${AWS::Region}.
	Region, Account, Partition, StackName string
}

// Parameter is one entry of the template's Parameters section.
type Parameter struct {
	Name    string
	Type    string
	Default *jsontree.Node
	Range   source.Range
}

// Resource is one entry of the Resources section, with its Properties
// resolved.
type Resource struct {
	LogicalID  string
	Type       string
	Properties *jsontree.Node
	// Condition names the template condition that gates the resource;
	// Created is false when that condition is known to be false.
	Condition string
	Created   bool
	Range     source.Range
}

// Template is a parsed, resolved CloudFormation template.
type Template struct {
	File       string
	Parameters map[string]*Parameter
	// Conditions holds the conditions that could be evaluated.
	Conditions map[string]bool
	Resources  []*Resource
	byID       map[string]*Resource
	root       *jsontree.Node
}

// Resource returns the resource with the logical id, or nil; the check
// command uses it to follow a Ref:Role placeholder to the role.
func (t *Template) Resource(id string) *Resource {
	if t == nil {
		return nil
	}
	return t.byID[id]
}

// LooksLikeTemplate reports whether a parsed document is a CloudFormation
// template rather than a task definition.
func LooksLikeTemplate(n *jsontree.Node) bool {
	if n == nil || n.Kind != jsontree.Object {
		return false
	}
	return n.Get("AWSTemplateFormatVersion") != nil || n.Get("Resources") != nil
}

// Decode reads YAML or JSON into a tree without resolving anything; JSON
// goes through the strict parser, anything else through YAML.
func Decode(file string, src []byte) (*jsontree.Node, source.Diagnostics) {
	var ds source.Diagnostics
	if t := bytes.TrimLeft(src, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		n, err := jsontree.Parse(file, src)
		if err == nil {
			return n, nil
		}
		// YAML flow style also starts with {: fall through only if the
		// YAML reading works.
		y, yds := decodeYAML(file, src)
		if y != nil && !yds.HasErrors() {
			return y, yds
		}
		var d *source.Diagnostic
		if errors.As(err, &d) {
			return nil, append(ds, d)
		}
		ds.Errorf(source.Range{File: file}, "%v", err)
		return nil, ds
	}
	return decodeYAML(file, src)
}

func decodeYAML(file string, src []byte) (*jsontree.Node, source.Diagnostics) {
	var ds source.Diagnostics
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		ds.Errorf(source.Range{File: file}, "not valid YAML: %v", err)
		return nil, ds
	}
	c := &yamlConv{file: file, diags: &ds}
	n := c.conv(&doc, 0)
	return n, ds
}

// Parse reads a template and resolves its resources' properties.
func Parse(file string, src []byte, opts Options) (*Template, source.Diagnostics) {
	root, ds := Decode(file, src)
	if root == nil {
		return nil, ds
	}
	t, more := FromNode(root, opts)
	ds = append(ds, more...)
	if ds.HasErrors() && t == nil {
		return nil, ds
	}
	return t, ds
}

// FromNode resolves an already decoded template.
func FromNode(root *jsontree.Node, opts Options) (*Template, source.Diagnostics) {
	var ds source.Diagnostics
	if root == nil || root.Kind != jsontree.Object {
		r := source.Range{}
		if root != nil {
			r = root.Range
		}
		ds.Errorf(r, "expected a CloudFormation template object")
		return nil, ds
	}
	t := &Template{File: root.Range.File, Parameters: map[string]*Parameter{}, Conditions: map[string]bool{}, byID: map[string]*Resource{}, root: root}
	if ps := root.Get("Parameters"); ps != nil && ps.Kind == jsontree.Object {
		for _, m := range ps.Members {
			p := &Parameter{Name: m.Key, Range: m.KeyRange}
			if m.Value != nil && m.Value.Kind == jsontree.Object {
				if ty := m.Value.Get("Type"); ty != nil {
					p.Type = ty.Str
				}
				p.Default = m.Value.Get("Default")
			}
			t.Parameters[m.Key] = p
		}
	}
	for k := range opts.Params {
		if _, ok := t.Parameters[k]; !ok {
			ds.Warnf(source.Range{File: t.File}, "--param %s names no parameter of the template", k)
		}
	}
	r := &resolver{t: t, opts: opts, diags: &ds, resources: map[string]string{}, condState: map[string]int{}}
	res := root.Get("Resources")
	if res == nil || res.Kind != jsontree.Object {
		ds.Warnf(root.Range, "template has no Resources section")
	} else {
		for _, m := range res.Members {
			typ := ""
			if m.Value != nil {
				if ty := m.Value.Get("Type"); ty != nil {
					typ = ty.Str
				}
			}
			r.resources[m.Key] = typ
		}
		for _, m := range res.Members {
			if m.Value == nil || m.Value.Kind != jsontree.Object {
				ds.Errorf(m.KeyRange, "resource %s: expected an object with Type and Properties", m.Key)
				continue
			}
			rs := &Resource{LogicalID: m.Key, Type: r.resources[m.Key], Range: m.KeyRange, Created: true}
			if c := m.Value.Get("Condition"); c != nil && c.Kind == jsontree.String {
				rs.Condition = c.Str
				if v, known := r.condition(c.Str, c.Range); known && !v {
					rs.Created = false
				}
			}
			if p := m.Value.Get("Properties"); p != nil {
				rs.Properties = r.resolve(p, 0)
				if isIAM(rs.Type) {
					parsePolicyStrings(rs.Properties, &ds)
				}
			}
			t.Resources = append(t.Resources, rs)
			t.byID[m.Key] = rs
		}
	}
	for name := range r.condState {
		if v, ok := r.condValue[name]; ok {
			t.Conditions[name] = v
		}
	}
	return t, ds
}

func isIAM(typ string) bool { return strings.HasPrefix(typ, "AWS::IAM::") }

// parsePolicyStrings replaces policy documents given as JSON strings
// (POLICY-AS-STRING in the corpus; CloudFormation accepts both, see
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html)
// with their parsed tree. Positions then count within the string, anchored
// to its file.
func parsePolicyStrings(n *jsontree.Node, ds *source.Diagnostics) {
	if n == nil {
		return
	}
	for _, m := range n.Members {
		if (m.Key == "PolicyDocument" || m.Key == "AssumeRolePolicyDocument") && m.Value != nil && m.Value.Kind == jsontree.String && !m.Value.Unknown {
			p, err := jsontree.Parse(m.Value.Range.File, []byte(m.Value.Str))
			if err != nil {
				ds.Errorf(m.Value.Range, "%s is a string but not a JSON policy document: %v", m.Key, err)
				continue
			}
			shift(p, m.Value.Range.Start)
			m.Value = p
			continue
		}
		parsePolicyStrings(m.Value, ds)
	}
	for _, it := range n.Items {
		parsePolicyStrings(it, ds)
	}
}

// shift moves ranges parsed from an embedded string to the string's line,
// so that diagnostics point near the right place in the template.
func shift(n *jsontree.Node, at source.Pos) {
	mv := func(p source.Pos) source.Pos {
		if p.Line == 1 {
			p.Column += at.Column
		}
		p.Line += at.Line - 1
		return p
	}
	n.Range.Start, n.Range.End = mv(n.Range.Start), mv(n.Range.End)
	for _, m := range n.Members {
		m.KeyRange.Start, m.KeyRange.End = mv(m.KeyRange.Start), mv(m.KeyRange.End)
		shift(m.Value, at)
	}
	for _, it := range n.Items {
		shift(it, at)
	}
}

// ResourcesOfType lists the resources of one type in template order.
func (t *Template) ResourcesOfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}
