package arn_test

import (
	"fmt"

	"github.com/execrole/execrole/internal/arn"
)

func Example() {
	stream := arn.SplitSubject("arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:ecs/web/1")

	// Resource element: a trailing '*' in a short ARN expands across colons.
	fmt.Println(arn.CompilePattern("arn:aws:logs:*").Match(&stream))
	fmt.Println(arn.CompilePattern("arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:*").Match(&stream))
	fmt.Println(arn.CompilePattern("arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app").Match(&stream))

	// ArnLike: each of the six parts on its own, so the short form fails.
	fmt.Println(arn.CompileArnPattern([]arn.GlobPart{{Text: "arn:aws:logs:*"}}).Match(&stream))
	fmt.Println(arn.CompileArnPattern([]arn.GlobPart{{Text: "arn:aws:logs:*:111122223333:*"}}).Match(&stream))
	// Output:
	// true
	// true
	// false
	// false
	// true
}
