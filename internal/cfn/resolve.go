package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// resolver evaluates intrinsic functions over one template.
type resolver struct {
	t         *Template
	opts      Options
	diags     *source.Diagnostics
	resources map[string]string // logical id -> type
	condState map[string]int    // 1 evaluating, 2 done
	condValue map[string]bool   // known condition values
}

// Unknown builds the placeholder node for a value that is only known at
// deploy time; text names it, such as ${GetAtt:TaskRole.Arn}.
func Unknown(text string, r source.Range) *jsontree.Node {
	return &jsontree.Node{Kind: jsontree.String, Str: text, Range: r, Unknown: true}
}

// RefTarget returns the logical id of a resource a placeholder refers to
// (${Ref:Id} or ${GetAtt:Id.Attr}), so callers can follow a role name or
// ARN to its AWS::IAM::Role resource.
func RefTarget(n *jsontree.Node) (id string, ok bool) {
	if n == nil || !n.Unknown {
		return "", false
	}
	s := n.Str
	for _, p := range []string{"${Ref:", "${GetAtt:"} {
		if strings.HasPrefix(s, p) && strings.HasSuffix(s, "}") && strings.Count(s, "${") == 1 {
			id = strings.TrimSuffix(strings.TrimPrefix(s, p), "}")
			id, _, _ = strings.Cut(id, ".")
			return id, true
		}
	}
	return "", false
}

// intrinsic reports the function name and argument of a one-member object
// such as {"Fn::Sub": ...}.
func intrinsic(n *jsontree.Node) (string, *jsontree.Node, bool) {
	if n == nil || n.Kind != jsontree.Object || len(n.Members) != 1 {
		return "", nil, false
	}
	k := n.Members[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k, n.Members[0].Value, true
	}
	return "", nil, false
}

// resolve returns a copy of n with intrinsics evaluated; nil means the
// value is AWS::NoValue and its property is removed.
func (r *resolver) resolve(n *jsontree.Node, depth int) *jsontree.Node {
	if n == nil {
		return nil
	}
	if depth > 200 {
		r.diags.Errorf(n.Range, "intrinsic functions nested too deeply")
		return Unknown("${TooDeep}", n.Range)
	}
	if fn, arg, ok := intrinsic(n); ok {
		return r.call(fn, arg, n.Range, depth+1)
	}
	switch n.Kind {
	case jsontree.Object:
		out := &jsontree.Node{Kind: jsontree.Object, Range: n.Range}
		for _, m := range n.Members {
			v := r.resolve(m.Value, depth+1)
			if v == nil {
				continue
			}
			out.Members = append(out.Members, &jsontree.Member{Key: m.Key, KeyRange: m.KeyRange, Value: v})
		}
		return out
	case jsontree.Array:
		out := &jsontree.Node{Kind: jsontree.Array, Range: n.Range}
		for _, it := range n.Items {
			if v := r.resolve(it, depth+1); v != nil {
				out.Items = append(out.Items, v)
			}
		}
		return out
	}
	if n.Kind == jsontree.String && strings.Contains(n.Str, "${AWS::") {
		// PH/QUIRK in the corpus: only Fn::Sub substitutes ${...}; a plain
		// string reaches AWS with the literal text.
		r.diags.Warnf(n.Range, "%q is a plain string: CloudFormation substitutes ${AWS::...} only inside Fn::Sub (!Sub), so AWS receives the literal text", n.Str)
	}
	c := *n
	return &c
}

func (r *resolver) call(fn string, arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	switch fn {
	case "Ref":
		return r.ref(arg, at)
	case "Fn::Sub":
		return r.sub(arg, at, depth)
	case "Fn::Join":
		return r.join(arg, at, depth)
	case "Fn::Select":
		return r.selectFn(arg, at, depth)
	case "Fn::Split":
		return r.split(arg, at, depth)
	case "Fn::If":
		return r.ifFn(arg, at, depth)
	case "Fn::FindInMap":
		return r.findInMap(arg, at, depth)
	case "Fn::GetAtt":
		return r.getAtt(arg, at, depth)
	case "Fn::ImportValue":
		return r.importValue(arg, at, depth)
	case "Fn::Base64":
		return r.base64(arg, at, depth)
	case "Fn::GetAZs":
		return Unknown("${GetAZs}", at)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		v, known := r.condExpr(&jsontree.Node{Kind: jsontree.Object, Range: at, Members: []*jsontree.Member{{Key: fn, Value: arg}}}, depth)
		if !known {
			return Unknown("${"+fn+"}", at)
		}
		return &jsontree.Node{Kind: jsontree.Bool, Bool: v, Range: at}
	}
	r.diags.Warnf(at, "%s is not evaluated offline; the value stays a placeholder", fn)
	return Unknown("${"+fn+"}", at)
}

// str resolves n and returns its text; known is false for placeholders
// and non-strings.
func (r *resolver) str(n *jsontree.Node, depth int) (*jsontree.Node, bool) {
	v := r.resolve(n, depth)
	if v == nil {
		return nil, false
	}
	switch v.Kind {
	case jsontree.String, jsontree.Number:
		return v, !v.Unknown
	case jsontree.Bool:
		s := "false"
		if v.Bool {
			s = "true"
		}
		return &jsontree.Node{Kind: jsontree.String, Str: s, Range: v.Range}, true
	}
	return v, false
}

// args resolves an argument list of at least n items.
func (r *resolver) args(fn string, arg *jsontree.Node, n int, at source.Range) ([]*jsontree.Node, bool) {
	if arg == nil || arg.Kind != jsontree.Array || len(arg.Items) < n {
		r.diags.Errorf(at, "%s: expected a list of %d arguments", fn, n)
		return nil, false
	}
	return arg.Items, true
}
