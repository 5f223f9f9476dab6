package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/source"
)

// LaunchRuleID is the SARIF rule under which a task that fails to start is
// reported, at the field whose call is denied, so that code scanning shows
// the failure where the user can act on it.
const LaunchRuleID = "ER000"

// infoURI is where the rules' pages live; the Doc paths are relative to it.
const infoURI = "https://github.com/execrole/execrole"

// SARIF writes a SARIF 2.1.0 log
// (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) with
// one run: every rule as a reportingDescriptor, every finding and every
// failing launch as a result located in the user's files. URIs are relative
// to base (the working directory) when the files are under it, as GitHub
// code scanning expects.
func SARIF(w io.Writer, r *check.Result, version, base string) error {
	run := sarif.NewRunWithInformationURI("execrole", infoURI)
	run.Tool.Driver.WithVersion(version)
	run.AddRule(LaunchRuleID).
		WithName("task-fails-to-start").
		WithShortDescription(sarif.NewMultiformatMessageString().WithText("The task would not start with this execution role")).
		WithHelpURI(infoURI + "/blob/main/docs/rules/ER000.md").
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(string(rules.Error)))
	for _, rule := range rules.All {
		run.AddRule(rule.ID).
			WithName(rule.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(rule.Title)).
			WithHelpURI(infoURI + "/blob/main/" + rule.Doc).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(string(rule.Severity)))
	}
	for _, t := range r.Tasks {
		if t.Verdict() != launch.Fails {
			continue
		}
		c := firstFailure(t.Report)
		msg := fmt.Sprintf("task definition %s does not start: %s is %s for %s. ECS reports: %s",
			taskName(t), c.Action, c.Decision, c.Resource, t.Report.StoppedReason)
		res := run.CreateResultForRule(LaunchRuleID).
			WithLevel(string(rules.Error)).
			WithMessage(sarif.NewTextMessage(msg))
		res.WithRuleIndex(run.GetRuleIndex(LaunchRuleID))
		r := c.Range
		if r.File == "" {
			r = source.Range{File: t.Def.Source.File}
		}
		if l := rangeLocation(r, base); l != nil {
			res.AddLocation(l)
		}
	}
	for _, f := range r.Findings {
		res := run.CreateResultForRule(f.RuleID).
			WithLevel(string(f.Severity)).
			WithMessage(sarif.NewTextMessage(f.Message))
		res.WithRuleIndex(run.GetRuleIndex(f.RuleID))
		if l := rangeLocation(f.Range, base); l != nil {
			res.AddLocation(l)
		}
		for _, rr := range f.Related {
			if l := rangeLocation(rr, base); l != nil {
				res.AddRelatedLocation(l)
			}
		}
	}
	log := sarif.NewReport()
	log.AddRun(run)
	return log.PrettyWrite(w)
}

func firstFailure(r *launch.Report) *launch.Call {
	for si := range r.Steps {
		if r.Steps[si].Name != r.FailedStep {
			continue
		}
		for ci := range r.Steps[si].Calls {
			c := &r.Steps[si].Calls[ci]
			if c.Blocking && c.Decision != eval.Allowed.String() {
				return c
			}
		}
	}
	return &launch.Call{}
}

func rangeLocation(r source.Range, base string) *sarif.Location {
	if r.File == "" {
		return nil
	}
	uri := filepath.ToSlash(r.File)
	if base != "" {
		if rel, err := filepath.Rel(base, r.File); err == nil && !strings.HasPrefix(rel, "..") {
			uri = filepath.ToSlash(rel)
		}
	}
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewArtifactLocation().WithURI(uri))
	if r.Start.Line > 0 {
		reg := sarif.NewRegion().WithStartLine(r.Start.Line)
		if r.Start.Column > 0 {
			reg.WithStartColumn(r.Start.Column)
		}
		pl.WithRegion(reg)
	}
	return sarif.NewLocationWithPhysicalLocation(pl)
}
