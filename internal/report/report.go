// Package report renders the result of `execrole check` for people (text),
// for programs (JSON) and for code scanning (SARIF 2.1.0). It formats; it
// decides nothing.
package report

import (
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/patch"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/source"
)

// Check is the JSON form of a check.
type Check struct {
	// Verdict is the worst over the tasks: fails, then unknown, then starts.
	Verdict launch.Verdict `json:"verdict"`
	// StoppedReason is the first failing task's.
	StoppedReason string    `json:"stoppedReason,omitempty"`
	Tasks         []Task    `json:"tasks"`
	Findings      []Finding `json:"findings"`
	Summary       Summary   `json:"summary"`
}

// Task is one task definition's launch. The launch report's fields
// (verdict, stoppedReason, steps, fix) are inlined.
type Task struct {
	TaskDefinition string `json:"taskDefinition"`
	Source         string `json:"source"`
	Role           string `json:"role,omitempty"`
	RoleLocation   string `json:"roleLocation,omitempty"`
	*launch.Report
	Verdict launch.Verdict `json:"verdict"`
	Patches []*patch.Patch `json:"patches,omitempty"`
	Note    string         `json:"note,omitempty"`
}

// Finding is a lint finding.
type Finding struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Severity rules.Severity `json:"severity"`
	Message  string         `json:"message"`
	Location string         `json:"location"`
	Related  []string       `json:"related,omitempty"`
	Doc      string         `json:"doc,omitempty"`
}

// Summary counts outcomes.
type Summary struct {
	Tasks    int `json:"tasks"`
	Start    int `json:"start"`
	Fail     int `json:"fail"`
	Unknown  int `json:"unknown"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// FromCheck builds the JSON form.
func FromCheck(r *check.Result) *Check {
	out := &Check{Verdict: launch.Starts, Tasks: []Task{}, Findings: []Finding{}}
	for _, t := range r.Tasks {
		jt := Task{TaskDefinition: taskName(t), Source: t.Def.Source.File, Report: t.Report, Verdict: t.Verdict(), Patches: t.Patches, Note: t.Note}
		if t.Role != nil {
			jt.Role = t.Role.Name
			if t.Role.Range.File != "" {
				jt.RoleLocation = t.Role.Range.String()
			}
		}
		out.Tasks = append(out.Tasks, jt)
		out.Summary.Tasks++
		switch jt.Verdict {
		case launch.Fails:
			out.Summary.Fail++
			if out.Verdict != launch.Fails {
				out.StoppedReason = t.Report.StoppedReason
			}
			out.Verdict = launch.Fails
		case launch.Unknown:
			out.Summary.Unknown++
			if out.Verdict == launch.Starts {
				out.Verdict = launch.Unknown
			}
		default:
			out.Summary.Start++
		}
	}
	if len(r.Tasks) == 0 {
		out.Verdict = launch.Unknown
	}
	for _, f := range r.Findings {
		jf := Finding{ID: f.RuleID, Severity: f.Severity, Message: f.Message, Location: loc(f.Range)}
		if rule, ok := rules.ByID(f.RuleID); ok {
			jf.Name, jf.Doc = rule.Name, rule.Doc
		}
		for _, rr := range f.Related {
			jf.Related = append(jf.Related, loc(rr))
		}
		out.Findings = append(out.Findings, jf)
		switch f.Severity {
		case rules.Error:
			out.Summary.Errors++
		case rules.Warning:
			out.Summary.Warnings++
		default:
			out.Summary.Notes++
		}
	}
	return out
}

// taskName is the family, else the logical id or address, else the file.
func taskName(t *check.TaskResult) string {
	switch {
	case t.Def.Family.Text != "":
		return t.Def.Family.Text
	case t.Def.Source.ID != "":
		return t.Def.Source.ID
	}
	return t.Def.Source.File
}

func loc(r source.Range) string {
	if r.File == "" && r.Start.Line == 0 {
		return ""
	}
	return r.String()
}
