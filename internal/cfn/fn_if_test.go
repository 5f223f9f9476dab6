package cfn

import "testing"

const conds = params + `
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsDev, !Equals [a, b]]
  Unknown: !Equals [!Ref NoDefault, x]
  Loop: !Condition Loop`

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
func TestIfAndConditions(t *testing.T) {
	runCases(t, []fnCase{
		{name: "true", sections: conds, value: "!If [IsProd, yes, no]", want: "yes"},
		{name: "param flips", sections: conds, value: "!If [IsProd, yes, no]", want: "no", opts: Options{Params: map[string]string{"Env": "dev"}}},
		{name: "not", sections: conds, value: "!If [IsDev, yes, no]", want: "no"},
		{name: "and", sections: conds, value: "!If [Both, yes, no]", want: "yes"},
		{name: "or", sections: conds, value: "!If [Either, yes, no]", want: "no"},
		{name: "novalue branch", sections: conds, value: "!If [IsDev, x, !Ref AWS::NoValue]", want: "<novalue>"},
		{name: "unknown", sections: conds, value: "!If [Unknown, yes, no]", want: "?${If:Unknown}", diag: "cannot be evaluated offline"},
		{name: "undefined", sections: conds, value: "!If [Missing, yes, no]", want: "?${If:Missing}", diag: "not defined"},
		{name: "self reference", sections: conds, value: "!If [Loop, yes, no]", want: "?${If:Loop}", diag: "refers to itself"},
	})
}

func TestResourceConditionFalse(t *testing.T) {
	src := conds + `
Resources:
  T:
    Type: AWS::ECS::TaskDefinition
    Condition: IsDev
    Properties: {}
`
	tm, _ := Parse("t.yaml", []byte(src), Options{})
	if r := tm.Resource("T"); r == nil || r.Created {
		t.Errorf("resource with a false condition must have Created=false: %+v", r)
	}
}
