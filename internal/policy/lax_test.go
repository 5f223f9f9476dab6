package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// TestLax checks each rule ParseOptions.Lax relaxes: strict parsing
// rejects the document, lax parsing reads it with a warning at the same
// place, and the statement reads as AWS evaluates it.
func TestLax(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	for _, tc := range []struct {
		name string
		typ  policy.Type
		doc  string
		msg  string // the strict error, a warning under Lax
		// check inspects the laxly parsed statement.
		check func(t *testing.T, s *policy.Statement)
	}{
		{"Principal in an identity policy", policy.Identity,
			`{` + v + `"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}}`,
			"Principal is not allowed in identity policies", func(t *testing.T, s *policy.Statement) {
				if s.Principal == nil || len(s.Principal.Entries) != 1 {
					t.Errorf("Principal = %+v, want its one entry", s.Principal)
				}
			}},
		{"Principal in an SCP", policy.SCP,
			`{` + v + `"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`,
			"Principal is not allowed in scp policies", nil},
		{"no Principal in a resource policy", policy.Resource,
			`{` + v + `"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			"needs a Principal in resource policies", func(t *testing.T, s *policy.Statement) {
				if s.Principal != nil {
					t.Errorf("Principal = %+v, want none", s.Principal)
				}
			}},
		{"Principal string", policy.Resource,
			`{` + v + `"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:role/r","Action":"s3:GetObject","Resource":"*"}}`,
			`Principal as a string must be "*"`, func(t *testing.T, s *policy.Statement) {
				want := []policy.PrincipalEntry{{Kind: policy.KindAWS, Value: policy.Value{Text: "arn:aws:iam::111122223333:role/r"}}}
				if s.Principal == nil || s.Principal.Wildcard || !cmp.Equal(want, s.Principal.Entries, ignoreRanges) {
					t.Errorf("Principal = %+v, want {AWS: the ARN}", s.Principal)
				}
			}},
		{"NotPrincipal with Allow", policy.Resource,
			`{` + v + `"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}}`,
			`NotPrincipal may be used only with "Effect": "Deny"`, func(t *testing.T, s *policy.Statement) {
				if !s.NotPrincipal || s.Effect != policy.Allow {
					t.Errorf("NotPrincipal %v, Effect %s; want an Allow with NotPrincipal", s.NotPrincipal, s.Effect)
				}
			}},
		{"NotPrincipal in an identity policy", policy.Identity,
			`{` + v + `"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}}`,
			"NotPrincipal is not allowed in identity policies", nil},
		{"Resource in a trust policy", policy.Trust,
			`{` + v + `"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/r"}}`,
			"Resource is not allowed in a trust policy", func(t *testing.T, s *policy.Statement) {
				if !s.ResourceSet || len(s.Resources) != 1 {
					t.Errorf("Resources = %+v, want the role ARN", s.Resources)
				}
			}},
		{"RCP without Principal", policy.RCP,
			`{` + v + `"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`,
			`of an RCP needs "Principal": "*"`, nil},
		{"RCP Allow", policy.RCP,
			`{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`,
			"RCP statements must be Deny", nil},
		{"action without name", policy.Identity,
			`{` + v + `"Statement":{"Effect":"Allow","Action":"s3:","Resource":"*"}}`,
			`action "s3:" must have the form service:action`, func(t *testing.T, s *policy.Statement) {
				if len(s.Actions) != 1 || s.Actions[0].Text != "s3:" {
					t.Errorf("Actions = %+v, want [s3:]", s.Actions)
				}
			}},
		{"action with a comma", policy.Identity,
			`{` + v + `"Statement":{"Effect":"Allow","Action":"s3:GetObject,s3:PutObject","Resource":"*"}}`,
			`must have the form service:action`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := policy.Parse("p.json", []byte(tc.doc), tc.typ)
			if p != nil || !ds.HasErrors() || !strings.Contains(ds.Error(), tc.msg) {
				t.Fatalf("strict Parse = %v, %v; want nil and an error %q", p, ds, tc.msg)
			}
			strict := ds.Errs().(source.Diagnostics)
			p, ds = policy.ParseOptions{Lax: true}.Parse("p.json", []byte(tc.doc), tc.typ)
			if p == nil || ds.HasErrors() {
				t.Fatalf("lax Parse = %v, %v; want a policy without errors", p, ds)
			}
			var warned bool
			for _, d := range ds {
				if d.Severity == source.Warning && strings.Contains(d.Summary, tc.msg) {
					warned = true
					if d.Range != strict[0].Range {
						t.Errorf("warning at %s, the strict error at %s", d.Range, strict[0].Range)
					}
				}
			}
			if !warned {
				t.Errorf("lax Parse warnings %v, want one saying %q", ds, tc.msg)
			}
			if tc.check != nil {
				tc.check(t, p.Statements[0])
			}
		})
	}
}

// TestLaxKeepsErrors checks that Lax relaxes only its rules: what AWS
// could not evaluate stays an error.
func TestLaxKeepsErrors(t *testing.T) {
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},}`,
		`{"Version":"2012-10-17","Statement":{"effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":{"Aws":"x"}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":7}}`,
		`{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
	} {
		if p, ds := (policy.ParseOptions{Lax: true}).Parse("p.json", []byte(doc), policy.Identity); p != nil || !ds.HasErrors() {
			t.Errorf("lax Parse(%s) = %v, %v; want an error", doc, p, ds)
		}
	}
}
