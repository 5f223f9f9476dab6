package rules

import (
	"regexp"
	"strings"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
)

// broadManaged are AWS managed policies far wider than any execution role
// needs. ECS documents AmazonECSTaskExecutionRolePolicy plus scoped inline
// statements for secrets:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
var broadManaged = map[string]string{
	"AdministratorAccess":     "every action on every resource",
	"PowerUserAccess":         "every action except IAM and Organizations",
	"SecretsManagerReadWrite": "read and write of every secret in the account",
	"AmazonSSMReadOnlyAccess": "read of every SSM parameter in the account",
	"AmazonS3FullAccess":      "every S3 action",
	"AmazonECS_FullAccess":    "full control of ECS",
}

func policyNameOfARN(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

func checkBroadManaged(p *Pass) {
	if p.Role == nil {
		return
	}
	for _, a := range p.Role.Attached {
		name := policyNameOfARN(a.ARN)
		if !strings.Contains(a.ARN, ":aws:policy/") {
			continue // customer managed: judged by its statements
		}
		if why, ok := broadManaged[name]; ok {
			p.Reportf(a.Range, nil, "execution role %s has AWS managed policy %s attached, which grants %s; grant only what the task definition needs", p.Role.Name, name, why)
		}
	}
}

// scopedServices are services whose resources hold secrets or logs; a "*"
// resource there exposes every secret, key or log group of the account.
var scopedServices = map[string]bool{"ssm": true, "secretsmanager": true, "kms": true, "logs": true}

func checkWildcardResource(p *Pass) {
	for _, s := range p.ownAllows() {
		if s.NotAction || s.NotResource || scopedByTags(s) {
			continue
		}
		star := false
		var starRange = s.Ranges["Resource"]
		for _, r := range s.Resources {
			if r.Text == "*" {
				star, starRange = true, r.Range
			}
		}
		if !star {
			checkEveryOfType(p, s)
			continue
		}
		var bad []string
		for _, a := range s.Actions {
			svc, _, _ := strings.Cut(strings.ToLower(a.Text), ":")
			if !scopedServices[svc] {
				continue
			}
			// Actions without resource-level permissions need "*" (e.g.
			// logs:DescribeLogGroups); they are not a finding.
			needsStar := true
			for _, act := range iamdata.MatchActions(a.Text) {
				if !act.WildcardOnly() {
					needsStar = false
				}
			}
			if !needsStar {
				bad = append(bad, a.Text)
			}
		}
		if len(bad) > 0 {
			p.Reportf(starRange, nil, "statement %s allows %s on every resource (\"*\"); name the parameters, secrets, keys or log groups the task uses", s.Name(), strings.Join(bad, ", "))
		}
	}
}

// scopedByTags reports a statement limited by resource tags (attribute-based
// access control, as Copilot writes execution roles): its "*" is narrowed to
// the resources tagged for the application.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html
func scopedByTags(s *policy.Statement) bool {
	for _, c := range s.Conditions {
		if strings.Contains(strings.ToLower(c.Key), "resourcetag/") && !c.Operator.IfExists && !strings.Contains(c.Operator.Base, "Not") {
			return true
		}
	}
	return false
}

// everyOfType matches ARNs whose resource part names every secret,
// parameter or key of an account: arn:aws:secretsmanager:R:A:secret:*.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html#awssecretsmanager-resources-for-iam-policies
var everyOfType = regexp.MustCompile(`^arn:[^:]*:(ssm|secretsmanager|kms):[^:]*:[^:]*:(secret:\*|parameter/?\*|key/\*|alias/\*|\*)$`)

// checkEveryOfType reports ARNs that scope a secret-holding service to every
// resource of its type, which is "*" in all but name.
func checkEveryOfType(p *Pass, s *policy.Statement) {
	for _, r := range s.Resources {
		m := everyOfType.FindStringSubmatch(r.Text)
		if m == nil {
			continue
		}
		var acts []string
		for _, a := range s.Actions {
			if svc, _, _ := strings.Cut(strings.ToLower(a.Text), ":"); svc == m[1] || svc == "*" {
				acts = append(acts, a.Text)
			}
		}
		if len(acts) > 0 {
			p.Reportf(r.Range, nil, "statement %s allows %s on %s, every %s of the account; name the ones the task uses", s.Name(), strings.Join(acts, ", "), r.Text, map[string]string{"ssm": "parameter", "secretsmanager": "secret", "kms": "key"}[m[1]])
		}
	}
}

func checkActionWildcard(p *Pass) {
	for _, s := range p.ownAllows() {
		if s.NotAction {
			p.Reportf(s.Ranges["NotAction"], nil, "statement %s allows NotAction: every action but the listed ones", s.Name())
			continue
		}
		for _, a := range s.Actions {
			if a.Text == "*" {
				p.Reportf(a.Range, nil, "statement %s allows every action (\"*\")", s.Name())
			} else if _, act, ok := strings.Cut(a.Text, ":"); ok && strings.ContainsAny(act, "*?") {
				p.Reportf(a.Range, nil, "statement %s allows action wildcard %q (%s); list the actions the task needs", s.Name(), a.Text, countActions(len(iamdata.ExpandActions(a.Text))))
			}
		}
	}
}

// appServices are services the containers' code calls; ECS itself never
// calls them with the execution role, so they belong on the task role.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
var appServices = map[string]bool{
	"s3": true, "dynamodb": true, "sqs": true, "sns": true, "lambda": true,
	"rds": true, "kinesis": true, "states": true, "ses": true,
	"events": true, "bedrock": true, "sagemaker": true, "ec2": true, "iam": true,
}

func checkAppPermissions(p *Pass) {
	needed := p.execNeeds()
	for _, s := range p.ownAllows() {
		if s.NotAction {
			continue
		}
		for _, a := range s.Actions {
			svc, _, _ := strings.Cut(strings.ToLower(a.Text), ":")
			if !appServices[svc] {
				continue
			}
			if len(p.Tasks) == 0 && s3ExecReads[strings.ToLower(a.Text)] {
				continue // may serve environment files or FireLens config
			}
			extra := false
			for _, name := range expand(a.Text) {
				if !needed[strings.ToLower(name)] {
					extra = true
				}
			}
			if extra {
				p.Reportf(a.Range, nil, "statement %s grants application permission %s on the execution role; ECS never uses it to start these tasks, put it on the task role", s.Name(), a.Text)
			}
		}
	}
}

// s3ExecReads are the S3 calls ECS does make with the execution role, for
// environment files and FireLens configuration files.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html
var s3ExecReads = map[string]bool{"s3:getobject": true, "s3:getbucketlocation": true}

// checkLogGroupARN: logs:CreateLogStream and PutLogEvents are evaluated
// against the log-stream ARN "log-group:NAME:log-stream:STREAM", which
// "log-group:NAME" does not match.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
func checkLogGroupARN(p *Pass) {
	for _, s := range p.ownAllows() {
		if s.NotAction || s.NotResource {
			continue
		}
		streams := false
		for _, a := range s.Actions {
			if anyMatch([]policy.Value{a}, "logs:CreateLogStream") || anyMatch([]policy.Value{a}, "logs:PutLogEvents") {
				streams = true
			}
		}
		if !streams {
			continue
		}
		for _, r := range s.Resources {
			_, name, ok := strings.Cut(r.Text, ":log-group:")
			if !ok || strings.Contains(name, ":") || strings.HasSuffix(name, "*") {
				continue
			}
			p.Reportf(r.Range, nil, "resource %q is a log group, but log streams are written to %q; append \":*\"", r.Text, r.Text+":log-stream:*")
		}
	}
}

func countActions(n int) string {
	if n == 1 {
		return "1 action"
	}
	return sprintf("%d actions", n)
}
