package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// split evaluates Fn::Split [delimiter, string].
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-split.html
func (r *resolver) split(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	a, ok := r.args("Fn::Split", arg, 2, at)
	if !ok {
		return Unknown("${Split}", at)
	}
	delim, dk := r.str(a[0], depth)
	s, sk := r.str(a[1], depth)
	if !dk || !sk || delim.Str == "" {
		return Unknown("${Split}", at)
	}
	out := &jsontree.Node{Kind: jsontree.Array, Range: at}
	for _, p := range strings.Split(s.Str, delim.Str) {
		out.Items = append(out.Items, &jsontree.Node{Kind: jsontree.String, Str: p, Range: s.Range})
	}
	return out
}
