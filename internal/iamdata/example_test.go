package iamdata_test

import (
	"fmt"

	"github.com/execrole/execrole/internal/iamdata"
)

func ExampleWildcardOnly() {
	fmt.Println(iamdata.WildcardOnly("ecr:GetAuthorizationToken"))
	fmt.Println(iamdata.WildcardOnly("ecr:BatchGetImage"))
	fmt.Println(iamdata.WildcardOnly("ecr:NoSuchAction"))
	// Output:
	// true true
	// false true
	// false false
}

func ExampleResourceTypesForARN() {
	fmt.Println(iamdata.ResourceTypesForARN("logs", "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web"))
	fmt.Println(iamdata.ResourceTypesForARN("logs", "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:log-stream:ecs/app/0f1e"))
	fmt.Println(iamdata.ResourceTypesForARN("logs", "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*"))
	// Output:
	// [log-group]
	// [log-stream]
	// [log-group log-stream]
}

func ExampleExpandActions() {
	fmt.Println(iamdata.ExpandActions("logs:put*events"))
	// Output:
	// [logs:PutLogEvents]
}
