package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
)

// refutedByObservation reports whether what was seen shows that a blind
// spot does not hide action. Two blind spots say the trail may not record
// whole classes of events: a WriteOnly trail drops read-only calls
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html)
// and event selectors may exclude KMS
// (https://docs.aws.amazon.com/kms/latest/developerguide/vpce-logging.html).
// Selectors can filter per event source, so they are refuted for an action
// only when one of the blind spot's actions of the same service was seen:
// the trail then records that service's read events. The other blind spots
// (PutLogEvents never logged, cached layers, PassRole, S3 data events per
// bucket, rare paths) hold whatever else was seen (research section 7).
func refutedByObservation(b cloudtrail.BlindSpot, action string, observed map[string]bool) bool {
	if !strings.Contains(b.Source, "logging-management-events-with-cloudtrail") &&
		!strings.Contains(b.Source, "/kms/latest/developerguide/vpce-logging") {
		return false
	}
	svc, _, _ := strings.Cut(strings.ToLower(action), ":")
	for _, a := range b.Actions {
		a = strings.ToLower(a)
		if strings.HasPrefix(a, svc+":") && observed[a] {
			return true
		}
	}
	return false
}

// liveBlindSpots returns the reasons CloudTrail could have missed a call of
// an action match accepts, given the actions observed for the role.
func liveBlindSpots(match func(action string) bool, observed map[string]bool) []string {
	var out []string
	for _, b := range cloudtrail.BlindSpots {
		for _, a := range b.Actions {
			if !match(a) || refutedByObservation(b, a, observed) {
				continue
			}
			out = append(out, fmt.Sprintf("%s: %s (%s)", a, b.Reason, b.Source))
			break
		}
	}
	return out
}

// unused lists, per Allow statement of the role's identity policies, the
// action and resource patterns that no observed call used; grants a blind
// spot could hide go to cannotTell instead. matched holds the calls the
// engine said each statement allowed.
func unused(ru *cloudtrail.RoleUsage, pols *account.Policies, matched map[stmtKey][]*cloudtrail.Call, events int64) ([]*Unused, []*CannotTell) {
	out, ct := []*Unused{}, []*CannotTell{}
	observed := observedSet(ru)
	window := windowOf(ru)
	for _, p := range pols.Identity {
		for _, s := range p.Statements {
			if s.Effect != policy.Allow {
				continue
			}
			ref := refOfStatement(p, s)
			calls := matched[stmtKey{p.Name, s.Name()}]
			if events == 0 {
				// No evidence of this role at all: the input may not cover
				// its account or region (cloudtrail-concepts.html, in
				// cloudtrail.BlindSpots).
				ct = append(ct, &CannotTell{StatementRef: ref, Actions: texts(s.Actions), Resources: texts(s.Resources),
					grantResources: notTexts(s.Resources, s.NotResource),
					grantCondition: conditionOf(p, s),
					Reasons:        []string{"no event of this role in the input: it may not cover the role's accounts, regions or time of use"}})
				continue
			}
			u, c := statementUsage(s, calls, observed)
			if u != nil {
				u.StatementRef = ref
				u.Whole = len(calls) == 0 && c == nil
				u.Reason = fmt.Sprintf("no call among the role's %d attributed events%s matched", events, window)
				if len(calls) > 0 {
					u.Reason = fmt.Sprintf("the %d call row(s) this statement allowed%s used none of these", len(calls), window)
				}
				out = append(out, u)
			}
			if c != nil {
				c.StatementRef = ref
				c.grantResources = notTexts(s.Resources, s.NotResource)
				c.grantCondition = conditionOf(p, s)
				ct = append(ct, c)
			}
		}
	}
	return out, ct
}

// statementUsage splits one statement's grants into unused and cannot-tell.
func statementUsage(s *policy.Statement, calls []*cloudtrail.Call, observed map[string]bool) (*Unused, *CannotTell) {
	u, ct := &Unused{}, &CannotTell{}
	globs := make([]arn.Glob, len(s.Actions))
	for i, a := range s.Actions {
		globs[i] = arn.CompileGlob(a.Text, true)
	}
	// grants reports whether the statement's action element covers action.
	grants := func(action string) bool {
		hit := false
		for i := range globs {
			if globs[i].Match(action) {
				hit = true
				break
			}
		}
		return hit != s.NotAction
	}
	// Blind spots that could hide a call this statement allows.
	stmtBlind := liveBlindSpots(grants, observed)

	if s.NotAction || s.NotResource {
		// A Not* element grants everything but a list: only the statement
		// as a whole can be judged.
		if len(calls) > 0 {
			return nil, nil
		}
		if len(stmtBlind) > 0 {
			ct.Actions, ct.Resources, ct.Reasons = notTexts(s.Actions, s.NotAction), notTexts(s.Resources, s.NotResource), stmtBlind
			return nil, ct
		}
		u.Actions, u.Resources = notTexts(s.Actions, s.NotAction), notTexts(s.Resources, s.NotResource)
		return u, nil
	}

	for i, a := range s.Actions {
		used := slices.ContainsFunc(calls, func(c *cloudtrail.Call) bool { return globs[i].Match(c.Action) })
		if used {
			continue
		}
		g := globs[i]
		if reasons := liveBlindSpots(g.Match, observed); len(reasons) > 0 {
			ct.Actions = append(ct.Actions, a.Text)
			ct.Reasons = appendNew(ct.Reasons, reasons...)
			continue
		}
		u.Actions = append(u.Actions, a.Text)
		if only, known := iamdata.WildcardOnly(a.Text); only && known {
			// Only Resource "*" grants it (e.g. ecr:GetAuthorizationToken):
			// the grant cannot be narrowed, only dropped, so say so.
			u.Notes = append(u.Notes, a.Text+" has no resource-level permissions: Resource \"*\" is required while it is needed; it was not called in the window")
		}
	}
	for _, r := range s.Resources {
		if strings.Contains(r.Text, "${") {
			// A policy variable resolves per request; whether it matched is
			// in the engine's Matches (the statement level), not here.
			if len(calls) == 0 {
				ct.Resources = append(ct.Resources, r.Text)
				ct.Reasons = appendNew(ct.Reasons, "resource with a policy variable is judged only through the statement's matches")
			}
			continue
		}
		pat := arn.CompilePattern(r.Text)
		used := slices.ContainsFunc(calls, func(c *cloudtrail.Call) bool {
			sp := arn.SplitSubject(c.Resource)
			return pat.Match(&sp)
		})
		if used {
			continue
		}
		if len(stmtBlind) > 0 {
			ct.Resources = append(ct.Resources, r.Text)
			ct.Reasons = appendNew(ct.Reasons, stmtBlind...)
			continue
		}
		u.Resources = append(u.Resources, r.Text)
	}
	if len(u.Actions) == 0 && len(u.Resources) == 0 {
		u = nil
	}
	if len(ct.Actions) == 0 && len(ct.Resources) == 0 {
		ct = nil
	}
	return u, ct
}

// windowOf prints the time span of the role's evidence.
func windowOf(ru *cloudtrail.RoleUsage) string {
	var first, last string
	for _, cs := range [][]*cloudtrail.Call{ru.Used, ru.Denied} {
		for _, c := range cs {
			f, l := c.First.UTC().Format("2006-01-02T15:04:05Z"), c.Last.UTC().Format("2006-01-02T15:04:05Z")
			if first == "" || f < first {
				first = f
			}
			if l > last {
				last = l
			}
		}
	}
	if first == "" {
		return ""
	}
	return " from " + first + " to " + last
}

func texts(vs []policy.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

func notTexts(vs []policy.Value, not bool) []string {
	t := texts(vs)
	if not {
		return []string{"NOT " + strings.Join(t, ", ")}
	}
	return t
}

func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

func sortStrings(s []string) { sort.Strings(s) }

// observedSet is the lower-cased actions of every call seen for the role,
// used or denied: either shows the trail records that action.
func observedSet(ru *cloudtrail.RoleUsage) map[string]bool {
	observed := map[string]bool{}
	for _, cs := range [][]*cloudtrail.Call{ru.Used, ru.Denied} {
		for _, c := range cs {
			observed[strings.ToLower(c.Action)] = true
		}
	}
	return observed
}

// conditionOf returns a statement's Condition element as the policy printer
// writes it, or nil.
func conditionOf(p *policy.Policy, s *policy.Statement) json.RawMessage {
	if len(s.Conditions) == 0 {
		return nil
	}
	one := &policy.Policy{Name: p.Name, Type: p.Type, Version: p.Version, Statements: []*policy.Statement{s}}
	b, err := one.MarshalJSON()
	if err != nil {
		return nil
	}
	var doc struct {
		Statement []struct{ Condition json.RawMessage }
	}
	if json.Unmarshal(b, &doc) != nil || len(doc.Statement) != 1 {
		return nil
	}
	return doc.Statement[0].Condition
}
