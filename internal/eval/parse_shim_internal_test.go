package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/execrole/execrole/internal/policy"
)

// shimParse parses a test policy with the project's parser, returning its
// diagnostics as the error.
func shimParse(name string, src []byte, typ policy.Type) (*policy.Policy, error) {
	p, ds := policy.Parse(name, src, typ)
	if ds.HasErrors() {
		return nil, ds
	}
	return p, nil
}

// lenientParse builds the syntax tree without validation, for oracle cases
// whose policies policy.Parse rightly rejects for their type (NotPrincipal
// with Allow, Principal in an identity policy, Resource in a trust policy,
// a principal ARN as a bare string...) but which the peer evaluates anyway:
// the engine must still decide what it is given. Test code only; there are
// no positions.
func lenientParse(name string, src []byte, typ policy.Type) (*policy.Policy, error) {
	d := json.NewDecoder(bytes.NewReader(src))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	p := &policy.Policy{Name: name, Type: typ}
	p.Version, _ = doc["Version"].(string)
	p.ID, _ = doc["Id"].(string)
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	for i, raw := range stmts {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("statement %d is not an object", i)
		}
		s := &policy.Statement{Index: i}
		if sid, ok := m["Sid"].(string); ok {
			s.Sid, s.SidSet = sid, true
		}
		e, _ := m["Effect"].(string)
		s.Effect = policy.Effect(e)
		for _, k := range []string{"Action", "NotAction"} {
			if v, ok := m[k]; ok {
				s.Actions, s.ActionSet, s.NotAction = lenientValues(v), true, k == "NotAction"
			}
		}
		for _, k := range []string{"Resource", "NotResource"} {
			if v, ok := m[k]; ok {
				s.Resources, s.ResourceSet, s.NotResource = lenientValues(v), true, k == "NotResource"
			}
		}
		for _, k := range []string{"Principal", "NotPrincipal"} {
			v, ok := m[k]
			if !ok {
				continue
			}
			pr := &policy.Principal{}
			switch v := v.(type) {
			case string:
				pr.Wildcard = v == "*"
				if !pr.Wildcard {
					pr.Entries = append(pr.Entries, policy.PrincipalEntry{Kind: policy.KindAWS, Value: policy.Value{Text: v}})
				}
			case map[string]any:
				for _, kind := range sortedKeys(v) {
					for _, val := range lenientValues(v[kind]) {
						pr.Entries = append(pr.Entries, policy.PrincipalEntry{Kind: kind, Value: val})
					}
				}
			}
			s.Principal, s.NotPrincipal = pr, k == "NotPrincipal"
		}
		if c, ok := m["Condition"].(map[string]any); ok {
			for _, op := range sortedKeys(c) {
				keys, _ := c[op].(map[string]any)
				for _, k := range sortedKeys(keys) {
					o, _ := policy.ParseOperator(op)
					s.Conditions = append(s.Conditions, &policy.Condition{Operator: o, OperatorText: op, Key: k, Values: lenientValues(keys[k])})
				}
			}
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func lenientValues(v any) []policy.Value {
	switch v := v.(type) {
	case []any:
		var out []policy.Value
		for _, x := range v {
			out = append(out, lenientValues(x)...)
		}
		return out
	case nil:
		return nil
	default:
		return []policy.Value{{Text: fmt.Sprint(v)}}
	}
}
