package rolegen_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/taskdef"
)

var update = flag.Bool("update", false, "rewrite golden files")

// taskdefs are package requirements' own realistic task definitions.
const taskdefs = "../requirements/testdata/taskdefs"

var cases = []struct {
	name string
	ropt requirements.Options
	gopt rolegen.Options
}{
	{"fargate-full", requirements.Options{Region: "eu-west-1", Account: "111122223333", KMSKeys: map[string]string{
		"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/shop/stripe": "arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-22bb-33cc-44dd-555555eeeeee",
		"/shop/prod/feature-flags": "arn:aws:kms:eu-west-1:111122223333:key/6666ffff-77aa-88bb-99cc-000000dddddd",
	}}, rolegen.Options{RoleName: "shop-api-execution", Account: "111122223333", Region: "eu-west-1", Tags: map[string]string{"app": "shop-api"}}},
	{"cross-account-ecr", requirements.Options{Region: "eu-central-1", Account: "111122223333", PullThroughCachePrefixes: []string{"docker-hub"}},
		rolegen.Options{RoleName: "billing-execution", Account: "111122223333", Region: "eu-central-1"}},
	{"ec2-instance-role", requirements.Options{Region: "us-west-2", Account: "111122223333"}, rolegen.Options{Account: "111122223333", Region: "us-west-2"}},
	{"ec2-windows", requirements.Options{Region: "us-west-2", Account: "111122223333"}, rolegen.Options{RoleName: "win-app-execution", Account: "111122223333", Region: "us-west-2"}},
	{"firelens-s3", requirements.Options{Region: "us-east-1", Account: "111122223333"}, rolegen.Options{RoleName: "firelens-execution", TaskRoleName: "firelens-task", Account: "111122223333", Region: "us-east-1"}},
	{"env-files", requirements.Options{}, rolegen.Options{RoleName: "env-files-execution"}},
	{"efs-iam", requirements.Options{Region: "eu-west-1", Account: "111122223333", ExecuteCommand: true}, rolegen.Options{RoleName: "efs-iam-execution", Account: "111122223333", Region: "eu-west-1"}},
	{"fargate-full-managed", requirements.Options{Region: "eu-west-1", Account: "111122223333"}, rolegen.Options{RoleName: "shop-api-execution", Account: "111122223333", Region: "eu-west-1", Managed: true}},
}

func load(t testing.TB, name string, opts requirements.Options) []requirements.Requirement {
	t.Helper()
	file := filepath.Join(taskdefs, name+".json")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tds, ds := taskdef.LoadBytes(filepath.Base(file), src, taskdef.Options{Region: opts.Region, Account: opts.Account})
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatalf("load %s: %d task definitions, %v", name, len(tds), ds)
	}
	reqs, ds := requirements.Derive(tds[0], opts)
	if ds.HasErrors() {
		t.Fatalf("derive %s: %v", name, ds)
	}
	return reqs
}

func baseName(name string) string {
	if name == "fargate-full-managed" {
		return "fargate-full"
	}
	return name
}

func TestGenerateGolden(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := rolegen.Generate(load(t, baseName(tc.name), tc.ropt), tc.gopt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".json")
			testutil.Golden(t, path, got, *update)
		})
	}
}
