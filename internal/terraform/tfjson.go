package terraform

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// This file reads Terraform's JSON configuration syntax (.tf.json,
// https://developer.hashicorp.com/terraform/language/syntax/json) with
// hcl/v2/json and converts it into the native syntax tree the evaluator
// walks, so that both syntaxes get the same evaluation. The conversion
// follows the JSON syntax's rules: a string is a string template ("${...}"
// interpolates) except where a block type says otherwise (a variable's
// type is an expression, its default a literal), "//" keys are comments,
// and a block is a JSON object, or an array of objects for several.

// jsonTopBlocks are the top-level block types and their labels.
var jsonTopBlocks = []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
}

// jsonNestedBlocks are the nested block types of the resources execrole
// reads. Which keys of a resource body are blocks comes from the
// provider's schema, which is not at hand offline; these names are blocks
// in the AWS provider's aws_ecs_task_definition, aws_iam_role and
// aws_iam_policy_document, and Terraform's own lifecycle, provisioner and
// connection, so they are read as blocks wherever they appear. Any other
// key is an argument, which for an object or a list of objects renders the
// same as a block.
var jsonNestedBlocks = []string{
	"volume", "efs_volume_configuration", "authorization_config", "docker_volume_configuration",
	"fsx_windows_file_server_volume_configuration", "placement_constraints", "proxy_configuration",
	"inference_accelerator", "runtime_platform", "ephemeral_storage",
	"inline_policy", "statement", "principals", "not_principals", "condition",
	"lifecycle", "provisioner", "connection",
}

// parseJSONConfig parses a .tf.json file into a native syntax body of
// top-level blocks. Blocks other than those the evaluator reads (terraform,
// provider, moved, ...) are left out.
func parseJSONConfig(src []byte, filename string) (*hclsyntax.Body, hcl.Diagnostics) {
	f, diags := hcljson.Parse(src, filename)
	if diags.HasErrors() || f == nil {
		return nil, diags
	}
	content, _, more := f.Body.PartialContent(&hcl.BodySchema{Blocks: jsonTopBlocks})
	diags = append(diags, more...)
	out := &hclsyntax.Body{SrcRange: hcl.Range{Filename: filename, Start: hcl.InitialPos, End: endPos(src)},
		Attributes: hclsyntax.Attributes{}}
	for _, blk := range content.Blocks {
		var body *hclsyntax.Body
		var d hcl.Diagnostics
		switch blk.Type {
		case "locals":
			body, d = jsonAttrs(blk.Body, blk.DefRange, nil)
		case "variable":
			body, d = jsonAttrs(blk.Body, blk.DefRange, map[string]jsonMode{"type": modeTypeExpr, "default": modeLiteral,
				"description": modeLiteral, "validation": modeSkip})
		default:
			body, d = jsonBody(blk.Body, blk.DefRange, false)
		}
		diags = append(diags, d...)
		if body == nil {
			continue
		}
		// A block is where its name is: the last label's key.
		at := blk.DefRange
		if n := len(blk.LabelRanges); n > 0 {
			at = blk.LabelRanges[n-1]
		}
		out.Blocks = append(out.Blocks, &hclsyntax.Block{Type: blk.Type, Labels: blk.Labels, Body: body,
			TypeRange: at, OpenBraceRange: blk.DefRange, CloseBraceRange: blk.DefRange})
	}
	// Source order, as the native parser gives them.
	sort.SliceStable(out.Blocks, func(i, j int) bool {
		return out.Blocks[i].TypeRange.Start.Byte < out.Blocks[j].TypeRange.Start.Byte
	})
	return out, diags
}

func endPos(src []byte) hcl.Pos {
	p := hcl.Pos{Line: 1, Column: 1, Byte: len(src)}
	p.Line += strings.Count(string(src), "\n")
	if i := strings.LastIndexByte(string(src), '\n'); i >= 0 {
		p.Column = len(src) - i
	} else {
		p.Column = len(src) + 1
	}
	return p
}

type jsonMode int

const (
	modeTemplate jsonMode = iota // strings are templates (arguments)
	modeLiteral                  // no interpolation (a variable's default)
	modeTypeExpr                 // the string is an expression (a variable's type)
	modeSkip                     // not read
)

// jsonBody converts a block body: the nested block types above and
// dynamic blocks as blocks, the rest as arguments. A listed name whose value
// is not an object or a list of objects is an argument after all (an
// aws_s3_object's content, say), so that no schema guess turns valid JSON
// into an error. content is a block only in a dynamic block.
// https://developer.hashicorp.com/terraform/language/syntax/json#nested-block-mapping
func jsonBody(b hcl.Body, r hcl.Range, inDynamic bool) (*hclsyntax.Body, hcl.Diagnostics) {
	attrs, diags := b.JustAttributes()
	if diags.HasErrors() {
		return nil, diags
	}
	schema := &hcl.BodySchema{}
	for _, n := range jsonNestedBlocks {
		if a, ok := attrs[n]; ok && objects(a.Expr) {
			schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: n})
		}
	}
	if a, ok := attrs["content"]; ok && inDynamic && objects(a.Expr) {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: "content"})
	}
	if a, ok := attrs["dynamic"]; ok && !inDynamic && objects(a.Expr) {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
	}
	content, rest, diags := b.PartialContent(schema)
	out, more := jsonAttrs(rest, r, nil)
	diags = append(diags, more...)
	if out == nil {
		return nil, diags
	}
	for _, blk := range content.Blocks {
		body, d := jsonBody(blk.Body, blk.DefRange, blk.Type == "dynamic")
		diags = append(diags, d...)
		if body == nil {
			continue
		}
		out.Blocks = append(out.Blocks, &hclsyntax.Block{Type: blk.Type, Labels: blk.Labels, Body: body,
			TypeRange: blk.TypeRange, LabelRanges: blk.LabelRanges, OpenBraceRange: blk.DefRange, CloseBraceRange: blk.DefRange})
	}
	sort.SliceStable(out.Blocks, func(i, j int) bool {
		return out.Blocks[i].TypeRange.Start.Byte < out.Blocks[j].TypeRange.Start.Byte
	})
	return out, diags
}

// objects reports whether a JSON value is an object or a non-empty list of
// objects, the shapes a block can have.
func objects(x hcl.Expression) bool {
	v, diags := x.Value(nil)
	if diags.HasErrors() || v.IsNull() {
		return false
	}
	ty := v.Type()
	if ty.IsObjectType() {
		return true
	}
	if !ty.IsTupleType() || len(ty.TupleElementTypes()) == 0 {
		return false
	}
	for _, et := range ty.TupleElementTypes() {
		if !et.IsObjectType() {
			return false
		}
	}
	return true
}

// jsonAttrs converts every property of a body into an argument; modes
// say how a property's value is read (default: a template).
func jsonAttrs(b hcl.Body, r hcl.Range, modes map[string]jsonMode) (*hclsyntax.Body, hcl.Diagnostics) {
	attrs, diags := b.JustAttributes()
	if diags.HasErrors() {
		return nil, diags
	}
	out := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: r, EndRange: r}
	for name, a := range attrs {
		mode := modes[name]
		if mode == modeSkip {
			continue
		}
		x, d := jsonExpr(a.Expr, mode)
		diags = append(diags, d...)
		if x == nil {
			continue
		}
		out.Attributes[name] = &hclsyntax.Attribute{Name: name, Expr: x, SrcRange: a.Range, NameRange: a.NameRange, EqualsRange: a.NameRange}
	}
	return out, diags
}

// jsonExpr converts a JSON value into the native expression it stands for.
func jsonExpr(x hcl.Expression, mode jsonMode) (hclsyntax.Expression, hcl.Diagnostics) {
	r := x.Range()
	v, diags := x.Value(nil) // nil context: strings verbatim
	if diags.HasErrors() {
		return nil, diags
	}
	ty := v.Type()
	switch {
	case mode == modeLiteral:
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: r}, nil
	case ty == cty.String && !v.IsNull():
		// The string's text starts after its opening quote; positions
		// after an escape sequence are off by the escape's length, as in
		// Terraform's own JSON reader.
		start := hcl.Pos{Line: r.Start.Line, Column: r.Start.Column + 1, Byte: r.Start.Byte + 1}
		if mode == modeTypeExpr {
			return hclsyntax.ParseExpression([]byte(v.AsString()), r.Filename, start)
		}
		return hclsyntax.ParseTemplate([]byte(v.AsString()), r.Filename, start)
	case ty.IsTupleType():
		out := &hclsyntax.TupleConsExpr{SrcRange: r, OpenRange: r}
		items, d := hcl.ExprList(x)
		diags = append(diags, d...)
		for _, it := range items {
			e, d := jsonExpr(it, mode)
			diags = append(diags, d...)
			if e == nil {
				return nil, diags
			}
			out.Exprs = append(out.Exprs, e)
		}
		return out, diags
	case ty.IsObjectType():
		out := &hclsyntax.ObjectConsExpr{SrcRange: r, OpenRange: r}
		pairs, d := hcl.ExprMap(x)
		diags = append(diags, d...)
		for _, p := range pairs {
			k, d := jsonExpr(p.Key, mode)
			diags = append(diags, d...)
			val, d2 := jsonExpr(p.Value, mode)
			diags = append(diags, d2...)
			if k == nil || val == nil {
				return nil, diags
			}
			out.Items = append(out.Items, hclsyntax.ObjectConsItem{KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: k}, ValueExpr: val})
		}
		return out, diags
	}
	return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: r}, nil
}
