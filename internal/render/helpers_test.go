package render_test

import (
	"encoding/json"
	"testing"

	"github.com/execrole/execrole/internal/rolegen"
)

// plain decodes JSON into generic values with float64 numbers, the common
// ground for comparing a document with what a format parsed back.
func plain(t testing.TB, doc []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return v
}

// normalize passes any value through JSON so that int, float64 and
// json.Number compare equal.
func normalize(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return plain(t, b)
}

// roleView is what a deployed role consists of, in a form every format can
// be parsed back into and compared with the Result.
type roleView struct {
	Name, Path, Description string
	Trust                   any
	Inline                  map[string]any
	Managed                 map[string]any // customer managed policies by name
	Attached                []string       // AWS managed policy ARNs
	Tags                    map[string]string
}

func viewOf(t testing.TB, role *rolegen.Role) roleView {
	v := roleView{Name: role.Name, Path: role.Path, Description: role.Description,
		Trust: plain(t, role.TrustPolicy), Inline: map[string]any{}, Managed: map[string]any{},
		Attached: role.ManagedPolicyARNs, Tags: role.Tags}
	for _, p := range role.Policies {
		if p.Managed {
			v.Managed[p.Name] = plain(t, p.Document)
		} else {
			v.Inline[p.Name] = plain(t, p.Document)
		}
	}
	if v.Tags == nil {
		v.Tags = map[string]string{}
	}
	return v
}
