package eval

import (
	"strings"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/policy"
)

// tpart is one piece of a string that may hold policy variables: literal
// policy text (wildcards active), an escape such as ${*} (a literal
// character), or a variable reference with an optional default.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
type tpart struct {
	text    string
	escaped bool
	isVar   bool
	key     string // lower-cased variable key
	def     string
	hasDef  bool
}

// template is a string with policy variables, resolved per request.
type template []tpart

// splitTemplate compiles s with policy.ParseTemplate. It returns nil when s
// has no variable or escape, so that the caller compiles s once, and also
// when s is malformed: the text then stays literal and the policy validator
// reports it.
func splitTemplate(s string) template {
	if !strings.Contains(s, "${") {
		return nil
	}
	pt, err := policy.ParseTemplate(s)
	if err != nil {
		return nil
	}
	t := make(template, 0, len(pt))
	for _, p := range pt {
		switch {
		case p.Var != "":
			t = append(t, tpart{isVar: true, key: strings.ToLower(p.Var), def: p.Default, hasDef: p.HasDefault})
		default:
			t = append(t, tpart{text: p.Literal, escaped: p.Escaped})
		}
	}
	return t
}

// resolve substitutes variables from the request context. ok is false when a
// variable has no single value and no default: the value then matches
// nothing (and negated operators match).
func (t template) resolve(ctx *reqCtx) (parts []arn.GlobPart, ok bool) {
	parts = make([]arn.GlobPart, 0, len(t))
	for _, p := range t {
		switch {
		case p.escaped:
			parts = append(parts, arn.GlobPart{Text: p.text, Literal: true})
		case p.isVar:
			vs, found := ctx.get(p.key)
			switch {
			case found && len(vs) == 1:
				parts = append(parts, arn.GlobPart{Text: vs[0], Literal: true})
			case p.hasDef && !found:
				parts = append(parts, arn.GlobPart{Text: p.def, Literal: true})
			default:
				return nil, false
			}
		default:
			parts = append(parts, arn.GlobPart{Text: p.text})
		}
	}
	return parts, true
}

// joinParts concatenates resolved parts into a plain string.
func joinParts(parts []arn.GlobPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// placeholdersAsWildcards turns each template placeholder ${...} of a value
// that was not resolved offline into "*".
func placeholdersAsWildcards(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
}
