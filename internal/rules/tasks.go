package rules

import (
	"regexp"
	"slices"
	"strings"

	"github.com/execrole/execrole/internal/taskdef"
)

// checkCreateGroup: with awslogs-create-group "true" the agent calls
// logs:CreateLogGroup, which AmazonECSTaskExecutionRolePolicy does not grant.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
func checkCreateGroup(p *Pass) {
	if p.allowsAction("logs:CreateLogGroup") {
		return
	}
	for _, t := range p.Tasks {
		for _, c := range t.Def.Containers {
			lc := c.LogConfiguration
			if lc == nil || !strings.EqualFold(lc.LogDriver.Text, "awslogs") {
				continue
			}
			if v, ok := lc.Options["awslogs-create-group"]; ok && strings.EqualFold(v.Text, "true") {
				p.Reportf(v.Range, nil, "container %q sets awslogs-create-group but the execution role does not allow logs:CreateLogGroup: the task fails to start when the group is missing", c.Name.Text)
			}
		}
	}
}

// checkLogsRegion: awslogs-region names where the agent sends logs; a region
// other than the task's is legal but usually a copy-paste mistake, and the
// role's log-group ARNs then name the wrong region.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
func checkLogsRegion(p *Pass) {
	for _, t := range p.Tasks {
		region := t.Def.Region.Text
		if region == "" || strings.HasPrefix(region, "${") {
			continue
		}
		for _, c := range t.Def.Containers {
			lc := c.LogConfiguration
			if lc == nil || !strings.EqualFold(lc.LogDriver.Text, "awslogs") {
				continue
			}
			if v, ok := lc.Options["awslogs-region"]; ok && v.Text != "" && !strings.HasPrefix(v.Text, "${") && v.Text != region {
				p.Reportf(v.Range, nil, "container %q sends logs to region %s, but the task runs in %s", c.Name.Text, v.Text, region)
			}
		}
	}
}

var (
	secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)`)
	// Value shapes of well-known credentials: AWS access key IDs, GitHub,
	// Slack and Stripe tokens, PEM private keys.
	secretValue = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$|^gh[pousr]_[A-Za-z0-9]{36,}$|^xox[abposr]-|^sk_live_|-----BEGIN [A-Z ]*PRIVATE KEY`)
)

// checkPlaintextSecrets flags environment variables that look like secrets;
// ECS stores environment values in the task definition, readable by anyone
// with ecs:DescribeTaskDefinition. The message never contains the value.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
func checkPlaintextSecrets(p *Pass) {
	for _, t := range p.Tasks {
		for _, c := range t.Def.Containers {
			for _, e := range c.Environment {
				v := e.Value()
				if v.Text == "" || strings.HasPrefix(v.Text, "${") || strings.HasPrefix(v.Text, "arn:") {
					continue
				}
				switch {
				case secretValue.MatchString(v.Text):
					p.Reportf(v.Range, nil, "container %q: environment variable %s holds what looks like a credential in plain text; use secrets with SSM or Secrets Manager", c.Name.Text, e.Name.Text)
				case secretName.MatchString(e.Name.Text):
					p.Reportf(v.Range, nil, "container %q: environment variable %s looks like a secret set in plain text; use secrets with SSM or Secrets Manager", c.Name.Text, e.Name.Text)
				}
			}
		}
	}
}

// checkSameRole: the execution role is for the agent, the task role for the
// application; one role for both gives the application the agent's secrets
// and the agent the application's permissions.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
func checkSameRole(p *Pass) {
	if p.Role != nil && p.TaskRole != nil && p.Role.ARN != "" && p.Role.ARN == p.TaskRole.ARN {
		p.Reportf(p.TaskRole.Range, []rangeT{p.Role.Range}, "role %s is both the execution role and the task role", p.Role.Name)
		return
	}
	for _, t := range p.Tasks {
		ex, tr := t.Def.ExecutionRoleArn, t.Def.TaskRoleArn
		if ex.Text != "" && !strings.HasPrefix(ex.Text, "${") && sameRole(ex.Text, tr.Text) {
			p.Reportf(tr.Range, []rangeT{ex.Range}, "task %s uses the same role as execution role and task role", family(t.Def))
		}
	}
}

func sameRole(a, b string) bool {
	return a != "" && b != "" && roleName(a) == roleName(b)
}

func roleName(s string) string { return s[strings.LastIndex(s, "/")+1:] }

func family(td *taskdef.TaskDefinition) string {
	if td.Family.Text != "" {
		return td.Family.Text
	}
	return td.Source.File
}

// checkSharedRole: task definitions sharing an execution role each get the
// union of their needs, so every task can read every other task's secrets.
func checkSharedRole(p *Pass) {
	if len(p.Tasks) < 2 {
		return
	}
	needs := func(t Task) []string {
		var k []string
		for _, r := range t.Reqs {
			if r.Role == "execution" {
				k = append(k, r.Action+" "+r.Resource)
			}
		}
		slices.Sort(k)
		return slices.Compact(k)
	}
	first := needs(p.Tasks[0])
	for _, t := range p.Tasks[1:] {
		if !slices.Equal(first, needs(t)) {
			p.Reportf(t.Def.ExecutionRoleArn.Range, []rangeT{p.Tasks[0].Def.ExecutionRoleArn.Range}, "task %s shares execution role with task %s but needs different permissions; give each its own role", family(t.Def), family(p.Tasks[0].Def))
			return
		}
	}
}
