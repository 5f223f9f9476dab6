package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
)

// Origins of a rightsized statement.
const (
	OriginTaskdef    = "taskdef"    // required by a task definition, not seen in the logs
	OriginCloudTrail = "cloudtrail" // seen in the logs, not required by a task definition
	OriginBoth       = "both"       // required and seen
	OriginBlindSpot  = "blind-spot" // kept because CloudTrail cannot show it
)

// Rightsized is the least-privilege identity policy for a role: the task
// definitions' requirements joined with the observed calls, plus the grants
// a blind spot could hide.
type Rightsized struct {
	// Document is the IAM policy JSON.
	Document   json.RawMessage `json:"document"`
	Statements []Origin        `json:"statements"`
	// BlindSpotsKept are the grants kept without evidence, so that nobody
	// removes them for lack of it.
	BlindSpotsKept []Kept `json:"blindSpotsKept"`
	// NotGranted are observed calls left out of the policy on purpose.
	NotGranted []string `json:"notGranted,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Origin says where one statement of the document came from.
type Origin struct {
	Sid    string `json:"sid"`
	Origin string `json:"origin"`
	// Calls is the number of observed calls the statement covers.
	Calls int64 `json:"calls"`
}

// Kept is one blind-spot grant kept in the rightsized policy.
type Kept struct {
	Actions   []string `json:"actions"`
	Resources []string `json:"resources"`
	From      string   `json:"from"`
}

// stmt is one statement of the rightsized document, in IAM JSON.
type stmt struct {
	Sid       string          `json:"Sid,omitempty"`
	Effect    string          `json:"Effect"`
	Action    []string        `json:"Action"`
	Resource  []string        `json:"Resource"`
	Condition json.RawMessage `json:"Condition,omitempty"`
	origin    string
	calls     int64
}

func rightsize(ru *cloudtrail.RoleUsage, ri *RoleInput, cannot []*CannotTell) *Rightsized {
	observedActions := observedSet(ru)
	out := &Rightsized{Statements: []Origin{}, BlindSpotsKept: []Kept{}}
	if ri == nil {
		ri = &RoleInput{}
	}
	var stmts []*stmt
	// 1. What the task definitions need, through rolegen.
	var tdEngine *eval.Engine
	var exec []requirements.Requirement
	for _, r := range ri.Requirements {
		if r.Role == requirements.Execution {
			exec = append(exec, r)
		}
	}
	if len(exec) > 0 {
		var err error
		stmts, tdEngine, err = taskdefStatements(ru, exec, out)
		if err != nil {
			out.Notes = append(out.Notes, "task definition requirements not used: "+err.Error())
		}
	}
	// 2. Observed calls: mark the taskdef statements they fall under, and
	// collect the rest.
	type pair struct{ action, resource string }
	observed := map[pair]int64{}
	var order []pair
	for _, c := range ru.Used {
		if c.Mapping == cloudtrail.Permissionless {
			continue
		}
		if _, known := iamdata.LookupAction(c.Action); !known {
			// research section 7: an action unknown to IAM is reported,
			// never put in a policy.
			out.NotGranted = appendNew(out.NotGranted, fmt.Sprintf("%s on %s: not an IAM action (mapped %s from %s)", c.Action, c.Resource, c.Mapping, c.Event))
			continue
		}
		if tdEngine != nil {
			res := tdEngine.Explain(requestFor(ru.Role, c).eval())
			hit := false
			for _, m := range res.Matches {
				if m.Effect != policy.Allow {
					continue
				}
				for _, s := range stmts {
					if s.Sid == m.Statement {
						s.origin = OriginBoth
						s.calls += c.Count
						hit = true
					}
				}
			}
			if hit {
				continue
			}
		}
		res := c.Resource
		if only, known := iamdata.WildcardOnly(c.Action); res == "" || only && known {
			res = "*"
		}
		p := pair{c.Action, res}
		if _, ok := observed[p]; !ok {
			order = append(order, p)
		}
		observed[p] += c.Count
	}
	// Logged calls imply unlogged ones: the awslogs driver writes with
	// PutLogEvents to the stream it created with CreateLogStream
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html),
	// and an image pull that fetched its manifest with BatchGetImage
	// fetches layers with GetDownloadUrlForLayer unless cached
	// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/logging-using-cloudtrail.html).
	implied := map[string]string{"logs:CreateLogStream": "logs:PutLogEvents", "ecr:BatchGetImage": "ecr:GetDownloadUrlForLayer"}
	var inferred []pair
	for _, p := range order {
		if imp, ok := implied[p.action]; ok {
			q := pair{imp, p.resource}
			if _, seen := observed[q]; !seen {
				inferred = append(inferred, q)
				out.BlindSpotsKept = append(out.BlindSpotsKept, Kept{Actions: []string{imp}, Resources: []string{p.resource}, From: "implied by observed " + p.action})
			}
		}
	}
	// Group observed calls: the actions used on each resource, then the
	// resources sharing the same action set.
	byRes := map[string][]string{}
	counts := map[string]int64{}
	for _, p := range append(order, inferred...) {
		if !slices.Contains(byRes[p.resource], p.action) {
			byRes[p.resource] = append(byRes[p.resource], p.action)
		}
		counts[p.resource] += observed[p]
	}
	byActions := map[string]*stmt{}
	var keys []string
	for res, acts := range byRes {
		sort.Strings(acts)
		k := strings.Join(acts, ",")
		s := byActions[k]
		if s == nil {
			s = &stmt{Effect: "Allow", Action: acts, origin: OriginCloudTrail}
			byActions[k] = s
			keys = append(keys, k)
		}
		s.Resource = append(s.Resource, res)
		s.calls += counts[res]
	}
	sort.Strings(keys)
	for _, k := range keys {
		sort.Strings(byActions[k].Resource)
		stmts = append(stmts, byActions[k])
	}
	// 3. Grants of the current policies a blind spot could hide, unless
	// already granted above. An action with a grant implied by an observed
	// call is narrowed to that grant: the awslogs driver writes only to the
	// streams it creates (using_awslogs.html, cited above).
	// Likewise an action the task definitions need is granted as they
	// need it, not as the current policy happens to.
	impliedActions := map[string]bool{}
	for _, q := range inferred {
		impliedActions[strings.ToLower(q.action)] = true
	}
	for _, s := range stmts {
		if s.origin == OriginTaskdef || s.origin == OriginBoth {
			for _, a := range s.Action {
				impliedActions[strings.ToLower(a)] = true
			}
		}
	}
	for _, c := range cannot {
		if len(c.Actions) == 0 || strings.HasPrefix(c.Actions[0], "NOT ") {
			continue
		}
		res := c.grantResources
		if len(res) == 0 || strings.HasPrefix(res[0], "NOT ") {
			res = []string{"*"}
		}
		var acts []string
		for _, a := range c.Actions {
			if impliedActions[strings.ToLower(a)] {
				continue
			}
			for _, r := range res {
				if !covered(stmts, a, r) {
					acts = appendNew(acts, a)
				}
			}
		}
		if len(acts) == 0 {
			continue
		}
		stmts = append(stmts, &stmt{Effect: "Allow", Action: acts, Resource: slices.Clone(res), Condition: c.grantCondition, origin: OriginBlindSpot})
		out.BlindSpotsKept = append(out.BlindSpotsKept, Kept{Actions: acts, Resources: res, From: fmt.Sprintf("current policy %q statement %s", c.Policy, c.Statement)})
	}
	// Sids say where each statement came from.
	n := map[string]int{}
	for _, s := range stmts {
		prefix := map[string]string{OriginTaskdef: "Taskdef", OriginCloudTrail: "CloudTrail", OriginBoth: "Both", OriginBlindSpot: "BlindSpot"}[s.origin]
		if s.origin == OriginTaskdef || s.origin == OriginBoth {
			s.Sid = prefix + s.Sid
		} else {
			n[s.origin]++
			s.Sid = fmt.Sprintf("%s%d", prefix, n[s.origin])
		}
		out.Statements = append(out.Statements, Origin{Sid: s.Sid, Origin: s.origin, Calls: s.calls})
	}
	// Blind-spot grants that came with the task definitions are kept too:
	// list them so the reader sees why they stay without evidence.
	for _, s := range stmts {
		if s.origin != OriginTaskdef && s.origin != OriginBoth {
			continue
		}
		var acts []string
		for _, a := range s.Action {
			if len(liveBlindSpots(func(x string) bool { return strings.EqualFold(x, a) }, observedActions)) > 0 {
				acts = append(acts, a)
			}
		}
		if len(acts) > 0 {
			out.BlindSpotsKept = append(out.BlindSpotsKept, Kept{Actions: acts, Resources: s.Resource, From: "task definition, statement " + s.Sid})
		}
	}
	doc := struct {
		Version   string  `json:"Version"`
		Statement []*stmt `json:"Statement"`
	}{policy.Version2012, stmts}
	if doc.Statement == nil {
		doc.Statement = []*stmt{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(doc) // plain strings and raw JSON from rolegen: cannot fail
	out.Document = bytes.TrimSpace(buf.Bytes())
	return out
}

// taskdefStatements generates the execution role for the requirements and
// returns its statements (origin taskdef, Sids as rolegen wrote them) with
// an engine over them.
func taskdefStatements(ru *cloudtrail.RoleUsage, reqs []requirements.Requirement, out *Rightsized) ([]*stmt, *eval.Engine, error) {
	res, err := rolegen.Generate(reqs, rolegen.Options{RoleName: roleName(ru.Role), Account: accountOf(ru.Role), Region: singleRegion(ru)})
	if err != nil {
		return nil, nil, err
	}
	out.Notes = append(out.Notes, res.Notes...)
	var stmts []*stmt
	for _, np := range res.ExecutionRole.Policies {
		var doc struct {
			Statement []struct {
				Sid       string             `json:"Sid"`
				Effect    string             `json:"Effect"`
				Action    rolegen.StringList `json:"Action"`
				Resource  rolegen.StringList `json:"Resource"`
				Condition json.RawMessage    `json:"Condition"`
			} `json:"Statement"`
		}
		if err := json.Unmarshal(np.Document, &doc); err != nil {
			return nil, nil, fmt.Errorf("generated policy %s: %w", np.Name, err)
		}
		for _, s := range doc.Statement {
			if s.Effect != "Allow" {
				continue
			}
			stmts = append(stmts, &stmt{Sid: s.Sid, Effect: s.Effect, Action: s.Action, Resource: s.Resource, Condition: s.Condition, origin: OriginTaskdef})
		}
	}
	en, err := compileStmts(stmts)
	return stmts, en, err
}

// compileStmts compiles statements as one identity policy.
func compileStmts(stmts []*stmt) (*eval.Engine, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(struct {
		Version   string
		Statement []*stmt
	}{policy.Version2012, stmts})
	if err != nil {
		return nil, err
	}
	p, diags := policy.Parse("rightsized", b, policy.Identity)
	if err := diags.Errs(); err != nil {
		return nil, err
	}
	return eval.Compile(eval.PolicySet{Identity: []*policy.Policy{p}})
}

// singleRegion is the region of every observed call, or "" when they span
// several or none.
func singleRegion(ru *cloudtrail.RoleUsage) string {
	region := ""
	for _, cs := range [][]*cloudtrail.Call{ru.Used, ru.Denied} {
		for _, c := range cs {
			if region != "" && c.Region != region {
				return ""
			}
			region = c.Region
		}
	}
	return region
}

// covered reports whether a statement already grants action on every
// resource the pattern res names: IAM's own wildcard matching (package arn)
// applied to the pattern as a subject.
func covered(stmts []*stmt, action, res string) bool {
	sp := arn.SplitSubject(res)
	for _, s := range stmts {
		acted := slices.ContainsFunc(s.Action, func(a string) bool { g := arn.CompileGlob(a, true); return g.Match(action) })
		if !acted || len(s.Condition) > 0 {
			continue
		}
		if slices.ContainsFunc(s.Resource, func(r string) bool { return arn.CompilePattern(r).Match(&sp) }) {
			return true
		}
	}
	return false
}
