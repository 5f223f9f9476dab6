package cloudtrail

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMapGenericAndCurated(t *testing.T) {
	tests := []struct {
		name string
		rec  string
		want []Mapped
	}{
		{"monitoring prefix is cloudwatch (CloudTrail record contents: eventSource exception)",
			`{"eventSource":"monitoring.amazonaws.com","eventName":"PutMetricData","awsRegion":"us-east-1"}`,
			[]Mapped{{Action: "cloudwatch:PutMetricData", Resource: "*", Kind: Generic}}},
		{"S3 HeadObject is authorised by s3:GetObject (S3 policy actions page)",
			`{"eventSource":"s3.amazonaws.com","eventName":"HeadObject","awsRegion":"us-east-1","requestParameters":{"bucketName":"b","key":"k/env"}}`,
			[]Mapped{{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k/env", Kind: Curated}}},
		{"S3 ListObjectsV2 is s3:ListBucket on the bucket from resources[]",
			`{"eventSource":"s3.amazonaws.com","eventName":"ListObjectsV2","resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]}`,
			[]Mapped{{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Kind: Generic}}},
		{"Lambda version suffix stripped (cloud-custodian#3292)",
			`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2"}`,
			[]Mapped{{Action: "lambda:UpdateFunctionCode", Resource: "*", Kind: Generic}}},
		{"KMS ReEncrypt needs ReEncryptFrom and ReEncryptTo",
			`{"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt"}`,
			[]Mapped{{Action: "kms:ReEncrypt*", Resource: "*", Kind: Generic}}},
		{"GetCallerIdentity needs no permission",
			`{"eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"}`,
			[]Mapped{{Action: "sts:GetCallerIdentity", Resource: "*", Kind: Permissionless}}},
		{"secret by name gets the six-character suffix wildcard",
			`{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"eu-west-1","recipientAccountId":"123456789012","requestParameters":{"secretId":"prod/db"}}`,
			[]Mapped{{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????", Kind: Curated}}},
		{"pre-2024 Secrets Manager aRN spelling is matched case-insensitively",
			`{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","requestParameters":{"SecretID":"arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf"}}`,
			[]Mapped{{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf", Kind: Curated}}},
		{"SSM names without resources[]; full ARNs kept; China partition",
			`{"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","awsRegion":"cn-north-1","recipientAccountId":"1","requestParameters":{"names":["/a/b","arn:aws-cn:ssm:cn-north-1:2:parameter/c"]}}`,
			[]Mapped{{Action: "ssm:GetParameters", Resource: "arn:aws-cn:ssm:cn-north-1:1:parameter/a/b", Kind: Curated},
				{Action: "ssm:GetParameters", Resource: "arn:aws-cn:ssm:cn-north-1:2:parameter/c", Kind: Curated}}},
		{"ECR repository built from request parameters when resources[] is absent; registryId names the owner",
			`{"eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","awsRegion":"us-east-1","recipientAccountId":"1","requestParameters":{"registryId":"999","repositoryName":"base/img"}}`,
			[]Mapped{{Action: "ecr:BatchGetImage", Resource: "arn:aws:ecr:us-east-1:999:repository/base/img", Kind: Curated}}},
		{"CreateLogGroup uses the log-stream-suffixed group ARN ECS prints",
			`{"eventSource":"logs.amazonaws.com","eventName":"CreateLogGroup","awsRegion":"us-east-1","recipientAccountId":"1","requestParameters":{"logGroupName":"/ecs/x"}}`,
			[]Mapped{{Action: "logs:CreateLogGroup", Resource: "arn:aws:logs:us-east-1:1:log-group:/ecs/x:log-stream:", Kind: Curated}}},
		{"KMS Decrypt via SSM carries PARAMETER_ARN as context",
			`{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"PARAMETER_ARN":"arn:aws:ssm:us-east-1:1:parameter/p"}},"resources":[{"ARN":"arn:aws:kms:us-east-1:1:key/k","type":"AWS::KMS::Key"}]}`,
			[]Mapped{{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:1:key/k", Context: "arn:aws:ssm:us-east-1:1:parameter/p", Kind: Curated}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRecord([]byte(tc.rec))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, Map(r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDenial(t *testing.T) {
	tests := []struct {
		msg  string
		want DenialDetail
		ok   bool
	}{
		{"User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:1:parameter/p because no identity-based policy allows the ssm:GetParameters action",
			DenialDetail{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:1:parameter/p", PolicyType: "identity-based"}, true},
		{"User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/k with an explicit deny in a service control policy",
			DenialDetail{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:1:key/k", PolicyType: "service control", Explicit: true}, true},
		{"User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/k with an explicit deny in an identity-based policy",
			DenialDetail{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:1:key/k", PolicyType: "identity-based", Explicit: true}, true},
		// STS: no reason clause (Stratus sample 06).
		{"User: arn:aws:iam::1:user/c is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x",
			DenialDetail{Action: "sts:AssumeRole", Resource: "arn:aws:iam::1:role/x"}, true},
		// EC2: prefix sentence and encoded message (Stratus sample 05).
		{"You are not authorized to perform this operation. User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:DescribeInstanceAttribute on resource: arn:aws:ec2:r:1:instance/* because no identity-based policy allows the ec2:DescribeInstanceAttribute action. Encoded authorization failure message: K2",
			DenialDetail{Action: "ec2:DescribeInstanceAttribute", Resource: "arn:aws:ec2:r:1:instance/*", PolicyType: "identity-based"}, true},
		{"User: arn:aws:sts::1:assumed-role/ci/x is not authorized to perform: ecs:DescribeServices",
			DenialDetail{Action: "ecs:DescribeServices"}, true},
		{"Access Denied", DenialDetail{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseDenial(tc.msg)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseDenial(%.60q) = %+v, %v; want %+v, %v", tc.msg, got, ok, tc.want, tc.ok)
		}
	}
	for code, want := range map[string]bool{"AccessDenied": true, "AccessDeniedException": true, "Client.UnauthorizedOperation": true, "ResourceNotFoundException": false, "": false} {
		if IsDenial(code) != want {
			t.Errorf("IsDenial(%q) = %v", code, !want)
		}
	}
}

func TestTaskSetKeepsSmallest(t *testing.T) {
	var s TaskSet
	for i := MaxTasks + 10; i > 0; i-- {
		s.add(string(rune('A'+i%26)) + string(rune('a'+i/26)) + "x")
	}
	if len(s.Names) != MaxTasks || !s.Truncated {
		t.Fatalf("len %d truncated %v", len(s.Names), s.Truncated)
	}
	var all TaskSet
	for i := 1; i <= MaxTasks+10; i++ {
		all.add(string(rune('A'+i%26)) + string(rune('a'+i/26)) + "x")
	}
	if diff := cmp.Diff(s, all); diff != "" {
		t.Errorf("order dependent (-desc +asc):\n%s", diff)
	}
}

func TestDedupSaturates(t *testing.T) {
	d := newDedupSet(8)
	for i := range 8 {
		if d.seen(string(rune('a' + i))) {
			t.Fatalf("%d reported as seen", i)
		}
	}
	if !d.seen("a") || d.saturated.Load() {
		t.Fatal("a not seen, or saturated too early")
	}
	if d.seen("zz") || !d.saturated.Load() {
		t.Fatal("full table admitted a new ID or did not report saturation")
	}
}

func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","requestParameters":{"names":["/a"]}}`))
	f.Add([]byte(`{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"SecretARN":1}},"resources":[{"arn":"x"}]}`))
	f.Add([]byte(`{"userIdentity":{"type":"AssumedRole","principalId":"A:b","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r"}}},"eventTime":"2025-13-01T00:00:00Z","eventSource":"logs.amazonaws.com","eventName":"CreateLogStream","errorCode":"AccessDenied","errorMessage":"User: x is not authorized to perform: a on resource: "}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte("{\"eventName\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var raw Record
		_ = parseRecordFast(b, &raw) // unvalidated input must not panic either
		r, err := ParseRecord(b)
		if err != nil {
			if r != nil {
				t.Fatal("error with non-nil record")
			}
			return
		}
		_ = Map(r)
		_, _ = r.Time()
		_ = r.SessionName()
		ParseDenial(r.ErrorMessage)
		a := newAggregator(&Filter{}, newDedupSet(16))
		a.add(r)
		_ = a.usage()
	})
}

// FuzzFile feeds whole files (any shape) to the reader: it must never
// panic, and a file is either read, skipped or reported.
func FuzzFile(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r"}}},"eventTime":"2025-03-01T00:00:00Z"}]}`))
	f.Add([]byte(`[{"a":1},2,"x",null]`))
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"eventName\":\"x\"}"}]}`))
	f.Add([]byte(`{"QueryResultRows":[[{"eventName":"x"},{"userIdentity":"{\"type\":\"AssumedRole\"}"}]]}`))
	f.Add([]byte(`{"digestStartTime":"x"}`))
	f.Add([]byte(`{"Records":[{"eventName":"\"\\`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := newAggregator(&Filter{}, newDedupSet(64))
		fr := newFileReader(a, &Filter{}, &progress{})
		_, _ = fr.walk(b)
		_ = a.usage()
	})
}
