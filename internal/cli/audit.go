package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/athena"
	"github.com/execrole/execrole/internal/audit"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/policy"
)

// auditFlags are the flags of execrole audit.
type auditFlags struct {
	roles          []string
	since, until   string
	iam            string
	policies       []string
	taskdefs       []string
	format, output string
	quiet          bool
	athenaSQL      bool
	athena         bool
	athenaTable    string
	athenaDatabase string
	athenaGroup    string
	athenaOutput   string
	task           taskFlags
}

func newAuditCmd(e *env) *cobra.Command {
	f := &auditFlags{}
	cmd := &cobra.Command{
		Use:   "audit PATH...",
		Short: "Audit ECS roles from CloudTrail: calls used and denied, grants unused, a rightsized policy",
		Long: `audit reads CloudTrail logs (S3 delivery files .json or .json.gz, directories
walked recursively, lookup-events output, CloudTrail Lake rows; "-" for standard
input), attributes each call to the ECS role whose task session made it, and
reports per role:

  used        the calls that succeeded: action, resource, count, first and
              last seen, task IDs
  denied      the calls denied, with errorCode and message; with the role's
              policies (--iam or --policy) the engine's decision, why, and the
              smallest statement that would allow it
  unused      with the role's policies: what each statement grants that no
              call used, decided on the engine's statement matches
  cannot tell what CloudTrail cannot show (logs:PutLogEvents, ECR layer
              downloads, iam:PassRole, S3 data events, ...): never called unused
  policy      a rightsized identity policy: the task definitions' needs
              (--taskdef) joined with the calls used, each statement named for
              its origin (Taskdef, CloudTrail, Both, BlindSpot), and the
              blind-spot grants kept without evidence

Without --role, the roles audited are those ecs-tasks.amazonaws.com assumed in
the input. --since and --until take RFC 3339 times, dates (YYYY-MM-DD, UTC;
--until includes the whole day) or ages such as 7d, 24h or 90m.

--athena-sql prints the Amazon Athena query that computes the same aggregation
over the CloudTrail table, and --athena runs it (AWS credentials from the
usual chain) and reports on its rows.

Exit status: 0 when no call was denied, 1 when some call was denied, 2 for bad
input (a missing path, a bad --since, a policy file that does not parse).
Files that cannot be read are reported on standard error and skipped; what
they held before the error is kept.`,
		Example: `  execrole audit AWSLogs/ --role app-execution --since 7d
  execrole audit trail.json.gz --iam authz.json --taskdef taskdef.json --format json -o audit.json
  execrole audit --athena-sql --role app-execution --since 2025-03-01 --athena-table cloudtrail_logs_pp
  aws cloudtrail lookup-events ... | execrole audit - --policy role-policy.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd.Context(), e, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.roles, "role", nil, "role to audit, by name or ARN (repeatable; default: every role ECS assumed in the input)")
	fl.StringVar(&f.since, "since", "", "first event time: RFC 3339, YYYY-MM-DD, or an age such as 7d or 24h")
	fl.StringVar(&f.until, "until", "", "last event time: RFC 3339, YYYY-MM-DD (whole day), or an age")
	fl.StringVar(&f.iam, "iam", "", "the audited roles' policies: aws iam get-account-authorization-details output, or the CloudFormation, Terraform or role file defining them")
	fl.StringArrayVar(&f.policies, "policy", nil, "identity policy JSON attached to the audited roles (repeatable)")
	fl.StringArrayVar(&f.taskdefs, "taskdef", nil, "task definition using the role, in any format needs reads (repeatable)")
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (atomically) instead of standard output")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress display and no notes on standard error")
	fl.BoolVar(&f.athenaSQL, "athena-sql", false, "print the Athena query for the roles and window, and exit")
	fl.BoolVar(&f.athena, "athena", false, "run the query in Amazon Athena instead of reading files")
	fl.StringVar(&f.athenaTable, "athena-table", "cloudtrail_logs_pp", "Athena CloudTrail table (the AWS documentation's partition-projection table)")
	fl.StringVar(&f.athenaDatabase, "athena-database", "default", "Athena database holding the table")
	fl.StringVar(&f.athenaGroup, "athena-workgroup", "", "Athena work group (default: primary)")
	fl.StringVar(&f.athenaOutput, "athena-output", "", "s3:// location for query results (default: the work group's)")
	f.task.register(cmd)
	return cmd
}

func runAudit(ctx context.Context, e *env, f *auditFlags, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkFormat(f.format, "text", "json"); err != nil {
		return err
	}
	now := time.Now().UTC()
	filter := cloudtrail.Filter{Roles: f.roles}
	var err error
	if filter.Since, err = parseWhen("--since", f.since, now, false); err != nil {
		return err
	}
	if filter.Until, err = parseWhen("--until", f.until, now, true); err != nil {
		return err
	}
	if !filter.Since.IsZero() && !filter.Until.IsZero() && filter.Until.Before(filter.Since) {
		return badInput(fmt.Errorf("--until %s is before --since %s", f.until, f.since))
	}
	if f.athenaSQL {
		_, err := io.WriteString(e.stdout, cloudtrail.AthenaSQL(f.athenaTable, filter))
		return err
	}
	if f.athena && len(args) > 0 {
		return badInput(errors.New("audit: --athena reads the trail from Athena; give no PATH"))
	}
	if !f.athena && len(args) == 0 {
		return badInput(errors.New("audit: give at least one PATH (file, directory or - for standard input), or --athena"))
	}
	// Inputs other than the trail first, so bad input fails fast.
	var snap *account.Snapshot
	if f.iam != "" {
		// Any role source check reads: an export, or the CloudFormation,
		// Terraform or role file that defines the role.
		if snap, err = e.loadRoles(f.iam, iamdef.Options{Partition: "aws"}); err != nil {
			return err
		}
	}
	var extra []*policy.Policy
	for _, p := range f.policies {
		pol, err := e.loadPolicy(p, policy.Identity)
		if err != nil {
			return err
		}
		extra = append(extra, pol)
	}
	var tasks []loadedTask
	if len(f.taskdefs) > 0 {
		if tasks, err = e.loadTasks(f.taskdefs, &f.task); err != nil {
			return err
		}
	}

	var usage *cloudtrail.Usage
	if f.athena {
		if usage, err = e.athenaUsage(ctx, f, filter); err != nil {
			return err
		}
	} else {
		opts := cloudtrail.Options{Stdin: e.stdin}
		if !f.quiet && isTerminal(e.stderr) {
			opts.Progress = e.stderr
		}
		usage, err = cloudtrail.Scan(ctx, args, filter, opts)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return badInput(err)
		}
	}
	for _, p := range usage.Problems {
		switch {
		case p.Error != "":
			fmt.Fprintf(e.stderr, "execrole: %s: %s (%d records before the error kept)\n", p.File, p.Error, p.Records)
		case !f.quiet:
			fmt.Fprintf(e.stderr, "note: skipped %s: %s\n", p.File, p.Skipped)
		}
	}
	in, notes := auditInput(usage, f.roles, snap, extra, tasks)
	if !f.quiet {
		for _, n := range notes {
			fmt.Fprintln(e.stderr, "note:", n)
		}
	}
	rep := audit.Build(usage, in)
	var buf bytes.Buffer
	if f.format == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		buf.Write(append(b, '\n'))
	} else {
		audit.WriteText(&buf, rep)
	}
	if f.output != "" && f.output != "-" {
		if err := writeFileAtomic(f.output, buf.Bytes()); err != nil {
			return badInput(err)
		}
	} else if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	for _, r := range rep.Roles {
		if len(r.Denied) > 0 {
			return exitWith(ExitFindings)
		}
	}
	return nil
}

// auditInput gathers each audited role's policies (from the export, plus
// --policy files for every role) and its task definitions' requirements. A
// task definition goes to the role its executionRoleArn names, or to every
// role when it names none or only one role is audited.
func auditInput(u *cloudtrail.Usage, named []string, snap *account.Snapshot, extra []*policy.Policy, tasks []loadedTask) (audit.Input, []string) {
	in := audit.Input{Roles: map[string]*audit.RoleInput{}}
	var notes []string
	roles := map[string]string{} // ARN -> name
	for _, r := range u.Roles {
		roles[r.Role] = r.Name
	}
	// Roles named by ARN, or by a name the export resolves, are reported
	// even without evidence.
	for _, n := range named {
		arn := ""
		if strings.HasPrefix(n, "arn:") {
			arn = n
		} else if snap != nil {
			if p, ok := snap.Find(n); ok && p.Kind == "role" {
				arn = p.ARN
			}
		}
		if arn != "" {
			if _, ok := roles[arn]; !ok && !namedInUsage(u, n) {
				roles[arn] = roleNameOf(arn)
			}
		}
	}
	for arn, name := range roles {
		ri := &audit.RoleInput{}
		if snap != nil || len(extra) > 0 {
			pols := &account.Policies{}
			if snap != nil {
				p, ok := snap.Find(arn)
				if !ok {
					// A role defined in code has no account in its ARN yet.
					p, ok = snap.Find(roleNameOf(arn))
				}
				if ok {
					got, err := snap.PoliciesOf(p)
					if err != nil {
						notes = append(notes, fmt.Sprintf("%s: policies of %s: %v", snap.File, arn, err))
					} else {
						pols.Identity = append(pols.Identity, got.Identity...)
						pols.Boundary = got.Boundary
					}
				} else {
					notes = append(notes, fmt.Sprintf("%s: role %s is not in the export", snap.File, arn))
				}
			}
			pols.Identity = append(pols.Identity, extra...)
			ri.Policies = pols
		}
		for _, t := range tasks {
			ref := t.td.ExecutionRoleArn.Text
			if len(roles) == 1 || ref == "" || t.td.ExecutionRoleArn.Unknown || ref == arn || roleNameOf(ref) == name {
				ri.Requirements = append(ri.Requirements, t.reqs...)
			}
		}
		in.Roles[arn] = ri
	}
	if len(roles) == 0 && len(tasks) > 0 {
		notes = append(notes, "no role to audit: the task definitions are not used")
	}
	for _, t := range tasks {
		ref := t.td.ExecutionRoleArn.Text
		if len(roles) <= 1 || ref == "" || t.td.ExecutionRoleArn.Unknown {
			continue
		}
		found := false
		for arn, name := range roles {
			found = found || ref == arn || roleNameOf(ref) == name
		}
		if !found {
			notes = append(notes, fmt.Sprintf("%s: execution role %s is not among the audited roles; its requirements are not used", taskName(t.td), ref))
		}
	}
	return in, notes
}

func namedInUsage(u *cloudtrail.Usage, n string) bool {
	for _, r := range u.Roles {
		if r.Role == n || r.Name == n {
			return true
		}
	}
	return false
}

func roleNameOf(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// athenaUsage runs the audit query in Athena and converts its rows.
func (e *env) athenaUsage(ctx context.Context, f *auditFlags, filter cloudtrail.Filter) (*cloudtrail.Usage, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("athena: AWS configuration: %w", err)
	}
	if !f.quiet {
		fmt.Fprintf(e.stderr, "note: running the audit query in Athena (table %s.%s)\n", f.athenaDatabase, f.athenaTable)
	}
	res, err := athena.Run(ctx, awsathena.NewFromConfig(cfg), athena.Query{
		SQL: cloudtrail.AthenaSQL(f.athenaTable, filter), Database: f.athenaDatabase,
		WorkGroup: f.athenaGroup, OutputLocation: f.athenaOutput,
	})
	if err != nil {
		return nil, err
	}
	if !f.quiet {
		// Athena bills $5 per TB scanned (research section 0.9).
		fmt.Fprintf(e.stderr, "note: Athena scanned %d bytes in %d ms\n", res.ScannedBytes, res.EngineMillis)
	}
	u, errs := athena.Usage(res)
	for _, err := range errs {
		fmt.Fprintln(e.stderr, "execrole:", err)
	}
	return u, nil
}

// isTerminal reports whether w is a terminal, without a dependency: a
// character device is what a terminal is to stat.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseWhen reads a --since or --until value: RFC 3339, a date (UTC; as an
// upper bound it includes the whole day), or an age before now in days (d),
// hours, minutes or seconds, such as 7d, 36h or 1h30m.
func parseWhen(flag, s string, now time.Time, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if upper {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t, nil
	}
	if d, ok := parseAge(s); ok {
		return now.Add(-d), nil
	}
	return time.Time{}, badInput(fmt.Errorf("%s %q: expected an RFC 3339 time (2025-03-01T12:00:00Z), a date (2025-03-01) or an age (7d, 24h)", flag, s))
}

// parseAge reads "Nd" (whole days) or a Go duration; negative and zero ages
// are rejected, and so are ages beyond what time.Duration holds.
func parseAge(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n <= 0 || n > int64(time.Duration(1<<63-1)/(24*time.Hour)) {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}
