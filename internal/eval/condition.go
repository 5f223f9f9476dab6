package eval

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/policy"
)

// opFamily is the comparison a condition operator performs.
type opFamily uint8

const (
	famString opFamily = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmpKind is the relation of Numeric and Date operators.
type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// opInfo describes a base operator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type opInfo struct {
	fam     opFamily
	negated bool
	cmp     cmpKind
}

var operators = map[string]opInfo{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {fam: famStringIgnoreCase, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famArn},
	"ArnLike":                   {fam: famArn},
	"ArnNotEquals":              {fam: famArn, negated: true},
	"ArnNotLike":                {fam: famArn, negated: true},
	"Null":                      {fam: famNull},
}

// operatorsFold maps lower-cased operator names to canonical ones, for
// operators given only as text.
var operatorsFold = func() map[string]string {
	m := make(map[string]string, len(operators))
	for k := range operators {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// cValue is one compiled condition value.
type cValue struct {
	text string
	tmpl template // non-nil when the value holds policy variables
	glob arn.Glob // StringLike
	arnp *arn.ArnPattern
	num  *big.Rat
	date *big.Rat // seconds since the epoch
	ip   netip.Prefix
	bin  []byte
	ok   bool // parsed: a value of the wrong type never matches
	// placeholder marks a value a template left unresolved (${AccountId}
	// without --account): glob, with "*" for each placeholder, stands for
	// whatever the stack will have, the optimistic reading resources get too.
	placeholder bool
}

// cCondition is one compiled (operator, key, values) triple.
type cCondition struct {
	src       *policy.Condition
	op        opInfo
	qualifier policy.Qualifier
	ifExists  bool
	key       string // lower-cased
	values    []cValue
	// why is the near-miss reason when the condition fails, the same for
	// every request: built once, not per explanation.
	why string
}

func compileCondition(c *policy.Condition, vars bool) (*cCondition, error) {
	op := c.Operator
	base := op.Base
	if base == "" {
		// Operator given only as text: accept "ForAnyValue:StringLikeIfExists".
		base = c.OperatorText
		if q, rest, ok := strings.Cut(base, ":"); ok {
			switch strings.ToLower(q) {
			case "forallvalues":
				op.Qualifier = policy.ForAllValues
			case "foranyvalue":
				op.Qualifier = policy.ForAnyValue
			default:
				return nil, fmt.Errorf("unknown condition operator qualifier %q", q)
			}
			base = rest
		}
		if strings.HasSuffix(strings.ToLower(base), "ifexists") {
			op.IfExists = true
			base = base[:len(base)-len("IfExists")]
		}
	}
	canon, ok := operatorsFold[strings.ToLower(base)]
	if !ok {
		return nil, fmt.Errorf("unknown condition operator %q", c.OperatorText)
	}
	info := operators[canon]
	cc := &cCondition{src: c, op: info, qualifier: op.Qualifier, ifExists: op.IfExists, key: strings.ToLower(c.Key),
		why: fmt.Sprintf("condition %s %q failed at %s", c.OperatorText, c.Key, c.Range)}
	for _, v := range c.Values {
		cv := compileValue(info.fam, v.Text, vars && !v.Unknown)
		if v.Unknown && strings.Contains(v.Text, "${") && (info.fam == famString || info.fam == famStringIgnoreCase || info.fam == famStringLike || info.fam == famArn) {
			cv.glob, cv.placeholder = arn.CompileGlob(placeholdersAsWildcards(v.Text), false), true
		}
		cc.values = append(cc.values, cv)
	}
	return cc, nil
}

func compileValue(fam opFamily, s string, vars bool) cValue {
	v := cValue{text: s, ok: true}
	// Variables apply to String and ARN operators only.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-wheretouse
	if vars && (fam == famString || fam == famStringIgnoreCase || fam == famStringLike || fam == famArn) {
		v.tmpl = splitTemplate(s)
		if v.tmpl != nil {
			return v
		}
	}
	switch fam {
	case famStringLike:
		v.glob = arn.CompileGlob(s, false)
	case famArn:
		v.arnp = arn.CompileArnPattern([]arn.GlobPart{{Text: s}})
	case famNumeric:
		v.num, v.ok = parseNumber(s)
	case famDate:
		v.date, v.ok = parseDate(s)
	case famIP:
		v.ip, v.ok = parsePrefix(s)
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		v.bin, v.ok = b, err == nil
	}
	return v
}

// parseNumber accepts integers and decimals.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
func parseNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "/eE") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// dateLayouts are the W3C ISO-8601 forms IAM accepts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate normalises an ISO-8601 date or epoch seconds to seconds since
// the epoch, so that the two forms compare correctly with each other (the
// peer iam-simulate compares milliseconds with seconds).
func parseDate(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
		if n, ok := parseNumber(s); ok && !strings.Contains(s[1:], "-") {
			return n, true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			r := new(big.Rat).SetInt64(t.Unix())
			if ns := t.Nanosecond(); ns != 0 {
				r.Add(r, big.NewRat(int64(ns), 1e9))
			}
			return r, true
		}
	}
	return nil, false
}

// parsePrefix accepts a CIDR or a bare address and masks the host bits.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval decides the condition for the request context.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func (c *cCondition) eval(ctx *reqCtx) bool {
	vs, found := ctx.get(c.key)
	present := found && len(vs) > 0
	if c.op.fam == famNull {
		switch c.qualifier {
		case policy.ForAllValues:
			return true
		case policy.ForAnyValue:
			return false
		}
		for i := range c.values {
			switch strings.ToLower(c.values[i].text) {
			case "true":
				if !present {
					return true
				}
			case "false":
				if present {
					return true
				}
			}
		}
		return false
	}
	if !present {
		if c.ifExists {
			return true
		}
		switch c.qualifier {
		case policy.ForAllValues:
			return true
		case policy.ForAnyValue:
			return false
		}
		return c.op.negated
	}
	switch c.qualifier {
	case policy.ForAllValues:
		for _, r := range vs {
			if !c.one(r, ctx) {
				return false
			}
		}
		return true
	case policy.ForAnyValue:
		for _, r := range vs {
			if c.one(r, ctx) {
				return true
			}
		}
		return false
	}
	if len(vs) > 1 {
		// A multi-valued key needs a set qualifier.
		return false
	}
	return c.one(vs[0], ctx)
}

// one applies the operator to one request value: for positive operators some
// policy value matches, for negated ones none does.
func (c *cCondition) one(r string, ctx *reqCtx) bool {
	any := false
	for i := range c.values {
		if c.match(&c.values[i], r, ctx) {
			any = true
			break
		}
	}
	return any != c.op.negated
}

// match is the positive comparison of request value r with policy value v.
func (c *cCondition) match(v *cValue, r string, ctx *reqCtx) bool {
	if v.placeholder {
		return v.glob.Match(r)
	}
	if v.tmpl != nil {
		parts, ok := v.tmpl.resolve(ctx)
		if !ok {
			return false
		}
		switch c.op.fam {
		case famStringLike:
			g := arn.CompileGlobParts(parts, false)
			return g.Match(r)
		case famArn:
			s := arn.SplitSubject(r)
			return arn.CompileArnPattern(parts).Match(&s)
		case famStringIgnoreCase:
			return strings.EqualFold(joinParts(parts), r)
		default:
			return joinParts(parts) == r
		}
	}
	if !v.ok {
		return false
	}
	switch c.op.fam {
	case famString:
		return v.text == r
	case famStringIgnoreCase:
		return strings.EqualFold(v.text, r)
	case famStringLike:
		return v.glob.Match(r)
	case famArn:
		s := arn.SplitSubject(r)
		return v.arnp.Match(&s)
	case famBool:
		return strings.EqualFold(v.text, r)
	case famNumeric:
		n, ok := parseNumber(r)
		return ok && compare(n.Cmp(v.num), c.op)
	case famDate:
		d, ok := parseDate(r)
		return ok && compare(d.Cmp(v.date), c.op)
	case famIP:
		p, ok := parsePrefix(r)
		return ok && v.ip.Contains(p.Addr()) && p.Bits() >= v.ip.Bits()
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(r)
		if err != nil {
			return false
		}
		return string(b) == string(v.bin)
	}
	return false
}

// compare turns a Cmp result into the operator's verdict. Not-equals is the
// negation of equals, applied by the caller.
func compare(cmp int, op opInfo) bool {
	switch op.cmp {
	case cmpLt:
		return cmp < 0
	case cmpLe:
		return cmp <= 0
	case cmpGt:
		return cmp > 0
	case cmpGe:
		return cmp >= 0
	}
	return cmp == 0
}

// reqCtx is the request context with case-insensitive key lookup.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
type reqCtx struct {
	m map[string][]string
}

// get finds key (already lower-cased) without allocating: callers usually
// pass lower-cased or canonical keys, and the scan is the fallback.
func (c *reqCtx) get(key string) ([]string, bool) {
	if v, ok := c.m[key]; ok {
		return v, true
	}
	for k, v := range c.m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
