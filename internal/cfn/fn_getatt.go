package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// getAtt leaves a placeholder: attributes exist only after deployment.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html
func (r *resolver) getAtt(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	var parts []string
	switch {
	case arg != nil && arg.Kind == jsontree.String:
		parts = []string{arg.Str}
	case arg != nil && arg.Kind == jsontree.Array:
		for _, it := range arg.Items {
			v, _ := r.str(it, depth)
			if v == nil {
				return Unknown("${GetAtt}", at)
			}
			parts = append(parts, v.Str)
		}
	default:
		r.diags.Errorf(at, "Fn::GetAtt: expected [resource, attribute]")
		return Unknown("${GetAtt}", at)
	}
	name := strings.Join(parts, ".")
	if id, _, _ := strings.Cut(name, "."); r.resources[id] == "" {
		if _, ok := r.resources[id]; !ok {
			r.diags.Warnf(at, "Fn::GetAtt: %s names no resource of the template", id)
		}
	}
	return Unknown("${GetAtt:"+name+"}", at)
}

// importValue leaves a placeholder naming the export.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html
func (r *resolver) importValue(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	v, _ := r.str(arg, depth)
	if v == nil || v.Kind != jsontree.String {
		return Unknown("${ImportValue}", at)
	}
	return Unknown("${ImportValue:"+v.Str+"}", at)
}
