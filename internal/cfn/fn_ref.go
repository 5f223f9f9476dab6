package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/arn"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// ref evaluates Ref: parameters, pseudo parameters, and resources.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-ref.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func (r *resolver) ref(arg *jsontree.Node, at source.Range) *jsontree.Node {
	if arg == nil || arg.Kind != jsontree.String {
		r.diags.Errorf(at, "Ref: expected the name of a parameter or resource")
		return Unknown("${Ref}", at)
	}
	return r.refName(arg.Str, at)
}

func (r *resolver) refName(name string, at source.Range) *jsontree.Node {
	if strings.HasPrefix(name, "AWS::") {
		return r.pseudo(name, at)
	}
	if p, ok := r.t.Parameters[name]; ok {
		var v *jsontree.Node
		if s, ok := r.opts.Params[name]; ok {
			v = &jsontree.Node{Kind: jsontree.String, Str: s, Range: at}
		} else if p.Default != nil {
			v = r.resolve(p.Default, 0)
			if v != nil {
				c := *v
				v = &c
				v.Range = at
			}
		}
		if v == nil {
			return Unknown("${"+name+"}", at)
		}
		// List parameters give a list when referenced.
		if (p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<")) && v.Kind == jsontree.String {
			out := &jsontree.Node{Kind: jsontree.Array, Range: at}
			for _, s := range strings.Split(v.Str, ",") {
				out.Items = append(out.Items, &jsontree.Node{Kind: jsontree.String, Str: strings.TrimSpace(s), Range: at})
			}
			return out
		}
		if v.Kind == jsontree.Number || v.Kind == jsontree.Bool {
			v = &jsontree.Node{Kind: jsontree.String, Str: textOf(v), Range: at}
		}
		return v
	}
	if _, ok := r.resources[name]; ok {
		// Ref of an AWS::IAM::Role is its name, of most others an id or
		// ARN: only known after deployment.
		return Unknown("${Ref:"+name+"}", at)
	}
	r.diags.Warnf(at, "Ref %s names no parameter or resource of the template", name)
	return Unknown("${Ref:"+name+"}", at)
}

func textOf(v *jsontree.Node) string {
	if v.Kind == jsontree.Bool {
		if v.Bool {
			return "true"
		}
		return "false"
	}
	return v.Str
}

// partition derives the partition from flags or region.
func (r *resolver) partition() string {
	if r.opts.Partition != "" {
		return r.opts.Partition
	}
	if r.opts.Region == "" {
		return ""
	}
	return arn.PartitionOf(r.opts.Region)
}

func (r *resolver) pseudo(name string, at source.Range) *jsontree.Node {
	val := ""
	switch name {
	case "AWS::NoValue":
		return nil
	case "AWS::Region":
		val = r.opts.Region
	case "AWS::AccountId":
		val = r.opts.Account
	case "AWS::Partition":
		val = r.partition()
	case "AWS::StackName":
		val = r.opts.StackName
	case "AWS::URLSuffix":
		switch r.partition() {
		case "aws-cn":
			val = "amazonaws.com.cn"
		case "":
		default:
			val = "amazonaws.com"
		}
	}
	if val == "" {
		// ${Region}, not ${AWS::Region}: a placeholder inside an ARN must
		// not add colons, or the ARN no longer splits into its fields. The
		// names are the ones package taskdef uses for the same unknowns.
		return Unknown("${"+strings.TrimPrefix(name, "AWS::")+"}", at)
	}
	return &jsontree.Node{Kind: jsontree.String, Str: val, Range: at}
}
