package cfn

import "testing"

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html
func TestJoinSelectSplit(t *testing.T) {
	runCases(t, []fnCase{
		{name: "join", value: "!Join [':', [arn, aws, s3]]", want: "arn:aws:s3"},
		{name: "join empty delim", value: "!Join ['', [a, !Ref AWS::Region]]", want: "aeu-west-1", opts: Options{Region: "eu-west-1"}},
		{name: "join placeholder", value: "!Join ['', [a, !GetAtt R.Arn]]", want: "?a${GetAtt:R.Arn}"},
		{name: "join bad", value: "!Join [x]", want: "?${Join}", diag: "Fn::Join: expected a list of 2"},
		{name: "select", value: "!Select [1, [a, b, c]]", want: "b"},
		{name: "select out of range", value: "!Select [5, [a]]", want: "?${Select}", diag: "not within"},
		{name: "split", value: "!Split [',', 'a,b']", want: "[a,b]"},
		{name: "select split", value: "!Select [2, !Split ['/', 'a/b/c']]", want: "c"},
		{name: "split unknown", value: "!Split [',', !ImportValue X]", want: "?${Split}"},
	})
}
