package eval

import (
	"testing"

	"github.com/execrole/execrole/internal/policy"
)

// The managed policies the benchmarks use, checked for real decisions so the
// benchmarks measure a working engine.
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSTaskExecutionRolePolicy.html
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
func TestManagedPolicies(t *testing.T) {
	exec, err := Compile(PolicySet{Identity: []*policy.Policy{
		managedPolicy(t, "AmazonECSTaskExecutionRolePolicy"),
		mustParse(t, "custom", scopedExecPolicy, policy.Identity),
	}})
	if err != nil {
		t.Fatal(err)
	}
	// kms:Decrypt is denied without a key policy: identity policies alone
	// never grant use of a KMS key.
	// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
	want := []Decision{Allowed, Allowed, Allowed, Allowed, ImplicitlyDenied, Allowed, ImplicitlyDenied, ImplicitlyDenied}
	for i, req := range benchRequests() {
		if got := exec.Evaluate(req); got != want[i] {
			t.Errorf("execution role: %s on %s = %s, want %s", req.Action, req.Resource, got, want[i])
		}
	}
	// With the default key policy (the account may use IAM policies) the
	// identity allow counts, and kms:ViaService must match.
	withKey, err := Compile(PolicySet{
		Identity: []*policy.Policy{mustParse(t, "custom", scopedExecPolicy, policy.Identity)},
		Resource: mustParse(t, "key", defaultKeyPolicy, policy.Resource),
	})
	if err != nil {
		t.Fatal(err)
	}
	kms := *benchRequests()[6]
	if got := withKey.Evaluate(&kms); got != Allowed {
		t.Errorf("kms:Decrypt via secretsmanager with key policy = %s, want Allowed", got)
	}
	kms.Context = map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}
	if got := withKey.Evaluate(&kms); got != ImplicitlyDenied {
		t.Errorf("kms:Decrypt via s3 = %s, want ImplicitlyDenied", got)
	}

	ro, err := Compile(PolicySet{Identity: []*policy.Policy{managedPolicy(t, "ReadOnlyAccess")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		action, resource string
		want             Decision
	}{
		{"ec2:DescribeInstances", "*", Allowed},
		{"EC2:describeinstances", "*", Allowed},
		{"s3:GetObject", "arn:aws:s3:::b/k", Allowed},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", ImplicitlyDenied},
		{"iam:CreateUser", "arn:aws:iam::111122223333:user/x", ImplicitlyDenied},
	} {
		req := &Request{Principal: execRole, Action: tt.action, Resource: tt.resource}
		if got := ro.Evaluate(req); got != tt.want {
			t.Errorf("ReadOnlyAccess: %s = %s, want %s", tt.action, got, tt.want)
		}
	}
}

// The Engine is shared by goroutines (check, audit); run under -race.
func TestConcurrentEvaluate(t *testing.T) {
	e, err := Compile(PolicySet{Identity: []*policy.Policy{
		managedPolicy(t, "AmazonECSTaskExecutionRolePolicy"),
		mustParse(t, "custom", scopedExecPolicy, policy.Identity),
	}, Resource: mustParse(t, "key", defaultKeyPolicy, policy.Resource)})
	if err != nil {
		t.Fatal(err)
	}
	reqs := benchRequests()
	want := make([]Decision, len(reqs))
	for i, r := range reqs {
		want[i] = e.Evaluate(r)
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for n := 0; n < 200; n++ {
				for i, r := range reqs {
					ok = ok && e.Evaluate(r) == want[i] && e.Explain(r).Decision == want[i]
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("concurrent evaluations disagree")
		}
	}
}
