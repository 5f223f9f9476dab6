package requirements_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
)

var update = flag.Bool("update", false, "rewrite golden files")

func ptr[T any](v T) *T { return &v }

// goldenCases are our own realistic task definitions, one per feature
// family of research §1 and §5, with the options the CLI would pass.
var goldenCases = []struct {
	name string
	opts requirements.Options
}{
	{"fargate-full", requirements.Options{Region: "eu-west-1", Account: "111122223333", KMSKeys: map[string]string{
		// As written in valueFrom.
		"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/shop/stripe": "arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-22bb-33cc-44dd-555555eeeeee",
		// As the resolved parameter ARN of the name "/shop/prod/feature-flags".
		"arn:aws:ssm:eu-west-1:111122223333:parameter/shop/prod/feature-flags": "arn:aws:kms:eu-west-1:111122223333:key/6666ffff-77aa-88bb-99cc-000000dddddd",
	}}},
	{"cross-account-ecr", requirements.Options{Region: "eu-central-1", Account: "111122223333", PullThroughCachePrefixes: []string{"docker-hub"}}},
	{"ec2-instance-role", requirements.Options{Region: "us-west-2", Account: "111122223333"}},
	{"ec2-windows", requirements.Options{Region: "us-west-2", Account: "111122223333", AWSLogsExecutionRoleOverride: ptr(false)}},
	{"firelens-s3", requirements.Options{Region: "us-east-1", Account: "111122223333"}},
	{"env-files", requirements.Options{KMSKeys: map[string]string{
		"arn:aws:s3:::team-shared-config/shared.env": "arn:aws:kms:eu-west-1:444455556666:key/abcd1234-ab12-cd34-ef56-abcdef123456",
	}}},
	{"efs-iam", requirements.Options{Region: "eu-west-1", Account: "111122223333", ExecuteCommand: true}},
}

// goldenOut is what a golden file holds.
type goldenOut struct {
	Requirements []requirements.Requirement `json:"requirements"`
	Diagnostics  []string                   `json:"diagnostics,omitempty"`
}

func derive(t testing.TB, file string, opts requirements.Options) ([]requirements.Requirement, source.Diagnostics) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return deriveBytes(filepath.Base(file), src, opts)
}

// deriveBytes loads src as the CLI loads a file (taskdef.LoadBytes, with
// the same region and account) and derives every task definition in it;
// load and derive diagnostics come together, sorted.
func deriveBytes(file string, src []byte, opts requirements.Options) ([]requirements.Requirement, source.Diagnostics) {
	tds, ds := taskdef.LoadBytes(file, src, taskdef.Options{Region: opts.Region, Account: opts.Account})
	var reqs []requirements.Requirement
	for _, td := range tds {
		r, more := requirements.Derive(td, opts)
		reqs = append(reqs, r...)
		ds = append(ds, more...)
	}
	ds.Sort()
	return reqs, ds
}

func checkGolden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	testutil.Golden(t, path, got, *update)
}

func TestDeriveGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			reqs, ds := derive(t, filepath.Join("testdata", "taskdefs", tc.name+".json"), tc.opts)
			out := goldenOut{Requirements: reqs}
			for _, d := range ds {
				out.Diagnostics = append(out.Diagnostics, d.Error())
			}
			checkGolden(t, filepath.Join("testdata", "golden", tc.name+".json"), out)
		})
	}
}
