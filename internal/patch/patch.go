// Package patch writes a launch fix into the file that defines the role: a
// unified diff that adds an inline policy next to the role in the user's
// CloudFormation or Terraform, or, for a role that exists only in AWS (an
// authorization-details export, a role file), the AWS CLI command that adds
// it. Only identity-policy additions are patched; trust, boundary, SCP and
// resource policy changes are left to the text of the fix.
package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/render"
)

// Patch is one proposed change.
type Patch struct {
	// File is the file the diff applies to; empty for a Command.
	File string `json:"file,omitempty"`
	// Diff is a unified diff with a/ and b/ prefixes (git apply, patch -p1).
	Diff string `json:"diff,omitempty"`
	// Command is a shell command that makes the change in the account.
	Command string `json:"command,omitempty"`
}

// Document is the policy a fix adds: the identity-policy statements of a
// launch.Fix, as JSON values.
type Document struct {
	Version   string `json:"Version"`
	Statement []any  `json:"Statement"`
}

// ForRole proposes how to add doc to role, which was found in snap. where
// is the task's partition, region and account, which a CloudFormation
// patch names by pseudo parameters. ok is false when there is nothing the
// role's source lets execrole patch.
func ForRole(snap *account.Snapshot, role *account.Principal, doc Document, where render.Pseudo) (p *Patch, ok bool, err error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, false, err
	}
	switch snap.Format {
	case iamdef.FormatTerraform:
		if !strings.HasSuffix(role.Range.File, ".tf") {
			// From `terraform show -json`: the role is deployed, and the
			// fix belongs in the configuration, which was not given.
			return putRolePolicy(role, raw), true, nil
		}
		return terraform(role, raw)
	case iamdef.FormatCloudFormation:
		return cloudFormation(role, raw, where)
	case account.FormatAuthorizationDetails, iamdef.FormatRoleFile:
		p := putRolePolicy(role, raw)
		if snap.Format == iamdef.FormatRoleFile {
			// The role file is the user's own input: patch it too.
			if err := roleFile(p, role, raw); err != nil {
				return nil, false, err
			}
		}
		return p, true, nil
	}
	return nil, false, nil
}

// putRolePolicy is the AWS CLI command that adds doc to a deployed role.
// https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html
func putRolePolicy(role *account.Principal, doc json.RawMessage) *Patch {
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, doc, "", "  ")
	return &Patch{Command: "aws iam put-role-policy --role-name " + shellQuote(role.Name) +
		" --policy-name " + render.FixPolicyName + " --policy-document " + shellQuote(pretty.String())}
}

// roleFile adds {"PolicyName": "execrole-fix", "PolicyDocument": doc} to the
// role file's Policies list, creating the list when there is none.
func roleFile(p *Patch, role *account.Principal, doc json.RawMessage) error {
	file := role.Range.File
	if file == "" || file == "<stdin>" {
		return nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	root, err := jsontree.Parse(file, src)
	if err != nil {
		return nil // not the file the role was read from any more
	}
	obj := root
	if r := root.Get("Role"); r != nil && r.Kind == jsontree.Object {
		obj = r
	}
	if obj.Kind != jsontree.Object || len(obj.Members) == 0 {
		return nil
	}
	entry, err := json.MarshalIndent(map[string]any{"PolicyName": render.FixPolicyName, "PolicyDocument": doc}, "", "  ")
	if err != nil {
		return err
	}
	indent := func(col int, text []byte) string {
		pad := strings.Repeat(" ", max(col-1, 0))
		return strings.ReplaceAll(string(text), "\n", "\n"+pad)
	}
	var at int
	var ins string
	last := obj.Members[len(obj.Members)-1]
	switch pol := obj.Get("Policies"); {
	case pol != nil && pol.Kind == jsontree.Array && len(pol.Items) > 0:
		it := pol.Items[len(pol.Items)-1]
		at = it.Range.End.Offset
		ins = ",\n" + strings.Repeat(" ", max(it.Range.Start.Column-1, 0)) + indent(it.Range.Start.Column, entry)
	case pol != nil && pol.Kind == jsontree.Array:
		at = pol.Range.Start.Offset + 1
		ins = indent(pol.Range.Start.Column, entry)
	case pol == nil:
		at = last.Value.Range.End.Offset
		col := last.KeyRange.Start.Column
		ins = ",\n" + strings.Repeat(" ", max(col-1, 0)) + `"Policies": [` + indent(col, entry) + "]"
	default:
		return nil
	}
	if at <= 0 || at > len(src) {
		return nil
	}
	out := string(src[:at]) + ins + string(src[at:])
	p.File, p.Diff = file, Unified(file, string(src), out)
	return nil
}

// terraform appends an aws_iam_role_policy to the file that declares the
// role.
func terraform(role *account.Principal, doc json.RawMessage) (*Patch, bool, error) {
	addr := ""
	for _, a := range role.Aliases {
		if s, ok := strings.CutSuffix(strings.TrimPrefix(a, "${"), ".id}"); ok {
			addr = s
		}
	}
	file := role.Range.File
	if addr == "" || !strings.HasSuffix(file, ".tf") {
		// `terraform show -json` output is not where roles are written.
		return nil, false, nil
	}
	// A role in a child module is patched in the child's file, where its
	// address has no module.NAME. prefix.
	if i := strings.LastIndex(addr, ".aws_"); strings.HasPrefix(addr, "module.") && i >= 0 {
		addr = addr[i+1:]
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, false, err
	}
	name := strings.ReplaceAll(addr[strings.IndexByte(addr, '.')+1:], "[", "_")
	name = strings.NewReplacer("]", "", "\"", "").Replace(name) + "_execrole_fix"
	block, err := render.TerraformRolePolicy(name, addr, doc)
	if err != nil {
		return nil, false, err
	}
	out := append([]byte(nil), src...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, '\n')
	out = append(out, block...)
	return &Patch{File: file, Diff: Unified(file, string(src), string(out))}, true, nil
}

// cloudFormation inserts an AWS::IAM::Policy resource just before the role's
// entry under Resources, at the same indentation.
func cloudFormation(role *account.Principal, doc json.RawMessage, where render.Pseudo) (*Patch, bool, error) {
	id := ""
	for _, a := range role.Aliases {
		if s, ok := strings.CutPrefix(a, "${Ref:"); ok {
			id = strings.TrimSuffix(s, "}")
		}
	}
	file := role.Range.File
	line := role.Range.Start.Line
	if id == "" || file == "" || line < 1 {
		return nil, false, nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, false, err
	}
	lines := strings.SplitAfter(string(src), "\n")
	if line > len(lines) {
		return nil, false, nil
	}
	at := lines[line-1]
	indent := at[:len(at)-len(strings.TrimLeft(at, " \t"))]
	asJSON := strings.HasPrefix(strings.TrimSpace(at), `"`)
	entry, err := render.CloudFormationRolePolicy(uniqueID(string(src), id+"ExecroleFix"), id, doc, asJSON, where)
	if err != nil {
		return nil, false, err
	}
	var ins strings.Builder
	el := strings.Split(strings.TrimRight(string(entry), "\n"), "\n")
	for i, l := range el {
		ins.WriteString(indent + l)
		if asJSON && i == len(el)-1 {
			ins.WriteString(",") // the role's entry follows
		}
		ins.WriteString("\n")
	}
	out := strings.Join(lines[:line-1], "") + ins.String() + strings.Join(lines[line-1:], "")
	return &Patch{File: file, Diff: Unified(file, string(src), out)}, true, nil
}

// uniqueID returns id, or id2, id3... when the template already uses it.
func uniqueID(src, id string) string {
	cand := id
	for i := 2; regexp.MustCompile(`(?m)^\s*"?` + regexp.QuoteMeta(cand) + `"?\s*:`).MatchString(src); i++ {
		cand = fmt.Sprintf("%s%d", id, i)
	}
	return cand
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Replace changes one value where the user wrote it: on line (1-based) of
// file, else at its only occurrence in the file, the quoted text old becomes
// new. ok is false when the value cannot be found unambiguously, for
// instance when a Terraform policy document was rendered by a data source
// in another file.
func Replace(file string, line int, old, new string) (p *Patch, ok bool, err error) {
	if file == "" {
		return nil, false, nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, false, err
	}
	lines := strings.SplitAfter(string(src), "\n")
	quoted := []string{`"` + old + `"`, `'` + old + `'`, old}
	replaced := false
	if line >= 1 && line <= len(lines) {
		for _, q := range quoted {
			if strings.Count(lines[line-1], q) == 1 {
				lines[line-1] = strings.Replace(lines[line-1], q, strings.Replace(q, old, new, 1), 1)
				replaced = true
				break
			}
		}
	}
	out := strings.Join(lines, "")
	if !replaced {
		q := `"` + old + `"`
		if strings.Count(string(src), q) != 1 {
			return nil, false, nil
		}
		out = strings.Replace(string(src), q, `"`+new+`"`, 1)
	}
	return &Patch{File: file, Diff: Unified(file, string(src), out)}, true, nil
}
