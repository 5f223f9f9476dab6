package render_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/render"
	"github.com/execrole/execrole/internal/rolegen"
)

var update = flag.Bool("update", false, "rewrite golden files")

// formats are the renderers with the extension of their golden files.
var formats = []struct {
	ext    string
	render func(*rolegen.Result) ([]byte, error)
}{
	{"json", render.JSON},
	{"sh", render.CLI},
	{"yaml", render.CloudFormation},
	{"tf", render.Terraform},
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, f := range formats {
			t.Run(fx.name+"."+f.ext, func(t *testing.T) {
				got, err := f.render(fx.r)
				if err != nil {
					t.Fatal(err)
				}
				again, err := f.render(fx.r)
				if err != nil || string(again) != string(got) {
					t.Fatalf("second render differs (err %v): output is not deterministic", err)
				}
				path := filepath.Join("testdata", fx.name+".golden."+f.ext)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}
