package eval_test

import (
	"fmt"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
)

// Policies come from policy.Parse; here the syntax tree is built by hand.
func Example() {
	p := &policy.Policy{
		Name:    "pull.json",
		Type:    policy.Identity,
		Version: policy.Version2012,
		Statements: []*policy.Statement{{
			Sid: "Pull", Effect: policy.Allow,
			ActionSet: true, Actions: []policy.Value{{Text: "ecr:BatchGetImage"}, {Text: "ecr:GetAuthorizationToken"}},
			ResourceSet: true, Resources: []policy.Value{{Text: "arn:aws:ecr:us-east-1:111122223333:repository/app"}},
		}},
	}
	e, err := eval.Compile(eval.PolicySet{Identity: []*policy.Policy{p}})
	if err != nil {
		panic(err)
	}
	role := "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/task"
	fmt.Println(e.Evaluate(&eval.Request{Principal: role, Action: "ecr:BatchGetImage",
		Resource: "arn:aws:ecr:us-east-1:111122223333:repository/app"}))
	// GetAuthorizationToken supports no resource-level permissions: only
	// Resource "*" grants it.
	r := e.Explain(&eval.Request{Principal: role, Action: "ecr:GetAuthorizationToken", Resource: "*"})
	fmt.Println(r.Decision, r.Gate)
	fmt.Println(r.Missing[0])
	fmt.Println(r.NearMisses[0].Reason)
	// Output:
	// Allowed
	// ImplicitlyDenied identity
	// no identity-based policy allows ecr:GetAuthorizationToken on *
	// ecr:GetAuthorizationToken supports no resource-level permissions: only Resource "*" grants it
}
