package iamdef

import (
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// FormatGenerated is the Format of `execrole generate --format json` output.
const FormatGenerated = "generated"

// isGenerated recognises `execrole generate --format json` output:
// {"executionRole": {"name", "arn", "trustPolicy", "policies"}, "taskRole": ...}.
func isGenerated(n *jsontree.Node) bool {
	if n == nil || n.Kind != jsontree.Object {
		return false
	}
	r := n.Get("executionRole")
	return r != nil && r.Kind == jsontree.Object && r.Get("trustPolicy") != nil
}

// fromGenerated reads the roles execrole generated, so that a role can be
// checked before it is deployed: `execrole generate -o role.json` then
// `execrole check --role role.json`.
func fromGenerated(file string, root *jsontree.Node) (*account.Snapshot, source.Diagnostics) {
	var ds source.Diagnostics
	// generate writes no IAM policy variables: every ${...} in its output is
	// a placeholder for what the task definition did not say (${Region},
	// ${Ref:LogGroup}, ${var.bucket}), to be read as such.
	markPlaceholders(root)
	s := &account.Snapshot{File: file, Format: FormatGenerated, Policies: map[string]*policy.Policy{}}
	for _, key := range []string{"executionRole", "taskRole"} {
		n := root.Get(key)
		if n == nil || n.Kind != jsontree.Object {
			continue
		}
		p := &account.Principal{Kind: "role", Name: text(n.Get("name")), ARN: text(n.Get("arn")), Range: n.Range}
		doc, more := account.ParseDocument(n.Get("trustPolicy"), policy.Trust, p.Name+" trust policy")
		ds = append(ds, more...)
		p.Trust = doc
		for _, ip := range items(n.Get("policies")) {
			doc, more := account.ParseDocument(ip.Get("document"), policy.Identity, p.Name+"/"+text(ip.Get("name")))
			ds = append(ds, more...)
			if doc != nil {
				p.Inline = append(p.Inline, doc)
			}
		}
		for _, a := range items(n.Get("managedPolicyArns")) {
			p.Attached = append(p.Attached, account.Attachment{ARN: text(a), Range: a.Range})
		}
		s.Roles = append(s.Roles, p)
	}
	return s, ds
}

func markPlaceholders(n *jsontree.Node) {
	if n == nil {
		return
	}
	if n.Kind == jsontree.String && strings.Contains(n.Str, "${") {
		n.Unknown = true
	}
	for _, it := range n.Items {
		markPlaceholders(it)
	}
	for _, m := range n.Members {
		markPlaceholders(m.Value)
	}
}
