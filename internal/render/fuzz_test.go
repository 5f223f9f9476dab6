package render_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/rolegen"
)

// FuzzRender feeds names, descriptions, tags and policy text with arbitrary
// characters to every renderer. Invariants: no panic; an error means a nil
// result and the same error from every format; otherwise the JSON decodes,
// the CloudFormation and Terraform parse back to the same role, and the
// script passes bash -n.
func FuzzRender(f *testing.F) {
	f.Add("role", "policy", "desc", "team", "x", `{"Version":"2012-10-17","Statement":[]}`)
	f.Add("a+b=c,d.e@f-g_h", "p.1", "it's \"q\" $x `y` \\\n", "k v", "v:/=+-@", `{"S":["'","${a}","%{b}","\u0000","é\n"],"N":1e300,"B":true,"Z":null}`)
	f.Add("r", "p", "", "", "", `{"Resource":"arn:aws:s3:::b/${aws:username}/*","x":{"":[[],{}]}}`)
	f.Add("r", "p'", "\x00", "k", "v", `[]`)
	f.Fuzz(func(t *testing.T, roleName, policyName, desc, tagKey, tagValue, doc string) {
		r := &rolegen.Result{ExecutionRole: &rolegen.Role{
			Name:        roleName,
			ARN:         "arn:aws:iam::111122223333:role/" + roleName,
			Description: desc,
			TrustPolicy: trust,
			Policies:    []rolegen.NamedPolicy{{Name: policyName, Document: json.RawMessage(doc)}},
		}, Notes: []string{desc, tagValue}}
		if tagKey != "" {
			r.ExecutionRole.Tags = map[string]string{tagKey: tagValue}
		}
		var firstErr error
		outs := map[string][]byte{}
		for i, f := range formats {
			out, err := f.render(r)
			if err != nil && out != nil {
				t.Fatalf("%s: error %v with non-nil output", f.ext, err)
			}
			if i > 0 && (err == nil) != (firstErr == nil) {
				t.Fatalf("%s: error %v, but %s gave %v", f.ext, err, formats[0].ext, firstErr)
			}
			if i == 0 {
				firstErr = err
			}
			outs[f.ext] = out
		}
		if firstErr != nil {
			return
		}
		var v any
		if err := json.Unmarshal(outs["json"], &v); err != nil {
			t.Fatalf("JSON output does not decode: %v\n%s", err, outs["json"])
		}
		want := map[string]roleView{roleName: viewOf(t, r.ExecutionRole)}
		if diff := cmp.Diff(want, rolesFromTemplate(t, parseTemplate(t, outs["yaml"]))); diff != "" {
			t.Fatalf("CloudFormation round trip (-want +got):\n%s\n%s", diff, outs["yaml"])
		}
		if diff := cmp.Diff(want, rolesFromTerraform(t, parseTerraform(t, outs["tf"]))); diff != "" {
			t.Fatalf("Terraform round trip (-want +got):\n%s\n%s", diff, outs["tf"])
		}
		bashSyntax(t, outs["sh"])
	})
}
