package policy_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

var update = flag.Bool("update", false, "rewrite golden files")

// ignoreRanges compares policies by content, not position.
var ignoreRanges = cmp.Options{
	cmpopts.IgnoreTypes(source.Range{}),
	cmpopts.IgnoreFields(policy.Statement{}, "Ranges"),
	cmpopts.EquateEmpty(),
}

func TestParseTestdata(t *testing.T) {
	for _, tc := range []struct {
		file  string
		typ   policy.Type
		stmts int
	}{
		{"ecs-execution.json", policy.Identity, 3},
		{"ecs-trust.json", policy.Trust, 1},
		{"bucket.json", policy.Resource, 2},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, ds := policy.Parse(path, src, tc.typ)
			if p == nil {
				t.Fatalf("Parse: %v", ds)
			}
			if len(ds) != 0 {
				t.Errorf("unexpected diagnostics:\n%v", ds)
			}
			if len(p.Statements) != tc.stmts {
				t.Errorf("got %d statements, want %d", len(p.Statements), tc.stmts)
			}
			roundTrip(t, p, tc.typ)
		})
	}
}

func roundTrip(t *testing.T, p *policy.Policy, typ policy.Type) {
	t.Helper()
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, ds := policy.Parse("printed", out, typ)
	if q == nil {
		t.Fatalf("reparse of printed policy failed: %v\n%s", ds, out)
	}
	q.Name = p.Name
	if d := cmp.Diff(p, q, ignoreRanges); d != "" {
		t.Errorf("parse-print-parse differs (-first +second):\n%s\n%s", d, out)
	}
}

func TestParseDetails(t *testing.T) {
	src, _ := os.ReadFile("testdata/ecs-execution.json")
	p, _ := policy.Parse("x.json", src, policy.Identity)
	s := p.Statements[2]
	var got []string
	for _, c := range s.Conditions {
		got = append(got, c.Operator.String()+" "+c.Key+"="+c.Values[0].Text)
	}
	want := []string{"StringEquals aws:ResourceAccount=123456789012", "Bool aws:SecureTransport=true", "NumericLessThan s3:max-keys=10"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conditions (-want +got):\n%s", d)
	}
	if r := s.Ranges["Resource"]; r.String() != "x.json:20:7" && !strings.HasPrefix(r.String(), "x.json:20:7") {
		t.Errorf("Resource key range = %s, want x.json:20:7", r)
	}
	if s.Name() != "Logs" || p.Statements[0].Actions[0].Text != "ecr:GetAuthorizationToken" {
		t.Errorf("unexpected statement content: %+v", s)
	}
}

// Each rule, with an example that breaks it and, where useful, one that
// passes. The messages are pinned in testdata/rules.golden.
var ruleCases = []struct {
	name string
	typ  policy.Type
	src  string
	ok   bool // no error expected
}{
	{"ok-minimal", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, true},
	{"element-case-effect", policy.Identity, `{"Statement":{"effect":"Allow","Action":"s3:*","Resource":"*"}}`, false},
	{"element-case-action", policy.Identity, `{"Statement":{"Effect":"Allow","ACTION":"s3:*","Resource":"*"}}`, false},
	{"unknown-element", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}}`, false},
	{"unknown-top-element", policy.Identity, `{"version":"2012-10-17","Statement":[]}`, false},
	{"action-and-notaction", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}}`, false},
	{"resource-and-notresource", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}}`, false},
	{"principal-and-notprincipal", policy.Resource, `{"Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}`, false},
	{"effect-case", policy.Identity, `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, false},
	{"effect-missing", policy.Identity, `{"Statement":{"Action":"s3:*","Resource":"*"}}`, false},
	{"version-bad", policy.Identity, `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, false},
	{"version-2008-ok", policy.Identity, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, true},
	{"statement-not-object", policy.Identity, `{"Statement":"x"}`, false},
	{"statement-missing", policy.Identity, `{"Version":"2012-10-17"}`, false},
	{"action-not-string", policy.Identity, `{"Statement":{"Effect":"Allow","Action":[1],"Resource":"*"}}`, false},
	{"action-empty-list", policy.Identity, `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, false},
	{"action-format", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, false},
	{"action-service-wildcard-warn", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s*:Get*","Resource":"*"}}`, true},
	{"resource-not-arn", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, false},
	{"resource-missing-identity", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, false},
	{"condition-key-case-dup", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","AWS:UserName":"b"}}}}`, false},
	{"condition-operator-unknown", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"k":"v"}}}}`, false},
	{"condition-null-ifexists", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}}`, false},
	{"condition-operator-case-warn", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"stringequals":{"k":"v"}}}}`, true},
	{"condition-value-object", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":{}}}}}`, false},
	{"principal-in-identity", policy.Identity, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, false},
	{"principal-in-scp", policy.SCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, false},
	{"principal-missing-resource-policy", policy.Resource, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, false},
	{"principal-missing-trust", policy.Trust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, false},
	{"principal-kind-case", policy.Trust, `{"Statement":{"Effect":"Allow","Principal":{"service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`, false},
	{"principal-string-not-star", policy.Resource, `{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"s3:*","Resource":"*"}}`, false},
	{"trust-bare-star", policy.Trust, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, false},
	{"trust-resource", policy.Trust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, false},
	{"trust-notprincipal", policy.Trust, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}}`, false},
	{"notprincipal-allow", policy.Resource, `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}}`, false},
	{"notprincipal-deny-ok", policy.Resource, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}}`, true},
	{"rcp-allow", policy.RCP, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, false},
	{"rcp-full-access-ok", policy.RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, true},
	{"rcp-principal-not-star", policy.RCP, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}}`, false},
	{"sid-iam-chars", policy.Identity, `{"Statement":{"Sid":"my-sid","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, false},
	{"sid-resource-chars-ok", policy.Resource, `{"Statement":{"Sid":"my-sid.1","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, true},
	{"sid-duplicate", policy.Identity, `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
	{"var-literal-2008-warn", policy.Identity, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`, true},
	{"var-in-account-field", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:role/x"}}`, false},
	{"var-missing-brace", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}}`, false},
	{"var-in-action", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:${x}","Resource":"*"}}`, false},
	{"var-in-numeric", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericEquals":{"k":"${aws:x}"}}}}`, false},
	{"var-in-string-ok", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/${*}"}}}}`, true},
	{"var-in-principal", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${x}:root"},"Action":"s3:*","Resource":"*"}}`, false},
	{"char-not-allowed", policy.Identity, `{"Statement":{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/✓"}}`, false},
	{"size-session", policy.Session, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::` + strings.Repeat("a", 2100) + `"]}}`, false},
	{"size-scp-whitespace-counts", policy.SCP, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}` + strings.Repeat(" ", 5100), false},
	{"size-identity-over-managed-warn", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::` + strings.Repeat("a", 6200) + `"]}}`, true},
	{"size-identity-whitespace-free", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}` + strings.Repeat(" ", 7000), true},
	{"json-duplicate-key", policy.Identity, `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`, false},
	{"json-syntax", policy.Identity, `{"Statement":`, false},
	{"not-object", policy.Identity, `[]`, false},
}

func TestRules(t *testing.T) {
	var golden strings.Builder
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := policy.Parse(tc.name+".json", []byte(tc.src), tc.typ)
			if ds.HasErrors() != (p == nil) {
				t.Fatalf("errors=%v but policy nil=%v", ds.HasErrors(), p == nil)
			}
			if tc.ok && ds.HasErrors() {
				t.Errorf("want no error, got:\n%v", ds)
			}
			if !tc.ok && !ds.HasErrors() {
				t.Errorf("want an error, got none (diagnostics: %v)", ds)
			}
			if strings.HasSuffix(tc.name, "-warn") && len(ds) == 0 {
				t.Errorf("want a warning, got none")
			}
			golden.WriteString("== " + tc.name + "\n")
			for _, d := range ds {
				golden.WriteString(d.Error() + "\n")
			}
		})
	}
	checkGolden(t, "testdata/rules.golden", golden.String())
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	testutil.Golden(t, path, []byte(got), *update)
}

func TestParseDocumentString(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`
	r := source.Range{File: "auth.json", Start: source.Pos{Line: 7, Column: 3}}
	for _, tc := range []struct{ name, s string }{
		{"plain", doc},
		{"url-encoded", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D%7D"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := policy.ParseDocumentString(tc.s, r, policy.Identity, "inline")
			if p == nil {
				t.Fatalf("%v", ds)
			}
			if got := p.Statements[0].Resources[0]; got.Text != "arn:aws:s3:::b/*" || got.Range != r {
				t.Errorf("resource = %+v, want text arn:aws:s3:::b/* at %s", got, r)
			}
		})
	}
	_, ds := policy.ParseDocumentString(`{"Statement":`, r, policy.Identity, "inline")
	if !ds.HasErrors() || !strings.HasPrefix(ds[0].Error(), "auth.json:7:3") {
		t.Errorf("want error at auth.json:7:3, got %v", ds)
	}
}

func TestParseOperator(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want policy.Operator
		ok   bool
	}{
		{"StringEquals", policy.Operator{Base: "StringEquals"}, true},
		{"ForAnyValue:StringLikeIfExists", policy.Operator{Qualifier: policy.ForAnyValue, Base: "StringLike", IfExists: true}, true},
		{"ForAllValues:ArnNotLike", policy.Operator{Qualifier: policy.ForAllValues, Base: "ArnNotLike"}, true},
		{"stringequalsignorecase", policy.Operator{Base: "StringEqualsIgnoreCase"}, true},
		{"DateGreaterThanEqualsIfExists", policy.Operator{Base: "DateGreaterThanEquals", IfExists: true}, true},
		{"NotIpAddress", policy.Operator{Base: "NotIpAddress"}, true},
		{"BinaryEquals", policy.Operator{Base: "BinaryEquals"}, true},
		{"Null", policy.Operator{Base: "Null"}, true},
		{"NullIfExists", policy.Operator{}, false},
		{"ForSomeValues:StringLike", policy.Operator{}, false},
		{"StringEqual", policy.Operator{}, false},
		{"IfExists", policy.Operator{}, false},
		{"", policy.Operator{}, false},
	} {
		got, ok := policy.ParseOperator(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTemplate(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    policy.Template
		wantErr bool
	}{
		{"arn:aws:s3:::b/*", policy.Template{{Literal: "arn:aws:s3:::b/*"}}, false},
		{"home/${aws:username}/*", policy.Template{{Literal: "home/"}, {Var: "aws:username"}, {Literal: "/*"}}, false},
		{"${aws:PrincipalTag/team, 'company-wide'}", policy.Template{{Var: "aws:PrincipalTag/team", Default: "company-wide", HasDefault: true}}, false},
		{"a${*}b${?}${$}", policy.Template{{Literal: "a"}, {Literal: "*", Escaped: true}, {Literal: "b"}, {Literal: "?", Escaped: true}, {Literal: "$", Escaped: true}}, false},
		{"${aws:username", nil, true},
		{"${}", nil, true},
		{"${aws: username}", nil, true},
		{"${k, default}", nil, true},
		{"$ {x}", policy.Template{{Literal: "$ {x}"}}, false},
	} {
		got, err := policy.ParseTemplate(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseTemplate(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("ParseTemplate(%q) (-want +got):\n%s", tc.in, d)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("ParseTemplate(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestFromNode(t *testing.T) {
	src := `{"RoleName":"r","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]},
"RolePolicyList":[{"PolicyDocument":"%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}]}`
	root, err := jsontree.Parse("auth.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	trust, ds := policy.FromNode(root.Get("AssumeRolePolicyDocument"), policy.Trust, "r trust")
	if trust == nil || trust.Statements[0].Principal.Entries[0].Value.Text != "ecs-tasks.amazonaws.com" {
		t.Fatalf("trust: %v", ds)
	}
	if got := trust.Statements[0].Ranges["Action"].String(); !strings.HasPrefix(got, "auth.json:1:") {
		t.Errorf("Action range %s does not point into auth.json", got)
	}
	doc := root.Get("RolePolicyList").Items[0].Get("PolicyDocument")
	inl, ds := policy.FromNode(doc, policy.Identity, "r inline")
	if inl == nil || inl.Statements[0].Actions[0].Text != "s3:*" {
		t.Fatalf("inline: %v", ds)
	}
	if inl.Statements[0].Range != doc.Range {
		t.Errorf("inline ranges should fall back to the string's range %s, got %s", doc.Range, inl.Statements[0].Range)
	}
	if p, ds := policy.FromNode(root.Get("AssumeRolePolicyDocument"), policy.Identity, "wrong type"); p != nil || !ds.HasErrors() {
		t.Errorf("trust document as identity policy should fail (Principal, no Resource); got %v", ds)
	}
}
