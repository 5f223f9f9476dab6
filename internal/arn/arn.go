// Package arn parses Amazon Resource Names and matches them the two ways IAM
// does: the Resource element's segment-wise match, and the ArnLike/ArnEquals
// condition operators' six-part match. Patterns are compiled once into globs
// so that matching allocates nothing and never backtracks exponentially.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
package arn

import (
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name. Resource is everything after the
// fifth colon, including further ':' and '/'.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// Parse splits s into its parts. It needs the "arn" prefix and at least five
// colons; the other parts may be empty (S3 ARNs have no region or account).
func Parse(s string) (ARN, error) {
	var segs [6]string
	if !split6(s, &segs) {
		return ARN{}, fmt.Errorf("arn: %q is not an ARN: want arn:partition:service:region:account:resource", s)
	}
	if segs[0] != "arn" {
		return ARN{}, fmt.Errorf("arn: %q does not start with \"arn:\"", s)
	}
	return ARN{Partition: segs[1], Service: segs[2], Region: segs[3], Account: segs[4], Resource: segs[5]}, nil
}

// String joins the parts back into an ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// split6 splits s at its first five colons into segs. It reports false when s
// has fewer than five colons.
func split6(s string, segs *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		segs[i] = s[:j]
		s = s[j+1:]
	}
	segs[5] = s
	return true
}

// Split is a subject pre-split for repeated matching: callers split the
// request resource once and match it against many patterns.
type Split struct {
	Whole string
	IsARN bool
	Segs  [6]string
}

// SplitSubject pre-splits s for Pattern.Match and ArnPattern.Match.
func SplitSubject(s string) Split {
	sp := Split{Whole: s}
	sp.IsARN = split6(s, &sp.Segs)
	return sp
}

// Pattern is a compiled Resource/NotResource element value.
//
// Matching is case-sensitive. "*" matches everything. Otherwise the first
// five colon-separated segments are matched one by one and the resource part
// as a whole, in which '*' crosses ':' and '/'. A pattern with fewer than six
// segments whose last segment ends in '*' lets that '*' expand across the
// remaining colons, so "arn:aws:logs:*" matches every logs ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
type Pattern struct {
	Text  string
	all   bool
	whole Glob // for subjects or patterns that are not ARNs
	isARN bool
	n     int // number of segments in the pattern (≤ 6)
	segs  [6]Glob
}

// CompilePattern compiles a Resource element value.
func CompilePattern(s string) *Pattern {
	return CompilePatternParts([]GlobPart{{Text: s}})
}

// CompilePatternParts compiles a Resource element value given as parts, so
// that resolved policy variables and ${*}-style escapes stay literal.
func CompilePatternParts(parts []GlobPart) *Pattern {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	text := b.String()
	p := &Pattern{Text: text}
	if len(parts) == 1 && !parts[0].Literal && text == "*" {
		p.all = true
		return p
	}
	p.whole = CompileGlobParts(parts, false)
	if !strings.HasPrefix(text, "arn:") {
		return p
	}
	p.isARN = true
	p.n = compileSegments(parts, &p.segs)
	if p.n < 6 {
		// Short pattern: valid only if its last segment ends in '*', which
		// then absorbs the rest of the subject, colons included.
		last := &p.segs[p.n-1]
		if !last.trail {
			p.n = -1 // matches only the identical non-ARN string via whole
		}
	}
	return p
}

// MatchAll reports whether the pattern is "*".
func (p *Pattern) MatchAll() bool { return p.all }

// Match reports whether the subject matches the pattern.
func (p *Pattern) Match(s *Split) bool {
	if p.all {
		return true
	}
	if !p.isARN || !s.IsARN || p.n < 0 {
		if p.isARN && p.n < 0 {
			return false
		}
		return p.whole.Match(s.Whole)
	}
	last := p.n - 1
	for i := 0; i < last; i++ {
		if !p.segs[i].Match(s.Segs[i]) {
			return false
		}
	}
	if last == 5 {
		return p.segs[5].Match(s.Segs[5])
	}
	// Expand the last pattern segment over the rest of the subject. The
	// rest is a suffix of Whole starting at segment `last`.
	off := 0
	for i := 0; i < last; i++ {
		off += len(s.Segs[i]) + 1
	}
	return p.segs[last].Match(s.Whole[off:])
}

// ArnPattern is a compiled ArnLike/ArnEquals condition value: each of the six
// colon-separated parts is matched on its own, so '*' never crosses a colon
// before the resource part, and a pattern with fewer than six parts matches
// nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
type ArnPattern struct {
	ok   bool
	segs [6]Glob
}

// CompileArnPattern compiles an ARN condition value given as parts.
func CompileArnPattern(parts []GlobPart) *ArnPattern {
	p := &ArnPattern{}
	p.ok = compileSegments(parts, &p.segs) == 6
	return p
}

// Match reports whether the subject, an ARN, matches. Non-ARN subjects never
// match.
func (p *ArnPattern) Match(s *Split) bool {
	if !p.ok || !s.IsARN {
		return false
	}
	for i := range p.segs {
		if !p.segs[i].Match(s.Segs[i]) {
			return false
		}
	}
	return true
}

// PartitionOf returns the partition of a region, as the AWS SDKs' endpoint
// tables do: "aws-cn" for cn-*, "aws-us-gov" for us-gov-*, the isolated
// partitions, and "aws" for everything else (including "").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// compileSegments compiles parts split at their first five colons into
// segs and returns how many segments there are. Colons never come from a
// wildcard, so splitting the part list is exact.
func compileSegments(parts []GlobPart, segs *[6]Glob) int {
	seg := 0
	var cur []GlobPart
	for _, gp := range parts {
		t := gp.Text
		for seg < 5 {
			j := strings.IndexByte(t, ':')
			if j < 0 {
				break
			}
			cur = append(cur, GlobPart{Text: t[:j], Literal: gp.Literal})
			segs[seg] = CompileGlobParts(cur, false)
			cur = nil
			seg++
			t = t[j+1:]
		}
		cur = append(cur, GlobPart{Text: t, Literal: gp.Literal})
	}
	segs[seg] = CompileGlobParts(cur, false)
	return seg + 1
}
