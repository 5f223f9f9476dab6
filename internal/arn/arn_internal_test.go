package arn

import (
	"strings"
	"testing"
)

// refMatch is the obviously-correct dynamic-programming glob matcher the
// compiled Glob is fuzzed against.
func refMatch(p, s string, fold bool) bool {
	if fold {
		p, s = lowerASCII(p), lowerASCII(s)
	}
	// dp[j]: p[:i] matches s[:j]
	dp := make([]bool, len(s)+1)
	dp[0] = true
	for i := 0; i < len(p); i++ {
		next := make([]bool, len(s)+1)
		switch p[i] {
		case '*':
			seen := false
			for j := 0; j <= len(s); j++ {
				seen = seen || dp[j]
				next[j] = seen
			}
		default:
			for j := 1; j <= len(s); j++ {
				next[j] = dp[j-1] && (p[i] == '?' || p[i] == s[j-1])
			}
		}
		dp = next
	}
	return dp[len(s)]
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"*", "", false, true},
		{"*", "anything:at/all", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"abc", "abc", false, true},
		{"abc", "ABC", false, false},
		{"abc", "ABC", true, true},
		{"ecr:Get*", "ECR:getauthorizationTOKEN", true, true},
		{"ecr:GetAuthorizationToke?", "ecr:GetAuthorizationToken", true, true},
		{"ecr:GetAuthorizationToke?", "ecr:GetAuthorizationToke", true, false},
		{"a*b*c", "abc", false, true},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "acb", false, false},
		{"a*a", "a", false, false},
		{"*a*", "bab", false, true},
		{"?*?", "a", false, false},
		{"?*?", "ab", false, true},
		{"**", "x", false, true},
		// The Resource page's example: '/' has no special meaning.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
		{"BUCKET/*/test/*", "BUCKET/1/2/test/3/object.jpg", false, true},
		{"BUCKET/*/test/*", "BUCKET/1///test///object.jpg", false, true},
		{"BUCKET/*/test/*", "BUCKET//test/object.jpg", false, true},
		{"BUCKET/*/test/*", "BUCKET/1/test/", false, true},
		{"BUCKET/*/test/*", "BUCKET/1-test/object.jpg", false, false},
		{"BUCKET/*/test/*", "BUCKET/test/object.jpg", false, false},
	}
	for _, tt := range tests {
		g := CompileGlob(tt.pat, tt.fold)
		if got := g.Match(tt.s); got != tt.want {
			t.Errorf("CompileGlob(%q, %v).Match(%q) = %v, want %v", tt.pat, tt.fold, tt.s, got, tt.want)
		}
		if ref := refMatch(tt.pat, tt.s, tt.fold); ref != tt.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v (bad test)", tt.pat, tt.s, ref, tt.want)
		}
	}
}

func TestGlobLiteralParts(t *testing.T) {
	// ${*} and ${?} are literal characters, not wildcards.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
	g := CompileGlobParts([]GlobPart{{Text: "a"}, {Text: "*", Literal: true}, {Text: "b*"}}, false)
	for s, want := range map[string]bool{"a*b": true, "a*bxyz": true, "axb": false, "a?b": false} {
		if got := g.Match(s); got != want {
			t.Errorf("Match(%q) = %v, want %v", s, got, want)
		}
	}
	q := CompileGlobParts([]GlobPart{{Text: "?", Literal: true}}, false)
	if q.Match("x") || !q.Match("?") {
		t.Errorf("literal ? matched wrongly")
	}
}

func TestParse(t *testing.T) {
	a, err := Parse("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:x")
	if err != nil {
		t.Fatal(err)
	}
	want := ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:/ecs/app:log-stream:x"}
	if a != want {
		t.Errorf("Parse = %+v, want %+v", a, want)
	}
	if a.String() != "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:x" {
		t.Errorf("String() = %q", a.String())
	}
	for _, bad := range []string{"", "arn:aws:s3", "xrn:aws:s3:::b", "123456789012"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", bad)
		}
	}
}

// Resource element matching, from the Resource element page and the cases in
// iam-engine.md §2.1.6.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func TestPattern(t *testing.T) {
	const stream = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:ecs/c/1"
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"*", stream, true},
		{"*", "not-an-arn", true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*", stream, true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:*", stream, true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app", stream, false},
		{"arn:aws:logs:*", stream, true},
		{"arn:aws:logs*", stream, true},
		{"arn:aws:s3:*", stream, false},
		{"arn:aws:logs", stream, false},
		{"arn:aws:logs:us-*:*:*", stream, true},
		{"arn:aws:logs:us-east-?:*:*", stream, true},
		{"arn:aws:logs:eu-*:*:*", stream, false},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/ECS/app:*", stream, false},
		{"arn:aws:s3:::BUCKET/*/test/*", "arn:aws:s3:::BUCKET/1/2/test/3/object.jpg", true},
		{"arn:aws:s3:::BUCKET/*/test/*", "arn:aws:s3:::BUCKET/test/object.jpg", false},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket/x", false},
		{"arn:aws:*:us-east-1:123456789012:*", stream, true},
		// Region '*' does not swallow the account in a full pattern.
		{"arn:aws:logs:*:log-group:*", stream, false},
	}
	for _, tt := range tests {
		p := CompilePattern(tt.pat)
		s := SplitSubject(tt.s)
		if got := p.Match(&s); got != tt.want {
			t.Errorf("CompilePattern(%q).Match(%q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

// ArnLike compares the six parts separately: '*' does not cross ':'.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func TestArnPattern(t *testing.T) {
	const svc = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"arn:aws:ecs:*:123456789012:*", svc, true},
		{"arn:aws:ecs:*", svc, false},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", svc, true},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/*", svc, true},
		{"arn:aws:ecs:us-east-1:*:task-definition/*", svc, true},
		{"arn:aws:ecs:us-east-1:1234*", svc, false},
		{"arn:aws:*:*:*:*", svc, true},
		{"arn:aws:*:*:*:*", "not-an-arn", false},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/WEB:3", svc, false},
		// StringLike would match this (its '*' crosses ':'), ArnLike must not.
		{"arn:aws:ecs:us-east-1*:task-definition/*", svc, false},
	}
	for _, tt := range tests {
		p := CompileArnPattern([]GlobPart{{Text: tt.pat}})
		s := SplitSubject(tt.s)
		if got := p.Match(&s); got != tt.want {
			t.Errorf("ArnLike(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "aXXbYc", false)
	f.Add("*", "", true)
	f.Add("**a**", "AAA", true)
	f.Add("?*?*?", "abcd", false)
	f.Fuzz(func(t *testing.T, pat, s string, fold bool) {
		if len(pat) > 64 || len(s) > 256 {
			return
		}
		g := CompileGlob(pat, fold)
		if got, want := g.Match(s), refMatch(pat, s, fold); got != want {
			t.Fatalf("CompileGlob(%q, %v).Match(%q) = %v, reference says %v", pat, fold, s, got, want)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:s3:::bucket/key")
	f.Add("arn:aws:logs:us-east-1:1:log-group:a:b")
	f.Add(":::::")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if a != (ARN{}) {
				t.Fatalf("Parse(%q) returned %+v with error", s, a)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		p := CompilePattern(s)
		sp := SplitSubject(s)
		if !p.Match(&sp) && !strings.ContainsAny(s, "*?") {
			t.Fatalf("ARN %q does not match itself", s)
		}
	})
}

func BenchmarkGlob(b *testing.B) {
	g := CompileGlob("ecr:Get*Token", true)
	for b.Loop() {
		g.Match("ecr:GetAuthorizationToken")
	}
}

func BenchmarkPattern(b *testing.B) {
	p := CompilePattern("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/*:*")
	s := SplitSubject("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:ecs/c/1")
	b.ReportAllocs()
	for b.Loop() {
		p.Match(&s)
	}
}

func BenchmarkGlobPathological(b *testing.B) {
	g := CompileGlob("*"+strings.Repeat("a*", 20)+"b*", false)
	s := strings.Repeat("a", 4096)
	for b.Loop() {
		g.Match(s)
	}
}

func TestGlobsIntersect(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"*", "anything", true},
		{"a*", "*b", true},
		{"a*", "b*", false},
		{"*/AWSLogs/*", "example-bucket/*", true},
		{"*.log", "*.txt", false},
		{"a?c", "ab*", true},
		{"abc", "abd", false},
		{"", "*", true},
		{"", "?", false},
	}
	for _, tt := range tests {
		if got := GlobsIntersect(tt.a, tt.b); got != tt.want {
			t.Errorf("GlobsIntersect(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := GlobsIntersect(tt.b, tt.a); got != tt.want {
			t.Errorf("GlobsIntersect(%q, %q) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func FuzzGlobsIntersect(f *testing.F) {
	f.Add("a*b", "ab")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 32 || len(s) > 32 || strings.ContainsAny(s, "*?") {
			return
		}
		// Against a literal string, intersection is matching.
		if got, want := GlobsIntersect(pat, s), refMatch(pat, s, false); got != want {
			t.Fatalf("GlobsIntersect(%q, %q) = %v, match says %v", pat, s, got, want)
		}
	})
}

// FuzzPattern: compiling and matching never panic, and for a subject
// without wildcards Intersects agrees with Match.
func FuzzPattern(f *testing.F) {
	f.Add("arn:aws:logs:*", "arn:aws:logs:us-east-1:1:log-group:a:b")
	f.Add("arn:aws:s3:::b/*/t/*", "arn:aws:s3:::b/1/t/2")
	f.Add("*", "x")
	f.Add("arn:aws:logs:us-*:*:*", "arn:aws:logs:us-east-1:1:x")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 64 || len(s) > 128 {
			return
		}
		p := CompilePattern(pat)
		sp := SplitSubject(s)
		m := p.Match(&sp)
		if strings.ContainsAny(s, "*?") {
			p.Intersects(s)
			return
		}
		if i := p.Intersects(s); i != m {
			t.Fatalf("CompilePattern(%q): Match(%q) = %v but Intersects = %v", pat, s, m, i)
		}
	})
}
