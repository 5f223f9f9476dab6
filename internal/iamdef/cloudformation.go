package iamdef

import (
	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/cfn"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// fromCloudFormation reads the roles of a template with the policies that
// attach to them:
//   - AWS::IAM::Role: AssumeRolePolicyDocument, Policies, ManagedPolicyArns,
//     PermissionsBoundary
//     (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html);
//   - AWS::IAM::Policy and AWS::IAM::RolePolicy: inline policies of the
//     roles they name;
//   - AWS::IAM::ManagedPolicy: a customer managed policy, attached to the
//     roles it names and to roles that list its Ref (its ARN) in
//     ManagedPolicyArns
//     (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-managedpolicy.html).
func fromCloudFormation(root *jsontree.Node, opts Options) (*account.Snapshot, source.Diagnostics) {
	t, ds := cfn.FromNode(root, cfn.Options{Params: opts.Params, Region: opts.Region, Account: opts.Account, Partition: opts.Partition})
	if t == nil {
		return nil, ds
	}
	s := &account.Snapshot{File: t.File, Format: FormatCloudFormation, Policies: map[string]*policy.Policy{}}
	props := func(r *cfn.Resource) *jsontree.Node {
		if r.Properties == nil {
			return &jsontree.Node{Kind: jsontree.Object, Range: r.Range}
		}
		return r.Properties
	}
	for _, r := range t.ResourcesOfType("AWS::IAM::Role") {
		if !r.Created {
			continue
		}
		n := props(r)
		name := text(n.Get("RoleName"))
		if name == "" || n.Get("RoleName").Unknown {
			// CloudFormation names the role STACK-LogicalId-SUFFIX; the
			// logical id is the recognisable part.
			name = r.LogicalID
		}
		p := &account.Principal{Kind: "role", Name: name, Range: r.Range,
			ARN:     roleARN(opts.Partition, opts.Account, text(n.Get("Path")), name),
			Aliases: []string{"${Ref:" + r.LogicalID + "}", "${GetAtt:" + r.LogicalID + ".Arn}", "${GetAtt:" + r.LogicalID + ".RoleId}", r.LogicalID},
		}
		if tr := n.Get("AssumeRolePolicyDocument"); tr != nil {
			doc, more := account.ParseDocument(tr, policy.Trust, name+" trust policy")
			ds = append(ds, more...)
			p.Trust = doc
		}
		for _, ip := range items(n.Get("Policies")) {
			if doc := cfnPolicy(ip, name, &ds); doc != nil {
				p.Inline = append(p.Inline, doc)
			}
		}
		for _, a := range items(n.Get("ManagedPolicyArns")) {
			p.Attached = append(p.Attached, account.Attachment{ARN: text(a), Range: a.Range})
		}
		if b := n.Get("PermissionsBoundary"); b != nil {
			p.Boundary = &account.Attachment{ARN: text(b), Range: b.Range}
		}
		s.Roles = append(s.Roles, p)
	}
	for _, r := range t.Resources {
		if !r.Created {
			continue
		}
		n := props(r)
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::RolePolicy":
			roles := items(n.Get("Roles"))
			if rn := n.Get("RoleName"); rn != nil {
				roles = append(roles, rn)
			}
			for _, ref := range roles {
				p, ok := s.Find(text(ref))
				if !ok {
					continue // a role of another stack: not ours to judge
				}
				if doc := cfnPolicy(n, p.Name, &ds); doc != nil {
					p.Inline = append(p.Inline, doc)
				}
			}
		case "AWS::IAM::ManagedPolicy":
			name := text(n.Get("ManagedPolicyName"))
			if name == "" {
				name = r.LogicalID
			}
			doc, more := account.ParseDocument(n.Get("PolicyDocument"), policy.Identity, name)
			ds = append(ds, more...)
			if doc == nil {
				continue
			}
			// Ref of a managed policy is its ARN.
			ref := "${Ref:" + r.LogicalID + "}"
			s.Policies[ref] = doc
			for _, rr := range items(n.Get("Roles")) {
				if p, ok := s.Find(text(rr)); ok && !attached(p, ref) {
					p.Attached = append(p.Attached, account.Attachment{Name: name, ARN: ref, Range: r.Range})
				}
			}
		}
	}
	return s, ds
}

// cfnPolicy reads {PolicyName, PolicyDocument}.
func cfnPolicy(n *jsontree.Node, owner string, ds *source.Diagnostics) *policy.Policy {
	doc, more := account.ParseDocument(n.Get("PolicyDocument"), policy.Identity, owner+"/"+text(n.Get("PolicyName")))
	*ds = append(*ds, more...)
	return doc
}

func attached(p *account.Principal, arn string) bool {
	for _, a := range p.Attached {
		if a.ARN == arn {
			return true
		}
	}
	return false
}
