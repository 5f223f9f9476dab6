package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/report"
	"github.com/execrole/execrole/internal/rules"
	"github.com/execrole/execrole/internal/source"
)

type checkFlags struct {
	task             taskFlags
	iam, roles       []string
	scps             []string
	boundary         string
	resourcePolicies []string
	agentVersion     string
	format, output   string
	rules            []string
	strict           bool
	taskID, cluster  string
}

func newCheckCmd(e *env) *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Will this task start with this role? Simulate the launch, predict ECS's error, propose the fix, lint the role",
		Long: `check finds each task definition's execution role, simulates the calls ECS
makes to launch the task (assume the role, registry auth and secrets,
environment files, image pulls, log streams) on the offline IAM engine, and
says whether the task starts. When it does not, check prints the failing call,
the stoppedReason ECS would report for the launch type and agent version, the
smallest statement that makes it start, and a patch against the file that
defines the role. It then lints the role (rules ER001-ER016, docs/rules/).

The role comes from, in order: --iam (aws iam get-account-authorization-details
output), --role (a role file, CloudFormation or Terraform), and the task
definition inputs themselves when they are CloudFormation or Terraform that
also define the role.

Exit status: 0 when every task starts and no finding is an error; 1 when a task
fails to start or an error-level finding exists (with --strict, also when a
task's start cannot be decided); 2 for bad input.`,
		Example: `  execrole check taskdef.json --iam authorization-details.json
  execrole check template.yaml --param Env=prod --format sarif -o execrole.sarif
  execrole check main.tf --launch-type ec2 --agent-version 1.83.0
  execrole check taskdef.json --role role.json --resource-policy arn:aws:kms:eu-west-1:111122223333:key/k1=key-policy.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return e.runCheck(args, f) },
	}
	f.task.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.iam, "iam", nil, "`aws iam get-account-authorization-details` output holding the execution role (repeatable)")
	fl.StringArrayVar(&f.roles, "role", nil, "role file, execrole generate JSON, CloudFormation template or Terraform (file or directory) defining the role (repeatable)")
	fl.StringVar(&f.boundary, "boundary", "", "permissions boundary policy file of the role (when the role source names one it does not hold)")
	fl.StringArrayVar(&f.scps, "scp", nil, "service control policy files for one organisation level, comma-separated (repeatable, root first)")
	fl.StringArrayVar(&f.resourcePolicies, "resource-policy", nil, "[ARN=]FILE: an ECR repository policy (get-repository-policy output), secret policy (get-resource-policy output) or KMS key policy (repeatable)")
	fl.StringVar(&f.agentVersion, "agent-version", "", "EC2: ECS agent version, for its error wording (default: latest)")
	fl.StringVar(&f.format, "format", "text", "output format: text, json or sarif")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (atomically) instead of standard output")
	fl.StringSliceVar(&f.rules, "rules", nil, "run only these rule IDs (comma-separated); default all")
	fl.StringVar(&f.taskID, "task-id", "", "task ID for the session ARN and error texts, to compare with a real stopped task (default "+launch.DefaultTaskID+")")
	fl.StringVar(&f.cluster, "cluster", "", "cluster name in the task ARN that aws:SourceArn conditions see (default "+launch.DefaultCluster+")")
	fl.BoolVar(&f.strict, "strict", false, "exit 1 also when a task's start cannot be decided (a role or resource policy not given, a value the input does not say)")
	return cmd
}

func (e *env) runCheck(args []string, f *checkFlags) error {
	if err := checkFormat(f.format, "text", "json", "sarif"); err != nil {
		return err
	}
	in := check.Input{LaunchType: strings.ToUpper(f.task.launchType), TaskID: f.taskID, Cluster: f.cluster}
	if f.agentVersion != "" {
		v, err := launch.ParseVersion(f.agentVersion)
		if err != nil {
			return badInput(fmt.Errorf("--agent-version: %w", err))
		}
		in.AgentVersion = v
	}
	for _, id := range f.rules {
		r, ok := rules.ByID(strings.TrimSpace(id))
		if !ok {
			return badInput(fmt.Errorf("--rules: no rule %q (see docs/rules/)", id))
		}
		in.Rules = append(in.Rules, r)
	}
	tasks, err := e.loadTasksOr(args, &f.task, definesRoles)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		in.Tasks = append(in.Tasks, check.Task{Def: t.td, Reqs: t.reqs})
	}
	opts, err := roleOptions(&f.task, tasks)
	if err != nil {
		return err
	}
	var explicit []*account.Snapshot
	for _, path := range append(append([]string(nil), f.iam...), f.roles...) {
		s, err := e.loadRoles(path, opts)
		if err != nil {
			return err
		}
		explicit = append(explicit, s)
	}
	in.Accounts = append(in.Accounts, explicit...)
	// The task definition inputs may define the role too.
	for _, path := range args {
		if path == "-" || !definesRoles(path) {
			continue
		}
		s, ds := iamdef.Load(path, opts)
		e.warn(ds)
		if s != nil && !ds.HasErrors() && len(s.Roles) > 0 {
			in.Accounts = append(in.Accounts, s)
		}
	}
	if len(tasks) == 0 && len(in.Accounts) == 0 {
		return badInput(fmt.Errorf("%s: no task definition and no IAM role found", strings.Join(args, ", ")))
	}
	// A role file, or generate's output, describes the role the user means
	// even when the task definition names it otherwise (or not at all).
	if len(f.roles) == 1 && len(explicit) == 1 && len(explicit[0].Roles) > 0 &&
		(explicit[0].Format == iamdef.FormatRoleFile && len(explicit[0].Roles) == 1 || explicit[0].Format == iamdef.FormatGenerated) {
		in.Role = explicit[0].Roles[0]
	}
	if f.boundary != "" {
		if in.Boundary, err = e.loadPolicy(f.boundary, policy.Boundary); err != nil {
			return err
		}
	}
	if in.SCPs, err = e.loadLevels(f.scps, policy.SCP); err != nil {
		return err
	}
	if in.ResourcePolicies, err = e.loadResourcePolicies(f.resourcePolicies, tasks); err != nil {
		return err
	}
	res := check.Run(in)
	var buf bytes.Buffer
	switch f.format {
	case "json":
		b, err := json.MarshalIndent(report.FromCheck(res), "", "  ")
		if err != nil {
			return err
		}
		buf.Write(append(b, '\n'))
	case "sarif":
		wd, _ := os.Getwd()
		if err := report.SARIF(&buf, res, buildVersion(), wd); err != nil {
			return err
		}
	default:
		if err := report.Text(&buf, report.FromCheck(res)); err != nil {
			return err
		}
	}
	if f.output != "" && f.output != "-" {
		if err := writeFileAtomic(f.output, buf.Bytes()); err != nil {
			return err
		}
	} else if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if res.Failed() || f.strict && res.Undecided() {
		return exitWith(ExitFindings)
	}
	return nil
}

// roleOptions passes the task flags to the role loaders, with the account
// and region of the task definitions when the flags do not say them, so that
// pseudo parameters in the role's policies resolve as in the tasks.
func roleOptions(t *taskFlags, tasks []loadedTask) (iamdef.Options, error) {
	params, err := keyValues("param", t.params)
	if err != nil {
		return iamdef.Options{}, err
	}
	vars, err := keyValues("var", t.vars)
	if err != nil {
		return iamdef.Options{}, err
	}
	o := iamdef.Options{Params: params, Vars: vars, VarFiles: t.varFiles, Region: t.region, Account: t.account}
	for _, lt := range tasks {
		if o.Account == "" && !lt.td.Account.Unknown {
			o.Account = lt.td.Account.Text
		}
		if o.Region == "" && !lt.td.Region.Unknown {
			o.Region = lt.td.Region.Text
		}
		if o.Partition == "" && !lt.td.Partition.Unknown {
			o.Partition = lt.td.Partition.Text
		}
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	return o, nil
}

// definesRoles reports whether a task definition input can hold IAM roles
// too: CloudFormation and Terraform can, task definition JSON cannot.
func definesRoles(path string) bool {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return true
	}
	if strings.HasSuffix(path, ".tf") {
		return true
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	// CloudFormation IAM resources, or `terraform show -json` with roles.
	return bytes.Contains(src, []byte("AWS::IAM::")) || bytes.Contains(src, []byte(`"type": "aws_iam_`)) || bytes.Contains(src, []byte(`"type":"aws_iam_`))
}

// loadRoles reads one --iam or --role input.
func (e *env) loadRoles(path string, opts iamdef.Options) (*account.Snapshot, error) {
	var s *account.Snapshot
	var ds source.Diagnostics
	if path == "-" {
		src, err := e.readInput(path)
		if err != nil {
			return nil, err
		}
		s, ds = iamdef.LoadBytes("<stdin>", src, opts)
	} else {
		s, ds = iamdef.Load(path, opts)
	}
	e.warn(ds)
	if err := ds.Errs(); err != nil {
		return nil, badInput(err)
	}
	if s == nil || len(s.Roles) == 0 {
		return nil, badInput(fmt.Errorf("%s: no IAM role found", path))
	}
	return s, nil
}

// loadResourcePolicies reads --resource-policy [ARN=]FILE. Without ARN= the
// file must say its resource: `aws secretsmanager get-resource-policy`
// output has the secret's ARN, `aws ecr get-repository-policy` output the
// registry and repository (matched against the task's images). A KMS key
// policy (`aws kms get-key-policy` output, or a bare policy) needs ARN=.
func (e *env) loadResourcePolicies(flags []string, tasks []loadedTask) (map[string]*policy.Policy, error) {
	out := map[string]*policy.Policy{}
	for _, fl := range flags {
		key, path := "", fl
		if k, p, ok := strings.Cut(fl, "="); ok && strings.HasPrefix(k, "arn:") {
			key, path = k, p
		}
		src, err := e.readInput(path)
		if err != nil {
			return nil, err
		}
		root, err := jsontree.Parse(path, src)
		if err != nil {
			return nil, badInput(err)
		}
		doc := root
		typ := policy.Resource
		var keys []string
		switch {
		case root.Get("ResourcePolicy") != nil: // secretsmanager get-resource-policy
			doc = root.Get("ResourcePolicy")
			if a, ok := root.Get("ARN").Text(); ok && root.Get("ARN") != nil {
				keys = append(keys, a, secretSuffix.ReplaceAllString(a, ""))
			}
		case root.Get("policyText") != nil: // ecr get-repository-policy
			doc, typ = root.Get("policyText"), policy.Repository
			reg, _ := textOf(root.Get("registryId"))
			repo, _ := textOf(root.Get("repositoryName"))
			keys = append(keys, repositoryARNs(tasks, reg, repo)...)
		case root.Get("Policy") != nil && root.Get("Statement") == nil: // kms get-key-policy
			doc = root.Get("Policy")
		}
		if key != "" {
			keys = []string{key}
		}
		if len(keys) == 0 {
			return nil, badInput(fmt.Errorf("--resource-policy %s: cannot tell which resource the policy protects; write ARN=%s", path, path))
		}
		p, ds := account.ParseDocument(doc, typ, path)
		e.warn(ds)
		if err := ds.Errs(); err != nil {
			return nil, badInput(err)
		}
		if p == nil {
			return nil, badInput(fmt.Errorf("%s: no policy document", path))
		}
		for _, k := range keys {
			out[k] = p
		}
	}
	return out, nil
}

// secretSuffix is the random suffix Secrets Manager appends to secret ARNs.
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
var secretSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// repositoryARNs are the ECR repository ARNs the tasks pull from in registry
// reg named repo, in whatever region they are.
func repositoryARNs(tasks []loadedTask, reg, repo string) []string {
	var out []string
	for _, t := range tasks {
		for _, r := range t.reqs {
			if !strings.HasPrefix(r.Action, "ecr:") {
				continue
			}
			parts := strings.SplitN(r.Resource, ":", 6)
			if len(parts) == 6 && parts[4] == reg && parts[5] == "repository/"+repo {
				out = append(out, r.Resource)
			}
		}
	}
	return out
}

func textOf(n *jsontree.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	return n.Text()
}
