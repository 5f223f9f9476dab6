package terraform

import (
	"encoding/json"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// placeholderArgs are the arguments of a policy document whose unknown
// values are written as placeholders (resources, condition values,
// principal identifiers); an unknown action, effect or source document
// still makes the whole document unknown.
var placeholderArgs = map[string]bool{"resources": true, "not_resources": true, "values": true, "identifiers": true}

// withPlaceholders evaluates expr writing each unknown reference as its
// placeholder, keeping the text around it: "${aws_s3_bucket.b.arn}/.env"
// stays that, where the value as a whole would only be unknown. ok is
// false when some unknown part names no single reference.
func (e *evaluator) withPlaceholders(expr hclsyntax.Expression, ctx *hcl.EvalContext) (cty.Value, bool) {
	switch x := expr.(type) {
	case *hclsyntax.TupleConsExpr:
		vals := make([]cty.Value, 0, len(x.Exprs))
		for _, it := range x.Exprs {
			v, ok := e.withPlaceholders(it, ctx)
			if !ok {
				return cty.NilVal, false
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal, true
		}
		return cty.TupleVal(vals), true
	case *hclsyntax.TemplateWrapExpr:
		return e.withPlaceholders(x.Wrapped, ctx)
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, part := range x.Parts {
			v, ok := e.withPlaceholders(part, ctx)
			if !ok || v.IsNull() {
				return cty.NilVal, false
			}
			sv, err := convert.Convert(v, cty.String)
			if err != nil {
				return cty.NilVal, false
			}
			b.WriteString(sv.AsString())
		}
		return cty.StringVal(b.String()), true
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	raw, marks := v.UnmarkDeep()
	if raw.IsWhollyKnown() {
		return raw, true
	}
	if !raw.IsKnown() {
		name := refName(marks)
		if name == "" || strings.Contains(name, ",") {
			return cty.NilVal, false
		}
		ph := "${" + name + "}"
		e.m.placeholders[ph] = true
		return cty.StringVal(ph), true
	}
	// A collection with unknown elements (concat(local.arns, [x.arn])).
	v = e.fillUnknown(v)
	if !v.IsWhollyKnown() || strings.Contains(v.GoString(), "${unknown}") {
		return cty.NilVal, false
	}
	return v, true
}

// policyDocument renders data "aws_iam_policy_document" the way the AWS
// provider does: statement blocks to Statement entries, a one-element list
// to a bare string, principals grouped by type, conditions by operator, then
// source_policy_documents underneath and override_policy_documents on top,
// matched by Sid. It returns an unknown string when an input is unknown,
// except the references placeholderArgs lists.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
func (e *evaluator) policyDocument(body *hclsyntax.Body, ctx *hcl.EvalContext, report bool) cty.Value {
	unknown := cty.UnknownVal(cty.String)
	ok := true
	eval := func(b *hclsyntax.Body, c *hcl.EvalContext, name string) (cty.Value, bool) {
		a, has := b.Attributes[name]
		if !has {
			return cty.NilVal, false
		}
		v, diags := a.Expr.Value(c)
		if diags.HasErrors() {
			if report {
				e.warnEval(diags, name)
			}
			ok = false
			return cty.NilVal, false
		}
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() && placeholderArgs[name] {
			// ARNs of resources created with the document: written
			// as placeholders, which the policy engine matches like
			// "*" within their part, and which name the same thing
			// as the requirement that needs them.
			if pv, good := e.withPlaceholders(a.Expr, c); good {
				v = pv
			}
		}
		if !v.IsWhollyKnown() {
			ok = false
			return cty.NilVal, false
		}
		if v.IsNull() {
			return cty.NilVal, false
		}
		return v, true
	}
	str := func(b *hclsyntax.Body, c *hcl.EvalContext, name string) string {
		v, has := eval(b, c, name)
		if !has || v.Type() != cty.String {
			return ""
		}
		return v.AsString()
	}
	list := func(b *hclsyntax.Body, c *hcl.EvalContext, name string) ([]string, bool) {
		v, has := eval(b, c, name)
		if !has || !v.CanIterateElements() {
			return nil, false
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, x := it.Element()
			if x.IsNull() || x.Type() != cty.String {
				ok = false
				continue
			}
			out = append(out, x.AsString())
		}
		return out, true
	}
	strOrList := func(ss []string) any {
		if len(ss) == 1 {
			return ss[0]
		}
		return ss
	}
	var stmts []map[string]any
	each := func(typ string, fn func(*hclsyntax.Body, *hcl.EvalContext)) func(*hclsyntax.Body, *hcl.EvalContext) {
		return func(b *hclsyntax.Body, c *hcl.EvalContext) {
			for _, blk := range b.Blocks {
				switch {
				case blk.Type == typ:
					fn(blk.Body, c)
				case blk.Type == "dynamic" && len(blk.Labels) == 1 && blk.Labels[0] == typ:
					e.expandDynamic(blk, c, func(cc *hcl.EvalContext, content *hclsyntax.Block) { fn(content.Body, cc) })
				}
			}
		}
	}
	principals := func(b *hclsyntax.Body, c *hcl.EvalContext, typ string) any {
		group := map[string][]string{}
		var order []string
		each(typ, func(pb *hclsyntax.Body, pc *hcl.EvalContext) {
			t := str(pb, pc, "type")
			ids, _ := list(pb, pc, "identifiers")
			if _, seen := group[t]; !seen {
				order = append(order, t)
			}
			group[t] = append(group[t], ids...)
		})(b, c)
		if len(order) == 0 {
			return nil
		}
		// "*" with identifiers ["*"] is the anonymous principal "*".
		if len(order) == 1 && order[0] == "*" {
			return "*"
		}
		out := map[string]any{}
		for _, t := range order {
			out[t] = strOrList(group[t])
		}
		return out
	}
	each("statement", func(b *hclsyntax.Body, c *hcl.EvalContext) {
		s := map[string]any{}
		// An unknown Sid changes no decision: it is left out rather than
		// making the whole document unknown.
		known := ok
		if sid := str(b, c, "sid"); sid != "" {
			s["Sid"] = sid
		}
		ok = known
		s["Effect"] = "Allow"
		if eff := str(b, c, "effect"); eff != "" {
			s["Effect"] = eff
		}
		for attr, key := range map[string]string{"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"} {
			if l, has := list(b, c, attr); has && len(l) > 0 {
				s[key] = strOrList(l)
			}
		}
		if p := principals(b, c, "principals"); p != nil {
			s["Principal"] = p
		}
		if p := principals(b, c, "not_principals"); p != nil {
			s["NotPrincipal"] = p
		}
		cond := map[string]map[string]any{}
		each("condition", func(cb *hclsyntax.Body, cc *hcl.EvalContext) {
			test, variable := str(cb, cc, "test"), str(cb, cc, "variable")
			vals, _ := list(cb, cc, "values")
			if cond[test] == nil {
				cond[test] = map[string]any{}
			}
			cond[test][variable] = strOrList(vals)
		})(b, c)
		if len(cond) > 0 {
			s["Condition"] = cond
		}
		stmts = append(stmts, s)
	})(body, ctx)

	merged := []map[string]any{}
	docs := func(name string) []map[string]any {
		l, _ := list(body, ctx, name)
		var out []map[string]any
		for _, d := range l {
			var doc struct {
				Statement json.RawMessage
			}
			if err := json.Unmarshal([]byte(d), &doc); err != nil {
				ok = false
				continue
			}
			var many []map[string]any
			if json.Unmarshal(doc.Statement, &many) != nil {
				var one map[string]any
				if json.Unmarshal(doc.Statement, &one) == nil {
					many = []map[string]any{one}
				}
			}
			out = append(out, many...)
		}
		return out
	}
	// overlay puts s over list: a statement with the Sid of an earlier one
	// replaces it; others are appended.
	overlay := func(list []map[string]any, s map[string]any) []map[string]any {
		if sid, _ := s["Sid"].(string); sid != "" {
			for i, o := range list {
				if os, _ := o["Sid"].(string); os == sid {
					list[i] = s
					return list
				}
			}
		}
		return append(list, s)
	}
	for _, s := range docs("source_policy_documents") {
		merged = overlay(merged, s)
	}
	for _, s := range stmts {
		merged = overlay(merged, s)
	}
	for _, s := range docs("override_policy_documents") {
		merged = overlay(merged, s)
	}
	if !ok {
		return unknown
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": merged}
	if v := str(body, ctx, "version"); v != "" {
		doc["Version"] = v
	}
	if id := str(body, ctx, "policy_id"); id != "" {
		doc["Id"] = id
	}
	if !ok {
		return unknown
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return unknown
	}
	return cty.StringVal(string(out))
}
