package render_test

import (
	"encoding/json"

	"github.com/execrole/execrole/internal/rolegen"
)

// fixtures are Results shaped like rolegen's output for the cases the
// renderers must handle: a plain execution role; one with a task role,
// managed policies, tags, an unknown account and a cross-account image;
// and one whose strings carry quotes, "${...}" policy variables, newlines
// and non-ASCII text.
var fixtures = []struct {
	name string
	r    *rolegen.Result
}{
	{"minimal", &rolegen.Result{
		ExecutionRole: &rolegen.Role{
			Name:        "web-execution-role",
			ARN:         "arn:aws:iam::111122223333:role/web-execution-role",
			TrustPolicy: trust,
			Policies: []rolegen.NamedPolicy{{
				Name: "ecr-and-logs",
				Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[
					{"Sid":"Pull","Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"arn:aws:ecr:us-east-1:111122223333:repository/web"},
					{"Sid":"Token","Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
					{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:*"}]}`),
			}},
		},
	}},
	{"full", &rolegen.Result{
		ExecutionRole: &rolegen.Role{
			Name:        "api-exec",
			ARN:         "arn:aws:iam::${AccountId}:role/ecs/api-exec",
			Path:        "/ecs/",
			Description: "Execution role for api",
			TrustPolicy: trust,
			Policies: []rolegen.NamedPolicy{
				{Name: "secrets", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:eu-west-1:444455556666:secret:db-AbCdEf"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}}]}`)},
				{Name: "api-exec-large", Managed: true, Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:GetParameters"],"Resource":["arn:aws:ssm:eu-west-1:444455556666:parameter/api/a","arn:aws:ssm:eu-west-1:444455556666:parameter/api/b"]}]}`)},
			},
			ManagedPolicyARNs: []string{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
			Tags:              map[string]string{"team": "payments", "app": "api", "cost-center": "1234"},
		},
		TaskRole: &rolegen.Role{
			Name:        "api-task",
			ARN:         "arn:aws:iam::${AccountId}:role/ecs/api-task",
			Path:        "/ecs/",
			TrustPolicy: trust,
			Policies:    []rolegen.NamedPolicy{{Name: "exec-command", Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}`)}},
		},
		RepositoryPolicies: []rolegen.RepositoryPolicy{{
			Repository: "arn:aws:ecr:eu-west-1:777788889999:repository/team/api",
			Document:   json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Sid":"AllowPullFromApiExec","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/ecs/api-exec"},"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`),
		}},
		Notes: []string{"kms:Decrypt scoped to the key named in the task definition", "ACCOUNT placeholder: pass --account"},
	}},
	{"special", &rolegen.Result{
		ExecutionRole: &rolegen.Role{
			Name:        "svc+role=1,a.b@c-d_e",
			ARN:         "arn:aws:iam::111122223333:role/svc+role=1,a.b@c-d_e",
			Description: "It's \"quoted\" $HOME `x` \\ \n second line é",
			TrustPolicy: trust,
			Policies: []rolegen.NamedPolicy{{
				Name: "p=1,x@y",
				Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
					"Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*","Condition":{"StringLike":{"s3:prefix":["it's","%{x}","a\"b\\c","<&>","true","1.50","é\n"]},"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"Null":{"aws:x":null}}}]}`),
			}},
			Tags: map[string]string{"key with space": "value: with/colon=+@", "é": "ü"},
		},
	}},
}

var trust = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
