package cfn

import "testing"

const params = `Parameters:
  Env:
    Type: String
    Default: prod
  NoDefault:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: "a, b"
  Num:
    Type: Number
    Default: 5`

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
func TestRefPseudoParametersAndParameters(t *testing.T) {
	us := Options{Region: "us-east-1", Account: "123456789012"}
	runCases(t, []fnCase{
		{name: "default", sections: params, value: "!Ref Env", want: "prod"},
		{name: "param flag overrides", sections: params, value: "!Ref Env", want: "dev", opts: Options{Params: map[string]string{"Env": "dev"}}},
		{name: "no default is placeholder", sections: params, value: "!Ref NoDefault", want: "?${NoDefault}"},
		{name: "list parameter", sections: params, value: "!Ref Subnets", want: "[a,b]"},
		{name: "number default as text", sections: params, value: "!Ref Num", want: "5"},
		{name: "long form", sections: params, value: "{Ref: Env}", want: "prod"},
		{name: "region", value: "!Ref AWS::Region", want: "us-east-1", opts: us},
		{name: "region unknown", value: "!Ref AWS::Region", want: "?${Region}"},
		{name: "account", value: "!Ref AWS::AccountId", want: "123456789012", opts: us},
		{name: "partition from region", value: "!Ref AWS::Partition", want: "aws", opts: us},
		{name: "partition china", value: "!Ref AWS::Partition", want: "aws-cn", opts: Options{Region: "cn-north-1"}},
		{name: "partition gov", value: "!Ref AWS::Partition", want: "aws-us-gov", opts: Options{Region: "us-gov-west-1"}},
		{name: "url suffix china", value: "!Ref AWS::URLSuffix", want: "amazonaws.com.cn", opts: Options{Region: "cn-north-1"}},
		{name: "stack name unknown", value: "!Ref AWS::StackName", want: "?${StackName}"},
		{name: "novalue removes", value: "!Ref AWS::NoValue", want: "<novalue>"},
		{name: "resource is placeholder", value: "!Ref R", want: "?${Ref:R}"},
		{name: "undefined warns", value: "!Ref Nope", want: "?${Ref:Nope}", diag: "names no parameter or resource"},
	})
}

func TestRefTarget(t *testing.T) {
	got, _ := eval(t, "", "!GetAtt R.Arn", Options{})
	if id, ok := RefTarget(got); !ok || id != "R" {
		t.Errorf("RefTarget(GetAtt) = %q, %v", id, ok)
	}
	got, _ = eval(t, "", "!Ref R", Options{})
	if id, ok := RefTarget(got); !ok || id != "R" {
		t.Errorf("RefTarget(Ref) = %q, %v", id, ok)
	}
	got, _ = eval(t, "", "!Sub 'arn:${R.Arn}'", Options{})
	if _, ok := RefTarget(got); ok {
		t.Errorf("RefTarget of a composite string must fail")
	}
}
