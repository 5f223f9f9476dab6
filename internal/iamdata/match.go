package iamdata

import (
	"slices"
	"strings"

	"github.com/execrole/execrole/internal/arn"
)

// globMatch reports whether s matches the IAM glob pattern (* matches any
// run of characters, ? any single character), ignoring ASCII case. This is
// how the Action element matches:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func globMatch(pattern, s string) bool {
	// Iterative matcher with single-star backtracking: linear for typical
	// patterns, O(len(p)*len(s)) worst case.
	p, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, si
			p++
		case p < len(pattern) && (pattern[p] == '?' || lower(pattern[p]) == lower(s[si])):
			p++
			si++
		case star >= 0:
			p = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// ExpandActions returns every known action matching the glob pattern
// ("service:Action" with * and ?, case-insensitive) as "service:Action" in
// canonical case, sorted by service then action. An exact name returns at
// most one element; an unknown one returns none.
func ExpandActions(pattern string) []string {
	var out []string
	forEachMatch(pattern, func(a *Action) { out = append(out, a.FullName()) })
	return out
}

// MatchActions is [ExpandActions] returning the action records.
func MatchActions(pattern string) []*Action {
	var out []*Action
	forEachMatch(pattern, func(a *Action) { out = append(out, a) })
	return out
}

func forEachMatch(pattern string, f func(*Action)) {
	d := data()
	if pattern == "*" {
		for _, a := range d.all {
			f(a)
		}
		return
	}
	svcPat, namePat, ok := strings.Cut(pattern, ":")
	if !ok {
		return
	}
	if !hasWildcard(pattern) {
		if a, ok := LookupAction(pattern); ok {
			f(a)
		}
		return
	}
	for _, s := range d.services {
		if !globMatch(svcPat, s.Prefix) {
			continue
		}
		if namePat == "*" {
			for _, a := range s.Actions {
				f(a)
			}
			continue
		}
		if !hasWildcard(namePat) {
			if a, ok := s.byName[strings.ToLower(namePat)]; ok {
				f(a)
			}
			continue
		}
		for _, a := range s.Actions {
			if globMatch(namePat, a.Name) {
				f(a)
			}
		}
	}
	// A colon inside the action part ("s*:Get:x") can never match, and a
	// star in the service part may also span the colon ("ec*Get*" style
	// patterns are not valid actions), so splitting at the first colon is
	// exact for well-formed actions.
}

// ResourceType returns the resource type called name (case-insensitive) of
// the service with the given prefix.
func ResourceType(service, name string) (*ResourceTypeInfo, bool) {
	s, ok := LookupService(service)
	if !ok {
		return nil, false
	}
	rt, ok := s.byType[strings.ToLower(name)]
	return rt, ok
}

// ResourceTypesForARN returns the names of service's resource types whose
// ARN template can name a resource matched by arn, which may be a concrete
// ARN or an IAM Resource pattern with * and ?. When service is empty it is
// taken from the ARN's service field. Results follow the data's order.
//
// A template placeholder such as ${BucketName} matches any non-empty text
// without ':', except a placeholder that ends the template, which matches
// anything (object keys and parameter names may contain ':'; log group
// names, which precede ":log-stream:", cannot). That alone would let a log
// stream ARN match the log-group template too, so for a concrete ARN a type
// is dropped when another matching type's template extends it (log-group by
// log-stream, bucket by object). Wildcard ARNs keep every overlapping type:
// arn:aws:logs:r:a:log-group:g:* names both the group and its streams.
// ARN matching is case-sensitive:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func ResourceTypesForARN(service, arn string) []string {
	var out []string
	for _, rt := range resourceTypesForARN(service, arn) {
		out = append(out, rt.Name)
	}
	return out
}

func resourceTypesForARN(service, arn string) []*ResourceTypeInfo {
	if service == "" {
		parts := strings.SplitN(arn, ":", 4)
		if len(parts) < 3 || hasWildcard(parts[2]) {
			return nil
		}
		service = parts[2]
	}
	s, ok := LookupService(service)
	if !ok {
		return nil
	}
	var out []*ResourceTypeInfo
	for _, rt := range s.ResourceTypes {
		if templateMatches(rt.ARN, arn) {
			out = append(out, rt)
		}
	}
	if len(out) < 2 || hasWildcard(arn) {
		return out
	}
	return slices.DeleteFunc(slices.Clone(out), func(rt *ResourceTypeInfo) bool {
		return slices.ContainsFunc(out, func(o *ResourceTypeInfo) bool {
			return len(o.ARN) > len(rt.ARN) && strings.HasPrefix(o.ARN, rt.ARN)
		})
	})
}

// compileTemplate turns an ARN template into elements: ${X} becomes one
// character then any run (one or more), without ':' unless it ends t.
func compileTemplate(t string) []arn.Elem {
	last := -1
	if strings.HasSuffix(t, "}") {
		last = strings.LastIndex(t, "${")
	}
	var out []arn.Elem
	for i := 0; i < len(t); {
		if strings.HasPrefix(t[i:], "${") {
			if end := strings.IndexByte(t[i:], '}'); end > 0 {
				nc := i != last
				out = append(out, arn.Elem{Kind: '?', NoColon: nc}, arn.Elem{Kind: '*', NoColon: nc})
				i += end + 1
				continue
			}
		}
		out = append(out, arn.Elem{Kind: 'c', C: t[i]})
		i++
	}
	return out
}

func templateMatches(template, arnText string) bool {
	return arn.Intersect(compileTemplate(template), arn.GlobElems(arnText))
}

// RCPSupported reports whether resource control policies apply to the
// service with the given prefix; RCPs do not affect other services:
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
func RCPSupported(service string) bool {
	return data().rcp[strings.ToLower(service)]
}

// RCPServices returns the prefixes of services RCPs apply to, sorted.
func RCPServices() []string {
	out := make([]string, 0, len(data().rcp))
	for s := range data().rcp {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
