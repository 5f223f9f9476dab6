package arn

import "strings"

// GlobsIntersect reports whether some string matches both wildcard patterns
// a and b ('*' any run, '?' one byte). It explores the product of the two
// patterns' positions, so it costs O(len(a)·len(b)). Callers use it when the
// request names a set of resources ("arn:aws:s3:::bucket/*") rather than
// one, to ask whether a statement could apply to some of them.
func GlobsIntersect(a, b string) bool {
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
		if i < len(a) && a[i] == '*' {
			push(i+1, j)
			if j < len(b) {
				push(i, j+1)
			}
		}
		if j < len(b) && b[j] == '*' {
			push(i, j+1)
			if i < len(a) {
				push(i+1, j)
			}
		}
		if i < len(a) && j < len(b) && a[i] != '*' && b[j] != '*' &&
			(a[i] == '?' || b[j] == '?' || a[i] == b[j]) {
			push(i+1, j+1)
		}
	}
	return false
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
