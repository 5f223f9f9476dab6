package cfn

import (
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/jsontree"
)

// eval resolves the property V of resource R in a template made of the
// given sections (YAML) and returns it with the diagnostics' text.
func eval(t *testing.T, sections, value string, opts Options) (*jsontree.Node, string) {
	t.Helper()
	src := sections + "\nResources:\n  R:\n    Type: AWS::X::Y\n    Properties:\n      V: " + value + "\n"
	tm, ds := Parse("t.yaml", []byte(src), opts)
	if tm == nil {
		t.Fatalf("Parse: %v", ds)
	}
	return tm.Resource("R").Properties.Get("V"), ds.Error()
}

// show renders a resolved value compactly: strings as text, placeholders
// with a ? prefix, lists in brackets.
func show(n *jsontree.Node) string {
	if n == nil {
		return "<novalue>"
	}
	switch n.Kind {
	case jsontree.Array:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, show(it))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case jsontree.Object:
		var parts []string
		for _, m := range n.Members {
			parts = append(parts, m.Key+":"+show(m.Value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case jsontree.Bool:
		if n.Bool {
			return "true"
		}
		return "false"
	case jsontree.Null:
		return "null"
	}
	if n.Unknown {
		return "?" + n.Str
	}
	return n.Str
}

type fnCase struct {
	name, sections, value, want string
	opts                        Options
	diag                        string // substring expected in diagnostics
}

func runCases(t *testing.T, cases []fnCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, diags := eval(t, c.sections, c.value, c.opts)
			if s := show(got); s != c.want {
				t.Errorf("got %s, want %s (diagnostics: %s)", s, c.want, diags)
			}
			if c.diag != "" && !strings.Contains(diags, c.diag) {
				t.Errorf("diagnostics %q lack %q", diags, c.diag)
			}
		})
	}
}
