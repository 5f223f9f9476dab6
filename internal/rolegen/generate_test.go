package rolegen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
)

func req(action, resource string) requirements.Requirement {
	return requirements.Requirement{Role: requirements.Execution, Action: action, Resource: resource, Sample: strings.ReplaceAll(resource, "*", "x"), Path: "p"}
}

// statements returns the execution role's statements as Sid -> resources.
func statements(t *testing.T, res *rolegen.Result) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range res.ExecutionRole.Policies {
		var d doc
		if err := json.Unmarshal(p.Document, &d); err != nil {
			t.Fatal(err)
		}
		for _, st := range d.Statement {
			out[st.Sid] = append(out[st.Sid], st.Resource...)
		}
	}
	return out
}

func TestGenerateStatements(t *testing.T) {
	logs := "arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:"
	tests := []struct {
		name string
		reqs []requirements.Requirement
		want map[string][]string
	}{{
		// ecr:GetAuthorizationToken has no resource-level permissions
		// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_service-with-iam.html).
		name: "ecr token on star, pulls on the repository",
		reqs: []requirements.Requirement{req("ecr:GetAuthorizationToken", "*"), req("ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111122223333:repository/a"), req("ecr:GetDownloadUrlForLayer", "arn:aws:ecr:eu-west-1:111122223333:repository/a")},
		want: map[string][]string{"EcrAuth": {"*"}, "EcrPull": {"arn:aws:ecr:eu-west-1:111122223333:repository/a"}},
	}, {
		// A container without awslogs-stream-prefix needs every stream
		// of the group; a prefixed stream of the same group is then
		// covered and must not appear twice (no slack).
		name: "wildcard stream subsumes prefixed stream",
		reqs: []requirements.Requirement{req("logs:CreateLogStream", logs+"a/c/*"), req("logs:CreateLogStream", logs+"*")},
		want: map[string][]string{"Logs": {logs + "*"}},
	}, {
		name: "identical grants from two fields collapse",
		reqs: []requirements.Requirement{req("ssm:GetParameters", "arn:aws:ssm:eu-west-1:111122223333:parameter/a"), req("ssm:GetParameters", "arn:aws:ssm:eu-west-1:111122223333:parameter/a")},
		want: map[string][]string{"SsmParameters": {"arn:aws:ssm:eu-west-1:111122223333:parameter/a"}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := rolegen.Generate(tc.reqs, rolegen.Options{Account: "111122223333"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, statements(t, res)); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			checkNoSlack(t, tc.reqs, res, res.ExecutionRole, requirements.Execution)
		})
	}
}

// kms:Decrypt is granted only through the service that reads the secret
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
func TestGenerateKMSViaService(t *testing.T) {
	key := "arn:aws:kms:eu-west-1:111122223333:key/k"
	r1, r2 := req("kms:Decrypt", key), req("kms:Decrypt", key)
	r1.Context = map[string][]string{"kms:ViaService": {"ssm.eu-west-1.amazonaws.com"}}
	r2.Context = map[string][]string{"kms:ViaService": {"secretsmanager.eu-west-1.amazonaws.com"}}
	res, err := rolegen.Generate([]requirements.Requirement{r1, r2}, rolegen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(res.ExecutionRole.Policies[0].Document, &d); err != nil {
		t.Fatal(err)
	}
	want := []stmt{{Sid: "Kms", Effect: "Allow", Action: strs{"kms:Decrypt"}, Resource: strs{key}, Condition: map[string]map[string]strs{
		"StringEquals": {"kms:ViaService": {"secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"}}}}}
	if diff := cmp.Diff(want, d.Statement); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	checkNoSlack(t, []requirements.Requirement{r1, r2}, res, res.ExecutionRole, requirements.Execution)
}

// Role names: at most 64 characters of [\w+=,.@-]
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
func TestGenerateRoleName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr bool
	}{
		{"ok-Name_1+=,.@", false},
		{strings.Repeat("a", 64), false},
		{strings.Repeat("a", 65), true},
		{"has space", true},
		{"slash/y", true},
	}
	for _, tc := range tests {
		_, err := rolegen.Generate(nil, rolegen.Options{RoleName: tc.name})
		if (err != nil) != tc.wantErr {
			t.Errorf("Generate(RoleName %q) error = %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
	res, err := rolegen.Generate([]requirements.Requirement{{Role: requirements.Task, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*"}}, rolegen.Options{RoleName: strings.Repeat("r", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.TaskRole.Name); n > 64 {
		t.Errorf("task role name has %d characters", n)
	}
	if n := len(res.ExecutionRole.Policies); n != 0 {
		t.Errorf("execution role got %d policies for task-only requirements", n)
	}
}

// A role's inline policies may total 10,240 characters; beyond that the
// grants go into customer managed policies of 6,144 characters each
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
func TestGenerateSplitsOverInlineLimit(t *testing.T) {
	var reqs []requirements.Requirement
	for i := range 200 {
		reqs = append(reqs, req("ssm:GetParameters", fmt.Sprintf("arn:aws:ssm:eu-west-1:111122223333:parameter/app/prod/setting-number-%03d", i)))
	}
	res, err := rolegen.Generate(reqs, rolegen.Options{RoleName: "big"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ExecutionRole.Policies) < 3 {
		t.Fatalf("got %d policies, want the grants split into managed policies", len(res.ExecutionRole.Policies))
	}
	for _, p := range res.ExecutionRole.Policies {
		var compact bytes.Buffer
		if err := json.Compact(&compact, p.Document); err != nil {
			t.Fatal(err)
		}
		if !p.Managed || compact.Len() > 6144 || len(p.Name) > 128 {
			t.Errorf("policy %s: managed=%v, %d characters", p.Name, p.Managed, compact.Len())
		}
	}
	checkNoSlack(t, reqs, res, res.ExecutionRole, requirements.Execution)
}

// The trust policy names ecs-tasks.amazonaws.com
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html);
// aws:SourceArn only on the task role, where task-iam-roles.html documents it.
func TestGenerateTrust(t *testing.T) {
	res, err := rolegen.Generate([]requirements.Requirement{{Role: requirements.Task, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*"}},
		rolegen.Options{Account: "111122223333", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		role *rolegen.Role
		want string
	}{
		{res.ExecutionRole, `{"Version":"2012-10-17","Statement":[{"Sid":"EcsTasksAssumeRole","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`},
		{res.TaskRole, `{"Version":"2012-10-17","Statement":[{"Sid":"EcsTasksAssumeRole","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:eu-west-1:111122223333:*"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`},
	} {
		var b bytes.Buffer
		if err := json.Compact(&b, tc.role.TrustPolicy); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, b.String()); diff != "" {
			t.Errorf("%s trust (-want +got):\n%s", tc.role.Name, diff)
		}
	}
}

// Unknown account and region stay visible placeholders, and the notes say
// they must be replaced.
func TestGeneratePlaceholders(t *testing.T) {
	r := req("ssm:GetParameters", "arn:aws:ssm:${Region}:${AccountId}:parameter/p")
	res, err := rolegen.Generate([]requirements.Requirement{r}, rolegen.Options{RoleName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExecutionRole.ARN != "arn:aws:iam::${AccountId}:role/x" {
		t.Errorf("ARN = %s", res.ExecutionRole.ARN)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"${Region} stands for it", "${AccountId} stands for it", "replace every ${...} placeholder"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// ECS's AssumeRole call, as research §3 describes it, passes the generated
// trust policies; a call on behalf of another account does not.
func TestGenerateTrustEvaluates(t *testing.T) {
	res, err := rolegen.Generate([]requirements.Requirement{{Role: requirements.Task, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*"}},
		rolegen.Options{Account: "111122223333", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []*rolegen.Role{res.ExecutionRole, res.TaskRole} {
		var d doc
		if err := json.Unmarshal(role.TrustPolicy, &d); err != nil {
			t.Fatal(err)
		}
		e, err := eval.Compile(eval.PolicySet{Resource: toPolicy(role.Name+" trust", d, policy.Trust)})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			account string
			want    eval.Decision
		}{{"111122223333", eval.Allowed}, {"444455556666", eval.ImplicitlyDenied}} {
			got := e.Evaluate(&eval.Request{
				Principal: "ecs-tasks.amazonaws.com", Action: "sts:AssumeRole", Resource: role.ARN,
				Context: map[string][]string{
					"aws:SourceAccount": {tc.account},
					"aws:SourceArn":     {"arn:aws:ecs:eu-west-1:" + tc.account + ":task/prod/0123456789abcdef0123456789abcdef"},
				},
			})
			if got != tc.want {
				t.Errorf("%s: AssumeRole for account %s = %v, want %v", role.Name, tc.account, got, tc.want)
			}
		}
	}
}
