package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/execrole/execrole/internal/render"
)

// parseTerraform parses configuration with the HCL native syntax parser, as
// Terraform does, and checks that hclwrite.Format leaves it unchanged, which
// is the canonical layout `terraform fmt` also produces.
func parseTerraform(t testing.TB, src []byte) *hclsyntax.Body {
	t.Helper()
	if formatted := hclwrite.Format(src); !bytes.Equal(formatted, src) {
		t.Errorf("output is not canonically formatted:\n%s", cmp.Diff(string(src), string(formatted)))
	}
	f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("does not parse: %v\n%s", diags, src)
	}
	return f.Body.(*hclsyntax.Body)
}

// tfEval evaluates an attribute with the one function the output uses,
// jsonencode, implemented by cty's stdlib exactly as Terraform does.
var tfEval = &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}

// rolesFromTerraform reads back the roles the configuration creates.
func rolesFromTerraform(t testing.TB, body *hclsyntax.Body) map[string]roleView {
	t.Helper()
	attr := func(b *hclsyntax.Block, name string) cty.Value {
		a, ok := b.Body.Attributes[name]
		if !ok {
			return cty.NullVal(cty.String)
		}
		v, diags := a.Expr.Value(tfEval)
		if diags.HasErrors() {
			t.Fatalf("%s.%s: %v", b.Labels[1], name, diags)
		}
		return v
	}
	str := func(v cty.Value) string {
		if v.IsNull() {
			return ""
		}
		return v.AsString()
	}
	doc := func(v cty.Value) any { return plain(t, []byte(v.AsString())) }
	// ref resolves "TYPE.NAME.ATTR" to the block it names.
	ref := func(b *hclsyntax.Block, name string) string {
		tr, diags := hcl.AbsTraversalForExpr(b.Body.Attributes[name].Expr)
		if diags.HasErrors() || len(tr) != 3 {
			t.Fatalf("%s.%s: want a TYPE.NAME.ATTR reference", b.Labels[1], name)
		}
		return tr.RootName() + "." + tr[1].(hcl.TraverseAttr).Name
	}
	blocks := map[string]*hclsyntax.Block{}
	views := map[string]*roleView{}
	for _, b := range body.Blocks {
		if b.Type != "resource" {
			continue
		}
		key := b.Labels[0] + "." + b.Labels[1]
		if blocks[key] != nil {
			t.Fatalf("duplicate resource %s", key)
		}
		blocks[key] = b
		if b.Labels[0] == "aws_iam_role" {
			v := &roleView{Name: str(attr(b, "name")), Path: str(attr(b, "path")), Description: str(attr(b, "description")),
				Trust: doc(attr(b, "assume_role_policy")), Inline: map[string]any{}, Managed: map[string]any{}, Tags: map[string]string{}}
			if tags := attr(b, "tags"); !tags.IsNull() {
				for k, tv := range tags.AsValueMap() {
					v.Tags[k] = tv.AsString()
				}
			}
			views[key] = v
		}
	}
	for _, b := range body.Blocks {
		if b.Type != "resource" {
			continue
		}
		switch b.Labels[0] {
		case "aws_iam_role_policy":
			views[ref(b, "role")].Inline[str(attr(b, "name"))] = doc(attr(b, "policy"))
		case "aws_iam_role_policy_attachment":
			role := views[ref(b, "role")]
			if _, isRef := b.Body.Attributes["policy_arn"].Expr.(*hclsyntax.ScopeTraversalExpr); isRef {
				p := blocks[ref(b, "policy_arn")]
				role.Managed[str(attr(p, "name"))] = doc(attr(p, "policy"))
				if got := str(attr(p, "path")); got != role.Path {
					t.Errorf("policy %s: path %q, want the role's %q", p.Labels[1], got, role.Path)
				}
				continue
			}
			role.Attached = append(role.Attached, str(attr(b, "policy_arn")))
		}
	}
	out := map[string]roleView{}
	for _, v := range views {
		out[v.Name] = *v
	}
	return out
}

// TestTerraformCreatesSameRole parses the configuration back, evaluating the
// jsonencode calls, and compares the roles with the Result; repository
// policies must sit on the image account's provider alias.
func TestTerraformCreatesSameRole(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			src, err := render.Terraform(fx.r)
			if err != nil {
				t.Fatal(err)
			}
			body := parseTerraform(t, src)
			want := map[string]roleView{fx.r.ExecutionRole.Name: viewOf(t, fx.r.ExecutionRole)}
			if fx.r.TaskRole != nil {
				want[fx.r.TaskRole.Name] = viewOf(t, fx.r.TaskRole)
			}
			if diff := cmp.Diff(want, rolesFromTerraform(t, body)); diff != "" {
				t.Errorf("configuration creates different roles (-want +got):\n%s", diff)
			}
			var repos []any
			for _, b := range body.Blocks {
				if b.Type != "resource" || b.Labels[0] != "aws_ecr_repository_policy" {
					continue
				}
				tr, diags := hcl.AbsTraversalForExpr(b.Body.Attributes["provider"].Expr)
				if diags.HasErrors() || !strings.HasPrefix(tr[len(tr)-1].(hcl.TraverseAttr).Name, "image_") {
					t.Errorf("%s: want provider = aws.image_ACCOUNT", b.Labels[1])
				}
				v, _ := b.Body.Attributes["policy"].Expr.Value(tfEval)
				repos = append(repos, plain(t, []byte(v.AsString())))
			}
			var wantRepos []any
			for _, rp := range fx.r.RepositoryPolicies {
				wantRepos = append(wantRepos, plain(t, rp.Document))
			}
			if diff := cmp.Diff(wantRepos, repos); diff != "" {
				t.Errorf("repository policies differ (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTerraformFmt runs `terraform fmt -check` on every output when a
// terraform binary is on PATH (or EXECROLE_TERRAFORM names one).
func TestTerraformFmt(t *testing.T) {
	bin := os.Getenv("EXECROLE_TERRAFORM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("SKIPPING terraform fmt -check: no terraform binary on PATH; formatting is still " +
				"checked by the hclwrite.Format round trip in TestTerraformCreatesSameRole")
		}
	}
	dir := t.TempDir()
	fmtCheck := func(name string, src []byte) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "fmt", "-check", "-diff", path)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &scriptError{err: err, stderr: string(out)}
		}
		return nil
	}
	if err := fmtCheck("control.tf", []byte("resource \"a\" \"b\" {\nx=1\n  long_name = 2\n}\n")); err == nil {
		t.Fatal("terraform fmt -check accepted badly formatted input: the check cannot fail")
	}
	for _, fx := range fixtures {
		src, err := render.Terraform(fx.r)
		if err != nil {
			t.Fatal(err)
		}
		if err := fmtCheck(fx.name+".tf", src); err != nil {
			t.Errorf("%s: terraform fmt -check: %v", fx.name, err)
		}
	}
}

// TestJSONRoundTrip checks that the JSON output decodes to the Result's shape
// with the same documents.
func TestJSONRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		out, err := render.JSON(fx.r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(fx.r)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(plain(t, want), plain(t, out)); diff != "" {
			t.Errorf("%s: JSON differs from the Result (-want +got):\n%s", fx.name, diff)
		}
	}
}
