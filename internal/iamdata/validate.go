package iamdata

import (
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// Validate lints a parsed policy against the service data and returns
// warnings (never errors: the data may lag behind AWS) for what IAM accepts
// silently but will never match:
//
//   - an unknown service prefix or action, naming the nearest known one;
//   - an action pattern that matches no known action;
//   - a wildcard-only action (no resource-level permissions) in a statement
//     whose Resource is not "*", which therefore never grants it;
//   - a Resource ARN that no resource type of the statement's actions can
//     name, with the ARN formats expected instead;
//   - a condition key that is unknown, or that none of the statement's
//     actions supports (so the condition sees a missing key).
//
// Behaviour encoded (Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
// an action whose "Resource types" column is empty requires "Resource": "*";
// a condition key applies only to the actions that list it, directly or via
// their resource types, plus the global keys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// Keys whose prefix is neither a service nor known (OIDC and SAML providers'
// keys such as token.actions.githubusercontent.com:sub) are not checked.
func Validate(p *policy.Policy) source.Diagnostics {
	if p == nil {
		return nil
	}
	var ds source.Diagnostics
	for _, st := range p.Statements {
		if st != nil {
			validateStatement(&ds, p, st)
		}
	}
	return ds
}

// stmtActions is what a statement's Action element resolves to.
type stmtActions struct {
	actions []*Action
	// open is true when the element cannot be resolved to a closed set:
	// NotAction, "*", a wildcard service part, or an unknown action.
	open bool
}

func validateStatement(ds *source.Diagnostics, p *policy.Policy, st *policy.Statement) {
	sa := stmtActions{open: st.NotAction || !st.ActionSet}
	seen := map[*Action]bool{}
	for _, v := range st.Actions {
		matched, closed := checkAction(ds, v)
		if !closed {
			sa.open = true
		}
		for _, a := range matched {
			if !seen[a] {
				seen[a] = true
				sa.actions = append(sa.actions, a)
			}
		}
	}

	resourceStar := false
	for _, r := range st.Resources {
		if globMatch(r.Text, "*") {
			resourceStar = true
		}
	}
	if !st.NotAction && st.ResourceSet && !st.NotResource && !resourceStar {
		checkWildcardOnly(ds, st)
		checkResources(ds, p, st, sa)
	}
	for _, c := range st.Conditions {
		if c != nil {
			checkConditionKey(ds, c, st.NotAction, sa)
		}
	}
}

// checkAction warns about an Action or NotAction value that names nothing
// known. It returns the matched actions and whether they form a closed set.
func checkAction(ds *source.Diagnostics, v policy.Value) ([]*Action, bool) {
	text := v.Text
	if text == "*" {
		return nil, false
	}
	svc, name, ok := strings.Cut(text, ":")
	if !ok || svc == "" || name == "" {
		ds.Warnf(v.Range, "action %q is not of the form service:action", text)
		return nil, false
	}
	if hasWildcard(svc) {
		m := MatchActions(text)
		if len(m) == 0 {
			ds.Warnf(v.Range, "action pattern %q matches no known action", text)
		}
		return m, false
	}
	s, ok := LookupService(svc)
	if !ok {
		msg := fmt.Sprintf("unknown service prefix %q in action %q", svc, text)
		if near := nearest(svc, servicePrefixes()); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near+":"+name)
		}
		ds.Warnf(v.Range, "%s", msg)
		return nil, false
	}
	if hasWildcard(name) {
		m := MatchActions(text)
		if len(m) == 0 {
			ds.Warnf(v.Range, "action pattern %q matches no action of %s", text, s.Name)
		}
		return m, true
	}
	if a, ok := s.byName[strings.ToLower(name)]; ok {
		return []*Action{a}, true
	}
	msg := fmt.Sprintf("unknown action %q", text)
	names := make([]string, len(s.Actions))
	for i, a := range s.Actions {
		names[i] = a.Name
	}
	if near := nearest(name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", s.Prefix+":"+near)
	}
	ds.Warnf(v.Range, "%s", msg)
	return nil, false
}

// checkWildcardOnly warns about each Action value whose actions all lack
// resource-level permissions, in a statement whose Resource is not "*".
func checkWildcardOnly(ds *source.Diagnostics, st *policy.Statement) {
	for _, v := range st.Actions {
		if v.Text == "*" {
			continue
		}
		m := MatchActions(v.Text)
		if len(m) == 0 {
			continue
		}
		all := true
		for _, a := range m {
			all = all && a.WildcardOnly()
		}
		if !all {
			continue
		}
		what := fmt.Sprintf("%s supports", m[0].FullName())
		if len(m) > 1 || hasWildcard(v.Text) {
			what = fmt.Sprintf("%q matches only actions that support", v.Text)
		}
		ds.Warnf(v.Range, `%s no resource-level permissions (per the service reference), so only "Resource": "*" grants it`, what)
	}
}

// checkResources warns about Resource values that no resource type of the
// statement's (resource-scoped) actions can name.
func checkResources(ds *source.Diagnostics, p *policy.Policy, st *policy.Statement, sa stmtActions) {
	if sa.open {
		return
	}
	var types []*ResourceTypeInfo
	seen := map[*ResourceTypeInfo]bool{}
	for _, a := range sa.actions {
		for _, ref := range a.ResourceTypes {
			rt, ok := ResourceType(a.Service, ref.Name)
			if !ok {
				return // the data names a type it does not define: do not guess
			}
			if !seen[rt] {
				seen[rt] = true
				types = append(types, rt)
			}
		}
	}
	if len(types) == 0 {
		return // only wildcard-only actions, reported by checkWildcardOnly
	}
	for _, r := range st.Resources {
		pattern := r.Text
		if p.VariablesEnabled() {
			pattern = variablesToStar(pattern)
		}
		if !strings.HasPrefix(pattern, "arn:") && !strings.HasPrefix(pattern, "*") {
			ds.Warnf(r.Range, `resource %q is neither "*" nor an ARN (arn:partition:service:region:account:resource)`, r.Text)
			continue
		}
		g := arn.GlobElems(pattern)
		ok := false
		for _, rt := range types {
			if arn.Intersect(compileTemplate(rt.ARN), g) {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		var formats []string
		for _, rt := range types {
			if len(formats) == 3 {
				formats = append(formats, "...")
				break
			}
			formats = append(formats, rt.ARN)
		}
		ds.Warnf(r.Range, "resource %q matches no resource type of the statement's actions; expected %s",
			r.Text, strings.Join(formats, " or "))
	}
}

// variablesToStar replaces each ${...} policy variable by "*", which matches
// whatever it expands to.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func variablesToStar(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// checkConditionKey warns about a condition key that is unknown or that no
// action of the statement supports.
func checkConditionKey(ds *source.Diagnostics, c *policy.Condition, notAction bool, sa stmtActions) {
	key := c.Key
	prefix, _, ok := strings.Cut(key, ":")
	if !ok {
		ds.Warnf(c.Range, "condition key %q has no prefix such as aws: or a service prefix", key)
		return
	}
	_, known := ConditionKeyType(key)
	if strings.EqualFold(prefix, "aws") {
		if !known {
			msg := fmt.Sprintf("unknown global condition key %q", key)
			var names []string
			for _, g := range globalKeys {
				names = append(names, g.Key)
			}
			if near := nearest(key, names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			ds.Warnf(c.Range, "%s", msg)
		}
		return
	}
	s, isService := LookupService(prefix)
	if !known {
		if !isService {
			return // an identity provider's key, or a service the data lacks
		}
		msg := fmt.Sprintf("unknown condition key %q", key)
		var names []string
		for _, ck := range s.ConditionKeys {
			names = append(names, ck.Key)
		}
		if near := nearest(key, names); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		ds.Warnf(c.Range, "%s", msg)
		return
	}
	if notAction || sa.open || len(sa.actions) == 0 {
		return
	}
	for _, g := range globalKeys {
		if keyMatches(g.Key, key) {
			return
		}
	}
	for _, a := range sa.actions {
		if actionSupportsKey(a, key) {
			return
		}
	}
	ds.Warnf(c.Range, "condition key %q is not supported by any of the statement's actions, so it is absent from their requests", key)
}

func actionSupportsKey(a *Action, key string) bool {
	for _, k := range a.ConditionKeys {
		if keyMatches(k, key) {
			return true
		}
	}
	for _, ref := range a.ResourceTypes {
		for _, k := range ref.ConditionKeys {
			if keyMatches(k, key) {
				return true
			}
		}
		if rt, ok := ResourceType(a.Service, ref.Name); ok {
			for _, k := range rt.ConditionKeys {
				if keyMatches(k, key) {
					return true
				}
			}
		}
	}
	return false
}

func servicePrefixes() []string {
	out := make([]string, len(data().services))
	for i, s := range data().services {
		out[i] = s.Prefix
	}
	return out
}

// nearest returns the candidate closest to s by case-insensitive edit
// distance, or "" when none is close enough to be a plausible typo.
func nearest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	limit := max(2, len(s)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := abs(len(c) - len(s)); d >= bestD {
			continue
		}
		if d := editDistance(ls, strings.ToLower(c), bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// EditDistance is the Levenshtein distance of a and b, or a value >= bound
// once it is known to reach bound.
func EditDistance(a, b string, bound int) int { return editDistance(a, b, bound) }

func editDistance(a, b string, bound int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
