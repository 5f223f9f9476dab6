package cfn

import (
	"encoding/base64"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// base64 evaluates Fn::Base64.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-base64.html
func (r *resolver) base64(arg *jsontree.Node, at source.Range, depth int) *jsontree.Node {
	v, known := r.str(arg, depth)
	if !known {
		return Unknown("${Base64}", at)
	}
	return &jsontree.Node{Kind: jsontree.String, Str: base64.StdEncoding.EncodeToString([]byte(v.Str)), Range: at}
}
