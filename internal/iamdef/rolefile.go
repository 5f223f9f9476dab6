package iamdef

import (
	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// isRoleFile recognises a role file: the properties of an AWS::IAM::Role
// (RoleName, AssumeRolePolicyDocument, Policies, ManagedPolicyArns,
// PermissionsBoundary), which `aws iam get-role` also prints inside "Role".
func isRoleFile(n *jsontree.Node) bool {
	if n == nil || n.Kind != jsontree.Object {
		return false
	}
	if r := n.Get("Role"); r != nil && r.Kind == jsontree.Object {
		n = r
	}
	return n.Get("AssumeRolePolicyDocument") != nil || n.Get("ManagedPolicyArns") != nil ||
		(n.Get("Policies") != nil && (n.Get("RoleName") != nil || n.Get("Arn") != nil))
}

// fromRoleFile reads one role. Policy documents may be objects or strings.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
func fromRoleFile(file string, root *jsontree.Node, opts Options) (*account.Snapshot, source.Diagnostics) {
	var ds source.Diagnostics
	n := root
	if r := root.Get("Role"); r != nil && r.Kind == jsontree.Object {
		n = r
	}
	s := &account.Snapshot{File: file, Format: FormatRoleFile, Policies: map[string]*policy.Policy{}}
	p := &account.Principal{Kind: "role", Name: text(n.Get("RoleName")), ARN: text(n.Get("Arn")), ID: text(n.Get("RoleId")), Range: n.Range}
	if p.Name == "" && p.ARN != "" {
		p.Name = p.ARN[lastSlash(p.ARN)+1:]
	}
	if p.Name == "" {
		ds.Errorf(n.Range, "role file has neither RoleName nor Arn")
		return nil, ds
	}
	if p.ARN == "" {
		p.ARN = roleARN(opts.Partition, opts.Account, text(n.Get("Path")), p.Name)
	}
	if t := n.Get("AssumeRolePolicyDocument"); t != nil {
		doc, more := account.ParseDocument(t, policy.Trust, p.Name+" trust policy")
		ds = append(ds, more...)
		p.Trust = doc
	}
	for _, ip := range items(n.Get("Policies")) {
		name := p.Name + "/" + text(ip.Get("PolicyName"))
		doc, more := account.ParseDocument(ip.Get("PolicyDocument"), policy.Identity, name)
		ds = append(ds, more...)
		if doc != nil {
			p.Inline = append(p.Inline, doc)
		}
	}
	for _, a := range items(n.Get("ManagedPolicyArns")) {
		p.Attached = append(p.Attached, account.Attachment{ARN: text(a), Range: a.Range})
	}
	if b := n.Get("PermissionsBoundary"); b != nil {
		ref := text(b)
		if b.Kind == jsontree.Object { // get-role prints {"PermissionsBoundaryArn": ...}
			ref = text(b.Get("PermissionsBoundaryArn"))
		}
		p.Boundary = &account.Attachment{ARN: ref, Range: b.Range}
	}
	s.Roles = append(s.Roles, p)
	return s, ds
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
