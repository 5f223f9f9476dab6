package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
)

// taskFlags are the flags of every command that reads task definitions.
type taskFlags struct {
	params, kmsKeys          []string
	vars, varFiles           []string
	region, account          string
	launchType               string
	awslogsOverride          bool
	ecrPullWithInstanceRole  bool
	pullThroughCachePrefixes []string
	executeCommand           bool
}

func (t *taskFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringArrayVar(&t.params, "param", nil, "CloudFormation parameter value K=V (repeatable)")
	fl.StringArrayVar(&t.vars, "var", nil, "Terraform variable value K=V (repeatable)")
	fl.StringArrayVar(&t.varFiles, "var-file", nil, "Terraform .tfvars file (repeatable)")
	fl.StringVar(&t.region, "region", "", "region the task runs in, when the input does not say")
	fl.StringVar(&t.account, "account", "", "account the task runs in, when the input does not say")
	fl.StringArrayVar(&t.kmsKeys, "kms-key", nil, "REF=KEY_ARN: the customer managed key encrypting a secret; REF is a valueFrom or credentialsParameter as written or resolved (repeatable)")
	fl.StringVar(&t.launchType, "launch-type", "", "fargate or ec2 (default: from requiresCompatibilities)")
	fl.BoolVar(&t.awslogsOverride, "awslogs-execution-role-override", true, "EC2: the agent's ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE (awslogs writes with the execution role)")
	fl.BoolVar(&t.ecrPullWithInstanceRole, "ecr-pull-with-instance-role", false, "EC2: pull ECR images with the instance role, as the ECR guide says, instead of the execution role as the agent does")
	fl.StringArrayVar(&t.pullThroughCachePrefixes, "pull-through-cache-prefix", nil, "ECR pull-through cache rule prefix in the image account (repeatable)")
	fl.BoolVar(&t.executeCommand, "execute-command", false, "the service enables ECS Exec (task role needs ssmmessages)")
}

func keyValues(flag string, kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badInput(fmt.Errorf("--%s %q: expected KEY=VALUE", flag, kv))
		}
		out[k] = v
	}
	return out, nil
}

// loadedTask is one task definition with the requirements derived from it.
type loadedTask struct {
	td   *taskdef.TaskDefinition
	reqs []requirements.Requirement
}

// loadTasks reads every task definition in files and derives its
// requirements. Warnings go to stderr; errors end the command with status 2.
func (e *env) loadTasks(files []string, t *taskFlags) ([]loadedTask, error) {
	return e.loadTasksOr(files, t, nil)
}

// loadTasksOr is loadTasks where a file for which standsAlone is true may
// hold no task definition (check lints the roles of an IAM-only template).
func (e *env) loadTasksOr(files []string, t *taskFlags, standsAlone func(string) bool) ([]loadedTask, error) {
	params, err := keyValues("param", t.params)
	if err != nil {
		return nil, err
	}
	vars, err := keyValues("var", t.vars)
	if err != nil {
		return nil, err
	}
	keys, err := keyValues("kms-key", t.kmsKeys)
	if err != nil {
		return nil, err
	}
	lt := strings.ToUpper(t.launchType)
	if lt != "" && lt != "FARGATE" && lt != "EC2" && lt != "EXTERNAL" && lt != "MANAGED_INSTANCES" {
		return nil, badInput(fmt.Errorf("--launch-type %q: expected fargate or ec2", t.launchType))
	}
	override := t.awslogsOverride
	ropts := requirements.Options{
		LaunchType:                   lt,
		AWSLogsExecutionRoleOverride: &override,
		ECRPullWithInstanceRole:      t.ecrPullWithInstanceRole,
		KMSKeys:                      keys,
		PullThroughCachePrefixes:     t.pullThroughCachePrefixes,
		ExecuteCommand:               t.executeCommand,
		Region:                       t.region,
		Account:                      t.account,
	}
	tdOpts := taskdef.Options{Params: params, Vars: vars, VarFiles: t.varFiles, Region: t.region, Account: t.account}
	var out []loadedTask
	var all source.Diagnostics
	for _, f := range files {
		var tds []*taskdef.TaskDefinition
		var diags source.Diagnostics
		if f == "-" {
			src, err := e.readInput(f)
			if err != nil {
				return nil, err
			}
			tds, diags = taskdef.LoadBytes("<stdin>", src, tdOpts)
		} else {
			tds, diags = taskdef.Load(f, tdOpts)
		}
		all = append(all, diags...)
		if diags.HasErrors() {
			continue
		}
		if len(tds) == 0 && standsAlone != nil && standsAlone(f) {
			continue
		}
		if len(tds) == 0 {
			all.Errorf(source.Range{File: f}, "no task definition found (expected register-task-definition JSON, describe-task-definition output, container definitions, an AWS::ECS::TaskDefinition or an aws_ecs_task_definition)")
			continue
		}
		for _, td := range tds {
			reqs, ds := requirements.Derive(td, ropts)
			all = append(all, ds...)
			out = append(out, loadedTask{td: td, reqs: reqs})
		}
	}
	e.warn(all)
	if err := all.Errs(); err != nil {
		return nil, badInput(err)
	}
	return out, nil
}

func newNeedsCmd(e *env) *cobra.Command {
	t := &taskFlags{}
	var format string
	cmd := &cobra.Command{
		Use:   "needs FILE...",
		Short: "List the permissions a task definition needs, by role, with the field that needs each",
		Long: `needs reads task definitions (register-task-definition or describe-task-definition
JSON, container definitions, CloudFormation, Terraform) and lists exactly which
permissions ECS needs from the execution role to start the task, and which
belong to the task role or the infrastructure role instead. Each permission
names the field that requires it, with its file position.

JSON output is a list of {"role","action","resource","reason","path",...}.`,
		Example: `  execrole needs taskdef.json
  execrole needs template.yaml --param Env=prod --region eu-west-1 --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			tasks, err := e.loadTasks(args, t)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if format == "json" {
				if err := writeNeedsJSON(&buf, tasks); err != nil {
					return err
				}
			} else {
				writeNeedsText(&buf, tasks)
			}
			_, err = e.stdout.Write(buf.Bytes())
			return err
		},
	}
	t.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// needJSON is one requirement with the task definition it belongs to.
type needJSON struct {
	TaskDefinition string `json:"taskDefinition"`
	requirements.Requirement
}

func writeNeedsJSON(w io.Writer, tasks []loadedTask) error {
	list := []needJSON{}
	for _, t := range tasks {
		for _, r := range t.reqs {
			list = append(list, needJSON{TaskDefinition: taskName(t.td), Requirement: r})
		}
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func taskName(td *taskdef.TaskDefinition) string {
	if td.Family.Text != "" {
		return td.Family.Text
	}
	if td.Source.File != "" {
		return td.Source.File
	}
	return "task definition"
}

func writeNeedsText(w io.Writer, tasks []loadedTask) {
	for i, t := range tasks {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s)\n", taskName(t.td), t.td.Source.File)
		if len(t.reqs) == 0 {
			fmt.Fprintln(w, "  needs no permissions from any role")
			continue
		}
		var roles []requirements.Role
		byRole := map[requirements.Role][]requirements.Requirement{}
		for _, r := range t.reqs {
			if _, ok := byRole[r.Role]; !ok {
				roles = append(roles, r.Role)
			}
			byRole[r.Role] = append(byRole[r.Role], r)
		}
		for _, role := range roles {
			fmt.Fprintf(w, "  %s role:\n", role)
			writeRoleNeeds(w, byRole[role])
		}
		notes := map[string]bool{}
		for _, r := range t.reqs {
			for _, n := range r.Notes {
				if !notes[n] {
					notes[n] = true
					fmt.Fprintf(w, "  note: %s\n", n)
				}
			}
		}
	}
}

// writeRoleNeeds prints one role's requirements as aligned columns.
func writeRoleNeeds(w io.Writer, reqs []requirements.Requirement) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range reqs {
		{
			where := r.Path
			if r.Range.Start.IsValid() {
				where += " at " + r.Range.String()
			}
			flags := ""
			switch {
			case r.Runtime:
				flags = " [runtime only]"
			case r.Conditional:
				flags = " [only when " + r.When + "]"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s%s\n", r.Action, r.Resource, where, flags)
		}
	}
	tw.Flush()
}

func newGenerateCmd(e *env) *cobra.Command {
	t := &taskFlags{}
	var format, roleName, taskRoleName, output string
	var managedPolicy bool
	var tags []string
	cmd := &cobra.Command{
		Use:   "generate FILE...",
		Short: "Write the least-privilege execution role (and task role) as IAM JSON, AWS CLI, CloudFormation or Terraform",
		Long: `generate builds the roles the task definitions need and nothing more: a trust
policy for ecs-tasks.amazonaws.com with an aws:SourceAccount condition when the
account is known, customer policies scoped to the exact resources
(ecr:GetAuthorizationToken on "*", which has no resource-level permissions),
kms:Decrypt limited by kms:ViaService, and for ECR images in other accounts the
repository policy the image account must set. Several task definitions share
one generated role, which then grants what any of them needs.`,
		Example: `  execrole generate taskdef.json --format terraform --role-name app-execution
  execrole generate template.yaml --format cloudformation --account 111122223333 --region us-east-1`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "json", "cli", "cloudformation", "terraform"); err != nil {
				return err
			}
			tagMap, err := keyValues("tag", tags)
			if err != nil {
				return err
			}
			tasks, err := e.loadTasks(args, t)
			if err != nil {
				return err
			}
			var reqs []requirements.Requirement
			account, region := t.account, t.region
			for _, lt := range tasks {
				reqs = append(reqs, lt.reqs...)
				// Where the task runs, when its own ARNs say so.
				if account == "" && !lt.td.Account.Unknown {
					account = lt.td.Account.Text
				}
				if region == "" && !lt.td.Region.Unknown {
					region = lt.td.Region.Text
				}
				// Keep the role the task definition already names.
				if roleName == "" && !lt.td.ExecutionRoleArn.Unknown {
					if a := lt.td.ExecutionRoleArn.Text; strings.Contains(a, ":role/") {
						roleName = a[strings.LastIndexByte(a, '/')+1:]
					}
				}
			}
			res, err := rolegen.Generate(reqs, rolegen.Options{
				RoleName: roleName, TaskRoleName: taskRoleName,
				Account: account, Region: region,
				Managed: managedPolicy, Tags: tagMap,
			})
			if err != nil {
				return badInput(err)
			}
			var out []byte
			switch format {
			case "json":
				out, err = render.JSON(res)
			case "cli":
				out, err = render.CLI(res)
			case "cloudformation":
				out, err = render.CloudFormation(res)
			case "terraform":
				out, err = render.Terraform(res)
			}
			if err != nil {
				return badInput(err)
			}
			for _, n := range res.Notes {
				fmt.Fprintln(e.stderr, "note:", n)
			}
			if output != "" && output != "-" {
				return writeFileAtomic(output, out)
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	t.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "json", "output format: json, cli, cloudformation or terraform")
	fl.StringVar(&roleName, "role-name", "", "execution role name (default ecsTaskExecutionRole)")
	fl.StringVar(&taskRoleName, "task-role-name", "", "task role name, when the task role needs anything (default ROLE-NAME-task)")
	fl.BoolVar(&managedPolicy, "managed", false, "attach AmazonECSTaskExecutionRolePolicy and drop what it covers (its Resource is \"*\")")
	fl.StringArrayVar(&tags, "tag", nil, "tag K=V for the generated roles (repeatable)")
	fl.StringVarP(&output, "output", "o", "", "write to this file (atomically) instead of standard output")
	return cmd
}
