package eval

import (
	"testing"

	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
)

// mustParse parses a test policy strictly.
func mustParse(tb testing.TB, name, src string, typ policy.Type) *policy.Policy {
	tb.Helper()
	p, ds := policy.Parse(name, []byte(src), typ)
	if ds.HasErrors() {
		tb.Fatal(ds)
	}
	return p
}

func managedPolicy(tb testing.TB, name string) *policy.Policy {
	tb.Helper()
	m, ok := managed.ByName(name)
	if !ok {
		tb.Fatalf("managed policy %s not embedded", name)
	}
	return mustParse(tb, name, string(m.Document), policy.Identity)
}

const execRole = "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/1f9f6f0a"

// scopedExecPolicy is the custom part of an execution role: SSM parameters,
// one secret, a KMS key used through Secrets Manager, one log group.
const scopedExecPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Params","Effect":"Allow","Action":["ssm:GetParameters"],"Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/app/prod/*"},
 {"Sid":"Secret","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf"},
 {"Sid":"Key","Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  "Condition":{"StringEquals":{"kms:ViaService":["secretsmanager.us-east-1.amazonaws.com","ssm.us-east-1.amazonaws.com"]}}},
 {"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:*"}]}`

const defaultKeyPolicy = `{"Version":"2012-10-17","Statement":{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}`

func benchRequests() []*Request {
	ctx := map[string][]string{"kms:viaservice": {"secretsmanager.us-east-1.amazonaws.com"}}
	return []*Request{
		{Principal: execRole, Action: "ecr:GetAuthorizationToken", Resource: "*"},
		{Principal: execRole, Action: "ecr:BatchGetImage", Resource: "arn:aws:ecr:us-east-1:111122223333:repository/app"},
		{Principal: execRole, Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:ecs/app/abc"},
		{Principal: execRole, Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:111122223333:parameter/app/prod/db-url"},
		{Principal: execRole, Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:111122223333:parameter/other/x"},
		{Principal: execRole, Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf", Context: ctx},
		{Principal: execRole, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", ResourceAccount: "111122223333", Context: ctx},
		{Principal: execRole, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", ResourceAccount: "111122223333"},
	}
}

func benchEval(b *testing.B, e *Engine, reqs []*Request) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Evaluate(reqs[i%len(reqs)])
		i++
	}
}

// (a) one statement.
func BenchmarkEvaluateOneStatement(b *testing.B) {
	p := mustParse(b, "a", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}`, policy.Identity)
	e, err := Compile(PolicySet{Identity: []*policy.Policy{p}})
	if err != nil {
		b.Fatal(err)
	}
	benchEval(b, e, benchRequests()[:2])
}

// (b) AmazonECSTaskExecutionRolePolicy plus a scoped custom policy, with
// the KMS key's default key policy as the resource policy.
func BenchmarkEvaluateExecutionRole(b *testing.B) {
	e, err := Compile(PolicySet{Identity: []*policy.Policy{
		managedPolicy(b, "AmazonECSTaskExecutionRolePolicy"),
		mustParse(b, "custom", scopedExecPolicy, policy.Identity),
	}, Resource: mustParse(b, "key", defaultKeyPolicy, policy.Resource)})
	if err != nil {
		b.Fatal(err)
	}
	benchEval(b, e, benchRequests())
}

// (c) ReadOnlyAccess: thousands of action patterns.
func BenchmarkEvaluateReadOnlyAccess(b *testing.B) {
	e, err := Compile(PolicySet{Identity: []*policy.Policy{managedPolicy(b, "ReadOnlyAccess")}})
	if err != nil {
		b.Fatal(err)
	}
	reqs := append(benchRequests(),
		&Request{Principal: execRole, Action: "ec2:DescribeInstances", Resource: "*"},
		&Request{Principal: execRole, Action: "ec2:TerminateInstances", Resource: "arn:aws:ec2:us-east-1:111122223333:instance/i-1"},
		&Request{Principal: execRole, Action: "zzz:Unknown", Resource: "*"},
	)
	benchEval(b, e, reqs)
}

func BenchmarkExplainExecutionRole(b *testing.B) {
	e, err := Compile(PolicySet{Identity: []*policy.Policy{
		managedPolicy(b, "AmazonECSTaskExecutionRolePolicy"),
		mustParse(b, "custom", scopedExecPolicy, policy.Identity),
	}})
	if err != nil {
		b.Fatal(err)
	}
	reqs := benchRequests()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Explain(reqs[i%len(reqs)])
		i++
	}
}

// BenchmarkExplainIntoExecutionRole is BenchmarkExplainExecutionRole with
// one reused Result, as simulate --requests explains.
func BenchmarkExplainIntoExecutionRole(b *testing.B) {
	e, err := Compile(PolicySet{Identity: []*policy.Policy{
		managedPolicy(b, "AmazonECSTaskExecutionRolePolicy"),
		mustParse(b, "custom", scopedExecPolicy, policy.Identity),
	}})
	if err != nil {
		b.Fatal(err)
	}
	reqs := benchRequests()
	var r Result
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.ExplainInto(reqs[i%len(reqs)], &r)
		i++
	}
}
