// Package rules lints an ECS task execution role against what its task
// definitions need. Rules are plain values in one slice (see All), modelled
// on golang.org/x/tools/go/analysis: each inspects a Pass and reports
// Findings, which are data so that text, JSON and SARIF renderers share them.
package rules

import (
	"cmp"
	"slices"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
)

// Severity ranks a finding; "error" makes `execrole check` exit 1.
type Severity string

// The severities, with SARIF's level names so renderers need no mapping.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Note    Severity = "note"
)

// Rule is one lint check. It is a value, not a registration, so that tests
// and callers can run any subset.
type Rule struct {
	ID       string // stable, e.g. "ER001"; never reused
	Name     string // kebab-case, for configuration files
	Severity Severity
	Title    string // one line
	Doc      string // path of the rule's page, docs/rules/ID.md
	// TaskOnly rules read only the task definitions, so they also run on
	// tasks whose execution role is not in the inputs.
	TaskOnly bool
	Check    func(*Pass)
}

// Finding is one problem a rule saw. Message never contains a secret value.
type Finding struct {
	RuleID   string
	Severity Severity
	Message  string
	Range    source.Range
	Related  []source.Range
}

// Task is one task definition with the calls ECS makes for it.
type Task struct {
	Def  *taskdef.TaskDefinition
	Reqs []requirements.Requirement
}

// Pass is the input of every rule: the execution role as the account holds
// it, the policies that apply to its requests, the optional task role, and
// the task definitions that use the role.
type Pass struct {
	Role     *account.Principal
	Policies account.Policies
	TaskRole *account.Principal // nil when unknown
	Tasks    []Task

	rule     *Rule
	findings []Finding
}

// Reportf records a finding of the running rule at r.
func (p *Pass) Reportf(r source.Range, related []source.Range, format string, args ...any) {
	p.findings = append(p.findings, Finding{
		RuleID:   p.rule.ID,
		Severity: p.rule.Severity,
		Message:  sprintf(format, args...),
		Range:    r,
		Related:  related,
	})
}

// Run applies rules to p and returns the findings in a stable order: by
// file, position, rule ID, then message.
func Run(p *Pass, rules []*Rule) []Finding {
	p.findings = nil
	for _, r := range rules {
		p.rule = r
		r.Check(p)
	}
	p.rule = nil
	out := p.findings
	p.findings = nil
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Range.File, b.Range.File),
			cmp.Compare(a.Range.Start.Offset, b.Range.Start.Offset),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return out
}

// allows yields every Allow statement of the role's identity policies.
func (p *Pass) allows() []*policy.Statement {
	var out []*policy.Statement
	for _, pol := range p.Policies.Identity {
		if pol == nil {
			continue
		}
		for _, s := range pol.Statements {
			if s.Effect == policy.Allow {
				out = append(out, s)
			}
		}
	}
	return out
}

// ownAllows yields the Allow statements of the role's own policies (inline
// and customer managed). AWS managed policies are judged whole by ER005:
// flagging statements of AmazonECSTaskExecutionRolePolicy, which ECS itself
// recommends, would bury every real finding.
func (p *Pass) ownAllows() []*policy.Statement {
	var out []*policy.Statement
	for _, pol := range p.Policies.Identity {
		if pol == nil || isAWSManaged(pol) {
			continue
		}
		for _, s := range pol.Statements {
			if s.Effect == policy.Allow {
				out = append(out, s)
			}
		}
	}
	return out
}

// isAWSManaged reports whether pol is an AWS managed policy. package
// account names it by its short name and files it under its ARN.
func isAWSManaged(pol *policy.Policy) bool {
	for _, s := range []string{pol.Name, pol.Range.File} {
		if strings.HasPrefix(s, "arn:") && strings.Contains(s, ":aws:policy/") {
			return true
		}
	}
	return false
}

// allowsAction reports whether some Allow statement names action (by an
// exact name or a wildcard pattern), ignoring resources and conditions: the
// lint asks "is the permission there at all", the simulator the rest.
func (p *Pass) allowsAction(action string) bool {
	for _, s := range p.allows() {
		if s.NotAction {
			if !anyMatch(s.Actions, action) {
				return true
			}
			continue
		}
		if anyMatch(s.Actions, action) {
			return true
		}
	}
	return false
}

func anyMatch(vs []policy.Value, action string) bool {
	for _, v := range vs {
		if globMatch(strings.ToLower(v.Text), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// globMatch matches IAM's * and ? wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func globMatch(pat, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pat) || sx < len(s) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// NewPass gathers the rules' input from an account export: the role's
// identity policies (inline and attached, AWS managed ones from the embedded
// copies) and its permissions boundary. Managed policies the snapshot cannot
// resolve are left in Policies.Missing: rules judge what is known.
func NewPass(snap *account.Snapshot, role, taskRole *account.Principal, tasks []Task) *Pass {
	pols, _ := snap.PoliciesOf(role)
	return &Pass{Role: role, Policies: pols, TaskRole: taskRole, Tasks: tasks}
}
