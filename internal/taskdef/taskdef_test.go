package taskdef

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/source"
)

var update = flag.Bool("update", false, "rewrite golden files")

// render is the reviewed form of a load: the model (environment values
// redacted by EnvVar itself) and the diagnostics.
func render(tds []*TaskDefinition, ds source.Diagnostics) []byte {
	var diags []string
	for _, d := range ds {
		diags = append(diags, d.Error())
	}
	b, err := json.MarshalIndent(struct {
		TaskDefinitions []*TaskDefinition
		Diagnostics     []string
	}{tds, diags}, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	testutil.Golden(t, path, got, *update)
}

func TestLoadGolden(t *testing.T) {
	for _, c := range []struct {
		file string
		opts Options
	}{
		{"register.json", Options{}},
		{"describe.json", Options{Region: "us-east-1"}},
		{"containers.json", Options{}},
		{"stack.yaml", Options{Region: "eu-west-1", Account: "123456789012"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			tds, ds := Load(filepath.Join("testdata", c.file), c.opts)
			out := render(tds, ds)
			if bytes.Contains(out, []byte("hunter2")) {
				t.Fatalf("environment value leaked into the rendering")
			}
			golden(t, c.file+".golden.json", out)
		})
	}
}

// Region and account: the task definition ARN wins, then the execution
// role's account (iam:PassRole is same-account), then flags, then
// placeholders. Image accounts are never used (XECR in the corpus).
func TestPlace(t *testing.T) {
	for _, c := range []struct {
		name, json                 string
		opts                       Options
		region, account, partition string
	}{
		{"arn", `{"taskDefinitionArn":"arn:aws-us-gov:ecs:us-gov-west-1:111111111111:task-definition/a:1","containerDefinitions":[]}`, Options{Region: "x", Account: "222222222222"}, "us-gov-west-1", "111111111111", "aws-us-gov"},
		{"exec role", `{"executionRoleArn":"arn:aws:iam::333333333333:role/r","containerDefinitions":[]}`, Options{Region: "eu-west-1"}, "eu-west-1", "333333333333", "aws"},
		{"flags", `{"containerDefinitions":[{"image":"906394416424.dkr.ecr.us-east-1.amazonaws.com/fb"}]}`, Options{Region: "cn-north-1", Account: "444444444444"}, "cn-north-1", "444444444444", "aws-cn"},
		{"placeholders", `{"executionRoleArn":"arn:aws:iam::${account}:role/r","containerDefinitions":[]}`, Options{}, "?${Region}", "?${AccountId}", "aws"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tds, _ := LoadBytes("t.json", []byte(c.json), c.opts)
			td := tds[0]
			got := [3]string{text(td.Region), text(td.Account), text(td.Partition)}
			want := [3]string{c.region, c.account, c.partition}
			if got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func text(s Str) string {
	if s.Unknown {
		return "?" + s.Text
	}
	return s.Text
}

func TestShapes(t *testing.T) {
	for _, c := range []struct {
		name, src, format string
		containers        int
		diag              string
	}{
		{"register", `{"family":"f","containerDefinitions":[{"name":"a"}]}`, FormatRegister, 1, ""},
		{"describe", `{"taskDefinition":{"containerDefinitions":[{"name":"a"},{"name":"b"}]}}`, FormatDescribe, 2, ""},
		{"list", `[{"name":"a"}]`, FormatContainers, 1, ""},
		{"one container", `{"name":"a","image":"i"}`, FormatContainers, 1, ""},
		{"lowercase keys", `{"containerdefinitions":[{"name":"a"}]}`, FormatRegister, 1, "case-sensitive"},
		{"no containers", `{"family":"f"}`, FormatRegister, 0, "no containerDefinitions"},
		{"wrong type", `{"containerDefinitions":{"name":"a"}}`, FormatRegister, 0, "t.json:1:25: containerDefinitions: expected a list, found object"},
		{"scalar", `"x"`, "", 0, "expected a task definition object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tds, ds := LoadBytes("t.json", []byte(c.src), Options{})
			if c.diag != "" && !strings.Contains(ds.Error(), c.diag) {
				t.Errorf("diagnostics %q lack %q", ds.Error(), c.diag)
			}
			if c.format == "" {
				if tds != nil {
					t.Errorf("want no result")
				}
				return
			}
			if len(tds) != 1 || tds[0].Source.Format != c.format || len(tds[0].Containers) != c.containers {
				t.Errorf("got %s", render(tds, ds))
			}
		})
	}
}

func TestTemplateNotJSON(t *testing.T) {
	_, ds := LoadBytes("x.json.tpl", []byte("[\n  {\"cpu\": ${cpu}}\n]"), Options{})
	msg := ds.Error()
	if !strings.Contains(msg, "x.json.tpl:2:") || !strings.Contains(msg, "placeholders") {
		t.Errorf("message must name line:column and the placeholders: %s", msg)
	}
}

func TestEnvVarRedacted(t *testing.T) {
	e := NewEnvVar(Str{Text: "PASSWORD"}, Str{Text: "s3cr3t"})
	for _, s := range []string{fmt.Sprint(e), fmt.Sprintf("%v %+v %#v %s %q", e, e, e, e, e), fmt.Sprint([]EnvVar{e})} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("value printed: %s", s)
		}
	}
	if e.Value().Text != "s3cr3t" {
		t.Errorf("Value() must still give code the value")
	}
}

func TestTerraformHook(t *testing.T) {
	_, ds := Load("main.tf", Options{})
	if !ds.HasErrors() {
		t.Errorf("Terraform input must report something until internal/terraform is wired")
	}
}

func FuzzLoadJSON(f *testing.F) {
	for _, n := range []string{"register.json", "describe.json", "containers.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(b)
	}
	f.Add([]byte(`{"name":"a","image":"b"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		tds, ds := LoadBytes("f.json", src, Options{})
		if ds.HasErrors() && tds != nil && len(tds) > 0 && tds[0] == nil {
			t.Fatalf("nil task definition")
		}
		if tds == nil && !ds.HasErrors() {
			t.Fatalf("no result and no error")
		}
	})
}

// BenchmarkLoad10Containers50Secrets measures loading a task definition
// of 10 containers with 5 secrets each.
func BenchmarkLoad10Containers50Secrets(b *testing.B) {
	var cs []string
	for i := range 10 {
		var ss []string
		for j := range 5 {
			ss = append(ss, fmt.Sprintf(`{"name":"S%d","valueFrom":"arn:aws:ssm:us-east-1:123456789012:parameter/app/c%d/s%d"}`, j, i, j))
		}
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/c%d:1","secrets":[%s],"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/g","awslogs-region":"us-east-1"}}}`, i, i, strings.Join(ss, ",")))
	}
	src := []byte(`{"family":"bench","executionRoleArn":"arn:aws:iam::123456789012:role/e","containerDefinitions":[` + strings.Join(cs, ",") + `]}`)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		tds, ds := LoadBytes("b.json", src, Options{})
		if len(tds) != 1 || ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}
