package patch

import "testing"

func TestUnified(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{{
		name: "insert in the middle, three lines of context",
		old:  "a\nb\nc\nd\ne\nf\ng\n",
		new:  "a\nb\nc\nd\nX\nY\ne\nf\ng\n",
		want: "--- a/f\n+++ b/f\n@@ -2,6 +2,8 @@\n b\n c\n d\n+X\n+Y\n e\n f\n g\n",
	}, {
		name: "append to a file without a final newline",
		old:  "a\nb",
		new:  "a\nb\n\nc\n",
		want: "--- a/f\n+++ b/f\n@@ -1,2 +1,4 @@\n a\n-b\n\\ No newline at end of file\n+b\n+\n+c\n",
	}, {
		name: "insert at the top",
		old:  "a\n",
		new:  "X\na\n",
		want: "--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n+X\n a\n",
	}, {
		name: "no change",
		old:  "a\n", new: "a\n", want: "",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unified("f", tc.old, tc.new); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
