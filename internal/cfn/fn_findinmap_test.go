package cfn

import "testing"

const mappings = `Mappings:
  RegionMap:
    us-east-1:
      Image: ami-1`

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap.html
func TestFindInMapGetAttImportBase64(t *testing.T) {
	us := Options{Region: "us-east-1"}
	runCases(t, []fnCase{
		{name: "findinmap", sections: mappings, value: "!FindInMap [RegionMap, !Ref AWS::Region, Image]", want: "ami-1", opts: us},
		{name: "findinmap missing", sections: mappings, value: "!FindInMap [RegionMap, eu-west-1, Image]", want: "?${FindInMap:RegionMap.eu-west-1.Image}", diag: "Mappings has no"},
		{name: "findinmap unknown key", sections: mappings, value: "!FindInMap [RegionMap, !Ref AWS::Region, Image]", want: "?${FindInMap}"},
		{name: "getatt dotted", value: "!GetAtt R.Endpoint.Address", want: "?${GetAtt:R.Endpoint.Address}"},
		{name: "getatt long", value: "{Fn::GetAtt: [R, Arn]}", want: "?${GetAtt:R.Arn}"},
		{name: "getatt unknown resource", value: "!GetAtt Nope.Arn", want: "?${GetAtt:Nope.Arn}", diag: "names no resource"},
		{name: "import", value: "!ImportValue {Fn::Sub: '${AWS::Region}-Role'}", want: "?${ImportValue:eu-west-1-Role}", opts: Options{Region: "eu-west-1"}},
		{name: "base64", value: "!Base64 hi", want: "aGk="},
		{name: "getazs", value: "!GetAZs ''", want: "?${GetAZs}"},
		{name: "unsupported", value: "!Cidr [a, 1, 2]", want: "?${Fn::Cidr}", diag: "not evaluated offline"},
	})
}
