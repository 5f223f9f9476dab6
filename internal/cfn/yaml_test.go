package cfn

import (
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/jsontree"
)

func TestYAMLScalarsKeepText(t *testing.T) {
	for _, c := range []struct {
		value string
		kind  jsontree.Kind
		want  string
	}{
		{"012345678901", jsontree.String, "012345678901"}, // account id, not octal
		{"2024-01-01", jsontree.String, "2024-01-01"},     // not a timestamp
		{"0.5", jsontree.Number, "0.5"},
		{"256", jsontree.Number, "256"},
		{"'256'", jsontree.String, "256"},
		{"true", jsontree.Bool, ""},
		{"~", jsontree.Null, ""},
		{"${AWS::Partition}", jsontree.String, "${AWS::Partition}"}, // literal, no !Sub
	} {
		got, _ := eval(t, "", c.value, Options{Region: "us-east-1"})
		if got.Kind != c.kind || got.Str != c.want || got.Unknown {
			t.Errorf("%s: got %v %q unknown=%v, want %v %q", c.value, got.Kind, got.Str, got.Unknown, c.kind, c.want)
		}
	}
}

func TestYAMLPositionsAndErrors(t *testing.T) {
	src := "Resources:\n  R:\n    Type: A::B::C\n    Properties:\n      Name: !Ref AWS::Region\n"
	tm, _ := Parse("p.yaml", []byte(src), Options{Region: "us-east-1"})
	v := tm.Resource("R").Properties.Get("Name")
	if got := v.Range.String(); got != "p.yaml:5:13" {
		t.Errorf("range = %s, want p.yaml:5:13", got)
	}
	_, ds := Parse("bad.yaml", []byte("a: [\n"), Options{})
	if !ds.HasErrors() {
		t.Errorf("broken YAML must be an error")
	}
	_, ds = Parse("dup.yaml", []byte("Resources: {}\nResources: {}\n"), Options{})
	if len(ds) == 0 {
		t.Errorf("duplicate key must be reported")
	}
}

func TestAliasesBounded(t *testing.T) {
	src := "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	_, ds := Decode("bomb.yaml", []byte(src))
	if !ds.HasErrors() {
		t.Errorf("alias bomb must be refused")
	}
}

func TestPolicyDocumentAsString(t *testing.T) {
	src := `Resources:
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
`
	tm, ds := Parse("p.yaml", []byte(src), Options{})
	doc := tm.Resource("P").Properties.Get("PolicyDocument")
	if doc == nil || doc.Kind != jsontree.Object || doc.Get("Statement") == nil {
		t.Fatalf("policy string not parsed: %v %v", doc, ds)
	}
}

func FuzzCFNParse(f *testing.F) {
	f.Add([]byte("Resources:\n  R:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: !Sub '${AWS::StackName}-x'\n"))
	f.Add([]byte(`{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::If":["C",{"Ref":"AWS::NoValue"},"x"]}}}},"Conditions":{"C":{"Fn::Equals":["a","a"]}}}`))
	f.Add([]byte("Conditions:\n  C: !Condition C\nResources:\n  R:\n    Type: X\n    Properties:\n      A: !If [C, !Select [0, !Split [',', !Join ['', [a, !GetAtt R.Arn]]]], !FindInMap [M, a, b]]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tm, ds := Parse("f", src, Options{})
		if tm == nil && !ds.HasErrors() {
			t.Fatalf("nil template without an error")
		}
	})
}

func TestLiteralPseudoWithoutSubWarns(t *testing.T) {
	_, diags := eval(t, "", "'arn:${AWS::Partition}:s3:::b'", Options{})
	if !strings.Contains(diags, "only inside Fn::Sub") {
		t.Errorf("want a warning, got %q", diags)
	}
}
