package render_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

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
				testutil.Golden(t, path, got, *update)
			})
		}
	}
}
