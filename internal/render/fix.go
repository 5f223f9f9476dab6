package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	yaml "go.yaml.in/yaml/v4"
)

// FixPolicyName names the inline policy a fix adds, so that users can find
// (and later fold) what execrole proposed.
const FixPolicyName = "execrole-fix"

// TerraformRolePolicy renders an aws_iam_role_policy named id that adds doc
// to the role at roleAddr (aws_iam_role.x), formatted as `terraform fmt`
// would.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy
func TerraformRolePolicy(id, roleAddr string, doc json.RawMessage) ([]byte, error) {
	tokens, err := jsonencode(doc)
	if err != nil {
		return nil, err
	}
	// The address may carry an instance key: aws_iam_role.exec["prod"].
	ref, diags := hclsyntax.ParseTraversalAbs([]byte(roleAddr+".id"), "", hcl.InitialPos)
	if diags.HasErrors() || len(ref) < 3 {
		return nil, fmt.Errorf("%q is not a resource address", roleAddr)
	}
	f := hclwrite.NewEmptyFile()
	b := f.Body().AppendNewBlock("resource", []string{"aws_iam_role_policy", id}).Body()
	b.SetAttributeValue("name", cty.StringVal(FixPolicyName))
	b.SetAttributeTraversal("role", ref)
	b.SetAttributeRaw("policy", tokens)
	return hclwrite.Format(f.Bytes()), nil
}

// Pseudo is where a stack is deployed. A fix written into a template names
// these through CloudFormation's pseudo parameters, as the rest of the
// template does, so that it stays right in every account and region.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
type Pseudo struct{ Partition, Region, Account string }

// sub rewrites an ARN's partition, region and account fields into pseudo
// parameters; ok is false when s names none of them.
func (p Pseudo) sub(s string) (string, bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return s, false
	}
	changed := false
	for i, v := range map[int][2]string{1: {p.Partition, "${AWS::Partition}"}, 3: {p.Region, "${AWS::Region}"}, 4: {p.Account, "${AWS::AccountId}"}} {
		if v[0] != "" && f[i] == v[0] {
			f[i], changed = v[1], true
		}
	}
	return strings.Join(f, ":"), changed
}

// subString marks a string rendered as Fn::Sub.
type subString string

func (p Pseudo) apply(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = p.apply(e)
		}
	case []any:
		for i, e := range v {
			v[i] = p.apply(e)
		}
	case string:
		if s, ok := p.sub(v); ok {
			return subString(s)
		}
	}
	return v
}

// CloudFormationRolePolicy renders one template resource entry, an
// AWS::IAM::Policy named id attached to the role roleID, as YAML (a
// "id:" mapping entry, unindented) or as a JSON member ("id": {...}).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html
func CloudFormationRolePolicy(id, roleID string, doc json.RawMessage, asJSON bool, where Pseudo) ([]byte, error) {
	canon, err := canonical(doc)
	if err != nil {
		return nil, err
	}
	canon = where.apply(canon)
	if asJSON {
		d := jsonSub(canon)
		entry := map[string]any{id: map[string]any{
			"Type": "AWS::IAM::Policy",
			"Properties": map[string]any{
				"PolicyName":     FixPolicyName,
				"Roles":          []any{map[string]any{"Ref": roleID}},
				"PolicyDocument": d,
			},
		}}
		b, err := json.MarshalIndent(entry, "", "  ")
		if err != nil {
			return nil, err
		}
		// The member without its enclosing braces.
		b = bytes.TrimSpace(b)
		b = bytes.TrimSuffix(bytes.TrimPrefix(b, []byte("{")), []byte("}"))
		return dedent(bytes.Trim(b, "\n")), nil
	}
	pd := yamlValue(canon)
	props := mapping()
	add(props, "PolicyName", str(FixPolicyName))
	roles := seq()
	roles.Content = append(roles.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: roleID})
	add(props, "Roles", roles)
	add(props, "PolicyDocument", pd)
	top := mapping()
	add(top, id, resource("AWS::IAM::Policy", props))
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(top); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// dedent removes the indentation the first line has from every line.
func dedent(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	n := len(lines[0]) - len(bytes.TrimLeft(lines[0], " "))
	for i, l := range lines {
		if len(l) >= n && len(bytes.TrimLeft(l[:n], " ")) == 0 {
			lines[i] = l[n:]
		}
	}
	return append(bytes.Join(lines, []byte("\n")), '\n')
}

// jsonSub spells subString values as {"Fn::Sub": ...} for JSON templates.
func jsonSub(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonSub(e)
		}
	case []any:
		for i, e := range v {
			v[i] = jsonSub(e)
		}
	case subString:
		return map[string]any{"Fn::Sub": string(v)}
	}
	return v
}
