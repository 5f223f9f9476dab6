package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// sub evaluates Fn::Sub in both forms: a string, or [string, {vars}].
// ${!Literal} writes ${Literal}; ${Res.Attr} is a GetAtt.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
func (r *resolver) sub(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	var tmpl *jsontree.Node
	vars := map[string]*jsontree.Node{}
	switch {
	case arg != nil && arg.Kind == jsontree.String:
		tmpl = arg
	case arg != nil && arg.Kind == jsontree.Array && len(arg.Items) == 2 && arg.Items[0].Kind == jsontree.String:
		tmpl = arg.Items[0]
		if m := arg.Items[1]; m.Kind == jsontree.Object {
			for _, mm := range m.Members {
				vars[mm.Key] = mm.Value
			}
		}
	default:
		r.diags.Errorf(at, "Fn::Sub: expected a string or [string, {variables}]")
		return Unknown("${Sub}", at)
	}
	s := tmpl.Str
	var b strings.Builder
	unknown := false
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v *jsontree.Node
		if vn, ok := vars[name]; ok {
			v = r.resolve(vn, depth+1)
		} else if id, attr, dot := strings.Cut(name, "."); dot && !strings.HasPrefix(name, "AWS::") {
			v = Unknown("${GetAtt:"+id+"."+attr+"}", at)
			if _, ok := r.resources[id]; !ok {
				r.diags.Warnf(at, "Fn::Sub: ${%s} names no resource of the template", name)
			}
		} else {
			v = r.refName(name, at)
		}
		switch {
		case v == nil: // AWS::NoValue
		case v.Kind == jsontree.String || v.Kind == jsontree.Number || v.Kind == jsontree.Bool:
			unknown = unknown || v.Unknown
			b.WriteString(textOf(v))
		default:
			unknown = true
			b.WriteString("${" + name + "}")
		}
	}
	return &jsontree.Node{Kind: jsontree.String, Str: b.String(), Range: tmpl.Range, Unknown: unknown}
}
