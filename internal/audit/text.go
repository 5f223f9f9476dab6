package audit

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report for people: per role the calls used, the
// denials with their explanation and fix, what is unused, what CloudTrail
// cannot tell, and the rightsized policy.
func WriteText(w io.Writer, rep *Report) {
	s := rep.Stats
	fmt.Fprintf(w, "%d events attributed to %d roles (%d files, %d records, %d duplicates, %d out of window, %d bad records)\n",
		rep.Events, len(rep.Roles), s.Files, s.Records, s.Duplicates, s.OutOfWindow, s.BadRecords)
	for _, p := range rep.Problems {
		if p.Skipped != "" {
			fmt.Fprintf(w, "skipped %s: %s\n", p.File, p.Skipped)
		} else {
			fmt.Fprintf(w, "problem %s: %s (%d records kept)\n", p.File, p.Error, p.Records)
		}
	}
	if len(rep.OtherRoles) > 0 {
		fmt.Fprintf(w, "other roles in the input, not audited: %s\n", strings.Join(rep.OtherRoles, ", "))
	}
	if len(rep.Roles) == 0 {
		fmt.Fprintln(w, "no role to audit: no ECS task session in the input (use --role to name one)")
	}
	for _, r := range rep.Roles {
		writeRole(w, r)
	}
	fmt.Fprintln(w, "\nCloudTrail cannot show (never read \"not seen\" as \"not needed\" for these):")
	for _, b := range rep.BlindSpots {
		what := "any action"
		if len(b.Actions) > 0 {
			what = strings.Join(b.Actions, ", ")
		}
		fmt.Fprintf(w, "  - %s: %s\n", what, b.Reason)
	}
}

func writeRole(w io.Writer, r *RoleReport) {
	fmt.Fprintf(w, "\nrole %s (%s): %d events", r.Name, r.Role, r.Events)
	if r.ECSSessions != nil {
		fmt.Fprintf(w, ", %d task sessions started by ECS", r.ECSSessions.Count)
		if r.ECSSessions.Failures > 0 {
			fmt.Fprintf(w, " (%d failed: check the trust policy)", r.ECSSessions.Failures)
		}
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "  used (%d):\n", len(r.Used))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, u := range r.Used {
		extra := string(u.Mapping)
		if u.Via != "" {
			extra += ", via " + u.Via
		}
		if u.Decision != "" && len(u.AllowedBy) == 0 {
			extra += ", no identity statement given allows it"
		}
		fmt.Fprintf(tw, "    %s\t%s\t%dx\t%s .. %s\t%s\t[%s]\n", u.Action, u.Resource, u.Count,
			u.First.UTC().Format("2006-01-02T15:04:05Z"), u.Last.UTC().Format("2006-01-02T15:04:05Z"), tasks(u.Tasks.Names, u.Tasks.Truncated), extra)
	}
	tw.Flush()

	fmt.Fprintf(w, "  denied (%d):\n", len(r.Denied))
	for _, d := range r.Denied {
		fmt.Fprintf(w, "    %s on %s: %s, %dx, %s\n", d.Action, d.Resource, d.ErrorCode, d.Count, tasks(d.Tasks.Names, d.Tasks.Truncated))
		if d.ErrorMessage != "" {
			fmt.Fprintf(w, "      message: %s\n", d.ErrorMessage)
		}
		if d.Decision != "" {
			fmt.Fprintf(w, "      engine: %s", d.Decision)
			if d.Gate != "" {
				fmt.Fprintf(w, " (decided by %s policies)", d.Gate)
			}
			fmt.Fprintf(w, " for %s\n", d.Request.Principal)
			for _, s := range d.Explanation.Statements {
				verb := "allowed"
				if s.Effect == "Deny" {
					verb = "denied"
				}
				fmt.Fprintf(w, "        %s by %s policy %q statement %s (%s)\n", verb, s.Type, s.Policy, s.Statement, s.Location)
			}
			for _, m := range d.Explanation.Missing {
				fmt.Fprintf(w, "        missing: %s\n", m)
			}
			for _, n := range d.Explanation.NearMisses {
				fmt.Fprintf(w, "        near miss: %s policy %q statement %s (%s): %s\n", n.Type, n.Policy, n.Statement, n.Location, n.Reason)
			}
			if d.Fix == nil {
				fmt.Fprintln(w, "        the role's policies allow it now: the denial came from a policy not given (SCP, resource, VPC endpoint, session) or the role changed since")
			}
		}
		if d.Fix != nil {
			fmt.Fprintf(w, "      fix: %s", d.Fix.Statement)
			if d.Fix.Verified {
				fmt.Fprint(w, " (verified by the engine)")
			}
			if d.Fix.Note != "" {
				fmt.Fprintf(w, " (%s)", d.Fix.Note)
			}
			fmt.Fprintln(w)
		}
	}

	if !r.HasPolicies {
		fmt.Fprintln(w, "  unused: not computed (give the role's policies with --iam or --policy)")
	} else {
		fmt.Fprintf(w, "  unused (%d statements):\n", len(r.Unused))
		for _, u := range r.Unused {
			whole := ""
			if u.Whole {
				whole = ", whole statement"
			}
			fmt.Fprintf(w, "    %q statement %s (%s)%s: %s\n", u.Policy, u.Statement, u.Location, whole, u.Reason)
			for _, a := range u.Actions {
				fmt.Fprintf(w, "      action   %s\n", a)
			}
			for _, res := range u.Resources {
				fmt.Fprintf(w, "      resource %s\n", res)
			}
			for _, n := range u.Notes {
				fmt.Fprintf(w, "      note     %s\n", n)
			}
		}
		fmt.Fprintf(w, "  cannot tell (%d statements; CloudTrail could not have shown these):\n", len(r.CannotTell))
		for _, c := range r.CannotTell {
			fmt.Fprintf(w, "    %q statement %s (%s)\n", c.Policy, c.Statement, c.Location)
			for _, a := range c.Actions {
				fmt.Fprintf(w, "      action   %s\n", a)
			}
			for _, res := range c.Resources {
				fmt.Fprintf(w, "      resource %s\n", res)
			}
			for _, why := range c.Reasons {
				fmt.Fprintf(w, "      because  %s\n", why)
			}
		}
	}

	p := r.Policy
	fmt.Fprintln(w, "  rightsized policy (statement origins: taskdef, cloudtrail, both, blind-spot):")
	for _, o := range p.Statements {
		fmt.Fprintf(w, "    %s: %s, %d observed calls\n", o.Sid, o.Origin, o.Calls)
	}
	for _, k := range p.BlindSpotsKept {
		fmt.Fprintf(w, "    kept without evidence: %s on %s (%s)\n", strings.Join(k.Actions, ", "), strings.Join(k.Resources, ", "), k.From)
	}
	for _, n := range p.NotGranted {
		fmt.Fprintf(w, "    not granted: %s\n", n)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "    note: %s\n", n)
	}
	for _, line := range strings.Split(string(p.Document), "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

func tasks(names []string, truncated bool) string {
	if len(names) == 0 {
		return "no task IDs"
	}
	s := fmt.Sprintf("%d tasks", len(names))
	if len(names) == 1 {
		s = "task " + names[0]
	}
	if truncated {
		s = "more than " + s
	}
	return s
}
