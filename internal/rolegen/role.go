// Package rolegen builds the least-privilege IAM roles a task definition
// needs: the execution role's trust policy and scoped permissions, the task
// role where the task needs one, and the repository policies that
// cross-account ECR images need in the image's account.
//
// It produces documents, not files; package render turns a [Result] into
// IAM JSON, an AWS CLI script, CloudFormation or Terraform.
package rolegen

import "encoding/json"

// Result is everything generate produces for one or more task definitions.
type Result struct {
	ExecutionRole *Role `json:"executionRole"`
	// TaskRole is nil when the task role needs nothing execrole can derive.
	TaskRole           *Role              `json:"taskRole,omitempty"`
	RepositoryPolicies []RepositoryPolicy `json:"repositoryPolicies,omitempty"`
	// Notes are assumptions and placeholders the reader must resolve, e.g.
	// "kms:Decrypt omitted: secrets assumed to use the AWS managed key".
	Notes []string `json:"notes,omitempty"`
}

// Role is one IAM role to create.
type Role struct {
	Name string `json:"name"`
	// ARN is the role's ARN when the account is known, else it holds a
	// placeholder such as "arn:aws:iam::${AccountId}:role/NAME".
	ARN         string          `json:"arn"`
	Path        string          `json:"path,omitempty"`
	Description string          `json:"description,omitempty"`
	TrustPolicy json.RawMessage `json:"trustPolicy"`
	Policies    []NamedPolicy   `json:"policies"`
	// ManagedPolicyARNs are attached only when the user asks for them.
	ManagedPolicyARNs []string          `json:"managedPolicyArns,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
}

// NamedPolicy is an inline policy document with its name.
type NamedPolicy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
	// Managed marks a customer managed policy to create and attach rather
	// than an inline policy: set when the role's permissions exceed IAM's
	// 10,240-character aggregate limit on a role's inline policies.
	Managed bool `json:"managed,omitempty"`
}

// RepositoryPolicy is an ECR repository policy the image account must set so
// that the role may pull across accounts.
type RepositoryPolicy struct {
	// Repository is the repository ARN.
	Repository string          `json:"repository"`
	Document   json.RawMessage `json:"document"`
}
