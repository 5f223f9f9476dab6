package terraform

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/execrole/execrole/internal/source"
)

// maxModuleDepth bounds how deep module calls are followed; a deeper tree is
// almost certainly a cycle through paths that differ only in spelling.
const maxModuleDepth = 10

// moduleMeta are the arguments of a module block that are Terraform's own,
// not input variables
// (https://developer.hashicorp.com/terraform/language/modules/syntax#meta-arguments).
var moduleMeta = map[string]bool{"source": true, "version": true, "count": true, "for_each": true,
	"providers": true, "depends_on": true}

// childResult is one evaluated instance of a child module.
type childResult struct {
	inputs  cty.Value // what the caller passed, to evaluate again only on change
	sub     *Module   // its resources, addressed module.x.TYPE.NAME
	outputs cty.Value // what module.x is in the caller
	ds      source.Diagnostics
}

// evalModules evaluates every child module the caller declares with its
// inputs as the caller's context now gives them, and reports whether any
// module.NAME value changed. first is the first round, when warnings that
// do not depend on values are given.
//
// Only local sources are read: a path beginning with ./ or ../, relative to
// the calling module's directory. Registry, Git and other remote sources
// would have to be downloaded, which execrole never does offline.
// https://developer.hashicorp.com/terraform/language/modules/sources#local-paths
func (e *evaluator) evalModules(first bool) bool {
	changed := false
	e.current = e.current[:0]
	for _, blk := range e.modules {
		name := blk.Labels[0]
		dir, ok := e.moduleDir(blk, first)
		if !ok {
			continue
		}
		v := e.moduleValue(blk, dir)
		if v.Type().IsObjectType() && !v.IsMarked() {
			// Outputs the caller uses but the module does not declare
			// stay unknown, named, rather than failing every expression
			// that uses them.
			attrs := v.AsValueMap()
			if attrs == nil {
				attrs = map[string]cty.Value{}
			}
			for a := range e.refs.attrs["module."+name] {
				if _, ok := attrs[a]; !ok {
					attrs[a] = unknownRef(e.prefix + "module." + name + "." + a)
				}
			}
			v = cty.ObjectVal(attrs)
		}
		if old, ok := e.modVals[name]; !ok || !old.RawEquals(v) {
			changed = true
		}
		e.modVals[name] = v
	}
	e.ctx.Variables["module"] = cty.ObjectVal(e.modVals)
	return changed
}

// moduleDir is the directory a module block's source names, or false after
// a warning (once per block) when it is not a local module that can be read.
func (e *evaluator) moduleDir(blk *hclsyntax.Block, first bool) (string, bool) {
	name := e.prefix + "module." + blk.Labels[0]
	say := func(r hcl.Range, format string, args ...any) {
		key := hclRange(r).String() // once per block, whatever the instance
		if first && !e.m.shared.warned[key] {
			e.m.shared.warned[key] = true
			e.top.Warnf(hclRange(r), "%s: "+format, append([]any{name}, args...)...)
		}
	}
	a, ok := blk.Body.Attributes["source"]
	if !ok {
		say(blk.DefRange(), "no source argument; module not read")
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		// Terraform requires a literal string here.
		say(a.Expr.Range(), "source must be a literal string; module not read")
		return "", false
	}
	src := v.AsString()
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		say(a.Expr.Range(), "source %q is not a local path (./ or ../) and is not downloaded; its resources are not read", src)
		return "", false
	}
	if e.depth+1 > maxModuleDepth {
		say(a.Expr.Range(), "modules nested deeper than %d; module not read", maxModuleDepth)
		return "", false
	}
	dir := filepath.Join(e.m.Dir, filepath.FromSlash(src))
	abs, err := filepath.Abs(dir)
	if err != nil {
		say(a.Expr.Range(), "cannot resolve source %q: %v", src, err)
		return "", false
	}
	for _, s := range e.stack {
		if s == abs {
			say(a.Expr.Range(), "source %q calls a module that is already being read (a cycle); not followed", src)
			return "", false
		}
	}
	var ds source.Diagnostics
	files, _, err := listModule(dir, &ds)
	if errors.Is(err, fs.ErrNotExist) {
		say(a.Expr.Range(), "source %q: no such directory; module not read", src)
		return "", false
	} else if err != nil {
		say(a.Expr.Range(), "cannot read source %q: %v", src, err)
		return "", false
	}
	if first {
		for _, d := range ds {
			key := d.Error()
			if !e.m.shared.warned[key] {
				e.m.shared.warned[key] = true
				*e.top = append(*e.top, d)
			}
		}
	}
	if len(files) == 0 {
		say(a.Expr.Range(), "no Terraform files in source %q", src)
		return "", false
	}
	return dir, true
}

// moduleValue evaluates each instance of a module call and returns what
// module.NAME is in the caller: an object of its outputs, or a tuple or
// object of them with count or for_each, as Terraform makes it
// (https://developer.hashicorp.com/terraform/language/expressions/references#child-module-outputs).
// An unknown count or for_each reads as one instance, like resources, and
// module.NAME then stays unknown.
func (e *evaluator) moduleValue(blk *hclsyntax.Block, dir string) cty.Value {
	addr := "module." + blk.Labels[0]
	var tuple []cty.Value
	object := map[string]cty.Value{}
	var single cty.Value
	expanded, unexpanded := false, false
	e.expand(blk.Body, e.prefix+addr, func(ctx *hcl.EvalContext, inst string, key cty.Value) {
		out := e.moduleInstance(blk, dir, ctx, inst+".")
		switch {
		case key.Type() == cty.NilType: // no count or for_each, or unknown
			single, unexpanded = out, true
		case key.Type() == cty.Number:
			expanded = true
			tuple = append(tuple, out)
		default:
			expanded = true
			object[key.AsString()] = out
		}
	})
	_, c := blk.Body.Attributes["count"]
	_, f := blk.Body.Attributes["for_each"]
	switch {
	case (c || f) && !expanded && unexpanded:
		return unknownRef(e.prefix + addr) // unknown count or for_each
	case c:
		if len(tuple) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(tuple)
	case f:
		return cty.ObjectVal(object)
	}
	return single
}

// moduleInstance evaluates one instance of a child module, whose addresses
// start with prefix, unless it was evaluated with the same inputs before.
func (e *evaluator) moduleInstance(blk *hclsyntax.Block, dir string, ctx *hcl.EvalContext, prefix string) cty.Value {
	var ds source.Diagnostics
	inputs := map[string]cty.Value{}
	var names []string
	for name := range blk.Body.Attributes {
		if !moduleMeta[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		a := blk.Body.Attributes[name]
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			saved := e.ds
			e.ds = &ds
			e.warnEval(diags, strings.TrimSuffix(prefix, ".")+" argument "+name)
			e.ds = saved
			v = cty.DynamicVal
		}
		inputs[name] = v
	}
	in := cty.ObjectVal(inputs)
	if c := e.children[prefix]; c != nil && c.inputs.RawEquals(in) {
		e.current = append(e.current, c)
		return c.outputs
	}
	c := e.loadChild(blk, dir, inputs, prefix)
	c.inputs = in
	c.ds = append(ds, c.ds...)
	e.children[prefix] = c
	e.current = append(e.current, c)
	return c.outputs
}

// loadChild reads and evaluates a child module's directory with its input
// variables set, as Terraform does: no tfvars files and no -var, which set
// only the root module's variables
// (https://developer.hashicorp.com/terraform/language/values/variables#assigning-values-to-root-module-variables).
func (e *evaluator) loadChild(blk *hclsyntax.Block, dir string, inputs map[string]cty.Value, prefix string) *childResult {
	c := &childResult{}
	sub := &Module{Dir: dir, Aliases: e.m.Aliases, shared: e.m.shared, files: e.m.files, origins: e.m.origins, placeholders: e.m.placeholders}
	c.sub = sub
	files, _, _ := listModule(dir, &source.Diagnostics{})
	bodies := sub.parse(files, e.top)
	ce := newEvaluator(sub, e.opts, &c.ds)
	ce.top = e.top
	ce.prefix = prefix
	ce.depth = e.depth + 1
	abs, _ := filepath.Abs(dir)
	ce.stack = append(append([]string{}, e.stack...), abs)
	ce.collect(bodies)
	for name, v := range inputs {
		if ce.variable(name) == nil {
			if a, ok := blk.Body.Attributes[name]; ok {
				c.ds.Warnf(hclRange(a.NameRange), "%s: the module declares no variable %q", strings.TrimSuffix(prefix, "."), name)
			}
			continue
		}
		ce.overrides[name] = v
	}
	ce.run()
	c.outputs = ce.outputValues(prefix)
	return c
}

// outputValues is the object of the module's output values, as the caller
// sees them. An output unknown offline becomes a placeholder named the way
// the caller refers to it (${module.x.NAME}); when it passes on one
// reference, Module.Aliases links the two names.
// https://developer.hashicorp.com/terraform/language/values/outputs
func (e *evaluator) outputValues(prefix string) cty.Value {
	outs := map[string]cty.Value{}
	for _, o := range e.outputs {
		name := o.Labels[0]
		a, ok := o.Body.Attributes["value"]
		if !ok {
			continue
		}
		v, diags := a.Expr.Value(e.ctx)
		if diags.HasErrors() {
			e.warnEval(diags, "output."+name)
			v = cty.DynamicVal
		}
		raw, marks := v.Unmark()
		if !raw.IsKnown() {
			ph := prefix + name
			if target := refName(marks); target != "" && !strings.Contains(target, ",") {
				if t, ok := e.m.Aliases["${"+target+"}"]; ok {
					target = t[2 : len(t)-1]
				}
				e.m.Aliases["${"+ph+"}"] = "${" + target + "}"
			}
			v = unknownRef(ph)
		}
		outs[name] = v
	}
	return cty.ObjectVal(outs)
}
