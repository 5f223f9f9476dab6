// Package account reads an AWS account's IAM configuration as exported by
// `aws iam get-account-authorization-details`: roles, users and groups with
// their inline, attached and boundary policies, and the customer managed
// policies they reference. AWS managed policies missing from the export are
// resolved from the copies embedded in package managed.
//
// Output shape: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
package account

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// Snapshot is one authorization-details export, or the roles that
// infrastructure code defines (package iamdef).
type Snapshot struct {
	File string
	// Format says where the roles came from: FormatAuthorizationDetails, or
	// iamdef's "cloudformation", "terraform", "role-file".
	Format string
	Roles  []*Principal
	Users  []*Principal
	Groups []*Principal
	// Policies holds the customer managed policies of the export by ARN, at
	// their default version.
	Policies map[string]*policy.Policy
}

// FormatAuthorizationDetails is the Format of an export.
const FormatAuthorizationDetails = "authorization-details"

// Attachment is a reference to a managed policy, as written in the export.
type Attachment struct {
	Name, ARN string
	Range     source.Range
}

// Principal is a role, user or group with the policies attached to it.
type Principal struct {
	Kind     string // "role", "user" or "group"
	Name     string
	ARN      string
	ID       string // the unique id (AROA..., AIDA...)
	Trust    *policy.Policy
	Inline   []*policy.Policy
	Attached []Attachment
	Boundary *Attachment
	Groups   []string // for users: the groups they belong to
	// Aliases are the other ways inputs refer to the principal before it
	// exists: a CloudFormation logical id as ${Ref:Id} or ${GetAtt:Id.Arn},
	// a Terraform address as ${aws_iam_role.x.arn}. Find matches them.
	Aliases []string
	Range   source.Range
}

// IsAuthorizationDetails reports whether n looks like the output of
// get-account-authorization-details rather than a policy document.
func IsAuthorizationDetails(n *jsontree.Node) bool {
	if n == nil || n.Kind != jsontree.Object {
		return false
	}
	for _, k := range []string{"RoleDetailList", "UserDetailList", "GroupDetailList", "Policies"} {
		if n.Get(k) != nil {
			return true
		}
	}
	return false
}

// Parse reads an export. Policies that fail to parse are reported and left
// out, so one bad document does not hide the rest of the account.
func Parse(file string, root *jsontree.Node) (*Snapshot, source.Diagnostics) {
	var diags source.Diagnostics
	s := &Snapshot{File: file, Format: FormatAuthorizationDetails, Policies: map[string]*policy.Policy{}}
	if !IsAuthorizationDetails(root) {
		diags.Errorf(root.Range, "expected the output of `aws iam get-account-authorization-details` (an object with RoleDetailList, UserDetailList, GroupDetailList or Policies)")
		return nil, diags
	}
	for _, p := range items(root.Get("Policies")) {
		arn := str(p, "Arn")
		name := str(p, "PolicyName")
		def := str(p, "DefaultVersionId")
		for _, v := range items(p.Get("PolicyVersionList")) {
			isDefault := v.Get("IsDefaultVersion")
			if !(isDefault != nil && isDefault.Kind == jsontree.Bool && isDefault.Bool) && str(v, "VersionId") != def {
				continue
			}
			if doc := document(v.Get("Document"), policy.Identity, name, &diags); doc != nil {
				s.Policies[arn] = doc
			}
		}
	}
	for _, r := range items(root.Get("RoleDetailList")) {
		p := principal(r, "role", "RoleName", &diags)
		p.Trust = document(r.Get("AssumeRolePolicyDocument"), policy.Trust, p.Name+" trust policy", &diags)
		p.Inline = inline(r.Get("RolePolicyList"), p.Name, &diags)
		s.Roles = append(s.Roles, p)
	}
	for _, u := range items(root.Get("UserDetailList")) {
		p := principal(u, "user", "UserName", &diags)
		p.Inline = inline(u.Get("UserPolicyList"), p.Name, &diags)
		for _, g := range items(u.Get("GroupList")) {
			if t, ok := g.Text(); ok {
				p.Groups = append(p.Groups, t)
			}
		}
		s.Users = append(s.Users, p)
	}
	for _, g := range items(root.Get("GroupDetailList")) {
		p := principal(g, "group", "GroupName", &diags)
		p.Inline = inline(g.Get("GroupPolicyList"), p.Name, &diags)
		s.Groups = append(s.Groups, p)
	}
	return s, diags
}

func principal(n *jsontree.Node, kind, nameKey string, diags *source.Diagnostics) *Principal {
	p := &Principal{Kind: kind, Name: str(n, nameKey), ARN: str(n, "Arn"), Range: n.Range}
	p.ID = str(n, strings.TrimSuffix(nameKey, "Name")+"Id")
	for _, a := range items(n.Get("AttachedManagedPolicies")) {
		p.Attached = append(p.Attached, Attachment{Name: str(a, "PolicyName"), ARN: str(a, "PolicyArn"), Range: a.Range})
	}
	if b := n.Get("PermissionsBoundary"); b != nil && b.Kind == jsontree.Object {
		p.Boundary = &Attachment{ARN: str(b, "PermissionsBoundaryArn"), Range: b.Range}
	}
	if p.Name == "" {
		diags.Errorf(n.Range, "%s entry has no %s", kind, nameKey)
	}
	return p
}

func inline(list *jsontree.Node, owner string, diags *source.Diagnostics) []*policy.Policy {
	var out []*policy.Policy
	for _, ip := range items(list) {
		name := owner + "/" + str(ip, "PolicyName")
		if doc := document(ip.Get("PolicyDocument"), policy.Identity, name, diags); doc != nil {
			out = append(out, doc)
		}
	}
	return out
}

// document parses a policy document given as an object (the AWS CLI decodes
// them) or as a string, URL-encoded as the IAM API returns it.
func document(n *jsontree.Node, t policy.Type, name string, diags *source.Diagnostics) *policy.Policy {
	if n == nil {
		return nil
	}
	if n.Unknown {
		diags.Warnf(n.Range, "policy %s is not known offline (%s): execrole leaves it out", name, n.Str)
		return nil
	}
	if n.Kind == jsontree.String {
		text := n.Str
		if strings.HasPrefix(text, "%7B") || strings.HasPrefix(text, "%7b") {
			if u, err := url.QueryUnescape(text); err == nil {
				text = u
			}
		}
		sub, err := jsontree.Parse(n.Range.File, []byte(text))
		if err != nil {
			diags.Errorf(n.Range, "policy %s: the document string is not JSON: %v", name, err)
			return nil
		}
		sub.Relocate(n.Range)
		n = sub
	}
	p, ds := policy.FromNode(n, t, name)
	*diags = append(*diags, ds...)
	return p
}

func items(n *jsontree.Node) []*jsontree.Node {
	if n == nil || n.Kind != jsontree.Array {
		return nil
	}
	return n.Items
}

func str(n *jsontree.Node, key string) string {
	if v := n.Get(key); v != nil {
		if t, ok := v.Text(); ok {
			return t
		}
	}
	return ""
}

// Find returns the role, user or group named by an ARN or a name. A role
// session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) finds its role.
func (s *Snapshot) Find(ref string) (*Principal, bool) {
	if rest, ok := strings.CutPrefix(afterAccount(ref), "assumed-role/"); ok {
		role, _, _ := strings.Cut(rest, "/")
		return s.find(s.Roles, role)
	}
	for _, list := range [][]*Principal{s.Roles, s.Users, s.Groups} {
		if p, ok := s.find(list, ref); ok {
			return p, true
		}
	}
	return nil, false
}

func (s *Snapshot) find(list []*Principal, ref string) (*Principal, bool) {
	for _, p := range list {
		if p.ARN == ref || p.Name == ref {
			return p, true
		}
	}
	for _, p := range list {
		for _, a := range p.Aliases {
			if a == ref {
				return p, true
			}
		}
	}
	// A role's ARN includes its path (role/service-role/name); people often
	// write the ARN without it.
	if name := lastSegment(ref); name != ref {
		for _, p := range list {
			// A role defined in code has no account yet: its name decides.
			if p.Name == name && (sameAccount(p.ARN, ref) || strings.Contains(p.ARN, "${")) {
				return p, true
			}
		}
	}
	return nil, false
}

// Mentioned finds the one role an expression that a template could not
// evaluate refers to, such as ${try(aws_iam_role.task_exec[0].arn, var.arn)}
// or ${join("", aws_iam_role.exec.*.id)}: the role whose resource address
// (or ${GetAtt:Id...} logical id) it names. ok is false when it names none
// or several.
func (s *Snapshot) Mentioned(expr string) (*Principal, bool) {
	if !strings.Contains(expr, "${") {
		return nil, false
	}
	var found *Principal
	for _, r := range s.Roles {
		if mentions(expr, r) {
			if found != nil && found != r {
				return nil, false
			}
			found = r
		}
	}
	return found, found != nil
}

func mentions(expr string, r *Principal) bool {
	for _, a := range r.Aliases {
		core := strings.TrimSuffix(strings.TrimPrefix(a, "${"), "}")
		switch {
		case strings.HasPrefix(core, "aws_") || strings.HasPrefix(core, "module."):
			// aws_iam_role.x or module.m.aws_iam_role.x, without the
			// instance key and the attribute.
			if i := strings.IndexByte(core, '['); i >= 0 {
				core = core[:i]
			} else if i := strings.LastIndexByte(core, '.'); i >= 0 {
				core = core[:i]
			}
		case strings.HasPrefix(core, "GetAtt:"):
			core, _, _ = strings.Cut(core, ".")
		default:
			continue
		}
		for i := 0; ; {
			j := strings.Index(expr[i:], core)
			if j < 0 {
				break
			}
			end := i + j + len(core)
			if end == len(expr) || !isIdent(expr[end]) {
				return true
			}
			i = end
		}
	}
	return false
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// afterAccount returns the resource part of an ARN, or "" for a non-ARN.
func afterAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[5]
}

func lastSegment(arn string) string {
	res := afterAccount(arn)
	if res == "" {
		return arn
	}
	return res[strings.LastIndexByte(res, '/')+1:]
}

func sameAccount(a, b string) bool {
	pa, pb := strings.SplitN(a, ":", 6), strings.SplitN(b, ":", 6)
	return len(pa) == 6 && len(pb) == 6 && pa[4] == pb[4]
}

// ManagedPolicy returns the managed policy with this ARN: the export's copy
// when it has one, else the embedded copy of an AWS managed policy.
func (s *Snapshot) ManagedPolicy(arn string) (*policy.Policy, error) {
	if p, ok := s.Policies[arn]; ok {
		return p, nil
	}
	return Managed(arn)
}

// Managed parses the embedded copy of the AWS managed policy with this ARN.
func Managed(arn string) (*policy.Policy, error) {
	// A template's unresolved ${AWS::Partition} stands for the stack's
	// partition; AWS managed policies are the same in each.
	arn = strings.Replace(arn, "arn:${AWS::Partition}:", "arn:aws:", 1)
	arn = strings.Replace(arn, "arn:${Partition}:", "arn:aws:", 1)
	m, ok := managed.ByARN(arn)
	if !ok {
		return nil, fmt.Errorf("managed policy %s is neither in the export nor one of the AWS managed policies execrole embeds", arn)
	}
	// Parsed once per process: a fleet of roles attaches the same few
	// policies, some of them (ReadOnlyAccess) large. Policies are not
	// modified after parsing, so sharing them is safe.
	if p, ok := parsedManaged.Load(m.ARN); ok {
		return p.(*policy.Policy), nil
	}
	p, diags := policy.Parse(m.ARN, m.Document, policy.Identity)
	if err := diags.Errs(); err != nil {
		return nil, err
	}
	p.Name = m.Name
	actual, _ := parsedManaged.LoadOrStore(m.ARN, p)
	return actual.(*policy.Policy), nil
}

var parsedManaged sync.Map // ARN -> *policy.Policy

// Policies is what applies to one principal's requests.
type Policies struct {
	Identity []*policy.Policy
	Boundary *policy.Policy
	// Missing are attached managed policies (or the boundary) whose
	// documents are neither in the input nor embedded: a customer managed
	// policy defined elsewhere. Decisions that they could change are not
	// known.
	Missing []Attachment
}

// PoliciesOf gathers the identity policies of p (inline, attached, and for a
// user those of its groups) and its permissions boundary. Managed policies
// that cannot be found are listed in Missing; err describes the first of
// them, for callers that cannot decide without every policy.
func (s *Snapshot) PoliciesOf(p *Principal) (Policies, error) {
	var out Policies
	var first error
	miss := func(a Attachment, err error) {
		out.Missing = append(out.Missing, a)
		if first == nil {
			first = err
		}
	}
	add := func(q *Principal) {
		out.Identity = append(out.Identity, q.Inline...)
		for _, a := range q.Attached {
			mp, err := s.ManagedPolicy(a.ARN)
			if err != nil {
				miss(a, fmt.Errorf("%s: %s %s: %w", a.Range, q.Kind, q.Name, err))
				continue
			}
			out.Identity = append(out.Identity, mp)
		}
	}
	add(p)
	for _, g := range p.Groups {
		if gp, ok := s.find(s.Groups, g); ok {
			add(gp)
		}
	}
	if p.Boundary != nil {
		b, err := s.ManagedPolicy(p.Boundary.ARN)
		if err != nil {
			miss(*p.Boundary, fmt.Errorf("%s: permissions boundary of %s: %w", p.Boundary.Range, p.Name, err))
		} else {
			bb := *b
			bb.Type = policy.Boundary
			out.Boundary = &bb
		}
	}
	return out, first
}

// ParseDocument parses a policy document given as an object, or as a string
// (URL-encoded, as the IAM API returns it, or plain JSON, as templates often
// write it). Ranges inside a string point at the string.
func ParseDocument(n *jsontree.Node, t policy.Type, name string) (*policy.Policy, source.Diagnostics) {
	var diags source.Diagnostics
	p := document(n, t, name, &diags)
	return p, diags
}
