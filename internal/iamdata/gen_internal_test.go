package iamdata

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestGeneratorRoundTrip runs the generator on a miniature iam-data
// package (testdata/minipkg) and decodes its output, so that the encoder in
// internal/gen and decode here cannot drift apart.
func TestGeneratorRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs internal/gen")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/gen", "-data", filepath.Join("testdata", "minipkg", "data"), "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	gz, err := os.ReadFile(filepath.Join(out, "iamdata.bin.gz"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := decode(gz)
	if err != nil {
		t.Fatal(err)
	}
	want := []*Service{
		{Prefix: "alpha", Name: "Alpha Service",
			Actions: []*Action{
				{Service: "alpha", Name: "GetThing", AccessLevel: "Read",
					ResourceTypes: []ResourceTypeRef{{Name: "thing", Required: true, ConditionKeys: []string{"alpha:ResourceTag/${TagKey}"}}},
					ConditionKeys: []string{"alpha:Mode"}},
				{Service: "alpha", Name: "ListThings", AccessLevel: "List"},
			},
			ResourceTypes: []*ResourceTypeInfo{{Service: "alpha", Name: "thing",
				ARN: "arn:${Partition}:alpha:${Region}:${Account}:thing/${ThingName}", ConditionKeys: []string{"aws:ResourceTag/${TagKey}"}}},
			// Placeholders normalised to ${...}.
			ConditionKeys: []ConditionKey{{"alpha:Mode", "String"}, {"alpha:ObjectTag/${key}", "Numeric"}, {"alpha:ResourceTag/${TagKey}", "String"}},
		},
		{Prefix: "zeta", Name: "Zeta Service"},
	}
	opts := cmp.Options{cmpopts.IgnoreUnexported(Service{}, Action{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, d.services, opts); diff != "" {
		t.Errorf("decoded services (-want +got):\n%s", diff)
	}
	if !d.rcp["zeta"] || d.rcp["alpha"] {
		t.Errorf("rcp = %v", d.rcp)
	}
	if a := d.actions["alpha:getthing"]; a == nil || a.FullName() != "alpha:GetThing" {
		t.Errorf("actions index: %v", a)
	}
	ver, err := os.ReadFile(filepath.Join(out, "version_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`const Version = "0.0.1-test"`, `const UpdatedAt = "2026-01-02T03:04:05.000Z"`} {
		if !strings.Contains(string(ver), s) {
			t.Errorf("version_gen.go lacks %s:\n%s", s, ver)
		}
	}
	if lic, _ := os.ReadFile(filepath.Join(out, "LICENSE.iam-data")); string(lic) != "Test licence text.\n" {
		t.Errorf("LICENSE.iam-data = %q", lic)
	}
}
