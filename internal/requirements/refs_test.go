package requirements_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/requirements"
)

// Image host forms from research §1.1: the ECR host regexp of
// ECR_on_ECS.html and agent/api/container/registryauth.go, FIPS and China
// endpoints, tags and digests, dual-stack hosts (aws/containers-roadmap#2611).
func TestParseImage(t *testing.T) {
	digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		ref     string
		want    requirements.Image
		repoARN string
		wantErr bool
	}{
		{ref: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4", want: requirements.Image{ECR: true, Account: "111122223333", Region: "eu-west-1", Partition: "aws", Repository: "shop/api", Tag: "1.4"},
			repoARN: "arn:aws:ecr:eu-west-1:111122223333:repository/shop/api"},
		{ref: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/api@" + digest, want: requirements.Image{ECR: true, Account: "111122223333", Region: "eu-west-1", Partition: "aws", Repository: "shop/api", Digest: digest},
			repoARN: "arn:aws:ecr:eu-west-1:111122223333:repository/shop/api"},
		{ref: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:v1@" + digest, want: requirements.Image{ECR: true, Account: "111122223333", Region: "eu-west-1", Partition: "aws", Repository: "api", Tag: "v1", Digest: digest},
			repoARN: "arn:aws:ecr:eu-west-1:111122223333:repository/api"},
		{ref: "111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app", want: requirements.Image{ECR: true, FIPS: true, Account: "111122223333", Region: "us-gov-west-1", Partition: "aws-us-gov", Repository: "app"},
			repoARN: "arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/app"},
		{ref: "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", want: requirements.Image{ECR: true, Account: "111122223333", Region: "cn-north-1", Partition: "aws-cn", Repository: "app", Tag: "1"},
			repoARN: "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app"},
		{ref: "111122223333.dkr-ecr.us-east-1.on.aws/app:1", want: requirements.Image{DualStack: true, Account: "111122223333", Region: "us-east-1", Partition: "aws", Repository: "app", Tag: "1"}},
		{ref: "public.ecr.aws/nginx/nginx:1.27", want: requirements.Image{Public: true, Repository: "nginx/nginx", Tag: "1.27"}},
		{ref: "nginx", want: requirements.Image{Public: true, Repository: "nginx"}},
		{ref: "localhost:5000/app:1", want: requirements.Image{Repository: "app", Tag: "1"}},
		{ref: "registry.example.com:5000/team/app", want: requirements.Image{Repository: "team/app"}},
		{ref: "", wantErr: true},
		{ref: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:", wantErr: true},
		{ref: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@md5:00", wantErr: true},
		{ref: "a b", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			got, err := requirements.ParseImage(tc.ref)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tc.repoARN != "" && got.RepositoryARN() != tc.repoARN {
				t.Errorf("RepositoryARN = %s, want %s", got.RepositoryARN(), tc.repoARN)
			}
		})
	}
}

// Secrets Manager ARN shapes of agent/taskresource/asmsecret/asmsecret.go
// getASMParametersFromInput and secrets-envvar-secrets-manager.html.
func TestParseSecretARN(t *testing.T) {
	tests := []struct {
		in                  string
		resource, name      string
		pattern             bool
		key, stage, version string
		wantErr             bool
	}{
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123", resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123", name: "db"},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123:password::", resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123", name: "db", key: "password"},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123::AWSPREVIOUS:", resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123", name: "db", stage: "AWSPREVIOUS"},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db", resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????", name: "prod/db", pattern: true},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db:user::", resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????", name: "prod/db", pattern: true, key: "user"},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db:a:b", wantErr: true},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123::AWSCURRENT:v1", wantErr: true},
		{in: "arn:aws:secretsmanager::111122223333:secret:db", wantErr: true},
		{in: "arn:aws:ssm:eu-west-1:111122223333:parameter/x", wantErr: true},
		{in: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ref, err := requirements.ParseSecretARN(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			res, _, pattern := ref.Pattern()
			got := []any{res, ref.Name, pattern, ref.JSONKey, ref.VersionStage, ref.VersionID}
			want := []any{tc.resource, tc.name, tc.pattern, tc.key, tc.stage, tc.version}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// SSM names with or without a leading slash evaluate with exactly one "/"
// after "parameter" (copilot-cli#4504, research §1.3).
func TestParameterARN(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"GOOGLE_CLIENT_ID", "arn:aws:ssm:eu-west-2:111122223333:parameter/GOOGLE_CLIENT_ID"},
		{"/JobSyncHub/email/AWS_SES_SENDER", "arn:aws:ssm:eu-west-2:111122223333:parameter/JobSyncHub/email/AWS_SES_SENDER"},
	} {
		if got := requirements.ParameterARN("aws", "eu-west-2", "111122223333", tc.name); got != tc.want {
			t.Errorf("ParameterARN(%q) = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// agent/s3/s3.go parses arn:([^:]+):s3:::([^/]+)/(.+).
func TestParseS3ObjectARN(t *testing.T) {
	for _, tc := range []struct {
		in             string
		object, bucket string
		wantErr        bool
	}{
		{in: "arn:aws:s3:::b/k/x.env", object: "arn:aws:s3:::b/k/x.env", bucket: "arn:aws:s3:::b"},
		{in: "arn:aws-cn:s3:::b/x", object: "arn:aws-cn:s3:::b/x", bucket: "arn:aws-cn:s3:::b"},
		{in: "arn:aws:s3:::b", wantErr: true},
		{in: "s3://b/k", wantErr: true},
		{in: "arn:aws:s3:::b/", wantErr: true},
	} {
		o, err := requirements.ParseS3ObjectARN(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseS3ObjectARN(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && (o.ObjectARN() != tc.object || o.BucketARN() != tc.bucket) {
			t.Errorf("ParseS3ObjectARN(%q) = %s, %s", tc.in, o.ObjectARN(), o.BucketARN())
		}
	}
}

func FuzzParseImage(f *testing.F) {
	for _, s := range []string{"111122223333.dkr.ecr.eu-west-1.amazonaws.com/a/b:1@sha256:00", "nginx", "public.ecr.aws/x/y", "localhost:5000/a:", "::@@", "111122223333.dkr-ecr.us-east-1.on.aws/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		img, err := requirements.ParseImage(s)
		if err != nil && img.ECR {
			t.Fatalf("error %v with an ECR result", err)
		}
		if err == nil && img.ECR && (img.Repository == "" || len(img.Account) != 12) {
			t.Fatalf("ECR image without repository or account: %+v", img)
		}
	})
}

func FuzzParseSecretARN(f *testing.F) {
	for _, s := range []string{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123:k::", "arn:aws:secretsmanager:r:a:secret:x", "arn:::::", "arn:aws:secretsmanager:r:a:secret:a:b:c:d:e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := requirements.ParseSecretARN(s)
		if err != nil && ref.Name != "" {
			t.Fatalf("error %v with a result %+v", err, ref)
		}
		if err == nil {
			res, sample, _ := ref.Pattern()
			if res == "" || sample == "" {
				t.Fatalf("empty pattern for %q", s)
			}
		}
	})
}
