package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON prints the policy as canonical IAM JSON: Version, Id and a
// Statement list; each statement's elements in grammar order; lists of one
// value as a plain string. Condition values are written as strings (IAM
// compares them as text). Parsing the output gives back the same policy.
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	comma := false
	field := func(k string) {
		if comma {
			b.WriteByte(',')
		}
		comma = true
		writeStr(&b, k)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		writeStr(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		writeStr(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i, s := range p.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		s.write(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func (s *Statement) write(b *bytes.Buffer) {
	b.WriteByte('{')
	comma := false
	field := func(k string) {
		if comma {
			b.WriteByte(',')
		}
		comma = true
		writeStr(b, k)
		b.WriteByte(':')
	}
	if s.SidSet {
		field("Sid")
		writeStr(b, s.Sid)
	}
	field("Effect")
	writeStr(b, string(s.Effect))
	if s.Principal != nil {
		field(pick(s.NotPrincipal, "NotPrincipal", "Principal"))
		s.Principal.write(b)
	}
	if s.ActionSet {
		field(pick(s.NotAction, "NotAction", "Action"))
		writeValues(b, s.Actions)
	}
	if s.ResourceSet {
		field(pick(s.NotResource, "NotResource", "Resource"))
		writeValues(b, s.Resources)
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		writeConditions(b, s.Conditions)
	}
	b.WriteByte('}')
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func (pr *Principal) write(b *bytes.Buffer) {
	if pr.Wildcard {
		writeStr(b, "*")
		return
	}
	// Group entries by kind, kinds in first-seen order.
	var kinds []string
	byKind := map[string][]Value{}
	for _, e := range pr.Entries {
		if _, ok := byKind[e.Kind]; !ok {
			kinds = append(kinds, e.Kind)
		}
		byKind[e.Kind] = append(byKind[e.Kind], e.Value)
	}
	b.WriteByte('{')
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(',')
		}
		writeStr(b, k)
		b.WriteByte(':')
		writeValues(b, byKind[k])
	}
	b.WriteByte('}')
}

// writeConditions groups conditions by operator as written, operators in
// first-seen order, keys in file order.
func writeConditions(b *bytes.Buffer, cs []*Condition) {
	var ops []string
	byOp := map[string][]*Condition{}
	for _, c := range cs {
		if _, ok := byOp[c.OperatorText]; !ok {
			ops = append(ops, c.OperatorText)
		}
		byOp[c.OperatorText] = append(byOp[c.OperatorText], c)
	}
	b.WriteByte('{')
	for i, op := range ops {
		if i > 0 {
			b.WriteByte(',')
		}
		writeStr(b, op)
		b.WriteString(":{")
		for j, c := range byOp[op] {
			if j > 0 {
				b.WriteByte(',')
			}
			writeStr(b, c.Key)
			b.WriteByte(':')
			writeValues(b, c.Values)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func writeValues(b *bytes.Buffer, vs []Value) {
	if len(vs) == 1 {
		writeStr(b, vs[0].Text)
		return
	}
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeStr(b, v.Text)
	}
	b.WriteByte(']')
}

// writeStr writes s as a JSON string without HTML escaping, so ARNs and
// conditions read as written.
func writeStr(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // drop Encode's newline
}
