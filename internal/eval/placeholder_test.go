package eval_test

import (
	"testing"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/policy"
)

// markUnknown flags every string containing "${" as a value a template left
// unresolved, as package cfn and package terraform do.
func markUnknown(n *jsontree.Node) {
	if n.Kind == jsontree.String && len(n.Str) > 1 {
		for i := 0; i+1 < len(n.Str); i++ {
			if n.Str[i] == '$' && n.Str[i+1] == '{' {
				n.Unknown = true
			}
		}
	}
	for _, it := range n.Items {
		markUnknown(it)
	}
	for _, m := range n.Members {
		markUnknown(m.Value)
	}
}

// TestTemplatePlaceholders: a value a template did not resolve is neither a
// policy variable (it would be invalid in the account part of an ARN) nor a
// literal; each placeholder matches like "*" within its part, for the value
// the stack will have.
func TestTemplatePlaceholders(t *testing.T) {
	src := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/*"},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${Ref:Bucket}/env/*"},
  {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "${AWS::AccountId}"}}},
  {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "${literal}"}}}
]}`
	root, err := jsontree.Parse("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	markUnknown(root)
	// The last statement's value is not from a template: a policy variable
	// with no value in the request, which matches nothing.
	root.Get("Statement").Items[3].Get("Condition").Get("StringEquals").Get("aws:PrincipalAccount").Unknown = false
	p, ds := policy.FromNode(root, policy.Identity, "p.json")
	if p == nil {
		t.Fatalf("a template's placeholders were rejected: %v", ds)
	}
	e, err := eval.Compile(eval.PolicySet{Identity: []*policy.Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	session := "arn:aws:sts::111122223333:assumed-role/app/task"
	ctx := map[string][]string{"aws:PrincipalAccount": {"111122223333"}}
	for _, tc := range []struct {
		action, resource string
		want             eval.Decision
	}{
		{"ssm:GetParameters", "arn:aws:ssm:eu-west-1:111122223333:parameter/app/db", eval.Allowed},
		{"ssm:GetParameters", "arn:aws:ssm:eu-west-1:111122223333:parameter/other/db", eval.ImplicitlyDenied},
		{"s3:GetObject", "arn:aws:s3:::my-bucket/env/app.env", eval.Allowed},
		{"s3:GetObject", "arn:aws:s3:::my-bucket/other/app.env", eval.ImplicitlyDenied},
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf", eval.Allowed},
		{"logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s", eval.ImplicitlyDenied},
	} {
		got := e.Evaluate(&eval.Request{Principal: session, Action: tc.action, Resource: tc.resource, Context: ctx})
		if got != tc.want {
			t.Errorf("%s on %s: %s, want %s", tc.action, tc.resource, got, tc.want)
		}
	}
}
