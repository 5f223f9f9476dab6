package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// join evaluates Fn::Join [delimiter, [values]]; placeholders in the
// values keep their text, and the result is Unknown.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html
func (r *resolver) join(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	a, ok := r.args("Fn::Join", arg, 2, at)
	if !ok {
		return Unknown("${Join}", at)
	}
	delim, known := r.str(a[0], depth)
	list := r.resolve(a[1], depth)
	if !known || list == nil || list.Kind != jsontree.Array {
		if list != nil && list.Unknown {
			return Unknown("${Join:"+list.Str+"}", at)
		}
		r.diags.Errorf(at, "Fn::Join: expected a delimiter string and a list")
		return Unknown("${Join}", at)
	}
	parts := make([]string, 0, len(list.Items))
	unknown := false
	for _, it := range list.Items {
		if it.Kind == jsontree.Object || it.Kind == jsontree.Array {
			r.diags.Errorf(it.Range, "Fn::Join: expected a string in the list")
			unknown = true
			parts = append(parts, "${?}")
			continue
		}
		unknown = unknown || it.Unknown
		parts = append(parts, textOf(it))
	}
	return &jsontree.Node{Kind: jsontree.String, Str: strings.Join(parts, delim.Str), Range: at, Unknown: unknown}
}
