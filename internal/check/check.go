// Package check answers "will this task start with this role, and is the
// role right?": for every task definition it finds the execution role in the
// inputs, simulates the launch (package launch) and lints the role against
// the task definitions that use it (package rules). It decides nothing
// itself; it joins the two analyses into one Result that the report formats
// render.
package check

import (
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/patch"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/taskdef"
)

// Task is one task definition with its requirements.
type Task struct {
	Def  *taskdef.TaskDefinition
	Reqs []requirements.Requirement
}

// Input is everything a check depends on.
type Input struct {
	Tasks []Task
	// Accounts are the role sources: authorization-details exports and the
	// roles infrastructure code defines, searched in order.
	Accounts []*account.Snapshot
	// Role, when set, is the execution role of every task whose
	// executionRoleArn is not found in Accounts (a role file given on its
	// own describes the role the user means).
	Role *account.Principal
	// Boundary, when set, is the permissions boundary of every role, in
	// place of the one the role source names (whose document is often a
	// customer managed policy the source does not hold).
	Boundary *policy.Policy
	// SCPs, ResourcePolicies, LaunchType and AgentVersion are passed to
	// launch.Input.
	SCPs             [][]*policy.Policy
	ResourcePolicies map[string]*policy.Policy
	LaunchType       string
	AgentVersion     launch.Version
	// TaskID and Cluster name the simulated task in session ARNs, error
	// texts and aws:SourceArn; empty takes launch's defaults.
	TaskID, Cluster string
	// Rules to run; nil means rules.All.
	Rules []*rules.Rule
}

// Result is a check of every task and role.
type Result struct {
	Tasks    []*TaskResult
	Findings []rules.Finding
}

// TaskResult is one task definition's launch.
type TaskResult struct {
	Def *taskdef.TaskDefinition
	// Role is the execution role found; nil when the inputs do not define
	// it, and Report is then nil too.
	Role    *account.Principal
	Source  *account.Snapshot // where Role was found
	Report  *launch.Report
	Missing []account.Attachment // attached policies whose documents are unknown
	// Patches apply the fix to the file (or account) the role came from:
	// the identity-policy statements, and a misspelt trust principal
	// corrected where it is written.
	Patches []*patch.Patch
	// Note says why there is no Report, or what limits it.
	Note string
}

// Verdict is the task's outcome; Unknown when the role was not found.
func (t *TaskResult) Verdict() launch.Verdict {
	if t.Report == nil {
		return launch.Unknown
	}
	return t.Report.Verdict
}

// Failed reports whether a task fails to start or an error-level finding
// exists: the condition for exit status 1.
func (r *Result) Failed() bool {
	for _, t := range r.Tasks {
		if t.Verdict() == launch.Fails {
			return true
		}
	}
	for _, f := range r.Findings {
		if f.Severity == rules.Error {
			return true
		}
	}
	return false
}

// Undecided reports whether some task's start could not be decided.
func (r *Result) Undecided() bool {
	for _, t := range r.Tasks {
		if t.Verdict() == launch.Unknown {
			return true
		}
	}
	return false
}

// Run checks every task. It never fails: what cannot be decided is reported
// as unknown with a note.
func Run(in Input) *Result {
	res := &Result{}
	type roleKey struct {
		snap *account.Snapshot
		role *account.Principal
	}
	byRole := map[roleKey][]rules.Task{}
	var order []roleKey
	taskRoles := map[roleKey]*account.Principal{}
	for _, t := range in.Tasks {
		tr := &TaskResult{Def: t.Def}
		res.Tasks = append(res.Tasks, tr)
		ref := t.Def.ExecutionRoleArn.Text
		tr.Source, tr.Role = find(in.Accounts, ref)
		if tr.Role == nil && in.Role != nil {
			tr.Role = in.Role
			tr.Source = sourceOf(in.Accounts, in.Role)
		}
		if tr.Role == nil {
			tr.Note = noRoleNote(ref, in.Accounts)
			continue
		}
		pols, _ := tr.Source.PoliciesOf(tr.Role)
		tr.Missing = pols.Missing
		if in.Boundary != nil {
			pols.Boundary = in.Boundary
			tr.Missing = without(tr.Missing, tr.Role.Boundary)
		}
		li := launch.Input{
			TaskDefinition:   t.Def,
			Requirements:     t.Reqs,
			Role:             launch.Role{Name: tr.Role.Name, ARN: tr.Role.ARN, Trust: tr.Role.Trust, Identity: pols.Identity, Boundary: pols.Boundary},
			SCPs:             in.SCPs,
			ResourcePolicies: in.ResourcePolicies,
			LaunchType:       in.LaunchType,
			AgentVersion:     in.AgentVersion,
			TaskID:           in.TaskID,
			Cluster:          in.Cluster,
		}
		if strings.Contains(tr.Role.ARN, iamdef.AccountPlaceholder) {
			// A role not yet deployed: it lives in the task's account.
			li.Role.ARN = strings.ReplaceAll(tr.Role.ARN, iamdef.AccountPlaceholder, t.Def.Account.Text)
		}
		tr.Report = launch.Simulate(li)
		if tr.Report.Verdict == launch.Fails && len(tr.Missing) > 0 {
			// A policy execrole cannot read may grant what is missing.
			tr.Report.Verdict = launch.Unknown
			tr.Note = "the role has attached policies execrole could not read (" + attachmentList(tr.Missing) + "); the launch fails unless they grant what is missing"
		}
		tr.Patches = fixPatches(tr)
		k := roleKey{tr.Source, tr.Role}
		if _, ok := byRole[k]; !ok {
			order = append(order, k)
		}
		byRole[k] = append(byRole[k], rules.Task{Def: t.Def, Reqs: t.Reqs})
		if taskRoles[k] == nil {
			if _, p := find(in.Accounts, t.Def.TaskRoleArn.Text); p != nil {
				taskRoles[k] = p
			}
		}
	}
	// Roles the inputs define but no task uses: lint those meant as
	// execution roles, without task-dependent rules having anything to say.
	for _, s := range in.Accounts {
		if s.Format == account.FormatAuthorizationDetails {
			continue // an account export holds every role of the account
		}
		for _, r := range s.Roles {
			k := roleKey{s, r}
			if _, used := byRole[k]; !used && looksLikeExecutionRole(r) {
				byRole[k] = nil
				order = append(order, k)
			}
		}
	}
	rs := in.Rules
	if rs == nil {
		rs = rules.All
	}
	seen := map[string]bool{}
	// Tasks whose role is not in the inputs still get the rules that read
	// only task definitions.
	var roleless []rules.Task
	for i, tr := range res.Tasks {
		if tr.Role == nil {
			roleless = append(roleless, rules.Task{Def: in.Tasks[i].Def, Reqs: in.Tasks[i].Reqs})
		}
	}
	if len(roleless) > 0 {
		var taskOnly []*rules.Rule
		for _, r := range rs {
			if r.TaskOnly {
				taskOnly = append(taskOnly, r)
			}
		}
		res.Findings = append(res.Findings, rules.Run(&rules.Pass{Tasks: roleless}, taskOnly)...)
	}
	for _, k := range order {
		p := rules.NewPass(k.snap, k.role, taskRoles[k], byRole[k])
		for _, f := range rules.Run(p, rs) {
			// A finding on a shared policy is reported once.
			id := f.RuleID + "\x00" + f.Range.String() + "\x00" + f.Message
			if !seen[id] {
				seen[id] = true
				res.Findings = append(res.Findings, f)
			}
		}
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.Range.File != b.Range.File {
			return a.Range.File < b.Range.File
		}
		if a.Range.Start.Line != b.Range.Start.Line {
			return a.Range.Start.Line < b.Range.Start.Line
		}
		return a.RuleID < b.RuleID
	})
	return res
}

// find looks the role up in every snapshot: by ARN, name or alias, else,
// for an expression the template could not evaluate
// (${try(aws_iam_role.task_exec[0].arn, var.arn)}), by the one role it
// mentions.
func find(accounts []*account.Snapshot, ref string) (*account.Snapshot, *account.Principal) {
	if ref == "" {
		return nil, nil
	}
	for _, s := range accounts {
		if p, ok := s.Find(ref); ok && p.Kind == "role" {
			return s, p
		}
	}
	for _, s := range accounts {
		if p, ok := s.Mentioned(ref); ok {
			return s, p
		}
	}
	return nil, nil
}

// looksLikeExecutionRole tells, for a role no task definition in the input
// uses, whether the user meant it as an execution role: its name says so
// (ecsTaskExecutionRole, task_exec) or it holds the execution role's
// managed policy. Such roles are linted on their own.
func looksLikeExecutionRole(r *account.Principal) bool {
	names := append([]string{r.Name}, r.Aliases...)
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), "exec") {
			return true
		}
	}
	for _, a := range r.Attached {
		if strings.HasSuffix(a.ARN, "/AmazonECSTaskExecutionRolePolicy") {
			return true
		}
	}
	return false
}

func sourceOf(accounts []*account.Snapshot, p *account.Principal) *account.Snapshot {
	for _, s := range accounts {
		for _, r := range s.Roles {
			if r == p {
				return s
			}
		}
	}
	return &account.Snapshot{}
}

func noRoleNote(ref string, accounts []*account.Snapshot) string {
	switch {
	case ref == "":
		return "the task definition has no executionRoleArn; nothing to simulate"
	case len(accounts) == 0:
		return "no role given: pass --iam (get-account-authorization-details output) or --role (a role file, CloudFormation or Terraform) so execrole can simulate the launch"
	}
	var files []string
	for _, s := range accounts {
		files = append(files, s.File)
	}
	return "execution role " + ref + " is not defined in " + strings.Join(files, ", ")
}

func attachmentList(as []account.Attachment) string {
	var out []string
	for _, a := range as {
		out = append(out, a.ARN)
	}
	return strings.Join(out, ", ")
}

// fixPatches writes the fix into the role's source: the identity-policy
// statements, and for a trust policy that names a typo of
// ecs-tasks.amazonaws.com, that value corrected.
func fixPatches(tr *TaskResult) []*patch.Patch {
	if tr.Report.Fix == nil {
		return nil
	}
	var out []*patch.Patch
	doc := patch.Document{Version: policy.Version2012}
	trust := false
	for _, a := range tr.Report.Fix.Add {
		switch a.Policy {
		case launch.IdentityPolicy:
			doc.Statement = append(doc.Statement, a.Statement)
		case launch.TrustPolicy:
			trust = true
		}
	}
	if trust && tr.Role.Trust != nil {
		for _, v := range rules.MisspeltPrincipals(tr.Role.Trust) {
			if p, ok, err := patch.Replace(v.Range.File, v.Range.Start.Line, v.Text, rules.ECSTasksPrincipal); err == nil && ok {
				out = append(out, p)
			}
		}
	}
	if len(doc.Statement) == 0 {
		return out
	}
	var where render.Pseudo
	for _, f := range []struct {
		dst *string
		v   taskdef.Str
	}{{&where.Partition, tr.Def.Partition}, {&where.Region, tr.Def.Region}, {&where.Account, tr.Def.Account}} {
		if !f.v.Unknown && !strings.Contains(f.v.Text, "${") {
			*f.dst = f.v.Text
		}
	}
	if p, ok, err := patch.ForRole(tr.Source, tr.Role, doc, where); err == nil && ok {
		out = append(out, p)
	}
	return out
}

// without drops the role's boundary attachment from missing ones.
func without(as []account.Attachment, b *account.Attachment) []account.Attachment {
	if b == nil {
		return as
	}
	var out []account.Attachment
	for _, a := range as {
		if a.ARN != b.ARN {
			out = append(out, a)
		}
	}
	return out
}
