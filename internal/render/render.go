// Package render turns a generated [rolegen.Result] into the artefacts a
// user deploys: IAM JSON, an AWS CLI script, a CloudFormation template and
// Terraform configuration.
//
// Every renderer checks the names against IAM's limits first, so a role that
// IAM would reject never reaches a file, and every renderer is deterministic:
// object keys are sorted, tags are sorted and policies keep their order.
package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/execrole/execrole/internal/rolegen"
)

var errNoExecutionRole = errors.New("render: result has no execution role")

// iamName is the character set IAM allows in role and policy names:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
// (RoleName pattern [\w+=,.@-]+) and API_PutRolePolicy.html (PolicyName).
var iamName = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]+$`)

// iamPath is IAM's path pattern: "/" or "/segments/", up to 512 characters
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
var iamPath = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)

// Limits from https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// and the CreateRole/PutRolePolicy/TagRole API references.
const (
	maxRoleName    = 64
	maxPolicyName  = 128
	maxPath        = 512
	maxDescription = 1000
	maxTagKey      = 128
	maxTagValue    = 256
	maxTags        = 50
)

// validate rejects a Result whose names or tags IAM would refuse, so that
// every renderer fails the same way before writing anything.
func validate(r *rolegen.Result) error {
	if r == nil || r.ExecutionRole == nil {
		return errNoExecutionRole
	}
	var errs []error
	for _, role := range roles(r) {
		errs = append(errs, validateRole(role)...)
	}
	for i, rp := range r.RepositoryPolicies {
		if _, err := parseRepositoryARN(rp.Repository); err != nil {
			errs = append(errs, fmt.Errorf("repository policy %d: %w", i, err))
		}
		if _, err := canonical(rp.Document); err != nil {
			errs = append(errs, fmt.Errorf("repository policy for %s: %w", rp.Repository, err))
		}
	}
	return errors.Join(errs...)
}

func validateRole(role *rolegen.Role) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("role %q: "+format, append([]any{role.Name}, args...)...))
	}
	if err := checkName(role.Name, maxRoleName); err != nil {
		bad("role name: %v", err)
	}
	if role.Path != "" && (len(role.Path) > maxPath || !iamPath.MatchString(role.Path)) {
		bad("path %q: want \"/\" or \"/a/b/\" of printable ASCII, at most %d characters", role.Path, maxPath)
	}
	if role.Description != "" && !validDescription(role.Description) {
		bad("description: want at most %d printable Latin-1 characters", maxDescription)
	}
	if _, err := canonical(role.TrustPolicy); err != nil {
		bad("trust policy: %v", err)
	}
	seen := map[string]bool{}
	for _, p := range role.Policies {
		if err := checkName(p.Name, maxPolicyName); err != nil {
			bad("policy name: %v", err)
		}
		if seen[p.Name] {
			bad("policy name %q used twice", p.Name)
		}
		seen[p.Name] = true
		if _, err := canonical(p.Document); err != nil {
			bad("policy %q: %v", p.Name, err)
		}
	}
	for _, a := range role.ManagedPolicyARNs {
		if !strings.HasPrefix(a, "arn:") || !strings.Contains(a, ":policy/") || strings.ContainsAny(a, "'\"\\$` \t\r\n") {
			bad("managed policy ARN %q: want arn:PARTITION:iam::ACCOUNT:policy/NAME", a)
		}
	}
	if len(role.Tags) > maxTags {
		bad("%d tags: IAM allows at most %d", len(role.Tags), maxTags)
	}
	for k, v := range role.Tags {
		if k == "" || utf8.RuneCountInString(k) > maxTagKey || utf8.RuneCountInString(v) > maxTagValue || !validTag(k) || !validTag(v) {
			bad("tag %q: want a key of 1-%d and a value of 0-%d letters, digits, spaces or _.:/=+-@", k, maxTagKey, maxTagValue)
		}
	}
	return errs
}

func checkName(name string, max int) error {
	if name == "" || len(name) > max || !iamName.MatchString(name) {
		return fmt.Errorf("%q: want 1-%d characters of letters, digits and _+=,.@-", name, max)
	}
	return nil
}

// validDescription applies CreateRole's Description pattern
// [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*.
func validDescription(s string) bool {
	if utf8.RuneCountInString(s) > maxDescription || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c != '\t' && c != '\n' && c != '\r' && (c < 0x20 || c > 0x7E) && (c < 0xA1 || c > 0xFF) {
			return false
		}
	}
	return true
}

// validTag applies TagRole's pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html).
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func validTag(s string) bool { return utf8.ValidString(s) && tagPattern.MatchString(s) }

// roles lists the roles in output order: execution role, then task role.
func roles(r *rolegen.Result) []*rolegen.Role {
	out := []*rolegen.Role{r.ExecutionRole}
	if r.TaskRole != nil {
		out = append(out, r.TaskRole)
	}
	return out
}

// canonical decodes a JSON document into generic values so that renderers
// re-encode it with sorted keys. Numbers stay json.Number, so nothing is
// rounded.
func canonical(doc json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, errors.New("empty document")
	}
	if !utf8.Valid(doc) {
		return nil, errors.New("document is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: text after the document")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("document is not a JSON object")
	}
	if err := checkNumbers(v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkNumbers rejects numbers beyond float64, which YAML and HCL readers
// would turn into infinities, so every format would carry a different policy.
func checkNumbers(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			if err := checkNumbers(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := checkNumbers(e); err != nil {
				return err
			}
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return fmt.Errorf("number %s out of range", v)
		}
	}
	return nil
}

// compactJSON is a document on one line with sorted keys, the form the CLI
// passes as an argument and CloudFormation comments carry. HTML characters
// are not escaped so the text reads as the user wrote it.
func compactJSON(doc json.RawMessage) (string, error) {
	v, err := canonical(doc)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// repository is a parsed ECR repository ARN,
// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME.
type repository struct {
	Partition, Region, Account, Name string
}

// ecrRepoName is ECR's repository name pattern
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html).
var ecrRepoName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

var (
	awsRegion  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	awsAccount = regexp.MustCompile(`^\d{12}$`)
)

func parseRepositoryARN(s string) (repository, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecr" || !strings.HasPrefix(parts[5], "repository/") {
		return repository{}, fmt.Errorf("repository %q: want arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME", s)
	}
	r := repository{Partition: parts[1], Region: parts[3], Account: parts[4], Name: strings.TrimPrefix(parts[5], "repository/")}
	if !iamName.MatchString(r.Partition) || !awsRegion.MatchString(r.Region) || !awsAccount.MatchString(r.Account) ||
		len(r.Name) < 2 || len(r.Name) > 256 || !ecrRepoName.MatchString(r.Name) {
		return repository{}, fmt.Errorf("repository %q: want arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME with a 12-digit account and a valid region and name", s)
	}
	return r, nil
}

// roleAccount returns the partition and account from a role ARN; ok is false
// when the ARN holds a placeholder instead of a 12-digit account.
func roleAccount(arn string) (partition, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "aws", "", false
	}
	partition = parts[1]
	if !iamName.MatchString(partition) {
		partition = "aws"
	}
	return partition, parts[4], awsAccount.MatchString(parts[4])
}

// sortedKeys returns a map's keys in byte order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// identifier turns a name into [A-Za-z0-9_] words for Terraform resource
// names and CloudFormation logical ids, which allow fewer characters than
// IAM names; used records names already taken so results stay unique.
func identifier(name string, used map[string]bool, sep string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case sep != "" && !strings.HasSuffix(b.String(), sep) && b.Len() > 0:
			b.WriteString(sep)
		}
	}
	id := strings.TrimSuffix(b.String(), sep)
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "p" + sep + id
	}
	base := id
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s%s%d", base, sep, n)
	}
	used[id] = true
	return id
}
