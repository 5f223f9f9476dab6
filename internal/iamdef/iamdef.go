// Package iamdef reads the IAM roles and policies that infrastructure code
// defines (CloudFormation AWS::IAM::* resources, Terraform aws_iam_*
// resources) or that a small role file describes, into the same
// account.Snapshot an authorization-details export gives. Downstream
// analyses (launch simulation, rules, audit) then see one model of "the role
// as it exists", whatever the user deploys with.
//
// A role defined in code has no ARN before it is deployed: each principal
// carries Aliases (${GetAtt:Id.Arn}, ${aws_iam_role.x.arn}) so that a task
// definition's executionRoleArn, which the template resolves to the same
// placeholder, finds it.
package iamdef

import (
	"bytes"
	"os"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/cfn"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// Snapshot formats, beside account.FormatAuthorizationDetails.
const (
	FormatCloudFormation = "cloudformation"
	FormatTerraform      = "terraform"
	FormatRoleFile       = "role-file"
)

// Options supply what the code leaves to deploy time, as the task definition
// loaders take them.
type Options struct {
	Params                     map[string]string // CloudFormation --param
	Vars                       map[string]string // Terraform --var
	VarFiles                   []string          // Terraform --var-file
	Region, Account, Partition string
}

// Load reads the roles of one input: an authorization-details export, a
// CloudFormation template, Terraform (a .tf file, a module directory, or
// `terraform show -json` output), or a role file. It returns nil with an
// error diagnostic when the input is none of them.
func Load(path string, opts Options) (*account.Snapshot, source.Diagnostics) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fromTerraform(path, opts)
	}
	if strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".tf.json") {
		return fromTerraform(path, opts)
	}
	var ds source.Diagnostics
	src, err := os.ReadFile(path)
	if err != nil {
		ds.Errorf(source.Range{File: path}, "cannot read: %v", err)
		return nil, ds
	}
	return LoadBytes(path, src, opts)
}

// LoadBytes is Load for content already in memory (not Terraform files,
// which are read from their directory).
func LoadBytes(file string, src []byte, opts Options) (*account.Snapshot, source.Diagnostics) {
	var ds source.Diagnostics
	trim := bytes.TrimLeft(src, " \t\r\n\ufeff")
	if len(trim) == 0 {
		ds.Errorf(source.Range{File: file}, "empty file: expected IAM roles")
		return nil, ds
	}
	// JSON through the strict parser; YAML (templates) otherwise.
	root, more := cfn.Decode(file, src)
	ds = append(ds, more...)
	if root == nil {
		return nil, ds
	}
	switch {
	case isRoleFile(root) && root.Get("RoleDetailList") == nil:
		// Before the export test: a role file's "Policies" is also an
		// export's key.
		s, more := fromRoleFile(file, root, opts)
		return s, append(ds, more...)
	case isGenerated(root):
		s, more := fromGenerated(file, root)
		return s, append(ds, more...)
	case account.IsAuthorizationDetails(root):
		s, more := account.Parse(file, root)
		return s, append(ds, more...)
	case cfn.LooksLikeTemplate(root):
		s, more := fromCloudFormation(root, opts)
		return s, append(ds, more...)
	case root.Kind == jsontree.Object && root.Get("format_version") != nil:
		return fromTerraform(file, opts)
	}
	ds.Errorf(root.Range, "expected IAM roles: `aws iam get-account-authorization-details` output, a CloudFormation template, Terraform, `execrole generate` JSON, or a role file (an object with RoleName or Arn, AssumeRolePolicyDocument, Policies, ManagedPolicyArns)")
	return nil, ds
}

// AccountPlaceholder stands for the account of a role not yet deployed,
// spelt as package cfn spells an unresolved AWS::AccountId and package
// taskdef an unknown account, so that one substitution serves all three.
const AccountPlaceholder = "${AccountId}"

// roleARN is where a role defined in code will live once deployed; the
// account is a visible placeholder when no input says it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func roleARN(partition, acct, path, name string) string {
	if partition == "" {
		partition = "aws"
	}
	if acct == "" {
		acct = AccountPlaceholder
	}
	if path == "" {
		path = "/"
	}
	return "arn:" + partition + ":iam::" + acct + ":role" + path + name
}

func text(n *jsontree.Node) string {
	if n == nil {
		return ""
	}
	t, _ := n.Text()
	return t
}

func items(n *jsontree.Node) []*jsontree.Node {
	if n == nil {
		return nil
	}
	if n.Kind == jsontree.Array {
		return n.Items
	}
	return []*jsontree.Node{n}
}
