package rules

import (
	"strings"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/requirements"
)

// execNeeds is the set of actions (lower case) ECS calls with the
// execution role for the pass's tasks.
func (p *Pass) execNeeds() map[string]bool {
	m := map[string]bool{}
	for _, t := range p.Tasks {
		for _, r := range t.Reqs {
			if r.Role == requirements.Execution {
				m[strings.ToLower(r.Action)] = true
			}
		}
	}
	return m
}

// checkUnneeded reports actions of the role's own policies that no task
// definition needs. Statements of AWS managed policies are left to the
// managed-policy rule, and ecr:GetAuthorizationToken is never flagged: every
// ECR pull needs it and it only exists on "*".
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
func checkUnneeded(p *Pass) {
	if len(p.Tasks) == 0 {
		return
	}
	needs := p.execNeeds()
	for _, pol := range p.Policies.Identity {
		if pol == nil || isAWSManaged(pol) {
			continue
		}
		for _, s := range pol.Statements {
			if s.Effect != "Allow" || s.NotAction {
				continue
			}
			for _, a := range s.Actions {
				svc, _, _ := strings.Cut(strings.ToLower(a.Text), ":")
				if appServices[svc] || a.Text == "*" {
					continue // reported by ER009 and ER007
				}
				used := false
				for _, name := range expand(a.Text) {
					if needs[strings.ToLower(name)] || alwaysFine[strings.ToLower(name)] {
						used = true
					}
				}
				if !used {
					p.Reportf(a.Range, nil, "statement %s allows %s, which no task definition using this role needs", s.Name(), a.Text)
				}
			}
		}
	}
}

// alwaysFine are actions never flagged as unneeded: GetAuthorizationToken
// exists only on "*" and every ECR pull needs it; BatchCheckLayerAvailability
// is in AmazonECSTaskExecutionRolePolicy and ECS's own policy examples, a
// read of layer metadata.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
var alwaysFine = map[string]bool{
	"ecr:getauthorizationtoken":       true,
	"ecr:batchchecklayeravailability": true,
}

// expand returns the actions a pattern names, or the text itself when the
// catalogue does not know it.
func expand(pattern string) []string {
	if names := iamdata.ExpandActions(pattern); len(names) > 0 {
		return names
	}
	return []string{pattern}
}

// taskExecPolicy is the AWS managed policy ECS suggests; it grants ECR pulls
// and log streams only, not secrets nor logs:CreateLogGroup.
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSTaskExecutionRolePolicy.html
const taskExecPolicy = "AmazonECSTaskExecutionRolePolicy"

// checkManagedReliance flags tasks that need secrets while the role has
// only AmazonECSTaskExecutionRolePolicy for them.
func checkManagedReliance(p *Pass) {
	if p.Role == nil {
		return
	}
	var att *rangeT
	for _, a := range p.Role.Attached {
		if policyNameOfARN(a.ARN) == taskExecPolicy {
			att = &a.Range
		}
	}
	if att == nil {
		return
	}
	seen := map[string]bool{}
	for _, t := range p.Tasks {
		for _, r := range t.Reqs {
			act := strings.ToLower(r.Action)
			if r.Role != requirements.Execution || seen[act] {
				continue
			}
			switch act {
			case "ssm:getparameters", "secretsmanager:getsecretvalue", "kms:decrypt":
			default:
				continue
			}
			seen[act] = true
			if !p.allowsAction(r.Action) {
				p.Reportf(r.Range, []rangeT{*att}, "%s is needed (%s) but %s does not grant it; add a statement for the secrets the task uses", r.Action, r.Path, taskExecPolicy)
			}
		}
	}
}
