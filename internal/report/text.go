package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/launch"
)

// Text writes the check for people: per task the failing step first (its
// calls, ECS's error, the fix and the patch), then the other steps in one
// line each; then the lint findings; then a summary.
func Text(w io.Writer, c *Check) error {
	var b strings.Builder
	for i, t := range c.Tasks {
		if i > 0 {
			b.WriteString("\n")
		}
		taskText(&b, &t)
	}
	if len(c.Findings) > 0 {
		b.WriteString("\nfindings:\n")
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "  %s: %s %s %s: %s\n", orDash(f.Location), f.Severity, f.ID, f.Name, f.Message)
		}
	}
	s := c.Summary
	fmt.Fprintf(&b, "\n%d task definition(s): %d start, %d fail, %d unknown; findings: %d error(s), %d warning(s), %d note(s)\n",
		s.Tasks, s.Start, s.Fail, s.Unknown, s.Errors, s.Warnings, s.Notes)
	_, err := io.WriteString(w, b.String())
	return err
}

func taskText(b *strings.Builder, t *Task) {
	head := map[launch.Verdict]string{launch.Starts: "STARTS", launch.Fails: "FAILS TO START", launch.Unknown: "UNKNOWN"}[t.Verdict]
	fmt.Fprintf(b, "%s (%s): %s", t.TaskDefinition, t.Source, head)
	if t.Report != nil {
		fmt.Fprintf(b, " on %s", t.Report.LaunchType)
		if t.Report.AgentVersion != "" {
			fmt.Fprintf(b, " (agent %s)", t.Report.AgentVersion)
		}
	}
	b.WriteString("\n")
	if t.Role != "" {
		fmt.Fprintf(b, "  execution role: %s", t.Role)
		if t.RoleLocation != "" {
			fmt.Fprintf(b, " (%s)", t.RoleLocation)
		}
		b.WriteString("\n")
	}
	if t.Note != "" {
		fmt.Fprintf(b, "  note: %s\n", t.Note)
	}
	r := t.Report
	if r == nil {
		return
	}
	fmt.Fprintf(b, "  session: %s\n", r.Principal)
	if r.FailedStep != "" {
		for _, st := range r.Steps {
			if st.Name != r.FailedStep {
				continue
			}
			fmt.Fprintf(b, "\n  failing step: %s\n", st.Name)
			// The calls that are not allowed in full; the others in a line.
			for _, c := range st.Calls {
				if c.Decision != eval.Allowed.String() {
					callText(b, &c, "    ")
				}
			}
			for _, c := range st.Calls {
				if c.Decision == eval.Allowed.String() {
					fmt.Fprintf(b, "    Allowed %s on %s\n", c.Action, c.Resource)
				}
			}
		}
		b.WriteString("\n  ECS would report:\n")
		if r.Container != "" {
			fmt.Fprintf(b, "    container %s: %s\n", r.Container, r.ContainerReason)
		}
		fmt.Fprintf(b, "    stoppedReason: %s\n", r.StoppedReason)
	}
	if f := r.Fix; f != nil {
		b.WriteString("\n  fix:\n")
		for _, a := range f.Add {
			fmt.Fprintf(b, "    add to the %s:\n", a.Policy)
			js, _ := json.MarshalIndent(a.Statement, "      ", "  ")
			fmt.Fprintf(b, "      %s\n", js)
		}
		for _, c := range f.Change {
			fmt.Fprintf(b, "    change %s\n", c)
		}
	}
	for _, p := range t.Patches {
		if p.Diff != "" {
			fmt.Fprintf(b, "\n  patch for %s (apply with: git apply or patch -p1):\n", p.File)
			for _, l := range strings.SplitAfter(strings.TrimRight(p.Diff, "\n"), "\n") {
				b.WriteString("    " + l)
			}
			b.WriteString("\n")
		}
		if p.Command != "" {
			fmt.Fprintf(b, "\n  or run:\n    %s\n", strings.ReplaceAll(p.Command, "\n", "\n    "))
		}
	}
	b.WriteString("\n  steps:\n")
	for _, st := range r.Steps {
		n, bad := len(st.Calls), 0
		for _, c := range st.Calls {
			if c.Decision != eval.Allowed.String() {
				bad++
			}
		}
		mark := "ok  "
		if bad > 0 {
			mark = "FAIL"
			if st.Name != r.FailedStep {
				mark = "warn"
			}
		}
		fmt.Fprintf(b, "    %s %s: %d call(s)", mark, st.Name, n)
		if bad > 0 {
			fmt.Fprintf(b, ", %d not allowed", bad)
		}
		b.WriteString("\n")
		if st.Name != r.FailedStep {
			for _, c := range st.Calls {
				fmt.Fprintf(b, "         %s %s on %s\n", c.Decision, c.Action, c.Resource)
			}
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "  warning: %s\n", w)
	}
	if r.Skipped > 0 {
		fmt.Fprintf(b, "  %d requirement(s) of the task role or infrastructure role not simulated (see execrole needs)\n", r.Skipped)
	}
}

func callText(b *strings.Builder, c *launch.Call, indent string) {
	fmt.Fprintf(b, "%s%s %s on %s\n", indent, c.Decision, c.Action, c.Resource)
	if c.RequirementPath != "" {
		fmt.Fprintf(b, "%s  needed by %s", indent, c.RequirementPath)
		if c.Location != "" {
			fmt.Fprintf(b, " (%s)", c.Location)
		}
		b.WriteString("\n")
	}
	for _, s := range c.Statements {
		verb := "allowed"
		if s.Effect == "Deny" {
			verb = "denied"
		}
		fmt.Fprintf(b, "%s  %s by %s statement %s of %s", indent, verb, s.Gate, s.Statement, s.Policy)
		if s.Location != "" {
			fmt.Fprintf(b, " (%s)", s.Location)
		}
		b.WriteString("\n")
	}
	for _, w := range c.Why {
		fmt.Fprintf(b, "%s  why: %s\n", indent, w)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
