// Package policy is the IAM policy language: the syntax tree of a policy
// document, its strict parser, its validation per policy type, and its
// printer. It knows nothing of how requests are evaluated; see package eval.
//
// The grammar is the one AWS documents:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
package policy

import (
	"strconv"

	"github.com/execrole/execrole/internal/source"
)

// Type says what a policy document is attached to. The same JSON is valid
// as one type and invalid as another (Principal, for instance).
type Type int

// The policy types IAM knows.
const (
	Identity Type = iota // inline or managed policy of a user, group or role
	Resource             // resource-based policy: bucket, key, secret, repository...
	Trust                // role trust policy (AssumeRolePolicyDocument)
	Boundary             // permissions boundary
	SCP                  // service control policy
	RCP                  // resource control policy
	Session              // session policy passed to AssumeRole
	Endpoint             // VPC endpoint policy
	// Repository is an Amazon ECR repository policy: a resource policy
	// whose Resource is implied (the repository) and usually left out.
	// https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html
	Repository
)

var typeNames = [...]string{"identity", "resource", "trust", "boundary", "scp", "rcp", "session", "endpoint", "repository"}

func (t Type) String() string { return typeNames[t] }

// ParseType returns the Type named by s, as printed by Type.String.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// Policy versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is one parsed policy document.
type Policy struct {
	Name       string // how explanations refer to it: a file name, a policy name or ARN
	Type       Type
	Version    string // "" when absent
	ID         string
	Statements []*Statement
	Range      source.Range
}

// VariablesEnabled reports whether ${...} in this policy is a policy
// variable. Under 2008-10-17 or no Version it is literal text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func (p *Policy) VariablesEnabled() bool { return p.Version == Version2012 }

// Effect is Allow or Deny.
type Effect string

// The two effects. They are case-sensitive in IAM.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Value is a string as written in the policy, with where it was written.
// Numbers and booleans (allowed in condition values) are kept as their
// literal text.
type Value struct {
	Text  string
	Range source.Range
	// Unknown marks a value that a template (CloudFormation, Terraform)
	// could not resolve offline: its ${...} are placeholders such as
	// ${AWS::Region} or ${aws_s3_bucket.b.arn}, not policy variables.
	Unknown bool
}

// Statement is one entry of the Statement element.
type Statement struct {
	Index int // 0-based position in the policy's Statement list
	Sid   string
	// SidSet distinguishes "Sid": "" from no Sid at all.
	SidSet bool
	Effect Effect

	// Principal is nil when the statement has neither Principal nor
	// NotPrincipal. NotPrincipal is true when it came from NotPrincipal.
	Principal    *Principal
	NotPrincipal bool

	// Actions holds Action or, when NotAction is true, NotAction.
	// ActionSet is false when neither element is present.
	Actions   []Value
	NotAction bool
	ActionSet bool

	// Resources holds Resource or, when NotResource is true, NotResource.
	// ResourceSet is false when neither element is present.
	Resources   []Value
	NotResource bool
	ResourceSet bool

	// Conditions in file order. Empty when there is no Condition element.
	Conditions []*Condition

	Range source.Range
	// Ranges maps each element name present ("Effect", "Action",
	// "NotResource", ...) to the range of its key, so findings can point at
	// the element.
	Ranges map[string]source.Range
}

// Name returns how explanations name the statement: its Sid, or its index.
func (s *Statement) Name() string {
	if s.Sid != "" {
		return s.Sid
	}
	return "#" + strconv.Itoa(s.Index)
}

// Principal is the value of a Principal or NotPrincipal element.
type Principal struct {
	// Wildcard is true for the bare string "*".
	Wildcard bool
	// Entries lists each (kind, value) pair of the object form, in order.
	Entries []PrincipalEntry
	Range   source.Range
}

// Principal kinds, the keys of the object form.
const (
	KindAWS           = "AWS"
	KindService       = "Service"
	KindFederated     = "Federated"
	KindCanonicalUser = "CanonicalUser"
)

// PrincipalEntry is one value under one key of the Principal object, e.g.
// {"AWS", "arn:aws:iam::123456789012:root"}.
type PrincipalEntry struct {
	Kind  string
	Value Value
}

// Condition is one (operator, key) pair of the Condition element with the
// values it is compared to.
type Condition struct {
	Operator Operator
	// OperatorText is the operator as written, e.g. "ForAnyValue:StringLike".
	OperatorText string
	Key          string // as written; keys compare case-insensitively
	Values       []Value
	Range        source.Range // the key
}

// Qualifier is the set-operator prefix of a condition operator.
type Qualifier int

// Set qualifiers.
const (
	Single       Qualifier = iota // no prefix
	ForAllValues                  // "ForAllValues:"
	ForAnyValue                   // "ForAnyValue:"
)

// Operator is a parsed condition operator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type Operator struct {
	Qualifier Qualifier
	// Base is the canonical name without qualifier or IfExists suffix,
	// e.g. "StringNotLike", "ArnEquals", "Null".
	Base     string
	IfExists bool
}
