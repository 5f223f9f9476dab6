package cfn

import (
	"strconv"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// selectFn evaluates Fn::Select [index, list].
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-select.html
func (r *resolver) selectFn(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	a, ok := r.args("Fn::Select", arg, 2, at)
	if !ok {
		return Unknown("${Select}", at)
	}
	idx, known := r.str(a[0], depth)
	list := r.resolve(a[1], depth)
	if !known || list == nil || list.Kind != jsontree.Array {
		return Unknown("${Select}", at)
	}
	i, err := strconv.Atoi(idx.Str)
	if err != nil || i < 0 || i >= len(list.Items) {
		r.diags.Errorf(at, "Fn::Select: index %q is not within the list of %d", idx.Str, len(list.Items))
		return Unknown("${Select}", at)
	}
	return list.Items[i]
}
