package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

type simulateFlags struct {
	policies, managedARNs, scps, rcps       []string
	boundary, sessionPolicy, resourcePolicy string
	principal, action, resourceAccount      string
	resources, contexts                     []string
	requests, format                        string
	explain                                 bool
}

func newSimulateCmd(e *env) *cobra.Command {
	f := &simulateFlags{}
	cmd := &cobra.Command{
		Use:   "simulate --principal ARN --action ACTION [--resource ARN...] [policies...]",
		Short: "Decide an IAM request offline, as AWS would, and explain why",
		Long: `simulate evaluates one IAM request, or a file of them, against the policies
given, following the policy evaluation logic AWS documents: explicit deny wins;
SCPs and RCPs at every level must allow; resource-based, identity-based,
permissions boundary and session policies combine by principal and account.

The decision is Allowed, ExplicitlyDenied or ImplicitlyDenied. The exit status
is 0 whenever a decision was made, whatever it is, and 2 for bad input.

--policy takes a policy document, or the output of
'aws iam get-account-authorization-details', from which the role, user or
group named by --principal contributes its inline, attached and boundary
policies. Each --scp is one level of the organisation, root first; several
policies at one level are separated by commas.

--requests reads JSON lines {"principal","action","resource","resourceAccount","context"}
and writes one JSON decision per line, in order. --principal and --context
fill what a line leaves out.`,
		Example: `  execrole simulate --policy role.json \
    --principal arn:aws:sts::111122223333:assumed-role/app-exec/0123abcd \
    --action ssm:GetParameters \
    --resource arn:aws:ssm:us-east-1:111122223333:parameter/app/db

  execrole simulate --policy authz.json --principal arn:aws:iam::111122223333:role/app-exec \
    --requests requests.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSimulate(e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.policies, "policy", nil, "identity policy file, or get-account-authorization-details output (repeatable)")
	fl.StringArrayVar(&f.managedARNs, "managed-policy", nil, "ARN of an AWS managed policy to attach (repeatable)")
	fl.StringVar(&f.resourcePolicy, "resource-policy", "", "resource-based policy file: bucket, key, secret, repository or trust policy")
	fl.StringVar(&f.boundary, "boundary", "", "permissions boundary policy file")
	fl.StringArrayVar(&f.scps, "scp", nil, "service control policy files for one organisation level, comma-separated (repeatable, root first)")
	fl.StringArrayVar(&f.rcps, "rcp", nil, "resource control policy files for one organisation level, comma-separated (repeatable, root first)")
	fl.StringVar(&f.sessionPolicy, "session-policy", "", "session policy file")
	fl.StringVar(&f.principal, "principal", "", "who asks: session ARN, role or user ARN, account id, or service principal")
	fl.StringVar(&f.action, "action", "", "the action, e.g. ecr:BatchGetImage")
	fl.StringArrayVar(&f.resources, "resource", nil, "resource ARN (repeatable; default *)")
	fl.StringVar(&f.resourceAccount, "resource-account", "", "account that owns the resource (default: the ARN's account, else the principal's)")
	fl.StringArrayVar(&f.contexts, "context", nil, "request context KEY=VALUE (repeatable; repeating a key makes it multi-valued)")
	fl.StringVar(&f.requests, "requests", "", "file of JSON-lines requests (- for standard input)")
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.BoolVar(&f.explain, "explain", true, "explain each decision")
	return cmd
}

// loadPolicy reads one policy document of type t.
func (e *env) loadPolicy(path string, t policy.Type) (*policy.Policy, error) {
	src, err := e.readInput(path)
	if err != nil {
		return nil, err
	}
	p, diags := policy.Parse(path, src, t)
	if err := diags.Errs(); err != nil {
		return nil, badInput(err)
	}
	e.warn(diags, iamdata.Validate(p))
	return p, nil
}

// warn prints warnings: the grammar's, and what the service authorization
// reference says of the policy's actions, resources and condition keys
// (unknown actions, wildcard-only actions on specific resources...).
// A warning is printed once per run, however many loaders meet it (the
// task and role loaders both read a Terraform directory).
func (e *env) warn(lists ...source.Diagnostics) {
	for _, ds := range lists {
		for _, d := range ds {
			if d.Severity != source.Warning {
				continue
			}
			msg := d.Error()
			if e.warned[msg] {
				continue
			}
			if e.warned == nil {
				e.warned = map[string]bool{}
			}
			e.warned[msg] = true
			fmt.Fprintln(e.stderr, msg)
		}
	}
}

// loadPolicyOrAccount reads a file that is either a policy document or an
// authorization-details export.
func (e *env) loadPolicyOrAccount(path string) (*policy.Policy, *account.Snapshot, error) {
	src, err := e.readInput(path)
	if err != nil {
		return nil, nil, err
	}
	root, err := jsontree.Parse(path, src)
	if err != nil {
		return nil, nil, badInput(err)
	}
	if account.IsAuthorizationDetails(root) {
		s, diags := account.Parse(path, root)
		if err := diags.Errs(); err != nil {
			return nil, nil, badInput(err)
		}
		return nil, s, nil
	}
	p, diags := policy.FromNode(root, policy.Identity, path)
	if err := diags.Errs(); err != nil {
		return nil, nil, badInput(err)
	}
	e.warn(diags, iamdata.Validate(p))
	return p, nil, nil
}

// parseContext turns KEY=VALUE flags into a context map; a repeated key
// makes the key multi-valued.
func parseContext(kvs []string) (map[string][]string, error) {
	ctx := map[string][]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badInput(fmt.Errorf("--context %q: expected KEY=VALUE", kv))
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}
