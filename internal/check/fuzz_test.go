package check_test

import (
	"bytes"
	"testing"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/check"
	"github.com/execrole/execrole/internal/iamdef"
	"github.com/execrole/execrole/internal/report"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

// FuzzCheck runs the whole check on arbitrary task definitions and role
// files: whatever they hold, it ends in a report, never a panic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"family":"a","executionRoleArn":"arn:aws:iam::111122223333:role/r","requiresCompatibilities":["FARGATE"],
"containerDefinitions":[{"name":"c","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/a:1",
"secrets":[{"name":"S","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf:k::"},{"name":"P","valueFrom":"/p"}],
"environmentFiles":[{"type":"s3","value":"arn:aws:s3:::b/k.env"}],
"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-region":"eu-west-1","awslogs-create-group":"true"}}}]}`),
		[]byte(`{"RoleName":"r","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-task.amazonaws.com"},"Action":"sts:AssumeRole"}]},
"Policies":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:GetParameter","secretsmanager:*"],"Resource":"arn:aws:ssm:*:*:parameter/${aws:username}"}]}}],
"ManagedPolicyArns":["arn:aws:iam::aws:policy/PowerUserAccess"]}`))
	f.Fuzz(func(t *testing.T, td, role []byte) {
		tds, _ := taskdef.LoadBytes("td.json", td, taskdef.Options{})
		in := check.Input{}
		for _, d := range tds {
			reqs, _ := requirements.Derive(d, requirements.Options{})
			in.Tasks = append(in.Tasks, check.Task{Def: d, Reqs: reqs})
		}
		if s, ds := iamdef.LoadBytes("role.json", role, iamdef.Options{}); s != nil && !ds.HasErrors() && len(s.Roles) > 0 {
			in.Accounts = []*account.Snapshot{s}
			in.Role = s.Roles[0]
		}
		res := check.Run(in)
		var b bytes.Buffer
		if err := report.Text(&b, report.FromCheck(res)); err != nil {
			t.Fatal(err)
		}
		if err := report.SARIF(&b, res, "fuzz", ""); err != nil {
			t.Fatal(err)
		}
	})
}
