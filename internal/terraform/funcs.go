package terraform

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxFileSize bounds file() and templatefile() reads.
const maxFileSize = 4 << 20

func readFile(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, os.ErrInvalid
	}
	return os.ReadFile(p)
}

// resolvePath reads a relative path against the module directory, which is
// what path.module-relative paths in ECS modules mean.
func (e *evaluator) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	clean := filepath.Clean(p)
	dir := filepath.Clean(e.m.Dir)
	if dir != "." && (clean == dir || strings.HasPrefix(clean, dir+string(filepath.Separator))) {
		return clean
	}
	return filepath.Join(dir, p)
}

// functions are the Terraform built-ins real ECS and IAM modules call
// (https://developer.hashicorp.com/terraform/language/functions), mostly from
// go-cty's stdlib, which Terraform itself builds on.
func (e *evaluator) functions() map[string]function.Function {
	fs := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc,
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "regex_replace": stdlib.RegexReplaceFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"chunklist": stdlib.ChunklistFunc, "coalesce": coalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc,
		"keys": stdlib.KeysFunc, "length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc,
		"merge": stdlib.MergeFunc, "range": rangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
		"zipmap": stdlib.ZipmapFunc, "jsonencode": e.jsonEncodeFunc(),
		"jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"tostring": toFunc(cty.String), "tonumber": toFunc(cty.Number), "tobool": toFunc(cty.Bool),
		"tolist": toFunc(cty.List(cty.DynamicPseudoType)), "toset": toFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":        toFunc(cty.Map(cty.DynamicPseudoType)),
		"startswith":   strPredFunc(strings.HasPrefix),
		"endswith":     strPredFunc(strings.HasSuffix),
		"base64encode": base64EncodeFunc,
		"one":          oneFunc,
	}
	fs["file"] = e.fileFunc()
	fs["templatefile"] = e.templateFileFunc(fs)
	return fs
}

// toFunc converts like Terraform's tostring/tolist/...: a type conversion
// that fails loudly.
func toFunc(ty cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowUnknown: true}},
		Type: func(args []cty.Value) (cty.Type, error) {
			if ty == cty.DynamicPseudoType || !ty.HasDynamicTypes() {
				return ty, nil
			}
			v, err := convert.Convert(args[0], ty)
			if err != nil {
				return cty.NilType, function.NewArgError(0, err)
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			v, err := convert.Convert(args[0], retType)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return v, nil
		},
	})
}

func strPredFunc(f func(s, p string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "affix", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var base64EncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.CanIterateElements() {
			return cty.NilVal, function.NewArgErrorf(0, "must be a list, set or tuple")
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(cty.DynamicPseudoType), nil
		case 1:
			return v.Index(cty.NumberIntVal(0)), nil
		}
		return cty.NilVal, function.NewArgErrorf(0, "must have no more than one element")
	},
})

func (e *evaluator) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			src, err := readFile(e.resolvePath(args[0].AsString()))
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return cty.StringVal(string(src)), nil
		},
	})
}

// templateFileFunc renders a template file with Terraform's template syntax
// and only the given variables in scope.
func (e *evaluator) templateFileFunc(base map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowMarked: true}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := e.resolvePath(args[0].AsString())
			src, err := readFile(p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return e.renderTemplate(src, p, args[1], base)
		},
	})
}

// renderTemplate evaluates template text with only vars in scope, as
// templatefile and the template provider's template_file do.
func (e *evaluator) renderTemplate(src []byte, name string, m cty.Value, base map[string]function.Function) (cty.Value, error) {
	tmpl, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, function.NewArgError(0, diags)
	}
	vars := map[string]cty.Value{}
	m, marks := m.Unmark()
	if !m.IsKnown() {
		return cty.UnknownVal(cty.String).WithMarks(marks), nil
	}
	if !m.IsNull() && (m.Type().IsObjectType() || m.Type().IsMapType()) {
		for it := m.ElementIterator(); it.Next(); {
			k, v := it.Element()
			vars[k.AsString()] = v
		}
	}
	fs := make(map[string]function.Function, len(base))
	for k, f := range base {
		if k != "templatefile" {
			fs[k] = f
		}
	}
	v, diags := tmpl.Value(&hcl.EvalContext{Variables: vars, Functions: fs})
	if diags.HasErrors() {
		return cty.NilVal, function.NewArgError(1, diags)
	}
	if raw, _ := v.UnmarkDeep(); !raw.IsKnown() {
		if t, ok := e.renderWithPlaceholders(tmpl, vars, fs); ok {
			return t, nil
		}
	}
	return convert.Convert(v, cty.String)
}

// renderWithPlaceholders renders a template whose variables are partly
// unknown with each unknown written as a placeholder naming its reference,
// as jsonencode does: a container definition template with one unknown
// ARN stays readable. It fails, leaving the result unknown, when a
// placeholder cannot stand in: the template then fails (a condition on an
// unknown) or JSON text stops being JSON (an unknown number unquoted).
func (e *evaluator) renderWithPlaceholders(tmpl hclsyntax.Expression, vars map[string]cty.Value, fs map[string]function.Function) (cty.Value, bool) {
	filled := make(map[string]cty.Value, len(vars))
	for k, v := range vars {
		filled[k] = e.fillUnknown(v)
	}
	v, diags := tmpl.Value(&hcl.EvalContext{Variables: filled, Functions: fs})
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	t, err := convert.Convert(v, cty.String)
	if err != nil {
		return cty.NilVal, false
	}
	if s := strings.TrimSpace(t.AsString()); (strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{")) && !json.Valid([]byte(s)) {
		return cty.NilVal, false
	}
	return t, true
}

// jsonEncodeFunc is jsonencode that keeps a partly unknown value: each
// unknown part is written as a placeholder naming its reference, so that a
// container definition with one unknown ARN stays readable.
func (e *evaluator) jsonEncodeFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "val", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true, AllowMarked: true}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if raw, marks := args[0].Unmark(); !raw.IsKnown() {
				// Nothing of the structure is known: stay unknown.
				return cty.UnknownVal(cty.String).WithMarks(marks), nil
			}
			v := e.fillUnknown(args[0])
			return stdlib.JSONEncodeFunc.Call([]cty.Value{v})
		},
	})
}

// fillUnknown replaces unknown parts of v with placeholder strings and drops
// marks.
func (e *evaluator) fillUnknown(v cty.Value) cty.Value {
	v, marks := v.Unmark()
	if !v.IsKnown() {
		name := refName(marks)
		if name == "" {
			name = "unknown"
		}
		ph := "${" + name + "}"
		e.m.placeholders[ph] = true
		return cty.StringVal(ph)
	}
	if v.IsNull() || v.IsWhollyKnown() && !v.ContainsMarked() {
		return v
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		m := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			m[k.AsString()] = e.fillUnknown(ev)
		}
		return cty.ObjectVal(m)
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var l []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			l = append(l, e.fillUnknown(ev))
		}
		if len(l) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(l)
	}
	v, _ = v.UnmarkDeep()
	return v
}

// refName returns the reference an unknown stands for, if one mark names it.
func refName(marks cty.ValueMarks) string {
	var names []string
	for m := range marks {
		if r, ok := m.(ref); ok {
			names = append(names, string(r))
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// coalesceFunc skips empty strings as well as nulls, as Terraform's does
// (https://developer.hashicorp.com/terraform/language/functions/coalesce);
// go-cty's skips only nulls.
var coalesceFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
	Type:     function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.DynamicVal, nil
			}
			if a.IsNull() || a.Type() == cty.String && a.AsString() == "" {
				continue
			}
			return a, nil
		}
		return cty.NilVal, function.NewArgErrorf(0, "no non-null, non-empty-string arguments")
	},
})

// maxRange bounds range() so that hostile input cannot allocate without end.
const maxRange = 1 << 16

var rangeFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "params", Type: cty.Number},
	Type:     function.StaticReturnType(cty.List(cty.Number)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var f [3]float64
		f[2] = 1
		for i, a := range args {
			if i < 3 {
				f[i], _ = a.AsBigFloat().Float64()
			}
		}
		start, end, step := f[0], f[1], f[2]
		if len(args) == 1 {
			start, end = 0, f[0]
		}
		if step != 0 && (end-start)/step > maxRange {
			return cty.NilVal, function.NewArgErrorf(0, "range of more than %d elements", maxRange)
		}
		return stdlib.RangeFunc.Call(args)
	},
})
