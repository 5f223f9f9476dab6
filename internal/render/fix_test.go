package render

import (
	"strings"
	"testing"
)

func TestFixResources(t *testing.T) {
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:GetParameters"],"Resource":["arn:aws:ssm:eu-west-1:111122223333:parameter/app/key","arn:aws:ssm:us-east-1:444455556666:parameter/shared"]}]}`)
	where := Pseudo{Partition: "aws", Region: "eu-west-1", Account: "111122223333"}
	for _, tc := range []struct {
		name string
		got  func() ([]byte, error)
		want []string
	}{
		{"CloudFormation YAML", func() ([]byte, error) { return CloudFormationRolePolicy("ExecFix", "Exec", doc, false, where) }, []string{
			"ExecFix:\n  Type: AWS::IAM::Policy\n",
			"    Roles:\n      - !Ref Exec\n",
			"- !Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/key",
			// Another account and region stay literal; the partition is the stack's.
			"- !Sub arn:${AWS::Partition}:ssm:us-east-1:444455556666:parameter/shared",
		}},
		{"CloudFormation JSON", func() ([]byte, error) { return CloudFormationRolePolicy("ExecFix", "Exec", doc, true, where) }, []string{
			`"ExecFix": {`,
			`"Ref": "Exec"`,
			`"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/key"`,
		}},
		{"Terraform", func() ([]byte, error) { return TerraformRolePolicy("exec_fix", "aws_iam_role.exec", doc) }, []string{
			`resource "aws_iam_role_policy" "exec_fix" {`,
			`role = aws_iam_role.exec.id`,
			`"arn:aws:ssm:eu-west-1:111122223333:parameter/app/key"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.got()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestTerraformRolePolicyInstanceKey: a role made with for_each or count is
// referenced with its key.
func TestTerraformRolePolicyInstanceKey(t *testing.T) {
	for addr, want := range map[string]string{
		`aws_iam_role.exec["prod"]`: `role = aws_iam_role.exec["prod"].id`,
		`aws_iam_role.exec[0]`:      `role = aws_iam_role.exec[0].id`,
	} {
		out, err := TerraformRolePolicy("fix", addr, []byte(`{"Version":"2012-10-17","Statement":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("%s: output lacks %q:\n%s", addr, want, out)
		}
	}
	if _, err := TerraformRolePolicy("fix", "not an address", nil); err == nil {
		t.Errorf("a bad address was accepted")
	}
}
