package iamdata_test

import (
	"slices"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"testing"

	"github.com/execrole/execrole/internal/iamdata"
)

// Wildcard-only actions are those whose "Resource types" column is empty in
// the Service Authorization Reference, e.g. for ECR:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
func TestWildcardOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action       string
		wildcard, ok bool
	}{
		{"ecr:GetAuthorizationToken", true, true},
		{"ECR:getauthorizationtoken", true, true},
		{"ecr:BatchGetImage", false, true},
		{"ecr:GetDownloadUrlForLayer", false, true},
		{"logs:CreateLogStream", false, true},
		{"logs:PutLogEvents", false, true},
		{"secretsmanager:GetSecretValue", false, true},
		{"ssm:GetParameters", false, true},
		{"kms:Decrypt", false, true},
		{"sts:GetCallerIdentity", true, true},
		{"ecr:NoSuchAction", false, false},
		{"nosuchservice:Get", false, false},
		{"ecr", false, false},
		{"", false, false},
		{"ecr:", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			w, ok := iamdata.WildcardOnly(tc.action)
			if w != tc.wildcard || ok != tc.ok {
				t.Errorf("WildcardOnly(%q) = %v, %v; want %v, %v", tc.action, w, ok, tc.wildcard, tc.ok)
			}
		})
	}
}

// Resource types per action, from the Service Authorization Reference pages
// for CloudWatch Logs, Secrets Manager, Systems Manager and ECR:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
func TestLookupAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action      string
		wantName    string
		accessLevel string
		types       []iamdata.ResourceTypeRef
	}{
		{"logs:createlogstream", "logs:CreateLogStream", "Write", []iamdata.ResourceTypeRef{
			{Name: "log-stream", Required: true}}},
		{"logs:PutLogEvents", "logs:PutLogEvents", "Write", []iamdata.ResourceTypeRef{
			{Name: "log-stream", Required: true}}},
		{"logs:CreateLogGroup", "logs:CreateLogGroup", "Write", []iamdata.ResourceTypeRef{
			{Name: "log-group", Required: true}}},
		{"secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue", "Read", []iamdata.ResourceTypeRef{
			{Name: "Secret", Required: true}}},
		{"ssm:GetParameters", "ssm:GetParameters", "Read", []iamdata.ResourceTypeRef{
			{Name: "parameter", Required: true}}},
		{"ecr:GetAuthorizationToken", "ecr:GetAuthorizationToken", "Read", nil},
		{"ecr:BatchGetImage", "ecr:BatchGetImage", "Read", []iamdata.ResourceTypeRef{
			{Name: "repository", Required: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			a, ok := iamdata.LookupAction(tc.action)
			if !ok {
				t.Fatalf("LookupAction(%q) not found", tc.action)
			}
			if got := a.FullName(); got != tc.wantName {
				t.Errorf("FullName = %q, want %q", got, tc.wantName)
			}
			if a.AccessLevel != tc.accessLevel {
				t.Errorf("AccessLevel = %q, want %q", a.AccessLevel, tc.accessLevel)
			}
			ignoreKeys := cmpopts.IgnoreFields(iamdata.ResourceTypeRef{}, "ConditionKeys")
			if diff := cmp.Diff(tc.types, a.ResourceTypes, ignoreKeys, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ResourceTypes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupService(t *testing.T) {
	t.Parallel()
	s, ok := iamdata.LookupService("ECR")
	if !ok || s.Prefix != "ecr" || s.Name != "Amazon Elastic Container Registry" {
		t.Fatalf("LookupService(ECR) = %+v, %v", s, ok)
	}
	if _, ok := iamdata.LookupService("nosuchservice"); ok {
		t.Error("LookupService(nosuchservice) found")
	}
	if n := len(iamdata.Services()); n < 400 {
		t.Errorf("only %d services", n)
	}
}

func TestResourceType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, name, arn string
	}{
		{"ecr", "repository", "arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}"},
		{"logs", "log-group", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"},
		{"logs", "LOG-STREAM", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"},
		{"secretsmanager", "secret", "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"},
		{"ssm", "parameter", "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}"},
	}
	for _, tc := range tests {
		rt, ok := iamdata.ResourceType(tc.service, tc.name)
		if !ok {
			t.Errorf("ResourceType(%q, %q) not found", tc.service, tc.name)
			continue
		}
		if rt.ARN != tc.arn {
			t.Errorf("ResourceType(%q, %q).ARN = %q, want %q", tc.service, tc.name, rt.ARN, tc.arn)
		}
	}
	if _, ok := iamdata.ResourceType("ecr", "nosuchtype"); ok {
		t.Error("ResourceType(ecr, nosuchtype) found")
	}
	if _, ok := iamdata.ResourceType("nosuch", "repository"); ok {
		t.Error("ResourceType(nosuch, repository) found")
	}
}

// ARN formats from the Service Authorization Reference (see TestLookupAction)
// and Resource element matching:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func TestResourceTypesForARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, arn string
		want         []string
	}{
		{"ecr", "arn:aws:ecr:us-east-1:123456789012:repository/my-app", []string{"repository"}},
		{"ecr", "arn:aws:ecr:us-east-1:123456789012:repository/team/my-app", []string{"repository"}},
		{"ecr", "arn:aws:ecr:*:123456789012:repository/*", []string{"repository"}},
		{"", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/x", []string{"repository"}},
		{"ecr", "arn:aws:ecr:us-east-1:123456789012:repo/x", nil},
		{"ecr", "arn:aws:s3:::bucket", nil},
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app", []string{"log-group"}},
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:ecs/web/abc", []string{"log-stream"}},
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*", []string{"log-group", "log-stream"}},
		{"secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-pass-AbCdEf", []string{"Secret"}},
		{"secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-pass-??????", []string{"Secret"}},
		{"ssm", "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/db", []string{"parameter"}},
		{"ssm", "arn:aws:ssm:us-east-1:123456789012:parameter/app/*", []string{"parameter"}},
		{"s3", "arn:aws:s3:::my-bucket", []string{"bucket"}},
		{"s3", "arn:aws:s3:::my-bucket/a:b/c.txt", []string{"object"}},
		{"s3", "arn:aws:s3:::my-bucket/*", []string{"bucket", "object"}},
		{"s3", "arn:aws:s3:us-east-1::my-bucket", nil},
		{"nosuch", "arn:aws:nosuch:::x", nil},
		{"", "*", nil},
		{"", "not-an-arn", nil},
	}
	for _, tc := range tests {
		t.Run(tc.arn, func(t *testing.T) {
			t.Parallel()
			got := iamdata.ResourceTypesForARN(tc.service, tc.arn)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ResourceTypesForARN(%q, %q) (-want +got):\n%s", tc.service, tc.arn, diff)
			}
		})
	}
	// A pure "*" ARN matches every type of the service.
	s, _ := iamdata.LookupService("ecs")
	if got := iamdata.ResourceTypesForARN("ecs", "*"); len(got) != len(s.ResourceTypes) {
		t.Errorf("ResourceTypesForARN(ecs, *) = %d types, want %d", len(got), len(s.ResourceTypes))
	}
}

func TestExpandActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    []string
	}{
		{"ecr:GetAuthorizationToken", []string{"ecr:GetAuthorizationToken"}},
		{"ECR:GETAUTHORIZATIONTOKEN", []string{"ecr:GetAuthorizationToken"}},
		{"ecr:BatchGet*", []string{"ecr:BatchGetImage", "ecr:BatchGetRepositoryScanningConfiguration"}},
		{"logs:Create*Stream", []string{"logs:CreateLogStream"}},
		{"logs:PutLog?vents", []string{"logs:PutLogEvents"}},
		{"ecr:NoSuch*", nil},
		{"ecr:NoSuch", nil},
		{"nosuch:*", nil},
		{"nocolon", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, iamdata.ExpandActions(tc.pattern), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ExpandActions(%q) (-want +got):\n%s", tc.pattern, diff)
			}
		})
	}
	all := iamdata.ExpandActions("*")
	if len(all) < 20000 {
		t.Errorf("ExpandActions(*) = %d actions, want > 20000", len(all))
	}
	ecr := iamdata.ExpandActions("ecr:*")
	s, _ := iamdata.LookupService("ecr")
	if len(ecr) != len(s.Actions) {
		t.Errorf("ExpandActions(ecr:*) = %d, want %d", len(ecr), len(s.Actions))
	}
	if got := iamdata.ExpandActions("e?r:GetAuthorizationToken"); !slices.Contains(got, "ecr:GetAuthorizationToken") {
		t.Errorf("ExpandActions(e?r:GetAuthorizationToken) = %q", got)
	}
	// Case-insensitive glob over services spans ecr and ecr-public.
	if got := iamdata.ExpandActions("ecr*:GetAuthorizationToken"); !cmp.Equal(got, []string{"ecr-public:GetAuthorizationToken", "ecr:GetAuthorizationToken"}) &&
		!cmp.Equal(got, []string{"ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken"}) {
		t.Errorf("ExpandActions(ecr*:GetAuthorizationToken) = %q", got)
	}
}

// Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// Service keys: the Service Authorization Reference pages.
func TestConditionKeyType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"aws:SourceArn", "ARN", true},
		{"AWS:SOURCEARN", "ARN", true},
		{"aws:SourceIp", "IPAddress", true},
		{"aws:SecureTransport", "Bool", true},
		{"aws:CurrentTime", "Date", true},
		{"aws:MultiFactorAuthAge", "Numeric", true},
		{"aws:TagKeys", "ArrayOfString", true},
		{"aws:ResourceTag/Project", "String", true},
		{"aws:ResourceTag/aws:cloudformation:stack-name", "String", true},
		{"aws:PrincipalTag/team", "String", true},
		{"ecr:ResourceTag/env", "String", true},
		{"secretsmanager:SecretId", "ARN", true},
		// Written secretsmanager:ResourceTag/tag-key and s3:ExistingObjectTag/<key> in the reference.
		{"secretsmanager:ResourceTag/aws:secretsmanager:owningService", "String", true},
		{"ssm:resourceTag/env", "String", true},
		{"s3:ExistingObjectTag/classification", "String", true},
		{"kms:ViaService", "String", true},
		{"iam:PassedToService", "String", true},
		{"aws:ResourceTag/", "", false},
		{"aws:NoSuchKey", "", false},
		{"ecr:NoSuchKey", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			got, ok := iamdata.ConditionKeyType(tc.key)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ConditionKeyType(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// RCP-supported services:
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
func TestRCPSupported(t *testing.T) {
	t.Parallel()
	for svc, want := range map[string]bool{"s3": true, "sts": true, "kms": true, "secretsmanager": true, "SQS": true, "ecs": false, "ec2": false, "nosuch": false} {
		if got := iamdata.RCPSupported(svc); got != want {
			t.Errorf("RCPSupported(%q) = %v, want %v", svc, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	if iamdata.Version == "" || iamdata.UpdatedAt == "" {
		t.Errorf("Version = %q, UpdatedAt = %q", iamdata.Version, iamdata.UpdatedAt)
	}
}

func BenchmarkLookupAction(b *testing.B) {
	iamdata.LookupAction("ecr:GetAuthorizationToken")
	names := []string{"ecr:GetAuthorizationToken", "logs:CreateLogStream", "SecretsManager:GetSecretValue", "ssm:GetParameters", "ecr:NoSuch"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		iamdata.LookupAction(names[i%len(names)])
	}
}

func BenchmarkExpandActions(b *testing.B) {
	for _, p := range []string{"ecr:Get*", "*:Get*", "s3:*Object*", "*"} {
		b.Run(p, func(b *testing.B) {
			iamdata.ExpandActions(p)
			b.ReportAllocs()
			for b.Loop() {
				iamdata.ExpandActions(p)
			}
		})
	}
}
