package iamdata

import (
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/arn"
)

// IAM wildcard semantics: * any run (including empty), ? exactly one
// character; Action matching ignores case.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "ecr:GetAuthorizationToken", true},
		{"ecr:Get*", "ECR:getauthorizationtoken", true},
		{"ecr:Get*", "ecr:BatchGetImage", false},
		{"ecr:*Image", "ecr:BatchGetImage", true},
		{"ecr:*Image", "ecr:BatchGetImages", false},
		{"e?r:*", "ecr:X", true},
		{"e?r:*", "er:X", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "", true},
		{"", "a", false},
		{"**", "", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// FuzzGlobAgreesWithIntersects checks the two matchers against each other:
// for a literal string s, the pattern matches s exactly when the pattern and
// s (as a pattern) have a common string.
func FuzzGlobAgreesWithIntersects(f *testing.F) {
	f.Add("ecr:Get*", "ecr:GetAuthorizationToken")
	f.Add("a*b?c", "axxbyc")
	f.Add("arn:aws:s3:::*/*", "arn:aws:s3:::b/k")
	f.Add("**?", "")
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 64 || len(s) > 64 || strings.ContainsAny(s, "*?") {
			return
		}
		// globMatch folds ASCII case; intersects does not.
		want := globMatch(p, s)
		lp, ls := asciiLower(p), asciiLower(s)
		if got := arn.Intersect(arn.GlobElems(lp), arn.GlobElems(ls)); got != want {
			t.Fatalf("globMatch(%q, %q) = %v but intersects = %v", p, s, want, got)
		}
	})
}

// FuzzLookups checks that no lookup panics on arbitrary input.
func FuzzLookups(f *testing.F) {
	f.Add("ecr:GetAuthorizationToken", "arn:aws:ecr:us-east-1:1:repository/x")
	f.Add("*:*", "*")
	f.Add("aws:ResourceTag/${TagKey}", "arn:${Partition}:s3:::${BucketName}")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 128 || len(b) > 128 {
			return
		}
		LookupAction(a)
		WildcardOnly(a)
		if len(ExpandActions(a)) > len(data().all) {
			t.Fatal("more matches than actions")
		}
		ResourceTypesForARN("", b)
		ResourceTypesForARN("s3", b)
		ConditionKeyType(a)
		keyMatches(a, b)
		nearest(a, []string{b, "ecr"})
	})
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}
