package iamdef

import (
	"slices"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/terraform"
)

// fromTerraform reads the roles of a module with the policies that attach
// to them (AWS provider documentation,
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role):
//   - aws_iam_role: assume_role_policy, inline_policy, managed_policy_arns,
//     permissions_boundary;
//   - aws_iam_role_policy: an inline policy of the role it names;
//   - aws_iam_policy: a customer managed policy, known by its address until
//     it has an ARN;
//   - aws_iam_role_policy_attachment, aws_iam_policy_attachment and
//     aws_iam_role_policy_attachments_exclusive: attachments.
func fromTerraform(path string, opts Options) (*account.Snapshot, source.Diagnostics) {
	m, ds := terraform.Load(path, terraform.Options{Vars: opts.Vars, VarFiles: opts.VarFiles, Region: opts.Region, Account: opts.Account})
	s := &account.Snapshot{File: path, Format: FormatTerraform, Policies: map[string]*policy.Policy{}}
	doc := func(n *jsontree.Node, t policy.Type, name string) *policy.Policy {
		if n == nil || n.Kind == jsontree.Null {
			return nil
		}
		if n.Kind == jsontree.String && !n.Unknown {
			j, err := m.ParseJSON(n)
			if err != nil {
				ds.Warnf(n.Range, "policy %s: %v", name, err)
				return nil
			}
			n = j
		}
		p, more := account.ParseDocument(n, t, name)
		ds = append(ds, more...)
		return p
	}
	for _, r := range m.Resources {
		if r.Type != "aws_iam_role" {
			continue
		}
		name := text(r.Get("name"))
		if name == "" || r.Get("name").Unknown {
			// Without a name Terraform generates one; the resource name
			// is what the user recognises.
			name = r.Name
		}
		arn := roleARN(opts.Partition, opts.Account, text(r.Get("path")), name)
		if a := r.Get("arn"); a != nil && !a.Unknown && strings.HasPrefix(text(a), "arn:") {
			arn = text(a) // from terraform show -json: the deployed role
		}
		p := &account.Principal{Kind: "role", Name: name, Range: r.Range,
			ARN:     arn,
			Aliases: tfAliases(r.Address, "arn", "name", "id", "unique_id"),
		}
		p.Trust = doc(r.Get("assume_role_policy"), policy.Trust, name+" trust policy")
		for _, ip := range items(r.Get("inline_policy")) {
			if d := doc(ip.Get("policy"), policy.Identity, name+"/"+text(ip.Get("name"))); d != nil {
				p.Inline = append(p.Inline, d)
			}
		}
		for _, a := range items(r.Get("managed_policy_arns")) {
			p.Attached = append(p.Attached, account.Attachment{ARN: text(a), Range: a.Range})
		}
		if b := r.Get("permissions_boundary"); b != nil && b.Kind == jsontree.String {
			p.Boundary = &account.Attachment{ARN: text(b), Range: b.Range}
		}
		s.Roles = append(s.Roles, p)
	}
	for _, r := range m.Resources {
		if r.Type != "aws_iam_policy" {
			continue
		}
		name := text(r.Get("name"))
		if name == "" || r.Get("name").Unknown {
			name = r.Name
		}
		if d := doc(r.Get("policy"), policy.Identity, name); d != nil {
			for _, a := range tfAliases(r.Address, "arn", "id") {
				s.Policies[a] = d
			}
		}
	}
	// A child module's output that passes on a role's or a policy's
	// attribute names it too (${module.iam.role_arn}).
	outs := make([]string, 0, len(m.Aliases))
	for k := range m.Aliases {
		outs = append(outs, k)
	}
	sort.Strings(outs)
	for _, k := range outs {
		v := m.Aliases[k]
		for _, p := range s.Roles {
			if slices.Contains(p.Aliases, v) {
				p.Aliases = append(p.Aliases, k)
			}
		}
		if d, ok := s.Policies[v]; ok {
			s.Policies[k] = d
		}
	}
	role := func(ref *jsontree.Node) (*account.Principal, bool) {
		if p, ok := s.Find(text(ref)); ok {
			return p, true
		}
		return s.Mentioned(text(ref))
	}
	attach := func(roleRef, arn *jsontree.Node, at source.Range) {
		p, ok := role(roleRef)
		if !ok || arn == nil {
			return
		}
		ref := text(arn)
		if !attached(p, ref) {
			p.Attached = append(p.Attached, account.Attachment{ARN: ref, Range: at})
		}
	}
	for _, r := range m.Resources {
		switch r.Type {
		case "aws_iam_role_policy":
			p, ok := role(r.Get("role"))
			if !ok {
				continue
			}
			if d := doc(r.Get("policy"), policy.Identity, p.Name+"/"+or(text(r.Get("name")), r.Name)); d != nil {
				p.Inline = append(p.Inline, d)
			}
		case "aws_iam_role_policy_attachment":
			attach(r.Get("role"), r.Get("policy_arn"), r.Range)
		case "aws_iam_policy_attachment":
			for _, role := range items(r.Get("roles")) {
				attach(role, r.Get("policy_arn"), r.Range)
			}
		case "aws_iam_role_policy_attachments_exclusive":
			for _, a := range items(r.Get("policy_arns")) {
				attach(r.Get("role_name"), a, r.Range)
			}
		}
	}
	return s, ds
}

// tfAliases are the placeholders the terraform package gives references to
// a resource's attributes that are only known after apply.
func tfAliases(addr string, attrs ...string) []string {
	out := make([]string, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, "${"+addr+"."+a+"}")
	}
	return out
}

func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
