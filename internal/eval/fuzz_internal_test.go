package eval

import (
	"testing"

	"github.com/execrole/execrole/internal/policy"
)

// FuzzEvaluate compiles random policies (seeded from real shapes) as
// identity and resource policies and evaluates random requests: it must
// never panic, and Evaluate, Explain and a Lazy ExplainInto must agree.
func FuzzEvaluate(f *testing.F) {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}`,
		scopedExecPolicy,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b/${aws:username}/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:logs:*","Condition":{"ForAnyValue:DateLessThanIfExists":{"k":"2026-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NumericGreaterThan":{"n":"1.5"},"BinaryEquals":{"b":"AAAA"},"Null":{"x":"true"}}}]}`,
		`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:*:1:*"}}}]}`,
	}
	for _, s := range seeds {
		f.Add(s, "arn:aws:sts::123456789012:assumed-role/r/s", "s3:GetObject", "arn:aws:s3:::b/k", "aws:username", "alice")
	}
	f.Add(seeds[0], Anonymous, "ECR:get*", "*", "k", "")
	f.Add(seeds[1], "ecs-tasks.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::1:role/x", "n", "2.5")
	f.Fuzz(func(t *testing.T, src, principal, action, resource, key, val string) {
		p, ds := policy.Parse("fuzz.json", []byte(src), policy.Identity)
		if ds.HasErrors() {
			// Also drive the engine with documents only lax parsing takes.
			if p, ds = (policy.ParseOptions{Lax: true}).Parse("fuzz.json", []byte(src), policy.Identity); ds.HasErrors() {
				return
			}
		}
		rp := *p
		rp.Type = policy.Resource
		e, err := Compile(PolicySet{Identity: []*policy.Policy{p}, Resource: &rp, Boundary: []*policy.Policy{p},
			SCPs: [][]*policy.Policy{{p}}, RCPs: [][]*policy.Policy{{p}}})
		if err != nil {
			if e != nil {
				t.Fatal("Compile returned an engine with an error")
			}
			return
		}
		req := &Request{Principal: principal, Action: action, Resource: resource,
			Context: map[string][]string{key: {val}, "multi": {val, key}}}
		d := e.Evaluate(req)
		r := e.Explain(req)
		if r.Decision != d {
			t.Fatalf("Evaluate %s, Explain %s", d, r.Decision)
		}
		checkLazy(t, "fuzz", e, req, r, map[whyKind]bool{})
	})
}
