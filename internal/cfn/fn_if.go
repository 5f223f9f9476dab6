package cfn

import (
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// ifFn evaluates Fn::If [condition, then, else]. An unknown condition
// leaves a placeholder naming it.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
func (r *resolver) ifFn(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	a, ok := r.args("Fn::If", arg, 3, at)
	if !ok || a[0].Kind != jsontree.String {
		if ok {
			r.diags.Errorf(at, "Fn::If: expected a condition name first")
		}
		return Unknown("${If}", at)
	}
	v, known := r.condition(a[0].Str, a[0].Range)
	if !known {
		r.diags.Warnf(at, "Fn::If: condition %s cannot be evaluated offline; pass --param, --region or --account to decide it", a[0].Str)
		return Unknown("${If:"+a[0].Str+"}", at)
	}
	if v {
		return r.resolve(a[1], depth)
	}
	return r.resolve(a[2], depth)
}

// condition evaluates a named condition of the Conditions section once.
func (r *resolver) condition(name string, at source.Range) (value, known bool) {
	if r.condValue == nil {
		r.condValue = map[string]bool{}
	}
	switch r.condState[name] {
	case 1:
		r.diags.Errorf(at, "condition %s refers to itself", name)
		return false, false
	case 2:
		v, ok := r.condValue[name]
		return v, ok
	}
	conds := r.t.root.Get("Conditions")
	def := conds.Get(name)
	if conds == nil || def == nil {
		r.diags.Errorf(at, "condition %s is not defined in Conditions", name)
		r.condState[name] = 2
		return false, false
	}
	r.condState[name] = 1
	v, ok := r.condExpr(def, 0)
	r.condState[name] = 2
	if ok {
		r.condValue[name] = v
	}
	return v, ok
}

// condExpr evaluates Fn::Equals, Fn::And, Fn::Or, Fn::Not and Condition.
func (r *resolver) condExpr(n *jsontree.Node, depth int) (value, known bool) {
	if depth > 100 || n == nil {
		return false, false
	}
	if n.Kind == jsontree.Bool {
		return n.Bool, true
	}
	if n.Kind != jsontree.Object || len(n.Members) != 1 {
		r.diags.Errorf(n.Range, "expected a condition function")
		return false, false
	}
	fn, arg := n.Members[0].Key, n.Members[0].Value
	switch fn {
	case "Condition":
		if arg == nil || arg.Kind != jsontree.String {
			return false, false
		}
		return r.condition(arg.Str, arg.Range)
	case "Fn::Equals":
		a, ok := r.args(fn, arg, 2, n.Range)
		if !ok {
			return false, false
		}
		x, xk := r.str(a[0], depth+1)
		y, yk := r.str(a[1], depth+1)
		if !xk || !yk {
			return false, false
		}
		return x.Str == y.Str, true
	case "Fn::Not":
		a, ok := r.args(fn, arg, 1, n.Range)
		if !ok {
			return false, false
		}
		v, k := r.condExpr(a[0], depth+1)
		return !v, k
	case "Fn::And", "Fn::Or":
		a, ok := r.args(fn, arg, 1, n.Range)
		if !ok {
			return false, false
		}
		and := fn == "Fn::And"
		allKnown := true
		for _, c := range a {
			v, k := r.condExpr(c, depth+1)
			if !k {
				allKnown = false
				continue
			}
			if and && !v {
				return false, true
			}
			if !and && v {
				return true, true
			}
		}
		return and, allKnown
	}
	r.diags.Errorf(n.Range, "%s is not a condition function", fn)
	return false, false
}
