package jsontree

import (
	"strings"
	"testing"
)

func TestParsePositions(t *testing.T) {
	src := "{\n  \"a\": [1, true],\n  \"b\": {\"c\": \"x\"}\n}"
	n, err := Parse("f.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := n.Member("a")
	if got := a.KeyRange.String(); got != "f.json:2:3" {
		t.Errorf("key a at %s, want f.json:2:3", got)
	}
	if got := a.Value.Items[1].Range.String(); got != "f.json:2:12" {
		t.Errorf("true at %s, want f.json:2:12", got)
	}
	if s, _ := a.Value.Items[0].Text(); s != "1" {
		t.Errorf("number text %q", s)
	}
	if got := n.Get("b").Get("c").Range.String(); got != "f.json:3:14" {
		t.Errorf("c value at %s, want f.json:3:14", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"duplicate key", "{\"Effect\": \"Allow\",\n \"Effect\": \"Deny\"}", "f.json:2:2: invalid JSON: duplicate"},
		{"truncated", "{\"a\": [1,", "f.json:1:10: invalid JSON"},
		{"trailing", "{} {}", "f.json:1:"},
		{"bad utf8", "\"\xff\"", "f.json:1:"},
		{"empty", "", "f.json:1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.json", []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Parse(%q) error = %v, want prefix %q", tc.src, err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	f.Add([]byte(`[1, 2.5e3, null, false, "x\u00e9"]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := Parse("fuzz.json", src)
		if (n == nil) == (err == nil) {
			t.Fatalf("Parse returned node %v and error %v", n, err)
		}
	})
}
