package patch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// context is the number of unchanged lines shown around a change, as diff -u.
const context = 3

// Unified returns a one-hunk unified diff from old to new, which differ in
// one contiguous region (all a fix needs). Lines keep their terminators so
// that a missing final newline is shown as GNU diff shows it.
func Unified(file, old, new string) string {
	a, b := strings.SplitAfter(old, "\n"), strings.SplitAfter(new, "\n")
	a, b = trimEmpty(a), trimEmpty(b)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	if pre == len(a) && pre == len(b) {
		return ""
	}
	start := max(pre-context, 0)
	endA := min(len(a)-suf+context, len(a))
	endB := min(len(b)-suf+context, len(b))
	var w strings.Builder
	name := diffName(file)
	fmt.Fprintf(&w, "--- a/%s\n+++ b/%s\n", name, name)
	fmt.Fprintf(&w, "@@ -%s +%s @@\n", span(start, endA-start), span(start, endB-start))
	line := func(prefix, l string) {
		w.WriteString(prefix + l)
		if !strings.HasSuffix(l, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
	for _, l := range a[start:pre] {
		line(" ", l)
	}
	for _, l := range a[pre : len(a)-suf] {
		line("-", l)
	}
	for _, l := range b[pre : len(b)-suf] {
		line("+", l)
	}
	for _, l := range a[len(a)-suf : endA] {
		line(" ", l)
	}
	return w.String()
}

// span is a hunk range: "start,count" with 1-based start, and the line
// before the hunk for an empty one.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func trimEmpty(ls []string) []string {
	if len(ls) > 0 && ls[len(ls)-1] == "" {
		return ls[:len(ls)-1]
	}
	return ls
}

// diffName is the path a diff names: relative to the working directory when
// the file is under it, so that `git apply` and `patch -p1` run from there
// find it.
func diffName(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(file), "/")
}
