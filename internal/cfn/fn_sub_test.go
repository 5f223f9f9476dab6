package cfn

import "testing"

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
func TestSub(t *testing.T) {
	us := Options{Region: "us-east-1", Account: "123456789012"}
	runCases(t, []fnCase{
		{name: "pseudo", value: "!Sub 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x'", want: "arn:aws:ssm:us-east-1:123456789012:parameter/x", opts: us},
		{name: "unknown keeps text", value: "!Sub 'arn:${AWS::Partition}:ssm:x'", want: "?arn:${Partition}:ssm:x"},
		{name: "parameter", sections: params, value: "!Sub '/${Env}/db'", want: "/prod/db"},
		{name: "escape", value: "!Sub '${!Literal}-x'", want: "${Literal}-x"},
		{name: "getatt", value: "!Sub '${R.Arn}'", want: "?${GetAtt:R.Arn}"},
		{name: "variables form", value: "!Sub ['${A}-${B}', {A: one, B: !Ref AWS::Region}]", want: "one-us-east-1", opts: us},
		{name: "long form", value: "{Fn::Sub: 'x-${AWS::Region}'}", want: "x-us-east-1", opts: us},
		{name: "unterminated", value: "!Sub 'a${b'", want: "a${b"},
		{name: "bad arg", value: "!Sub [1]", want: "?${Sub}", diag: "Fn::Sub: expected"},
	})
}
