package policy

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// Parse parses and validates one policy document of type t. On any
// error-level diagnostic the policy is nil; warnings come with a policy.
func Parse(file string, src []byte, t Type) (*Policy, source.Diagnostics) {
	return ParseOptions{}.Parse(file, src, t)
}

// ParseOptions says how strictly Parse reads a policy document. The zero
// value is strict: what IAM would refuse to store is an error.
type ParseOptions struct {
	// Lax accepts documents that break a rule of the policy grammar or of
	// their policy type but that AWS's evaluation engine still decides
	// requests with: a decision made on such a document (a simulator's,
	// a peer engine's) can then be replayed. Each rule it relaxes is
	// reported as a warning instead of an error; everything else (JSON,
	// element names, Effect, operators) stays an error. The relaxed rules,
	// each with what shows AWS evaluates past it ("oracle" cases are in the
	// iam-simulate core-engine corpus, shared/oracles/iam-simulate-core-engine,
	// which internal/eval's TestOracle replays):
	//
	//   - Principal in an identity, boundary, session or SCP document:
	//     evaluated as a principal match (oracle blog.json "Allowed when
	//     context key present").
	//   - No Principal in a resource or trust policy statement: the
	//     statement matches nobody (oracle noPrincipalElement.json
	//     "Statement without Principal never matches (Allow)";
	//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
	//   - A Principal string other than "*": read as {"AWS": value} (oracle
	//     permissionBoundaries-CrossAccount.json "Cross Account: Permission
	//     boundary deny resource policy allows role, from role").
	//   - NotPrincipal with Allow, or in a policy type that does not take
	//     it (oracle notPrincipal.json "Allowed when NotPrincipal is a
	//     different principal", anonymous.json "anonymous allowed by not
	//     principal excluding signed principal";
	//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
	//   - Resource or NotResource in a trust policy: matched against the
	//     role's ARN (oracle sts/assumeRole/differentAccount.json "Allowed
	//     when resource policy allows account and identity policy both
	//     allow").
	//   - RCP statements without Principal "*", or an Allow other than
	//     RCPFullAWSAccess (oracle discoveryMode/ignoredConditions/rcp.json
	//     "Do Not Report Ignored Conditions When Other Deny Parts Do Not
	//     Match";
	//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
	//   - An action not of the form service:action ("s3:", a comma inside):
	//     it never matches, so NotAction with it matches every action
	//     (oracle edgeCases/whitespaceActions.json "Action with empty
	//     action after colon does not match", "NotAction with empty action
	//     after colon always matches").
	Lax bool
}

// relaxable reports the breach of a rule Lax relaxes: an error, or under
// Lax a warning.
func (o ParseOptions) relaxable(ds *source.Diagnostics, r source.Range, format string, args ...any) {
	if o.Lax {
		ds.Warnf(r, format+" (read anyway: lax parsing, as AWS evaluates it)", args...)
		return
	}
	ds.Errorf(r, format, args...)
}

// Parse parses and validates one policy document of type t with the
// options o. On any error-level diagnostic the policy is nil; warnings come
// with a policy.
func (o ParseOptions) Parse(file string, src []byte, t Type) (*Policy, source.Diagnostics) {
	n, err := jsontree.Parse(file, src)
	if err != nil {
		return nil, jsonDiags(err, file)
	}
	p, ds := o.fromNode(n, t, file)
	if p != nil {
		lines := source.NewLines(file, src)
		at := func(off int) source.Range { return lines.Range(off, off+1) }
		checkText(p, string(src), n.Range, at, &ds)
		if ds.HasErrors() {
			return nil, ds
		}
	}
	return p, ds
}

func jsonDiags(err error, file string) source.Diagnostics {
	var d *source.Diagnostic
	if errors.As(err, &d) {
		return source.Diagnostics{d}
	}
	var ds source.Diagnostics
	if errors.As(err, &ds) {
		return ds
	}
	ds.Errorf(source.Range{File: file}, "%v", err)
	return ds
}

// ParseDocumentString parses a policy that arrives as a JSON string value:
// plain JSON text, or URL-encoded JSON as the IAM API returns it
// (GetRolePolicy, GetPolicyVersion). Positions inside the decoded text are
// meaningless in the user's file, so every range falls back to r, the range
// of the string itself.
func ParseDocumentString(s string, r source.Range, t Type, name string) (*Policy, source.Diagnostics) {
	text := strings.TrimSpace(s)
	if strings.HasPrefix(text, "%7B") || strings.HasPrefix(text, "%7b") {
		dec, err := url.QueryUnescape(text)
		if err != nil {
			var ds source.Diagnostics
			ds.Errorf(r, "policy document looks URL-encoded but does not decode: %v", err)
			return nil, ds
		}
		text = dec
	}
	n, err := jsontree.Parse(name, []byte(text))
	if err != nil {
		var ds source.Diagnostics
		ds.Errorf(r, "policy document string is not valid JSON: %v", err)
		return nil, ds
	}
	n.Relocate(r)
	p, ds := FromNode(n, t, name)
	if p != nil {
		checkText(p, text, r, func(int) source.Range { return r }, &ds)
		if ds.HasErrors() {
			return nil, ds
		}
	}
	return p, ds
}

// FromNode builds a policy from an already parsed JSON tree, for documents
// embedded in other files. A string node is handled as ParseDocumentString.
// Size and character checks need the source text and are done by Parse and
// ParseDocumentString only; call Size for embedded documents.
func FromNode(n *jsontree.Node, t Type, name string) (*Policy, source.Diagnostics) {
	return ParseOptions{}.fromNode(n, t, name)
}

func (o ParseOptions) fromNode(n *jsontree.Node, t Type, name string) (*Policy, source.Diagnostics) {
	if n != nil && n.Kind == jsontree.String && !n.Unknown {
		return ParseDocumentString(n.Str, n.Range, t, name)
	}
	b := &builder{t: t, o: o}
	p := b.policy(n, name)
	if p != nil {
		validate(p, &b.ds, o)
	}
	if b.ds.HasErrors() {
		return nil, b.ds
	}
	return p, b.ds
}

type builder struct {
	t  Type
	o  ParseOptions
	ds source.Diagnostics
}

var policyElems = []string{"Version", "Id", "Statement"}
var stmtElems = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// unknownElem reports key as unknown, suggesting the element it misspells
// by case. Element names are case-sensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func (b *builder) unknownElem(m *jsontree.Member, where string, known []string) {
	for _, k := range known {
		if strings.EqualFold(k, m.Key) {
			b.ds.Errorf(m.KeyRange, "element names are case-sensitive: %q is not a %s element; did you mean %q?", m.Key, where, k)
			return
		}
	}
	b.ds.Errorf(m.KeyRange, "unknown %s element %q; expected one of %s", where, m.Key, strings.Join(known, ", "))
}

func (b *builder) policy(n *jsontree.Node, name string) *Policy {
	if n == nil {
		b.ds.Errorf(source.Range{File: name}, "missing policy document")
		return nil
	}
	if n.Kind != jsontree.Object {
		b.ds.Errorf(n.Range, "policy document must be a JSON object, found %s", n.Kind)
		return nil
	}
	p := &Policy{Name: name, Type: b.t, Range: n.Range}
	var stmts *jsontree.Member
	for _, m := range n.Members {
		switch m.Key {
		case "Version":
			if s, ok := b.str(m); ok {
				if s != Version2012 && s != Version2008 {
					b.ds.Errorf(m.Value.Range, "Version must be %q or %q, found %q", Version2012, Version2008, s)
				}
				p.Version = s
			}
		case "Id":
			if s, ok := b.str(m); ok {
				p.ID = s
			}
		case "Statement":
			stmts = m
		default:
			b.unknownElem(m, "policy", policyElems)
		}
	}
	if stmts == nil {
		b.ds.Errorf(n.Range, "policy has no Statement element; expected a statement object or a list of them")
		return p
	}
	switch v := stmts.Value; v.Kind {
	case jsontree.Object:
		b.statement(p, v)
	case jsontree.Array:
		for _, it := range v.Items {
			b.statement(p, it)
		}
	default:
		b.ds.Errorf(v.Range, "Statement must be an object or a list of objects, found %s", v.Kind)
	}
	return p
}

func (b *builder) str(m *jsontree.Member) (string, bool) {
	if m.Value.Kind != jsontree.String {
		b.ds.Errorf(m.Value.Range, "%s must be a string, found %s", m.Key, m.Value.Kind)
		return "", false
	}
	return m.Value.Str, true
}

// strList reads a string or a list of strings.
func (b *builder) strList(what string, v *jsontree.Node) []Value {
	one := func(n *jsontree.Node) (Value, bool) {
		if n.Kind != jsontree.String {
			b.ds.Errorf(n.Range, "%s must be a string or a list of strings, found %s", what, n.Kind)
			return Value{}, false
		}
		return Value{Text: n.Str, Range: n.Range, Unknown: n.Unknown}, true
	}
	if v.Kind == jsontree.Array {
		out := make([]Value, 0, len(v.Items))
		for _, it := range v.Items {
			if x, ok := one(it); ok {
				out = append(out, x)
			}
		}
		if len(v.Items) == 0 {
			b.ds.Errorf(v.Range, "%s is an empty list; expected at least one value", what)
		}
		return out
	}
	if x, ok := one(v); ok {
		return []Value{x}
	}
	return nil
}

func (b *builder) statement(p *Policy, n *jsontree.Node) {
	if n.Kind != jsontree.Object {
		b.ds.Errorf(n.Range, "statement must be an object, found %s", n.Kind)
		return
	}
	s := &Statement{Index: len(p.Statements), Range: n.Range, Ranges: map[string]source.Range{}}
	p.Statements = append(p.Statements, s)
	pair := func(m *jsontree.Member, other string) {
		if r, ok := s.Ranges[other]; ok {
			b.ds.Errorf(m.KeyRange, "a statement may not have both %s and %s (%s is at %s)", other, m.Key, other, r)
		}
		s.Ranges[m.Key] = m.KeyRange
	}
	for _, m := range n.Members {
		switch m.Key {
		case "Sid":
			s.Ranges[m.Key] = m.KeyRange
			if v, ok := b.str(m); ok {
				s.Sid, s.SidSet = v, true
			}
		case "Effect":
			s.Ranges[m.Key] = m.KeyRange
			if v, ok := b.str(m); ok {
				switch Effect(v) {
				case Allow, Deny:
					s.Effect = Effect(v)
				default:
					hint := ""
					if strings.EqualFold(v, "allow") || strings.EqualFold(v, "deny") {
						hint = " (Effect is case-sensitive)"
					}
					b.ds.Errorf(m.Value.Range, "Effect must be \"Allow\" or \"Deny\", found %q%s", v, hint)
				}
			}
		case "Action", "NotAction":
			pair(m, map[string]string{"Action": "NotAction", "NotAction": "Action"}[m.Key])
			s.Actions, s.NotAction, s.ActionSet = b.strList(m.Key, m.Value), m.Key == "NotAction", true
		case "Resource", "NotResource":
			pair(m, map[string]string{"Resource": "NotResource", "NotResource": "Resource"}[m.Key])
			s.Resources, s.NotResource, s.ResourceSet = b.strList(m.Key, m.Value), m.Key == "NotResource", true
		case "Principal", "NotPrincipal":
			pair(m, map[string]string{"Principal": "NotPrincipal", "NotPrincipal": "Principal"}[m.Key])
			s.Principal, s.NotPrincipal = b.principal(m), m.Key == "NotPrincipal"
		case "Condition":
			s.Ranges[m.Key] = m.KeyRange
			s.Conditions = b.conditions(m.Value)
		default:
			b.unknownElem(m, "statement", stmtElems)
		}
	}
	if _, ok := s.Ranges["Effect"]; !ok {
		b.ds.Errorf(n.Range, "statement %s has no Effect; expected \"Effect\": \"Allow\" or \"Deny\"", s.Name())
	}
	if !s.ActionSet {
		b.ds.Errorf(n.Range, "statement %s has neither Action nor NotAction", s.Name())
	}
}

// principalKinds are the keys of the Principal object form.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
var principalKinds = []string{KindAWS, KindService, KindFederated, KindCanonicalUser}

func (b *builder) principal(m *jsontree.Member) *Principal {
	v := m.Value
	pr := &Principal{Range: v.Range}
	switch v.Kind {
	case jsontree.String:
		if v.Str == "*" {
			pr.Wildcard = true
			break
		}
		b.o.relaxable(&b.ds, v.Range, "%s as a string must be \"*\"; use an object such as {\"AWS\": %q}", m.Key, v.Str)
		if b.o.Lax {
			pr.Entries = append(pr.Entries, PrincipalEntry{Kind: KindAWS, Value: Value{Text: v.Str, Range: v.Range, Unknown: v.Unknown}})
		} else {
			pr.Wildcard = true
		}
	case jsontree.Object:
		if len(v.Members) == 0 {
			b.ds.Errorf(v.Range, "%s is an empty object; expected keys among %s", m.Key, strings.Join(principalKinds, ", "))
		}
		for _, k := range v.Members {
			known := false
			for _, pk := range principalKinds {
				if pk == k.Key {
					known = true
				} else if strings.EqualFold(pk, k.Key) {
					b.ds.Errorf(k.KeyRange, "principal kinds are case-sensitive: %q; did you mean %q?", k.Key, pk)
					known = true
				}
			}
			if !known {
				b.ds.Errorf(k.KeyRange, "unknown principal kind %q; expected one of %s", k.Key, strings.Join(principalKinds, ", "))
			}
			for _, val := range b.strList(m.Key+"."+k.Key, k.Value) {
				pr.Entries = append(pr.Entries, PrincipalEntry{Kind: k.Key, Value: val})
			}
		}
	default:
		b.ds.Errorf(v.Range, "%s must be \"*\" or an object, found %s", m.Key, v.Kind)
	}
	return pr
}

func (b *builder) conditions(v *jsontree.Node) []*Condition {
	if v.Kind != jsontree.Object {
		b.ds.Errorf(v.Range, "Condition must be an object of operators, found %s", v.Kind)
		return nil
	}
	var out []*Condition
	for _, om := range v.Members {
		op, ok := ParseOperator(om.Key)
		if !ok && strings.EqualFold(om.Key, "NullIfExists") {
			// Access Analyzer rejects Null with IfExists.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
			b.ds.Errorf(om.KeyRange, "the Null operator cannot take IfExists; use \"Null\" alone")
			continue
		}
		if !ok {
			b.ds.Errorf(om.KeyRange, "unknown condition operator %q; expected e.g. StringEquals, ArnLike, ForAnyValue:StringLike, BoolIfExists", om.Key)
			continue
		}
		if om.Key != op.String() {
			b.ds.Warnf(om.KeyRange, "condition operator %q is not spelled as documented (%q)", om.Key, op.String())
		}
		if om.Value.Kind != jsontree.Object {
			b.ds.Errorf(om.Value.Range, "condition operator %s must map to an object of condition keys, found %s", om.Key, om.Value.Kind)
			continue
		}
		seen := map[string]*jsontree.Member{}
		for _, km := range om.Value.Members {
			low := strings.ToLower(km.Key)
			if prev, dup := seen[low]; dup {
				b.ds.Errorf(km.KeyRange, "condition key %q repeats %q (at %s) under %s; keys are case-insensitive and may appear once per operator", km.Key, prev.Key, prev.KeyRange, om.Key)
				continue
			}
			seen[low] = km
			c := &Condition{Operator: op, OperatorText: om.Key, Key: km.Key, Range: km.KeyRange}
			c.Values = b.condValues(km)
			out = append(out, c)
		}
	}
	return out
}

// condValues reads a condition value: string, bool or number, or a list of
// them. Bool and number keep their literal text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func (b *builder) condValues(km *jsontree.Member) []Value {
	one := func(n *jsontree.Node) (Value, bool) {
		switch n.Kind {
		case jsontree.String, jsontree.Number:
			return Value{Text: n.Str, Range: n.Range, Unknown: n.Unknown}, true
		case jsontree.Bool:
			return Value{Text: fmt.Sprint(n.Bool), Range: n.Range}, true
		}
		b.ds.Errorf(n.Range, "value of condition key %s must be a string, number, boolean or a list of them, found %s", km.Key, n.Kind)
		return Value{}, false
	}
	v := km.Value
	if v.Kind == jsontree.Array {
		out := make([]Value, 0, len(v.Items))
		for _, it := range v.Items {
			if x, ok := one(it); ok {
				out = append(out, x)
			}
		}
		return out
	}
	if x, ok := one(v); ok {
		return []Value{x}
	}
	return nil
}
