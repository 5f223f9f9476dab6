package cfn

import (
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
	yaml "go.yaml.in/yaml/v4"
)

// maxNodes bounds alias expansion so that a "billion laughs" document
// cannot exhaust memory.
const maxNodes = 1 << 18

// yamlConv turns a YAML node tree into the project's position-carrying
// JSON tree, rewriting CloudFormation short-form tags (!Ref, !Sub, ...)
// into their long form as the CloudFormation user guide defines them:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
type yamlConv struct {
	file  string
	count int
	diags *source.Diagnostics
}

func (c *yamlConv) rng(n *yaml.Node) source.Range {
	p := source.Pos{Line: n.Line, Column: n.Column}
	return source.Range{File: c.file, Start: p, End: p}
}

// shortTags maps a short-form tag to its long-form key.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!If": "Fn::If",
	"!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not",
	"!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!ImportValue": "Fn::ImportValue",
	"!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!Transform": "Fn::Transform",
}

func (c *yamlConv) conv(n *yaml.Node, depth int) *jsontree.Node {
	c.count++
	if c.count > maxNodes || depth > 500 {
		if c.count == maxNodes+1 || depth == 501 {
			c.diags.Errorf(c.rng(n), "document too large or too deeply nested (aliases expand beyond %d nodes)", maxNodes)
		}
		return &jsontree.Node{Kind: jsontree.Null, Range: c.rng(n)}
	}
	r := c.rng(n)
	if long, ok := shortTags[n.Tag]; ok {
		inner := *n
		inner.Tag = ""
		if n.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v := c.conv(&inner, depth+1)
		if long == "Fn::GetAtt" && v.Kind == jsontree.String {
			// !GetAtt Res.Attr is short for [Res, Attr]; the attribute
			// may itself contain dots (Endpoint.Address).
			id, attr, _ := strings.Cut(v.Str, ".")
			v = &jsontree.Node{Kind: jsontree.Array, Range: v.Range, Items: []*jsontree.Node{
				{Kind: jsontree.String, Str: id, Range: v.Range},
				{Kind: jsontree.String, Str: attr, Range: v.Range},
			}}
		}
		return &jsontree.Node{Kind: jsontree.Object, Range: r, Members: []*jsontree.Member{{Key: long, KeyRange: r, Value: v}}}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &jsontree.Node{Kind: jsontree.Null, Range: r}
		}
		return c.conv(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return &jsontree.Node{Kind: jsontree.Null, Range: r}
		}
		return c.conv(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := &jsontree.Node{Kind: jsontree.Array, Range: r}
		for _, it := range n.Content {
			out.Items = append(out.Items, c.conv(it, depth+1))
		}
		return out
	case yaml.MappingNode:
		out := &jsontree.Node{Kind: jsontree.Object, Range: r}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag != "!!str" {
				// Merge key: copy the members the mapping does not set.
				src := c.conv(v, depth+1)
				srcs := []*jsontree.Node{src}
				if src.Kind == jsontree.Array {
					srcs = src.Items
				}
				for _, s := range srcs {
					for _, m := range s.Members {
						if !seen[m.Key] {
							seen[m.Key] = true
							out.Members = append(out.Members, m)
						}
					}
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				c.diags.Errorf(c.rng(k), "expected a scalar mapping key, found a %s", kindName(k))
				continue
			}
			if seen[k.Value] {
				// YAML forbids it; parsers keep the last value, so do we.
				c.diags.Warnf(c.rng(k), "duplicate key %q: the later value wins", k.Value)
				for j, m := range out.Members {
					if m.Key == k.Value {
						out.Members = append(out.Members[:j], out.Members[j+1:]...)
						break
					}
				}
			}
			seen[k.Value] = true
			out.Members = append(out.Members, &jsontree.Member{Key: k.Value, KeyRange: c.rng(k), Value: c.conv(v, depth+1)})
		}
		return out
	}
	return c.scalar(n, r)
}

// scalar keeps a scalar's literal text. YAML would read 0123 as an octal
// or float and 2024-01-01 as a timestamp; CloudFormation sees the text.
func (c *yamlConv) scalar(n *yaml.Node, r source.Range) *jsontree.Node {
	out := &jsontree.Node{Kind: jsontree.String, Range: r, Str: n.Value}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return out
	}
	switch n.ShortTag() {
	case "!!null":
		out.Kind, out.Str = jsontree.Null, ""
	case "!!bool":
		out.Kind = jsontree.Bool
		out.Bool = strings.EqualFold(n.Value, "true")
		out.Str = ""
	case "!!int", "!!float":
		if len(n.Value) > 1 && n.Value[0] == '0' && n.Value[1] != '.' {
			return out // leading zeros: an account id, not a number
		}
		out.Kind = jsontree.Number
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "node"
}
