package cfn

import (
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// findInMap evaluates Fn::FindInMap [map, top key, second key].
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap.html
func (r *resolver) findInMap(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	a, ok := r.args("Fn::FindInMap", arg, 3, at)
	if !ok {
		return Unknown("${FindInMap}", at)
	}
	var keys [3]string
	for i := range keys {
		v, known := r.str(a[i], depth)
		if !known {
			return Unknown("${FindInMap}", at)
		}
		keys[i] = v.Str
	}
	v := r.t.root.Get("Mappings").Get(keys[0]).Get(keys[1]).Get(keys[2])
	if v == nil {
		r.diags.Warnf(at, "Fn::FindInMap: Mappings has no %s.%s.%s", keys[0], keys[1], keys[2])
		return Unknown("${FindInMap:"+keys[0]+"."+keys[1]+"."+keys[2]+"}", at)
	}
	return r.resolve(v, depth)
}
