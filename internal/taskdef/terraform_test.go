package taskdef

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTerraformGolden loads the Terraform testdata (jsonencode with locals
// and variables, a heredoc, show -json) and compares the model with a
// reviewed golden file. Resource schema:
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_task_definition.
func TestTerraformGolden(t *testing.T) {
	for _, name := range []string{"module", "heredoc", "show.json"} {
		t.Run(name, func(t *testing.T) {
			tds, ds := Load(filepath.Join("testdata", "terraform", name), Options{Region: "eu-west-1"})
			golden(t, filepath.Join("terraform", strings.TrimSuffix(name, ".json")+".golden.json"), render(tds, ds))
		})
	}
}

// TestTerraformFields checks the mapping field by field, so that a wrong
// golden file cannot hide a regression.
func TestTerraformFields(t *testing.T) {
	tds, ds := Load(filepath.Join("testdata", "terraform", "module", "main.tf"), Options{})
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatalf("got %d task definitions, %v", len(tds), ds)
	}
	td := tds[0]
	c := td.Containers[0]
	got := map[string]string{
		"source":      td.Source.ID + " " + td.Source.Format,
		"family":      td.Family.Text + " " + td.Family.Path,
		"exec":        td.ExecutionRoleArn.Text,
		"account":     td.Account.Text,
		"compat":      td.RequiresCompatibilities[0].Text + " " + td.RequiresCompatibilities[0].Path,
		"network":     td.NetworkMode.Text,
		"task role":   td.TaskRoleArn.Path,
		"container":   c.Name.Text + " " + c.Path,
		"secret1":     c.Secrets[1].ValueFrom.Text + " " + c.Secrets[1].ValueFrom.Path,
		"log group":   c.LogConfiguration.Options["awslogs-group"].Text,
		"efs":         td.Volumes[0].EFSFileSystemID.Text + " " + td.Volumes[0].EFSIAM.Text + " " + td.Volumes[0].EFSIAM.Path,
		"at launch":   td.Volumes[1].Name.Text + " " + map[bool]string{true: "yes", false: "no"}[td.Volumes[1].ConfiguredAtLaunch],
		"secret file": filepath.Base(c.Secrets[1].ValueFrom.Range.File),
	}
	want := map[string]string{
		"source":      "aws_ecs_task_definition.app terraform",
		"family":      "app family",
		"exec":        "arn:aws:iam::111122223333:role/app-execution",
		"account":     "111122223333",
		"compat":      "FARGATE requiresCompatibilities[0]",
		"network":     "awsvpc",
		"task role":   "taskRoleArn",
		"container":   "app containerDefinitions[0]",
		"secret1":     "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf containerDefinitions[0].secrets[1].valueFrom",
		"log group":   "/ecs/app",
		"efs":         "fs-0123456789abcdef0 ENABLED volumes[0].efsVolumeConfiguration.authorizationConfig.iam",
		"at launch":   "ebs yes",
		"secret file": "main.tf",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mapping (-want +got):\n%s", d)
	}
	if !td.TaskRoleArn.Unknown {
		t.Errorf("task_role_arn refers to a resource attribute and must stay Unknown, got %v", td.TaskRoleArn)
	}
	if !c.Image.Unknown {
		t.Errorf("image interpolates a variable without value and must be Unknown, got %v", c.Image)
	}
}

func TestTerraformHeredoc(t *testing.T) {
	tds, ds := Load(filepath.Join("testdata", "terraform", "heredoc", "main.tf"), Options{})
	if len(tds) != 2 {
		t.Fatalf("got %d task definitions, want 2: %v", len(tds), ds)
	}
	win := tds[0]
	if got := win.RuntimePlatform.OperatingSystemFamily.Text; got != "WINDOWS_SERVER_2019_CORE" {
		t.Errorf("runtime platform = %q", got)
	}
	if got := win.Volumes[0].FSxCredentialsParameter; got.Text != "arn:aws:ssm:us-east-1:111122223333:parameter/fsx-creds" ||
		got.Path != "volumes[0].fsxWindowsFileServerVolumeConfiguration.authorizationConfig.credentialsParameter" {
		t.Errorf("FSx credentials = %v", got)
	}
	// In a heredoc the JSON stands verbatim in the file: positions are exact.
	rc := win.Containers[0].RepositoryCredentials
	if rc.Range.Start.Line != 15 {
		t.Errorf("repositoryCredentials at %v, want line 15", rc.Range)
	}
	if len(tds[1].Containers) != 0 || !strings.Contains(ds.Error(), "unknown offline") {
		t.Errorf("unknown container_definitions must be reported, not read: %v", ds)
	}
}

func TestTerraformShowJSON(t *testing.T) {
	path := filepath.Join("testdata", "terraform", "show.json")
	tds, ds := Load(path, Options{})
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatalf("got %d task definitions, %v", len(tds), ds)
	}
	td := tds[0]
	if td.Region.Text != "ap-southeast-2" || td.Account.Text != "444455556666" {
		t.Errorf("placed in %v %v, want the ARN's region and account", td.Region, td.Account)
	}
	if td.Source.ID != "aws_ecs_task_definition.worker" || td.Source.Format != FormatTerraform {
		t.Errorf("source = %+v", td.Source)
	}
	if got := td.Containers[0].Secrets[0].ValueFrom.Path; got != "containerDefinitions[0].secrets[0].valueFrom" {
		t.Errorf("secret path = %q", got)
	}
	if strings.Contains(string(render(tds, ds)), "do-not-print-me") {
		t.Errorf("environment value printed")
	}
}

func TestTerraformErrors(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"badjson.tf": `resource "aws_ecs_task_definition" "x" {
  family = "x"
  container_definitions = "[{\"name\": }]"
}`,
		"none.tf":   `resource "aws_iam_role" "r" { name = "r" }`,
		"syntax.tf": `resource "aws_ecs_task_definition" "x" {`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ file, want string }{
		{"badjson.tf", `badjson.tf:3:\d+.*aws_ecs_task_definition.x: container_definitions`},
		{"none.tf", `no aws_ecs_task_definition`},
		{"syntax.tf", `syntax.tf:1:\d+`},
	} {
		_, ds := Load(filepath.Join(dir, c.file), Options{})
		if !regexp.MustCompile(c.want).MatchString(ds.Error()) {
			t.Errorf("%s: diagnostics %q do not match %q", c.file, ds.Error(), c.want)
		}
	}
}

var tdResource = regexp.MustCompile(`(?m)^\s*resource\s+"aws_ecs_task_definition"`)

// TestTerraformCorpus loads every real-world Terraform file; each one that
// declares aws_ecs_task_definition must yield a task definition, none may
// panic.
func TestTerraformCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "terraform")
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Skipf("SKIPPING: no Terraform corpus at %s (%v)", dir, err)
	}
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := len(tdResource.FindAll(src, -1))
		tds, ds := Load(f, Options{Region: "us-east-1", Account: "111122223333"})
		if len(tds) < want {
			t.Errorf("%s: %d task definitions, want at least %d: %v", filepath.Base(f), len(tds), want, ds)
		}
		found += len(tds)
		for _, td := range tds {
			t.Logf("%s: %s family=%s containers=%d", filepath.Base(f), td.Source.ID, text(td.Family), len(td.Containers))
		}
	}
	if found == 0 {
		t.Errorf("no task definitions found in %d corpus files", len(files))
	}
}

func BenchmarkLoadTerraform(b *testing.B) {
	path := filepath.Join("testdata", "terraform", "module", "main.tf")
	for b.Loop() {
		Load(path, Options{})
	}
}

// FuzzLoadTerraform feeds arbitrary .tf text through the adapter: no
// panic, and an error leaves no half-read task definition behind a
// missing Source.
func FuzzLoadTerraform(f *testing.F) {
	for _, n := range []string{"module/main.tf", "heredoc/main.tf"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "terraform", n))
		f.Add(b)
	}
	f.Add([]byte(`resource "aws_ecs_task_definition" "x" { container_definitions = "[{\"name\":\"a\"}]" }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.tf")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		tds, _ := Load(path, Options{})
		for _, td := range tds {
			if td.Source.Format != FormatTerraform || td.Source.ID == "" {
				t.Errorf("task definition without source: %+v", td.Source)
			}
		}
	})
}
