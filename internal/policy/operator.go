package policy

import "strings"

// baseOperators lists every documented condition operator by canonical name.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
var baseOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
	"DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Null",
}

// byLower finds the canonical name from any casing.
var byLower = func() map[string]string {
	m := make(map[string]string, len(baseOperators))
	for _, b := range baseOperators {
		m[strings.ToLower(b)] = b
	}
	return m
}()

// ParseOperator parses a condition operator such as
// "ForAnyValue:StringLikeIfExists".
//
// Operator names are matched case-insensitively, as iam-simulate does: AWS
// documents no rule, and rejecting a policy IAM may accept would be worse
// than accepting one it may reject. Validation warns when the spelling is
// not canonical (see Operator.String). "IfExists" is refused on Null, which
// Access Analyzer reports as an error.
func ParseOperator(s string) (Operator, bool) {
	var op Operator
	rest := s
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(q) {
		case "forallvalues":
			op.Qualifier = ForAllValues
		case "foranyvalue":
			op.Qualifier = ForAnyValue
		default:
			return Operator{}, false
		}
		rest = r
	}
	low := strings.ToLower(rest)
	if b, ok := byLower[low]; ok {
		op.Base = b
		return op, true
	}
	if t, ok := strings.CutSuffix(low, "ifexists"); ok {
		if b, ok := byLower[t]; ok && b != "Null" {
			op.Base = b
			op.IfExists = true
			return op, true
		}
	}
	return Operator{}, false
}

// String returns the canonical spelling, which the printer writes.
func (o Operator) String() string {
	s := o.Base
	if o.IfExists {
		s += "IfExists"
	}
	switch o.Qualifier {
	case ForAllValues:
		s = "ForAllValues:" + s
	case ForAnyValue:
		s = "ForAnyValue:" + s
	}
	return s
}

// Family returns the operator family ("String", "Numeric", "Date", "Bool",
// "Binary", "IpAddress", "Arn", "Null"), which decides whether values may
// hold policy variables.
func (o Operator) Family() string {
	switch {
	case strings.HasPrefix(o.Base, "String"):
		return "String"
	case strings.HasPrefix(o.Base, "Numeric"):
		return "Numeric"
	case strings.HasPrefix(o.Base, "Date"):
		return "Date"
	case strings.HasPrefix(o.Base, "Arn"):
		return "Arn"
	case o.Base == "IpAddress" || o.Base == "NotIpAddress":
		return "IpAddress"
	case o.Base == "BinaryEquals":
		return "Binary"
	}
	return o.Base
}
