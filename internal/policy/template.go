package policy

import (
	"fmt"
	"strings"
)

// Template is a Resource or condition value split into literal text and
// policy variables, so the engine can substitute request-context values
// without re-parsing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
type Template []Part

// Part is one piece of a Template.
type Part struct {
	// Literal is text. When Escaped is true it came from ${*}, ${?} or ${$}
	// and must match itself only: an escaped "*" is not a wildcard.
	Literal string
	Escaped bool
	// Var is the context key of a ${key} part; "" for literal parts.
	Var string
	// Default is the quoted default of ${key, 'default'}; HasDefault says
	// whether one was given.
	Default    string
	HasDefault bool
}

// HasVariables reports whether t needs a request context to resolve.
func (t Template) HasVariables() bool {
	for _, p := range t {
		if p.Var != "" {
			return true
		}
	}
	return false
}

// ParseTemplate splits s at each ${...}. Text that is not a well-formed
// variable is an error, matching Access Analyzer's "missing brace",
// "empty variable" and "unsupported space" findings.
func ParseTemplate(s string) (Template, error) {
	var t Template
	lit := func(x string, esc bool) {
		if x == "" {
			return
		}
		if n := len(t); n > 0 && !esc && t[n-1].Var == "" && !t[n-1].Escaped {
			t[n-1].Literal += x
			return
		}
		t = append(t, Part{Literal: x, Escaped: esc})
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit(s, false)
			return t, nil
		}
		lit(s[:i], false)
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("policy variable at offset %d is missing its closing brace '}'", i)
		}
		body := s[i+2 : i+end]
		s = s[i+end+1:]
		switch body {
		case "*", "?", "$":
			lit(body, true)
			continue
		}
		p, err := parseVar(body)
		if err != nil {
			return nil, err
		}
		t = append(t, p)
	}
}

func parseVar(body string) (Part, error) {
	key, def, hasDef := strings.Cut(body, ",")
	if key == "" {
		return Part{}, fmt.Errorf("empty policy variable ${%s}: expected ${key} or ${key, 'default'}", body)
	}
	if strings.ContainsAny(key, " \t") {
		return Part{}, fmt.Errorf("unsupported space in policy variable name %q", key)
	}
	p := Part{Var: key}
	if hasDef {
		d := strings.TrimLeft(def, " ")
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' || strings.Count(d, "'") != 2 {
			return Part{}, fmt.Errorf("default of policy variable ${%s} must be one single-quoted string, e.g. ${%s, 'default'}", key, key)
		}
		p.Default, p.HasDefault = d[1:len(d)-1], true
	}
	return p, nil
}

// String writes t back in policy syntax.
func (t Template) String() string {
	var b strings.Builder
	for _, p := range t {
		switch {
		case p.Escaped:
			b.WriteString("${" + p.Literal + "}")
		case p.Var != "":
			b.WriteString("${" + p.Var)
			if p.HasDefault {
				b.WriteString(", '" + p.Default + "'")
			}
			b.WriteString("}")
		default:
			b.WriteString(p.Literal)
		}
	}
	return b.String()
}
