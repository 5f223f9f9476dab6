package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
)

// FuzzParse checks that Parse never panics, that an error means a nil
// policy, and that printing a parsed policy and parsing it again gives the
// same policy.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src, uint8(policy.Identity))
			f.Add(src, uint8(policy.Resource))
			f.Add(src, uint8(policy.Trust))
		}
	}
	// A few AWS managed policies; the ECS one first.
	for i, m := range managed.All() {
		if i >= 20 {
			break
		}
		f.Add(m.Document, uint8(policy.Identity))
	}
	for _, tc := range ruleCases {
		f.Add([]byte(tc.src), uint8(tc.typ))
	}
	f.Fuzz(func(t *testing.T, src []byte, ty uint8) {
		typ := policy.Type(ty % 8)
		p, ds := policy.Parse("fuzz.json", src, typ)
		if ds.HasErrors() != (p == nil) {
			t.Fatalf("errors=%v but policy nil=%v: %v", ds.HasErrors(), p == nil, ds)
		}
		// Lax accepts more and reads what strict parsing accepts the
		// same way.
		lp, lds := policy.ParseOptions{Lax: true}.Parse("fuzz.json", src, typ)
		if lds.HasErrors() != (lp == nil) {
			t.Fatalf("lax: errors=%v but policy nil=%v: %v", lds.HasErrors(), lp == nil, lds)
		}
		if p == nil {
			return
		}
		if d := cmp.Diff(p, lp); d != "" {
			t.Fatalf("lax parsing reads a strictly valid policy differently:\n%s", d)
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, ds2 := policy.Parse("fuzz.json", out, typ)
		if q == nil {
			// The printer drops whitespace, so only a size limit that
			// counts it (SCP, RCP) could differ; the printed form is
			// never larger in non-whitespace characters.
			t.Fatalf("printed policy does not reparse: %v\n%s", ds2, out)
		}
		if d := cmp.Diff(p, q, ignoreRanges); d != "" {
			t.Fatalf("parse-print-parse differs:\n%s\n%s", d, out)
		}
	})
}

// FuzzParseTemplate checks that ParseTemplate never panics, that an error
// means a nil template, and that the printed template parses back to the
// same parts (the printer normalises "${k,'d'}" to "${k, 'd'}").
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b/${aws:username}/*", "${*}${?}${$}", "${a, 'b'}", "${", "${}", "x}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := policy.ParseTemplate(s)
		if err != nil {
			if tpl != nil {
				t.Fatalf("error %v with non-nil template", err)
			}
			return
		}
		again, err := policy.ParseTemplate(tpl.String())
		if err != nil {
			t.Fatalf("String() = %q does not reparse: %v", tpl.String(), err)
		}
		if d := cmp.Diff(tpl, again); d != "" {
			t.Fatalf("reparse of %q differs:\n%s", tpl.String(), d)
		}
	})
}
