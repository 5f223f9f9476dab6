package arn

import "strings"

// GlobPart is one piece of a glob pattern. Text of a part with Literal set
// is compared verbatim: that is how the policy-variable escapes ${*} and ${?}
// and substituted variable values reach the matcher without becoming
// wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
type GlobPart struct {
	Text    string
	Literal bool
}

// Glob is a compiled IAM wildcard pattern: '*' matches any run of bytes
// (including ':' and '/'), '?' matches exactly one byte. It is compiled once
// into star-separated chunks and matched greedily chunk by chunk, so matching
// never backtracks exponentially: the cost is bounded by
// len(subject)·len(pattern) and is linear for patterns without '?'.
type Glob struct {
	fold    bool
	leading bool // pattern starts with '*'
	trail   bool // pattern ends with '*'
	any     bool // pattern is exactly "*"
	chunks  []chunk
}

// chunk is a run of pattern bytes between stars. q marks the positions that
// are '?' wildcards; it is nil when there are none.
type chunk struct {
	text string
	q    []bool
}

// CompileGlob compiles pattern, in which every '*' and '?' is a wildcard.
// With fold, ASCII letters compare case-insensitively, as IAM compares
// actions.
func CompileGlob(pattern string, fold bool) Glob {
	return CompileGlobParts([]GlobPart{{Text: pattern}}, fold)
}

// CompileGlobParts compiles the concatenation of parts, treating '*' and '?'
// as wildcards only in parts that are not Literal.
func CompileGlobParts(parts []GlobPart, fold bool) Glob {
	g := Glob{fold: fold}
	var cur strings.Builder
	var q []bool
	started := false // whether anything has been emitted yet
	flush := func() {
		t := cur.String()
		if fold {
			t = lowerASCII(t)
		}
		var qq []bool
		for _, b := range q {
			if b {
				qq = q
				break
			}
		}
		g.chunks = append(g.chunks, chunk{text: t, q: qq})
		cur.Reset()
		q = nil
	}
	for _, p := range parts {
		for i := 0; i < len(p.Text); i++ {
			c := p.Text[i]
			switch {
			case c == '*' && !p.Literal:
				if !started {
					g.leading = true
				}
				flush()
				started = true
				g.trail = true
				continue
			case c == '?' && !p.Literal:
				cur.WriteByte('?')
				q = append(q, true)
			default:
				cur.WriteByte(c)
				q = append(q, false)
			}
			started = true
			g.trail = false
		}
	}
	flush()
	// Drop empty chunks: they come from stars at the edges or in a row and
	// carry no constraint once leading/trail are recorded.
	kept := g.chunks[:0]
	for _, c := range g.chunks {
		if c.text != "" {
			kept = append(kept, c)
		}
	}
	g.chunks = kept
	g.any = g.leading && len(kept) == 0
	return g
}

// MatchAll reports whether the glob is "*", which matches every string.
func (g *Glob) MatchAll() bool { return g.any }

// Literal reports whether the glob has no wildcard at all.
func (g *Glob) Literal() bool {
	return !g.leading && !g.trail && len(g.chunks) == 1 && g.chunks[0].q == nil
}

// Match reports whether s matches the whole pattern.
func (g *Glob) Match(s string) bool {
	if g.any {
		return true
	}
	cs := g.chunks
	if !g.leading && !g.trail && len(cs) <= 1 {
		if len(cs) == 0 {
			return s == ""
		}
		return len(s) == len(cs[0].text) && g.at(&cs[0], s, 0)
	}
	if !g.leading {
		c := &cs[0]
		if len(s) < len(c.text) || !g.at(c, s, 0) {
			return false
		}
		s = s[len(c.text):]
		cs = cs[1:]
	}
	if !g.trail && len(cs) > 0 {
		c := &cs[len(cs)-1]
		if len(s) < len(c.text) || !g.at(c, s, len(s)-len(c.text)) {
			return false
		}
		s = s[:len(s)-len(c.text)]
		cs = cs[:len(cs)-1]
	}
	// Middle chunks: leftmost match of each in turn. Leftmost is optimal
	// because chunks are fixed-length and separated by stars.
	for i := range cs {
		c := &cs[i]
		j := g.index(c, s)
		if j < 0 {
			return false
		}
		s = s[j+len(c.text):]
	}
	return true
}

// at reports whether chunk c matches s at offset off (s has room).
func (g *Glob) at(c *chunk, s string, off int) bool {
	t := c.text
	if c.q == nil && !g.fold {
		return s[off:off+len(t)] == t
	}
	for i := 0; i < len(t); i++ {
		if c.q != nil && c.q[i] {
			continue
		}
		b := s[off+i]
		if g.fold && 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != t[i] {
			return false
		}
	}
	return true
}

// index returns the leftmost offset at which c matches in s, or -1.
func (g *Glob) index(c *chunk, s string) int {
	if c.q == nil && !g.fold {
		return strings.Index(s, c.text)
	}
	for off := 0; off+len(c.text) <= len(s); off++ {
		if g.at(c, s, off) {
			return off
		}
	}
	return -1
}

// lowerASCII lower-cases ASCII letters only; IAM action names are ASCII.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
