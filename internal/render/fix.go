package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
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
	typ, name, ok := cutAddr(roleAddr)
	if !ok {
		return nil, fmt.Errorf("%q is not a resource address", roleAddr)
	}
	f := hclwrite.NewEmptyFile()
	b := f.Body().AppendNewBlock("resource", []string{"aws_iam_role_policy", id}).Body()
	b.SetAttributeValue("name", cty.StringVal(FixPolicyName))
	b.SetAttributeTraversal("role", hcl.Traversal{hcl.TraverseRoot{Name: typ}, hcl.TraverseAttr{Name: name}, hcl.TraverseAttr{Name: "id"}})
	b.SetAttributeRaw("policy", tokens)
	return hclwrite.Format(f.Bytes()), nil
}

func cutAddr(addr string) (typ, name string, ok bool) {
	for i := 0; i < len(addr); i++ {
		if addr[i] == '.' {
			return addr[:i], addr[i+1:], i > 0 && i < len(addr)-1
		}
	}
	return "", "", false
}

// CloudFormationRolePolicy renders one template resource entry, an
// AWS::IAM::Policy named id attached to the role roleID, as YAML (a
// "id:" mapping entry, unindented) or as a JSON member ("id": {...}).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html
func CloudFormationRolePolicy(id, roleID string, doc json.RawMessage, asJSON bool) ([]byte, error) {
	if asJSON {
		var d any
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, err
		}
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
	pd, err := yamlDoc(doc)
	if err != nil {
		return nil, err
	}
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
