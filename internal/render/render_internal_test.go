package render

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/rolegen"
)

func TestIdentifier(t *testing.T) {
	tests := []struct {
		name, in, sep string
		taken         []string
		want          string
	}{
		{"plain", "ecr-and-logs", "_", nil, "ecr_and_logs"},
		{"runs collapse", "a+=,.@-b", "_", nil, "a_b"},
		{"leading digit", "1policy", "_", nil, "p_1policy"},
		{"nothing left", "+=@", "_", nil, "p_"},
		{"cfn alnum only", "api-exec.large", "", nil, "apiexeclarge"},
		{"cfn leading digit", "9x", "", nil, "p9x"},
		{"unique", "a-b", "_", []string{"a_b", "a_b_2"}, "a_b_3"},
		{"non-ascii dropped", "é-x", "_", nil, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			used := map[string]bool{}
			for _, u := range tc.taken {
				used[u] = true
			}
			if got := identifier(tc.in, used, tc.sep); got != tc.want {
				t.Errorf("identifier(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestValidate covers IAM's limits
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
func TestValidate(t *testing.T) {
	doc := json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`)
	base := func() *rolegen.Result {
		return &rolegen.Result{ExecutionRole: &rolegen.Role{Name: "r", TrustPolicy: doc,
			Policies: []rolegen.NamedPolicy{{Name: "p", Document: doc}}}}
	}
	tests := []struct {
		name   string
		mutate func(*rolegen.Result)
		want   string // "" means valid
	}{
		{"valid", func(*rolegen.Result) {}, ""},
		{"64-char role name", func(r *rolegen.Result) { r.ExecutionRole.Name = strings.Repeat("a", 64) }, ""},
		{"65-char role name", func(r *rolegen.Result) { r.ExecutionRole.Name = strings.Repeat("a", 65) }, "role name"},
		{"space in role name", func(r *rolegen.Result) { r.ExecutionRole.Name = "a b" }, "role name"},
		{"128-char policy name", func(r *rolegen.Result) { r.ExecutionRole.Policies[0].Name = strings.Repeat("p", 128) }, ""},
		{"129-char policy name", func(r *rolegen.Result) { r.ExecutionRole.Policies[0].Name = strings.Repeat("p", 129) }, "policy name"},
		{"duplicate policy", func(r *rolegen.Result) {
			r.ExecutionRole.Policies = append(r.ExecutionRole.Policies, r.ExecutionRole.Policies[0])
		}, "used twice"},
		{"bad path", func(r *rolegen.Result) { r.ExecutionRole.Path = "ecs" }, "path"},
		{"good path", func(r *rolegen.Result) { r.ExecutionRole.Path = "/a/b/" }, ""},
		{"description control char", func(r *rolegen.Result) { r.ExecutionRole.Description = "a\x01" }, "description"},
		{"tag value too long", func(r *rolegen.Result) { r.ExecutionRole.Tags = map[string]string{"k": strings.Repeat("v", 257)} }, "tag"},
		{"tag bad char", func(r *rolegen.Result) { r.ExecutionRole.Tags = map[string]string{"k": "it's"} }, "tag"},
		{"document not object", func(r *rolegen.Result) { r.ExecutionRole.Policies[0].Document = json.RawMessage(`[]`) }, "not a JSON object"},
		{"trailing text", func(r *rolegen.Result) { r.ExecutionRole.TrustPolicy = json.RawMessage(`{}}`) }, "after the document"},
		{"huge number", func(r *rolegen.Result) { r.ExecutionRole.TrustPolicy = json.RawMessage(`{"n":1e999}`) }, "out of range"},
		{"managed ARN with quote", func(r *rolegen.Result) { r.ExecutionRole.ManagedPolicyARNs = []string{"arn:aws:iam::aws:policy/x'y"} }, "managed policy ARN"},
		{"repository not ECR", func(r *rolegen.Result) {
			r.RepositoryPolicies = []rolegen.RepositoryPolicy{{Repository: "arn:aws:s3:::b", Document: doc}}
		}, "repository"},
		{"repository bad name", func(r *rolegen.Result) {
			r.RepositoryPolicies = []rolegen.RepositoryPolicy{{Repository: "arn:aws:ecr:us-east-1:123456789012:repository/Web", Document: doc}}
		}, "repository"},
		{"no execution role", func(r *rolegen.Result) { r.ExecutionRole = nil }, "no execution role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			tc.mutate(r)
			err := validate(r)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestShellQuote round-trips awkward strings through bash.
func TestShellQuote(t *testing.T) {
	for _, s := range []string{"", "plain", "it's", "'''", `$HOME ${x} $(id) ` + "`id`", "a\nb", `\`, "é \t!"} {
		out, err := exec.Command("bash", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if string(out) != s {
			t.Errorf("bash read %q, want %q", out, s)
		}
	}
}
