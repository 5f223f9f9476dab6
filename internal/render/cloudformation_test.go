package render_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"

	"github.com/execrole/execrole/internal/render"
)

// cfnValue converts parsed YAML into the JSON form of a template, mapping
// the short intrinsic tags (!Ref, !GetAtt) to their long form as
// CloudFormation does
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
func cfnValue(t testing.TB, n *yaml.Node) any {
	t.Helper()
	switch n.Kind {
	case yaml.DocumentNode:
		return cfnValue(t, n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i < len(n.Content); i += 2 {
			m[n.Content[i].Value] = cfnValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, cfnValue(t, c))
		}
		return s
	}
	switch n.Tag {
	case "!Ref":
		return map[string]any{"Ref": n.Value}
	case "!GetAtt":
		id, attr, _ := strings.Cut(n.Value, ".")
		return map[string]any{"Fn::GetAtt": []any{id, attr}}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatalf("line %d: %v", n.Line, err)
	}
	return v
}

func parseTemplate(t testing.TB, src []byte) map[string]any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("template does not parse: %v\n%s", err, src)
	}
	m, ok := cfnValue(t, &doc).(map[string]any)
	if !ok {
		t.Fatalf("template is not a mapping:\n%s", src)
	}
	return m
}

// rolesFromTemplate reads the roles a template deploys back into roleViews.
func rolesFromTemplate(t testing.TB, tmpl map[string]any) map[string]roleView {
	t.Helper()
	resources, _ := tmpl["Resources"].(map[string]any)
	out := map[string]roleView{}
	str := func(v any) string { s, _ := v.(string); return s }
	for _, res := range resources {
		res := res.(map[string]any)
		if res["Type"] != "AWS::IAM::Role" {
			continue
		}
		p := res["Properties"].(map[string]any)
		v := roleView{Name: str(p["RoleName"]), Path: str(p["Path"]), Description: str(p["Description"]),
			Trust: normalize(t, p["AssumeRolePolicyDocument"]), Inline: map[string]any{}, Managed: map[string]any{}, Tags: map[string]string{}}
		if pols, ok := p["Policies"].([]any); ok {
			for _, e := range pols {
				e := e.(map[string]any)
				v.Inline[str(e["PolicyName"])] = normalize(t, e["PolicyDocument"])
			}
		}
		if arns, ok := p["ManagedPolicyArns"].([]any); ok {
			for _, a := range arns {
				if ref, ok := a.(map[string]any); ok {
					mp := resources[str(ref["Ref"])].(map[string]any)
					if mp["Type"] != "AWS::IAM::ManagedPolicy" {
						t.Errorf("Ref %v is a %v, want AWS::IAM::ManagedPolicy", ref["Ref"], mp["Type"])
						continue
					}
					mpp := mp["Properties"].(map[string]any)
					if str(mpp["Path"]) != v.Path {
						t.Errorf("managed policy %v: path %q, want the role's %q", mpp["ManagedPolicyName"], mpp["Path"], v.Path)
					}
					v.Managed[str(mpp["ManagedPolicyName"])] = normalize(t, mpp["PolicyDocument"])
					continue
				}
				v.Attached = append(v.Attached, str(a))
			}
		}
		if tags, ok := p["Tags"].([]any); ok {
			for _, e := range tags {
				e := e.(map[string]any)
				v.Tags[str(e["Key"])] = str(e["Value"])
			}
		}
		out[v.Name] = v
	}
	return out
}

// TestCloudFormationDeploysSameRole parses each template back and checks
// that it creates exactly the Result's roles, policies, attachments and tags.
func TestCloudFormationDeploysSameRole(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			src, err := render.CloudFormation(fx.r)
			if err != nil {
				t.Fatal(err)
			}
			got := rolesFromTemplate(t, parseTemplate(t, src))
			want := map[string]roleView{}
			want[fx.r.ExecutionRole.Name] = viewOf(t, fx.r.ExecutionRole)
			if fx.r.TaskRole != nil {
				want[fx.r.TaskRole.Name] = viewOf(t, fx.r.TaskRole)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("template deploys different roles (-want +got):\n%s", diff)
			}
			for _, rp := range fx.r.RepositoryPolicies {
				if !strings.Contains(string(src), "# "+rp.Repository+":") {
					t.Errorf("repository policy for %s missing from the template's comments", rp.Repository)
				}
			}
		})
	}
}

// cfnSpec is the part of the CloudFormation resource specification
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-resource-specification-format.html)
// the validator uses.
type cfnSpec struct {
	PropertyTypes map[string]cfnType `json:"PropertyTypes"`
	ResourceTypes map[string]cfnType `json:"ResourceTypes"`
}

type cfnType struct {
	Properties map[string]cfnProp `json:"Properties"`
	Attributes map[string]any     `json:"Attributes"`
}

type cfnProp struct {
	Required          bool   `json:"Required"`
	PrimitiveType     string `json:"PrimitiveType"`
	Type              string `json:"Type"`
	ItemType          string `json:"ItemType"`
	PrimitiveItemType string `json:"PrimitiveItemType"`
}

// loadSpec reads specification.json from npm @aws-cdk/cfnspec, installed by
// scripts/test.sh with
// npm install --prefix "$HOME/.cache/execrole-npm" @aws-cdk/cfnspec@2.72.1;
// EXECROLE_CFNSPEC overrides the path.
func loadSpec(t *testing.T) *cfnSpec {
	t.Helper()
	path := os.Getenv("EXECROLE_CFNSPEC")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache", "execrole-npm", "node_modules", "@aws-cdk", "cfnspec", "spec", "specification.json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("SKIPPING CloudFormation spec validation: %v.\n"+
			"Install it with: npm install --prefix \"$HOME/.cache/execrole-npm\" @aws-cdk/cfnspec@2.72.1 (or set EXECROLE_CFNSPEC)", err)
	}
	var s cfnSpec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.ResourceTypes) == 0 {
		t.Fatalf("%s: no ResourceTypes", path)
	}
	return &s
}

// validateTemplate checks a template against the specification: known
// resource types, known property names, required properties present, and
// each value of the declared primitive, list, Json or property type; Ref and
// Fn::GetAtt must name resources (and attributes) that exist.
func validateTemplate(spec *cfnSpec, tmpl map[string]any) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	resources, ok := tmpl["Resources"].(map[string]any)
	if !ok || len(resources) == 0 {
		return []string{"Resources: missing or empty"}
	}
	types := map[string]string{}
	for id, r := range resources {
		if rm, ok := r.(map[string]any); ok {
			types[id], _ = rm["Type"].(string)
		}
	}
	// intrinsic reports whether v is a Ref/GetAtt and checks its target.
	intrinsic := func(where string, v any) bool {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return false
		}
		if ref, ok := m["Ref"].(string); ok {
			if _, ok := types[ref]; !ok {
				bad("%s: Ref to unknown resource %q", where, ref)
			}
			return true
		}
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			id, _ := ga[0].(string)
			attr, _ := ga[1].(string)
			rt, ok := spec.ResourceTypes[types[id]]
			if _, has := rt.Attributes[attr]; !ok || !has {
				bad("%s: Fn::GetAtt %s.%s: no such resource attribute", where, id, attr)
			}
			return true
		}
		return false
	}
	var checkProps func(where, typeName string, t cfnType, v any)
	checkValue := func(where, resType string, p cfnProp, v any) {
		if intrinsic(where, v) {
			return
		}
		switch {
		case p.PrimitiveType == "Json":
			if _, ok := v.(map[string]any); !ok {
				bad("%s: want a JSON object, got %T", where, v)
			}
		case p.PrimitiveType != "":
			checkPrimitive(where, p.PrimitiveType, v, bad)
		case p.Type == "List":
			items, ok := v.([]any)
			if !ok {
				bad("%s: want a list, got %T", where, v)
				return
			}
			for i, item := range items {
				iw := fmt.Sprintf("%s[%d]", where, i)
				if intrinsic(iw, item) {
					continue
				}
				if p.PrimitiveItemType != "" {
					checkPrimitive(iw, p.PrimitiveItemType, item, bad)
				} else {
					name, pt := lookupPropType(spec, resType, p.ItemType)
					checkProps(iw, name, pt, item)
				}
			}
		default:
			name, pt := lookupPropType(spec, resType, p.Type)
			checkProps(where, name, pt, v)
		}
	}
	checkProps = func(where, typeName string, t cfnType, v any) {
		if t.Properties == nil {
			bad("%s: type %q not in the specification", where, typeName)
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			bad("%s: want a mapping of %s, got %T", where, typeName, v)
			return
		}
		resType, _, _ := strings.Cut(typeName, ".")
		for name, val := range m {
			p, ok := t.Properties[name]
			if !ok {
				bad("%s.%s: %s has no property %q", where, name, typeName, name)
				continue
			}
			checkValue(where+"."+name, resType, p, val)
		}
		for _, name := range sortedNames(t.Properties) {
			if _, ok := m[name]; !ok && t.Properties[name].Required {
				bad("%s: required property %s missing", where, name)
			}
		}
	}
	for id, r := range resources {
		rm, _ := r.(map[string]any)
		rt, ok := spec.ResourceTypes[types[id]]
		if !ok {
			bad("Resources.%s: unknown type %q", id, types[id])
			continue
		}
		checkProps("Resources."+id+".Properties", types[id], rt, rm["Properties"])
	}
	outputs, _ := tmpl["Outputs"].(map[string]any)
	for id, o := range outputs {
		om, _ := o.(map[string]any)
		if om == nil || om["Value"] == nil {
			bad("Outputs.%s: Value missing", id)
			continue
		}
		if _, isStr := om["Value"].(string); !isStr && !intrinsic("Outputs."+id+".Value", om["Value"]) {
			bad("Outputs.%s.Value: want a string or intrinsic", id)
		}
	}
	sort.Strings(errs)
	return errs
}

// lookupPropType resolves an ItemType/Type: "Tag" is global, others are
// "RESOURCE.NAME" (specification format, "Property types").
func lookupPropType(spec *cfnSpec, resType, name string) (string, cfnType) {
	if pt, ok := spec.PropertyTypes[name]; ok {
		return name, pt
	}
	full := resType + "." + name
	return full, spec.PropertyTypes[full]
}

func checkPrimitive(where, prim string, v any, bad func(string, ...any)) {
	ok := false
	switch prim {
	case "String":
		_, ok = v.(string)
	case "Integer", "Long", "Double":
		switch v.(type) {
		case int, int64, float64, uint64:
			ok = true
		}
	case "Boolean":
		_, ok = v.(bool)
	default:
		ok = v != nil
	}
	if !ok {
		bad("%s: want %s, got %T (%v)", where, prim, v, v)
	}
}

func sortedNames(m map[string]cfnProp) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCloudFormationSpec validates every rendered template against the
// CloudFormation resource specification.
func TestCloudFormationSpec(t *testing.T) {
	spec := loadSpec(t)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			src, err := render.CloudFormation(fx.r)
			if err != nil {
				t.Fatal(err)
			}
			if errs := validateTemplate(spec, parseTemplate(t, src)); len(errs) > 0 {
				t.Errorf("template invalid against the resource specification:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// TestCloudFormationSpecValidatorCatchesErrors proves the validator can fail.
func TestCloudFormationSpecValidatorCatchesErrors(t *testing.T) {
	spec := loadSpec(t)
	tests := []struct{ name, yaml, want string }{
		{"missing required", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: x\n", "required property AssumeRolePolicyDocument missing"},
		{"unknown property", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      Name: x\n", `has no property "Name"`},
		{"wrong type", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      Policies: {PolicyName: a}\n", "want a list"},
		{"nested required", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      Policies: [{PolicyName: a}]\n", "Policies[0]: required property PolicyDocument missing"},
		{"bad ref", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n      ManagedPolicyArns: [!Ref Nope]\n", `unknown resource "Nope"`},
		{"bad getatt", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\nOutputs:\n  O:\n    Value: !GetAtt R.Nope\n", "no such resource attribute"},
		{"unknown type", "Resources:\n  R:\n    Type: AWS::IAM::Rolle\n", "unknown type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateTemplate(spec, parseTemplate(t, []byte(tc.yaml)))
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}
