package eval

import (
	"fmt"
	"testing"

	"github.com/execrole/execrole/internal/policy"
)

// condCase checks one condition block in an identity-policy Allow on
// s3:GetObject against a request context.
type condCase struct {
	name    string
	version string // "" means 2012-10-17
	cond    string // JSON of the Condition element
	ctx     map[string][]string
	want    Decision
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.version
			if v == "" {
				v = policy.Version2012
			}
			src := fmt.Sprintf(`{"Version":%q,"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":%s}]}`, v, tc.cond)
			p := mustParse(t, "cond.json", src, policy.Identity)
			e, err := Compile(PolicySet{Identity: []*policy.Policy{p}})
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Principal: "arn:aws:iam::123456789012:user/alice", Action: "s3:GetObject",
				Resource: "arn:aws:s3:::bucket/key", ResourceAccount: "123456789012", Context: tc.ctx}
			if got := e.Evaluate(req); got != tc.want {
				t.Errorf("got %s, want %s\n%s", got, tc.want, e.Explain(req))
			}
		})
	}
}

func ctx1(k, v string) map[string][]string { return map[string][]string{k: {v}} }

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestConditionOperators(t *testing.T) {
	const A, I = Allowed, ImplicitlyDenied
	runCondCases(t, []condCase{
		// String
		{"StringEquals match", "", `{"StringEquals":{"aws:PrincipalTag/team":"web"}}`, ctx1("aws:PrincipalTag/team", "web"), A},
		{"StringEquals case-sensitive", "", `{"StringEquals":{"aws:PrincipalTag/team":"web"}}`, ctx1("aws:PrincipalTag/team", "WEB"), I},
		{"StringEquals missing key", "", `{"StringEquals":{"aws:PrincipalTag/team":"web"}}`, nil, I},
		{"StringNotEquals missing key matches", "", `{"StringNotEquals":{"aws:PrincipalTag/team":"web"}}`, nil, A},
		{"StringNotEquals none of values", "", `{"StringNotEquals":{"k":["a","b"]}}`, ctx1("k", "c"), A},
		{"StringNotEquals one of values", "", `{"StringNotEquals":{"k":["a","b"]}}`, ctx1("k", "b"), I},
		{"StringEqualsIgnoreCase", "", `{"StringEqualsIgnoreCase":{"k":"Web"}}`, ctx1("k", "wEB"), A},
		{"StringNotEqualsIgnoreCase", "", `{"StringNotEqualsIgnoreCase":{"k":"Web"}}`, ctx1("k", "wEB"), I},
		{"StringLike star crosses slash and colon", "", `{"StringLike":{"k":"arn:aws:ecs:*"}}`, ctx1("k", "arn:aws:ecs:us-east-1:1:task/x"), A},
		{"StringLike question mark", "", `{"StringLike":{"k":"a?c"}}`, ctx1("k", "abc"), A},
		{"StringNotLike", "", `{"StringNotLike":{"k":"a*"}}`, ctx1("k", "abc"), I},
		{"key name case-insensitive incl tag key", "", `{"StringEquals":{"AWS:PrincipalTag/TEAM":"web"}}`, ctx1("aws:principaltag/team", "web"), A},
		{"values OR", "", `{"StringEquals":{"k":["x","y"]}}`, ctx1("k", "y"), A},
		{"keys AND", "", `{"StringEquals":{"k":"x","j":"y"}}`, map[string][]string{"k": {"x"}, "j": {"z"}}, I},
		{"operators AND", "", `{"StringEquals":{"k":"x"},"StringLike":{"j":"y*"}}`, map[string][]string{"k": {"x"}, "j": {"yes"}}, A},
		// IfExists
		{"IfExists missing", "", `{"StringEqualsIfExists":{"k":"x"}}`, nil, A},
		{"IfExists present mismatch", "", `{"StringEqualsIfExists":{"k":"x"}}`, ctx1("k", "y"), I},
		// Null
		{"Null true on missing", "", `{"Null":{"k":"true"}}`, nil, A},
		{"Null true on present", "", `{"Null":{"k":"true"}}`, ctx1("k", "v"), I},
		{"Null false on present", "", `{"Null":{"k":"false"}}`, ctx1("k", "v"), A},
		// Numeric, with decimals
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
		{"NumericLessThan", "", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx1("s3:max-keys", "9"), A},
		{"NumericLessThan equal", "", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx1("s3:max-keys", "10"), I},
		{"NumericLessThanEquals", "", `{"NumericLessThanEquals":{"n":10}}`, ctx1("n", "10"), A},
		{"NumericGreaterThan decimal", "", `{"NumericGreaterThan":{"n":"1.5"}}`, ctx1("n", "1.50001"), A},
		{"NumericEquals decimal forms", "", `{"NumericEquals":{"n":"2.50"}}`, ctx1("n", "2.5"), A},
		{"NumericNotEquals", "", `{"NumericNotEquals":{"n":"3"}}`, ctx1("n", "3"), I},
		{"NumericGreaterThanEquals not a number", "", `{"NumericGreaterThanEquals":{"n":"3"}}`, ctx1("n", "three"), I},
		// Date: ISO-8601 and epoch seconds are normalised (iam-simulate
		// compares milliseconds with seconds here).
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
		{"DateLessThan epoch policy vs ISO request", "", `{"DateLessThan":{"aws:CurrentTime":"1893456000"}}`, ctx1("aws:CurrentTime", "2026-11-26T20:00:00Z"), A},
		{"DateGreaterThan ISO policy vs epoch request", "", `{"DateGreaterThan":{"aws:EpochTime":"2025-01-01T00:00:00Z"}}`, ctx1("aws:EpochTime", "1767225600"), A},
		{"DateGreaterThan false", "", `{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, ctx1("aws:CurrentTime", "2026-11-26T20:00:00Z"), I},
		{"DateEquals date only", "", `{"DateEquals":{"d":"2026-01-01"}}`, ctx1("d", "2026-01-01T00:00:00Z"), A},
		{"DateEquals across zones", "", `{"DateEquals":{"d":"2026-01-01T01:00:00+01:00"}}`, ctx1("d", "2026-01-01T00:00:00Z"), A},
		{"DateNotEquals missing", "", `{"DateNotEquals":{"d":"2026-01-01"}}`, nil, A},
		{"DateLessThanEquals both epoch", "", `{"DateLessThanEquals":{"d":"100"}}`, ctx1("d", "100"), A},
		// Bool
		{"Bool true", "", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx1("aws:SecureTransport", "true"), A},
		{"Bool JSON true", "", `{"Bool":{"aws:SecureTransport":true}}`, ctx1("aws:SecureTransport", "true"), A},
		{"Bool false vs true", "", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx1("aws:SecureTransport", "true"), I},
		// Binary
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
		{"BinaryEquals", "", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctx1("k", "QmluYXJ5VmFsdWU="), A},
		{"BinaryEquals differs", "", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctx1("k", "QmluYXJ5VmFsdWF="), I},
		// IP, host bits masked, IPv6
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
		{"IpAddress v4", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx1("aws:SourceIp", "203.0.113.7"), A},
		{"IpAddress host bits masked", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.9/24"}}`, ctx1("aws:SourceIp", "203.0.113.200"), A},
		{"IpAddress outside", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx1("aws:SourceIp", "198.51.100.1"), I},
		{"IpAddress bare address is /32", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx1("aws:SourceIp", "203.0.113.7"), A},
		{"IpAddress v6", "", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, ctx1("aws:SourceIp", "2001:db8:1234:5678::1"), A},
		{"NotIpAddress", "", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx1("aws:SourceIp", "10.1.2.3"), I},
		{"NotIpAddress missing", "", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, A},
		// ARN: parts compared separately
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
		{"ArnLike", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:*:123456789012:*"}}`, ctx1("aws:SourceArn", "arn:aws:ecs:us-east-1:123456789012:task/c/1"), A},
		{"ArnLike short pattern", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:*"}}`, ctx1("aws:SourceArn", "arn:aws:ecs:us-east-1:123456789012:task/c/1"), I},
		{"ArnEquals wildcard", "", `{"ArnEquals":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:task/*"}}`, ctx1("aws:SourceArn", "arn:aws:ecs:us-east-1:123456789012:task/c/1"), A},
		{"ArnNotLike", "", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, ctx1("aws:PrincipalArn", "arn:aws:iam::1:role/admin"), I},
		{"ArnNotEquals missing", "", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, nil, A},
	})
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func TestConditionSetOperators(t *testing.T) {
	const A, I = Allowed, ImplicitlyDenied
	tags := map[string][]string{"aws:TagKeys": {"team", "env"}}
	runCondCases(t, []condCase{
		{"ForAllValues subset", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env","cost"]}}`, tags, A},
		{"ForAllValues not subset", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`, tags, I},
		{"ForAllValues missing key is vacuously true", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`, nil, A},
		{"ForAllValues empty set is vacuously true", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`, map[string][]string{"aws:TagKeys": {}}, A},
		{"ForAnyValue one matches", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, tags, A},
		{"ForAnyValue none match", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["cost"]}}`, tags, I},
		{"ForAnyValue missing key is false", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, nil, I},
		{"ForAllValues negated: every value matches none", "", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, tags, A},
		{"ForAllValues negated fails", "", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}`, tags, I},
		{"ForAnyValue negated", "", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, tags, A},
		{"ForAnyValue StringLike", "", `{"ForAnyValue:StringLike":{"aws:TagKeys":["te*"]}}`, tags, A},
		{"no qualifier on multi-valued key", "", `{"StringEquals":{"aws:TagKeys":["team","env"]}}`, tags, I},
	})
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestConditionVariables(t *testing.T) {
	const A, I = Allowed, ImplicitlyDenied
	team := map[string][]string{"aws:PrincipalTag/team": {"web"}, "s3:prefix": {"web/x"}}
	runCondCases(t, []condCase{
		{"variable resolves", "", `{"StringLike":{"s3:prefix":"${aws:PrincipalTag/team}/*"}}`, team, A},
		{"variable key case-insensitive", "", `{"StringLike":{"s3:prefix":"${AWS:principaltag/TEAM}/*"}}`, team, A},
		{"unresolved variable: positive fails", "", `{"StringLike":{"s3:prefix":"${aws:PrincipalTag/dept}/*"}}`, team, I},
		{"unresolved variable: negated matches", "", `{"StringNotLike":{"s3:prefix":"${aws:PrincipalTag/dept}/*"}}`, team, A},
		{"default value", "", `{"StringLike":{"s3:prefix":"${aws:PrincipalTag/dept, 'web'}/*"}}`, team, A},
		{"${*} is a literal star", "", `{"StringLike":{"s3:prefix":"web/${*}"}}`, team, I},
		{"${*} literal matches star", "", `{"StringEquals":{"k":"a${*}b"}}`, ctx1("k", "a*b"), A},
		{"substituted value is literal", "", `{"StringLike":{"k":"${aws:PrincipalTag/team}"}}`, map[string][]string{"aws:PrincipalTag/team": {"w*"}, "k": {"wxyz"}}, I},
		// Under 2008-10-17 ${...} is literal text (iam-simulate substitutes).
		{"2008-10-17 keeps ${} literal", policy.Version2008, `{"StringLike":{"s3:prefix":"${aws:PrincipalTag/team}/*"}}`, team, I},
		{"2008-10-17 literal text matches itself", policy.Version2008, `{"StringEquals":{"k":"${aws:PrincipalTag/team}"}}`, ctx1("k", "${aws:PrincipalTag/team}"), A},
		{"multi-valued key cannot be a variable", "", `{"StringEquals":{"k":"${aws:TagKeys}"}}`, map[string][]string{"k": {"a"}, "aws:TagKeys": {"a", "b"}}, I},
	})
}

// The parser rejects variables outside String and ARN operators; an AST
// built by hand still evaluates them as literal text, never substituted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-wheretouse
func TestVariablesLiteralInNumeric(t *testing.T) {
	p := mustParse(t, "n.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericEquals":{"n":"1"}}}]}`, policy.Identity)
	p.Statements[0].Conditions[0].Values[0].Text = "${aws:PrincipalTag/n}" // by hand: Parse rejects it
	e, err := Compile(PolicySet{Identity: []*policy.Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Principal: "arn:aws:iam::123456789012:user/a", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Context: map[string][]string{"n": {"1"}, "aws:PrincipalTag/n": {"1"}}}
	if got := e.Evaluate(req); got != ImplicitlyDenied {
		t.Errorf("got %s, want ImplicitlyDenied", got)
	}
}
