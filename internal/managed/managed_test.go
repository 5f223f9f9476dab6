package managed_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/managed"
)

// Every embedded document must be a strict-JSON policy object with Version
// and Statement, as IAM stores them.
func TestDocumentsParse(t *testing.T) {
	t.Parallel()
	all := managed.All()
	if len(all) < 30 {
		t.Fatalf("only %d policies embedded", len(all))
	}
	for _, p := range all {
		root, err := jsontree.Parse(p.Name+".json", p.Document)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if root.Kind != jsontree.Object || root.Get("Version") == nil || root.Get("Statement") == nil {
			t.Errorf("%s: not a policy document", p.Name)
		}
		if p.VersionID == "" || !strings.HasPrefix(p.VersionID, "v") || p.Updated == "" {
			t.Errorf("%s: VersionID %q, Updated %q", p.Name, p.VersionID, p.Updated)
		}
		if !strings.HasPrefix(p.ARN, "arn:aws:iam::aws:policy/") || !strings.HasSuffix(p.ARN, "/"+p.Name) {
			t.Errorf("%s: ARN %q", p.Name, p.ARN)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Name >= all[i].Name {
			t.Errorf("All not sorted: %s before %s", all[i-1].Name, all[i].Name)
		}
	}
}

// The execution role policy's content per
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
// (research: ecs-execution-requirements.md §4): one Allow statement on "*"
// with exactly six actions.
func TestTaskExecutionRolePolicy(t *testing.T) {
	t.Parallel()
	p, ok := managed.ByName("AmazonECSTaskExecutionRolePolicy")
	if !ok {
		t.Fatal("AmazonECSTaskExecutionRolePolicy missing")
	}
	if p.ARN != "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" || p.VersionID != "v1" {
		t.Errorf("ARN %q, VersionID %q", p.ARN, p.VersionID)
	}
	root, err := jsontree.Parse(p.Name, p.Document)
	if err != nil {
		t.Fatal(err)
	}
	stmts := root.Get("Statement")
	if stmts == nil || stmts.Kind != jsontree.Array || len(stmts.Items) != 1 {
		t.Fatalf("want one statement, got %v", stmts)
	}
	st := stmts.Items[0]
	if e, _ := st.Get("Effect").Text(); e != "Allow" {
		t.Errorf("Effect = %q", e)
	}
	if r, _ := st.Get("Resource").Text(); r != "*" {
		t.Errorf("Resource = %q", r)
	}
	var actions []string
	for _, a := range st.Get("Action").Items {
		s, _ := a.Text()
		actions = append(actions, s)
	}
	want := []string{
		"ecr:GetAuthorizationToken",
		"ecr:BatchCheckLayerAvailability",
		"ecr:GetDownloadUrlForLayer",
		"ecr:BatchGetImage",
		"logs:CreateLogStream",
		"logs:PutLogEvents",
	}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

// Managed policy ARNs per partition:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func TestLookups(t *testing.T) {
	t.Parallel()
	const exec = "AmazonECSTaskExecutionRolePolicy"
	tests := []struct {
		arn  string
		want string // policy name, "" for not found
	}{
		{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", exec},
		{"arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", exec},
		{"arn:aws-us-gov:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", exec},
		{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryReadOnly"},
		{"arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", "AmazonECSServiceRolePolicy"},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"},
		// The path is part of the ARN.
		{"arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy", ""},
		{"arn:aws-iso:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", ""},
		{"arn:aws:iam::123456789012:policy/service-role/AmazonECSTaskExecutionRolePolicy", ""},
		{"arn:aws:iam::aws:policy/service-role/NoSuchPolicy", ""},
		{"AmazonECSTaskExecutionRolePolicy", ""},
		{"", ""},
	}
	for _, tc := range tests {
		p, ok := managed.ByARN(tc.arn)
		if got := name(p, ok); got != tc.want {
			t.Errorf("ByARN(%q) = %q, want %q", tc.arn, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		exec:                                 exec,
		"amazonecstaskexecutionrolepolicy":   exec,
		"AmazonEC2ContainerRegistryPullOnly": "AmazonEC2ContainerRegistryPullOnly",
		"NoSuchPolicy":                       "",
		"":                                   "",
	} {
		p, ok := managed.ByName(in)
		if got := name(p, ok); got != want {
			t.Errorf("ByName(%q) = %q, want %q", in, got, want)
		}
	}
	// Every policy is reachable by its own name and ARN.
	for _, p := range managed.All() {
		if q, ok := managed.ByARN(p.ARN); !ok || q != p {
			t.Errorf("ByARN(%q) does not return %s", p.ARN, p.Name)
		}
		if q, ok := managed.ByName(p.Name); !ok || q != p {
			t.Errorf("ByName(%q) does not return itself", p.Name)
		}
	}
}

func name(p *managed.Policy, ok bool) string {
	if !ok {
		return ""
	}
	return p.Name
}

// The subset the brief requires is present.
func TestSubset(t *testing.T) {
	t.Parallel()
	for _, n := range []string{
		"AmazonECSTaskExecutionRolePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly",
		"AmazonEC2ContainerRegistryPowerUser", "AmazonEC2ContainerRegistryFullAccess", "SecretsManagerReadWrite",
		"AmazonSSMReadOnlyAccess", "AmazonSSMFullAccess", "AmazonSSMManagedInstanceCore", "CloudWatchLogsFullAccess",
		"CloudWatchLogsReadOnlyAccess", "CloudWatchAgentServerPolicy", "ReadOnlyAccess", "AdministratorAccess",
		"PowerUserAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "AmazonECS_FullAccess",
		"AmazonEC2ContainerServiceforEC2Role", "AmazonECSInfrastructureRolePolicyForVolumes",
		"AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity", "AWSKeyManagementServicePowerUser",
		"AmazonDynamoDBFullAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess", "IAMFullAccess",
	} {
		if _, ok := managed.ByName(n); !ok {
			t.Errorf("%s missing", n)
		}
	}
	if managed.Version == "" {
		t.Error("Version empty")
	}
}

func BenchmarkByARN(b *testing.B) {
	managed.All()
	b.ReportAllocs()
	for b.Loop() {
		managed.ByARN("arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
	}
}
