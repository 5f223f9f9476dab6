package terraform

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/execrole/execrole/internal/arn"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// evaluator holds one module's declarations and the evaluation context built
// from them.
type evaluator struct {
	m    *Module
	opts Options
	ds   *source.Diagnostics
	ctx  *hcl.EvalContext

	variables []*hclsyntax.Block
	locals    []*hclsyntax.Attribute
	resources []*hclsyntax.Block
	data      []*hclsyntax.Block
	modules   []*hclsyntax.Block
	outputs   []*hclsyntax.Block

	// Child modules (modules.go). prefix is the module path of this
	// module's addresses ("" at the root, "module.x." in a child); top
	// collects what must be said once whatever the evaluation round.
	prefix   string
	depth    int
	stack    []string // absolute directories of the calling modules
	top      *source.Diagnostics
	modVals  map[string]cty.Value
	children map[string]*childResult
	current  []*childResult

	refs      *refScan
	overrides map[string]cty.Value
	localVals map[string]cty.Value
	dataVals  map[string]map[string]cty.Value
}

func newEvaluator(m *Module, opts Options, ds *source.Diagnostics) *evaluator {
	e := &evaluator{m: m, opts: opts, ds: ds, top: ds, overrides: map[string]cty.Value{}, localVals: map[string]cty.Value{},
		modVals: map[string]cty.Value{}, children: map[string]*childResult{}}
	e.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: e.functions()}
	return e
}

func (e *evaluator) collect(bodies []*hclsyntax.Body) {
	e.refs = e.scanRefs(bodies)
	for _, b := range bodies {
		for _, blk := range b.Blocks {
			switch {
			case blk.Type == "variable" && len(blk.Labels) == 1:
				e.variables = append(e.variables, blk)
			case blk.Type == "locals":
				attrs := make([]*hclsyntax.Attribute, 0, len(blk.Body.Attributes))
				for _, a := range blk.Body.Attributes {
					attrs = append(attrs, a)
				}
				sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
				e.locals = append(e.locals, attrs...)
			case blk.Type == "resource" && len(blk.Labels) == 2:
				e.resources = append(e.resources, blk)
			case blk.Type == "data" && len(blk.Labels) == 2:
				e.data = append(e.data, blk)
			case blk.Type == "module" && len(blk.Labels) == 1:
				e.modules = append(e.modules, blk)
			case blk.Type == "output" && len(blk.Labels) == 1:
				e.outputs = append(e.outputs, blk)
			}
		}
	}
}

// loadVariables reads tfvars files then -var values, later ones winning, as
// Terraform does.
func (e *evaluator) loadVariables(files []string) {
	for _, f := range files {
		src, err := readFile(f)
		if err != nil {
			e.ds.Errorf(source.Range{File: f}, "cannot read variables file: %v", err)
			continue
		}
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		addHCL(e.ds, diags, source.Error)
		if diags.HasErrors() {
			continue
		}
		attrs, diags := file.Body.JustAttributes()
		addHCL(e.ds, diags, source.Error)
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			addHCL(e.ds, diags, source.Error)
			if !diags.HasErrors() {
				e.overrides[name] = v
			}
		}
	}
	for name, s := range e.opts.Vars {
		e.overrides[name] = cty.StringVal(s)
		if blk := e.variable(name); blk != nil {
			if ty, _ := e.varType(blk); ty != cty.String && ty != cty.DynamicPseudoType {
				expr, diags := hclsyntax.ParseExpression([]byte(s), "-var "+name, hcl.InitialPos)
				if !diags.HasErrors() {
					if v, diags := expr.Value(nil); !diags.HasErrors() {
						e.overrides[name] = v
					}
				}
			}
		}
	}
}

func (e *evaluator) variable(name string) *hclsyntax.Block {
	for _, b := range e.variables {
		if b.Labels[0] == name {
			return b
		}
	}
	return nil
}

func (e *evaluator) varType(blk *hclsyntax.Block) (cty.Type, *typeexpr.Defaults) {
	a, ok := blk.Body.Attributes["type"]
	if !ok {
		return cty.DynamicPseudoType, nil
	}
	ty, defs, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
	if diags.HasErrors() {
		return cty.DynamicPseudoType, nil
	}
	return ty, defs
}

// run evaluates variables, then locals and policy documents to a fixed
// point, then every resource and data instance.
func (e *evaluator) run() {
	vars := map[string]cty.Value{}
	for _, blk := range e.variables {
		name := blk.Labels[0]
		ty, defs := e.varType(blk)
		v, ok := e.overrides[name]
		if !ok {
			if a, has := blk.Body.Attributes["default"]; has {
				var diags hcl.Diagnostics
				v, diags = a.Expr.Value(nil)
				addHCL(e.ds, diags, source.Warning)
			} else {
				v = cty.UnknownVal(ty).Mark(ref(e.prefix + "var." + name))
			}
		}
		if defs != nil && v.IsKnown() && !v.IsNull() {
			v = defs.Apply(v)
		}
		if ty != cty.DynamicPseudoType && v.IsKnown() {
			if cv, err := convert.Convert(v, ty); err == nil {
				v = cv
			} else {
				e.ds.Warnf(hclRange(blk.DefRange()), "variable %q: value does not match its type: %v", name, err)
			}
		}
		vars[name] = v
	}
	for _, k := range e.undeclared("var", func(n string) bool { _, ok := vars[n]; return ok }) {
		vars[k] = unknownRef(e.prefix + "var." + k)
	}
	e.ctx.Variables["var"] = cty.ObjectVal(vars)
	declaredLocal := map[string]bool{}
	for _, a := range e.locals {
		declaredLocal[a.Name] = true
		e.localVals[a.Name] = unknownRef(e.prefix + "local." + a.Name)
	}
	for _, k := range e.undeclared("local", func(n string) bool { return declaredLocal[n] }) {
		e.localVals[k] = unknownRef(e.prefix + "local." + k)
	}
	e.ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(e.m.Dir), "root": cty.StringVal(e.m.rootDir()), "cwd": cty.StringVal("."),
	})
	e.ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	for _, b := range e.modules {
		_, c := b.Body.Attributes["count"]
		_, f := b.Body.Attributes["for_each"]
		e.modVals[b.Labels[0]] = e.refs.instanceValue("module."+b.Labels[0], c || f)
	}
	for n := range e.refs.mods {
		if _, ok := e.modVals[n]; !ok {
			e.modVals[n] = e.refs.instanceValue("module."+n, false)
		}
	}
	e.ctx.Variables["module"] = cty.ObjectVal(e.modVals)
	expanded := map[string]bool{}
	byType := map[string]map[string]cty.Value{}
	for _, r := range e.resources {
		addr := r.Labels[0] + "." + r.Labels[1]
		_, c := r.Body.Attributes["count"]
		_, f := r.Body.Attributes["for_each"]
		expanded[addr] = c || f
		if byType[r.Labels[0]] == nil {
			byType[r.Labels[0]] = map[string]cty.Value{}
		}
		byType[r.Labels[0]][r.Labels[1]] = e.refs.instanceValue(addr, c || f)
	}
	for t, names := range e.refs.types {
		if byType[t] == nil {
			byType[t] = map[string]cty.Value{}
		}
		for n := range names {
			if _, ok := byType[t][n]; !ok {
				byType[t][n] = e.refs.instanceValue(t+"."+n, false)
			}
		}
	}
	for t, names := range byType {
		e.ctx.Variables[t] = cty.ObjectVal(names)
	}
	e.dataVals = map[string]map[string]cty.Value{}
	for t, names := range e.refs.data {
		e.dataVals[t] = map[string]cty.Value{}
		for n := range names {
			e.dataVals[t][n] = e.refs.instanceValue("data."+t+"."+n, false)
			switch t {
			case "aws_caller_identity", "aws_region", "aws_partition":
				// Declared in a file not read, but their answer is the
				// same everywhere: what the command line says.
				e.dataVals[t][n] = e.dataValue(&hclsyntax.Block{Type: "data", Labels: []string{t, n}, Body: &hclsyntax.Body{}}, false)
			}
		}
	}
	for _, d := range e.data {
		if e.dataVals[d.Labels[0]] == nil {
			e.dataVals[d.Labels[0]] = map[string]cty.Value{}
		}
		e.dataVals[d.Labels[0]][d.Labels[1]] = e.dataValue(d, false)
	}
	e.setLocalsAndData()
	e.fixedPoint()
	// Child modules see the caller's values, and the caller sees their
	// outputs: alternate until neither changes (inputs unchanged are not
	// evaluated again).
	for round := 0; round < 4 && len(e.modules) > 0; round++ {
		if !e.evalModules(round == 0) {
			break
		}
		e.fixedPoint()
	}
	e.finish()
}

// fixedPoint evaluates locals and data sources again until nothing changes:
// each pass may resolve locals and documents that depend on ones resolved in
// the pass before.
func (e *evaluator) fixedPoint() {
	for pass := 0; pass <= len(e.locals)+len(e.data)+1; pass++ {
		changed := false
		for _, a := range e.locals {
			v, _ := a.Expr.Value(e.ctx)
			if old, ok := e.localVals[a.Name]; !ok || !old.RawEquals(v) {
				e.localVals[a.Name] = v
				changed = true
			}
		}
		for _, d := range e.data {
			v := e.dataValue(d, false)
			if old := e.dataVals[d.Labels[0]][d.Labels[1]]; !old.RawEquals(v) {
				e.dataVals[d.Labels[0]][d.Labels[1]] = v
				changed = true
			}
		}
		e.setLocalsAndData()
		if !changed {
			break
		}
	}
}

// finish reports what stays unevaluable and expands every resource and data
// instance, then adds the child modules' results.
func (e *evaluator) finish() {
	for _, a := range e.locals {
		if _, diags := a.Expr.Value(e.ctx); diags.HasErrors() {
			e.warnEval(diags, "local."+a.Name)
		}
	}
	for _, d := range e.data {
		e.dataValue(d, true)
	}
	for _, r := range e.resources {
		e.m.Resources = append(e.m.Resources, e.instances(r, e.prefix+r.Labels[0]+"."+r.Labels[1])...)
	}
	for _, d := range e.data {
		e.m.DataSources = append(e.m.DataSources, e.instances(d, e.prefix+"data."+d.Labels[0]+"."+d.Labels[1])...)
	}
	for _, c := range e.current {
		e.m.Resources = append(e.m.Resources, c.sub.Resources...)
		e.m.DataSources = append(e.m.DataSources, c.sub.DataSources...)
		*e.ds = append(*e.ds, c.ds...)
	}
}

// undeclared lists names referenced under root ("var", "local") that no
// file read declares, warning once for each at its first use.
func (e *evaluator) undeclared(root string, declared func(string) bool) []string {
	var out []string
	for key, r := range e.refs.first {
		name, ok := strings.CutPrefix(key, root+".")
		if !ok || declared(name) {
			continue
		}
		out = append(out, name)
		e.ds.Warnf(hclRange(r), "%s is not declared in the files read; treating it as unknown", key)
	}
	sort.Strings(out)
	return out
}

func (e *evaluator) warnEval(diags hcl.Diagnostics, what string) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := source.Range{}
		if d.Subject != nil {
			r = hclRange(*d.Subject)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		e.ds.Warnf(r, "cannot evaluate %s offline, treating it as unknown: %s", what, msg)
	}
}

func (e *evaluator) setLocalsAndData() {
	e.ctx.Variables["local"] = cty.ObjectVal(e.localVals)
	types := map[string]cty.Value{}
	for t, names := range e.dataVals {
		types[t] = cty.ObjectVal(names)
	}
	e.ctx.Variables["data"] = cty.ObjectVal(types)
}

// dataValue is what references to a data source see. Only data sources whose
// answer is known offline resolve; the rest stay unknown.
func (e *evaluator) dataValue(d *hclsyntax.Block, report bool) cty.Value {
	prefix := e.prefix + "data." + d.Labels[0] + "." + d.Labels[1] + "."
	str := func(s, attr string) cty.Value {
		if s == "" {
			return cty.UnknownVal(cty.String).Mark(ref(prefix + attr))
		}
		return cty.StringVal(s)
	}
	ca, c := d.Body.Attributes["count"]
	_, f := d.Body.Attributes["for_each"]
	if c && !f && d.Labels[0] == "aws_iam_policy_document" {
		// count on a policy document is usually an on/off switch
		// (count = local.create ? 1 : 0); each instance is evaluated with
		// its count.index, and an unknown count reads as one instance, as
		// instances does for resources.
		n := 1
		if v, diags := ca.Expr.Value(e.ctx); !diags.HasErrors() {
			v, _ = v.Unmark()
			if v.IsKnown() && !v.IsNull() && v.Type() == cty.Number {
				if i, acc := v.AsBigFloat().Int64(); acc == 0 && i >= 0 && i < 1000 {
					n = int(i)
				}
			}
		}
		if n == 0 {
			return cty.EmptyTupleVal
		}
		vals := make([]cty.Value, n)
		for i := range vals {
			ctx := e.child(map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})})
			doc := e.policyDocument(d.Body, ctx, report)
			if !doc.IsKnown() {
				doc = doc.Mark(ref(prefix + "json"))
			}
			vals[i] = cty.ObjectVal(map[string]cty.Value{"json": doc, "minified_json": doc, "id": str("", "id")})
		}
		return cty.TupleVal(vals)
	}
	if c || f {
		return unknownRef(e.prefix + "data." + d.Labels[0] + "." + d.Labels[1])
	}
	switch d.Labels[0] {
	case "aws_caller_identity":
		// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/caller_identity
		return cty.ObjectVal(map[string]cty.Value{
			"account_id": str(e.opts.Account, "account_id"), "id": str(e.opts.Account, "id"),
			"arn": str("", "arn"), "user_id": str("", "user_id"),
		})
	case "aws_region":
		// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/region
		return cty.ObjectVal(map[string]cty.Value{
			"name": str(e.opts.Region, "name"), "region": str(e.opts.Region, "region"), "id": str(e.opts.Region, "id"),
			"description": str("", "description"), "endpoint": str("", "endpoint"),
		})
	case "aws_partition":
		p := ""
		if e.opts.Region != "" {
			p = arn.PartitionOf(e.opts.Region)
		}
		return cty.ObjectVal(map[string]cty.Value{"partition": str(p, "partition"), "id": str(p, "id"), "dns_suffix": str("", "dns_suffix")})
	case "template_file":
		// https://registry.terraform.io/providers/hashicorp/template/latest/docs/data-sources/file
		rendered := unknownRef(prefix + "rendered")
		if a, ok := d.Body.Attributes["template"]; ok {
			t, diags := a.Expr.Value(e.ctx)
			vars := cty.EmptyObjectVal
			if va, ok := d.Body.Attributes["vars"]; ok {
				var vd hcl.Diagnostics
				vars, vd = va.Expr.Value(e.ctx)
				diags = append(diags, vd...)
			}
			t, _ = t.Unmark()
			if report && diags.HasErrors() {
				e.warnEval(diags, prefix+"template")
			}
			if !diags.HasErrors() && t.IsKnown() && !t.IsNull() && t.Type() == cty.String {
				v, err := e.renderTemplate([]byte(t.AsString()), hclRange(a.Expr.Range()).File, vars, e.ctx.Functions)
				if err == nil {
					if v.IsKnown() {
						rendered = v
					}
				} else if report {
					e.ds.Warnf(hclRange(a.Expr.Range()), "cannot render template: %v", err)
				}
			}
		}
		return cty.ObjectVal(map[string]cty.Value{"rendered": rendered, "id": str("", "id")})
	case "aws_iam_policy_document":
		doc := e.policyDocument(d.Body, e.ctx, report)
		if !doc.IsKnown() {
			doc = doc.Mark(ref(prefix + "json"))
		}
		return cty.ObjectVal(map[string]cty.Value{"json": doc, "minified_json": doc, "id": str("", "id")})
	}
	return e.refs.instanceValue("data."+d.Labels[0]+"."+d.Labels[1], false)
}

// instances expands count and for_each. count = 0 or an empty for_each means
// the resource does not exist; an unresolvable one is read as one instance.
func (e *evaluator) instances(blk *hclsyntax.Block, addr string) []*Resource {
	var out []*Resource
	e.expand(blk.Body, addr, func(ctx *hcl.EvalContext, a string, _ cty.Value) {
		r := &Resource{Type: blk.Labels[0], Name: blk.Labels[1], Address: a, Range: hclRange(blk.DefRange())}
		r.Attributes = e.bodyNode(blk.Body, ctx, hclRange(blk.Body.SrcRange))
		if blk.Type == "data" && blk.Labels[0] == "aws_iam_policy_document" {
			doc := e.policyDocument(blk.Body, ctx, false)
			r.Attributes.Members = append(r.Attributes.Members, &jsontree.Member{Key: "json", KeyRange: r.Range, Value: e.toNode(doc, nil, r.Range)})
		}
		out = append(out, r)
	})
	return out
}

// expand calls fn once per instance of a block with count or for_each
// (https://developer.hashicorp.com/terraform/language/meta-arguments/count,
// .../for_each), with count.index or each bound and the instance's address;
// key is the instance key (a number, a string), or cty.NilVal when the block
// has neither argument or its value is unknown offline, in which case it is
// read as one instance at the unindexed address, with a warning.
func (e *evaluator) expand(body *hclsyntax.Body, addr string, fn func(ctx *hcl.EvalContext, addr string, key cty.Value)) {
	if a, ok := body.Attributes["count"]; ok {
		v, diags := a.Expr.Value(e.ctx)
		v, _ = v.Unmark()
		n := -1
		if !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.Number {
			if i, acc := v.AsBigFloat().Int64(); acc == 0 && i >= 0 && i < 1000 {
				n = int(i)
			}
		}
		if n < 0 {
			e.ds.Warnf(hclRange(a.Expr.Range()), "%s: count is not known offline; reading it as one instance", addr)
			fn(e.child(map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})}), addr, cty.NilVal)
			return
		}
		for i := 0; i < n; i++ {
			ctx := e.child(map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})})
			fn(ctx, addr+"["+strconv.Itoa(i)+"]", cty.NumberIntVal(int64(i)))
		}
		return
	}
	if a, ok := body.Attributes["for_each"]; ok {
		v, diags := a.Expr.Value(e.ctx)
		v, _ = v.UnmarkDeep()
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType()) {
			e.ds.Warnf(hclRange(a.Expr.Range()), "%s: for_each is not known offline; reading it as one instance", addr)
			ctx := e.child(map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})})
			fn(ctx, addr, cty.NilVal)
			return
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if v.Type().IsSetType() {
				k = ev
			}
			if k.Type() != cty.String {
				if ck, err := convert.Convert(k, cty.String); err == nil {
					k = ck
				} else {
					continue
				}
			}
			ctx := e.child(map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": ev})})
			fn(ctx, fmt.Sprintf("%s[%q]", addr, k.AsString()), k)
		}
		return
	}
	fn(e.ctx, addr, cty.NilVal)
}

func (e *evaluator) child(vars map[string]cty.Value) *hcl.EvalContext {
	c := e.ctx.NewChild()
	c.Variables = vars
	return c
}

// metaArgs are Terraform's own arguments, not the resource's.
var metaArgs = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true}

// bodyNode renders a block body: arguments in file order, then nested blocks
// as arrays of objects, dynamic blocks expanded.
func (e *evaluator) bodyNode(body *hclsyntax.Body, ctx *hcl.EvalContext, r source.Range) *jsontree.Node {
	n := &jsontree.Node{Kind: jsontree.Object, Range: r}
	attrs := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		if !metaArgs[a.Name] {
			attrs = append(attrs, a)
		}
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
	for _, a := range attrs {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			e.warnEval(diags, a.Name)
			v = cty.DynamicVal
		}
		n.Members = append(n.Members, &jsontree.Member{Key: a.Name, KeyRange: hclRange(a.NameRange), Value: e.toNode(v, a.Expr, hclRange(a.Expr.Range()))})
	}
	blocks := map[string]*jsontree.Node{}
	add := func(typ string, kr source.Range, obj *jsontree.Node) {
		arr := blocks[typ]
		if arr == nil {
			arr = &jsontree.Node{Kind: jsontree.Array, Range: obj.Range}
			blocks[typ] = arr
			n.Members = append(n.Members, &jsontree.Member{Key: typ, KeyRange: kr, Value: arr})
		}
		arr.Items = append(arr.Items, obj)
	}
	for _, b := range body.Blocks {
		switch {
		case b.Type == "lifecycle" || b.Type == "provisioner" || b.Type == "connection":
		case b.Type == "dynamic" && len(b.Labels) == 1:
			e.expandDynamic(b, ctx, func(c *hcl.EvalContext, content *hclsyntax.Block) {
				add(b.Labels[0], hclRange(b.TypeRange), e.bodyNode(content.Body, c, hclRange(content.Body.SrcRange)))
			})
		default:
			add(b.Type, hclRange(b.TypeRange), e.bodyNode(b.Body, ctx, hclRange(b.Body.SrcRange)))
		}
	}
	return n
}

// expandDynamic calls fn once per element of a dynamic block's for_each,
// with the iterator bound.
// https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks
func (e *evaluator) expandDynamic(b *hclsyntax.Block, ctx *hcl.EvalContext, fn func(*hcl.EvalContext, *hclsyntax.Block)) {
	var content *hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			content = c
		}
	}
	fe, ok := b.Body.Attributes["for_each"]
	if content == nil || !ok {
		e.ds.Warnf(hclRange(b.DefRange()), "dynamic %q needs for_each and a content block", b.Labels[0])
		return
	}
	iter := b.Labels[0]
	if a, ok := b.Body.Attributes["iterator"]; ok {
		if name := hcl.ExprAsKeyword(a.Expr); name != "" {
			iter = name
		}
	}
	v, diags := fe.Expr.Value(ctx)
	v, _ = v.UnmarkDeep()
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() {
		e.ds.Warnf(hclRange(fe.Expr.Range()), "dynamic %q: for_each is not known offline; reading it as one block", b.Labels[0])
		c := ctx.NewChild()
		c.Variables = map[string]cty.Value{iter: cty.ObjectVal(map[string]cty.Value{"key": cty.DynamicVal, "value": cty.DynamicVal})}
		fn(c, content)
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		c := ctx.NewChild()
		c.Variables = map[string]cty.Value{iter: cty.ObjectVal(map[string]cty.Value{"key": k, "value": ev})}
		fn(c, content)
	}
}
