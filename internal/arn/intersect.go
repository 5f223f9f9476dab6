package arn

import "strings"

// Elem is one element of a pattern compared by Intersect: a literal byte,
// '?' (any one byte) or '*' (any run), the wildcards optionally unable to
// match ':' (ARN templates name one field with them).
type Elem struct {
	Kind    byte // 'c', '?' or '*'
	C       byte // the literal, for 'c'
	NoColon bool
}

// GlobElems turns a wildcard pattern ('*' any run, '?' one byte) into
// elements, runs of '*' collapsed.
func GlobElems(p string) []Elem {
	out := make([]Elem, 0, len(p))
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			if len(out) > 0 && out[len(out)-1].Kind == '*' {
				continue
			}
			out = append(out, Elem{Kind: '*'})
		case '?':
			out = append(out, Elem{Kind: '?'})
		default:
			out = append(out, Elem{Kind: 'c', C: p[i]})
		}
	}
	return out
}

// GlobsIntersect reports whether some string matches both wildcard patterns
// a and b ('*' any run, '?' one byte). Callers use it when the request
// names a set of resources ("arn:aws:s3:::bucket/*") rather than one, to ask
// whether a statement could apply to some of them.
func GlobsIntersect(a, b string) bool { return Intersect(GlobElems(a), GlobElems(b)) }

// Intersect reports whether some string matches both element sequences. It
// explores the product of the two sequences' positions, so it costs
// O(len(a)·len(b)).
func Intersect(a, b []Elem) bool {
	n, m := len(a)+1, len(b)+1
	seen := make([]bool, n*m)
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		if k := i*m + j; !seen[k] {
			seen[k] = true
			stack = append(stack, k)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/m, k%m
		if i == len(a) && j == len(b) {
			return true
		}
		// A star may match the empty string.
		if i < len(a) && a[i].Kind == '*' {
			push(i+1, j)
		}
		if j < len(b) && b[j].Kind == '*' {
			push(i, j+1)
		}
		if i == len(a) || j == len(b) || !compatible(a[i], b[j]) {
			continue
		}
		ni, nj := i+1, j+1
		if a[i].Kind == '*' {
			ni = i
		}
		if b[j].Kind == '*' {
			nj = j
		}
		push(ni, nj)
	}
	return false
}

// compatible reports whether one byte can be consumed by both elements.
func compatible(x, y Elem) bool {
	switch {
	case x.Kind == 'c' && y.Kind == 'c':
		return x.C == y.C
	case x.Kind == 'c':
		return !(y.NoColon && x.C == ':')
	case y.Kind == 'c':
		return !(x.NoColon && y.C == ':')
	}
	return true
}

// Intersects reports whether the Resource pattern and the request pattern
// q (an ARN that may hold wildcards) could name a common resource. Segments
// are compared as Match compares them.
func (p *Pattern) Intersects(q string) bool {
	if p.all || q == "*" {
		return true
	}
	var qs [6]string
	if !p.isARN || !split6(q, &qs) || p.n < 0 {
		if p.isARN && p.n < 0 {
			return false
		}
		return GlobsIntersect(p.Text, q)
	}
	var ps [6]string
	if p.n == 6 {
		split6(p.Text, &ps)
		for i := range ps {
			if !GlobsIntersect(ps[i], qs[i]) {
				return false
			}
		}
		return true
	}
	// Short pattern: the last segment absorbs the rest of q.
	segs := strings.SplitN(p.Text, ":", p.n)
	off := 0
	for i := 0; i < p.n-1; i++ {
		if !GlobsIntersect(segs[i], qs[i]) {
			return false
		}
		off += len(qs[i]) + 1
	}
	return GlobsIntersect(segs[p.n-1], q[off:])
}
