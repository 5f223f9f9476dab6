package iamdata_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// line numbers every value the helpers create, so that tests can check
// that diagnostics point at the right element.
type builder struct{ line int }

func (b *builder) val(text string) policy.Value {
	b.line++
	return policy.Value{Text: text, Range: source.Range{File: "p.json", Start: source.Pos{Line: b.line, Column: 1}}}
}

func (b *builder) vals(texts ...string) []policy.Value {
	var out []policy.Value
	for _, t := range texts {
		out = append(out, b.val(t))
	}
	return out
}

type stmt struct {
	actions, resources []string
	notAction          bool
	notResource        bool
	noResource         bool
	conditions         []string // keys
}

func (b *builder) policy(version string, stmts ...stmt) *policy.Policy {
	p := &policy.Policy{Name: "p.json", Version: version}
	for i, s := range stmts {
		st := &policy.Statement{Index: i, Effect: policy.Allow, ActionSet: true, NotAction: s.notAction,
			ResourceSet: !s.noResource, NotResource: s.notResource}
		st.Actions = b.vals(s.actions...)
		st.Resources = b.vals(s.resources...)
		for _, k := range s.conditions {
			v := b.val(k)
			st.Conditions = append(st.Conditions, &policy.Condition{
				Operator: policy.Operator{Base: "StringEquals"}, OperatorText: "StringEquals",
				Key: k, Values: []policy.Value{b.val("x")}, Range: v.Range})
		}
		p.Statements = append(p.Statements, st)
	}
	return p
}

// diag is a diagnostic reduced to what the tests compare: the line of the
// value it points at (lines are assigned in the order values are built:
// actions, resources, then condition key and value per condition) and a
// fragment of its message.
type diag struct {
	Line     int
	Fragment string
}

// Validate's rules and their AWS sources are documented on Validate.
func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		stmts   []stmt
		want    []diag
	}{
		{
			name: "execution role policy is clean",
			stmts: []stmt{{
				actions:   []string{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"},
				resources: []string{"*"},
			}},
		},
		{
			name: "scoped ECR, logs, secrets and parameters are clean",
			stmts: []stmt{
				{actions: []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, resources: []string{"arn:aws:ecr:us-east-1:123456789012:repository/app"}},
				{actions: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, resources: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*"}},
				{actions: []string{"secretsmanager:GetSecretValue"}, resources: []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}},
				{actions: []string{"ssm:GetParameters"}, resources: []string{"arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/*"}},
				{actions: []string{"kms:Decrypt"}, resources: []string{"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
					conditions: []string{"kms:ViaService", "aws:SourceVpce", "aws:ResourceTag/team", "kms:ResourceAliases"}},
			},
		},
		{
			name:  "unknown action suggests the nearest",
			stmts: []stmt{{actions: []string{"ecr:GetAuthorisationToken"}, resources: []string{"*"}}},
			want:  []diag{{1, `unknown action "ecr:GetAuthorisationToken"; did you mean "ecr:GetAuthorizationToken"?`}},
		},
		{
			name:  "unknown service suggests the nearest",
			stmts: []stmt{{actions: []string{"ecrr:GetAuthorizationToken"}, resources: []string{"*"}}},
			want:  []diag{{1, `unknown service prefix "ecrr" in action "ecrr:GetAuthorizationToken"; did you mean "ecr:GetAuthorizationToken"?`}},
		},
		{
			name:  "far-off names get no suggestion",
			stmts: []stmt{{actions: []string{"ecr:Xyzzyplugh", "zzzzzzzzzzzz:Get"}, resources: []string{"*"}}},
			want:  []diag{{1, `unknown action "ecr:Xyzzyplugh"`}, {2, `unknown service prefix "zzzzzzzzzzzz" in action "zzzzzzzzzzzz:Get"`}},
		},
		{
			name:  "malformed action",
			stmts: []stmt{{actions: []string{"ecr", "ecr:"}, resources: []string{"*"}}},
			want:  []diag{{1, `"ecr" is not of the form service:action`}, {2, `"ecr:" is not of the form service:action`}},
		},
		{
			name:  "glob matching nothing",
			stmts: []stmt{{actions: []string{"ecr:Frobnicate*", "zz*:Get*", "ecr:Get*"}, resources: []string{"*"}}},
			want:  []diag{{1, `"ecr:Frobnicate*" matches no action of Amazon Elastic Container Registry`}, {2, `"zz*:Get*" matches no known action`}},
		},
		{
			name: "wildcard-only action with a scoped resource",
			stmts: []stmt{{
				actions:   []string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage"},
				resources: []string{"arn:aws:ecr:us-east-1:123456789012:repository/app"},
			}},
			want: []diag{{1, `ecr:GetAuthorizationToken supports no resource-level permissions (per the service reference), so only "Resource": "*" grants it`}},
		},
		{
			name:  "wildcard-only glob with a scoped resource",
			stmts: []stmt{{actions: []string{"ecr:GetAuthorizationTok*"}, resources: []string{"arn:aws:ecr:*:*:repository/*"}}},
			want:  []diag{{1, `"ecr:GetAuthorizationTok*" matches only actions that support no resource-level permissions`}},
		},
		{
			name:  "wildcard-only action under NotResource is not flagged",
			stmts: []stmt{{actions: []string{"ecr:GetAuthorizationToken"}, resources: []string{"arn:aws:ecr:*:*:repository/x"}, notResource: true}},
		},
		{
			name:  "ARN of the wrong service",
			stmts: []stmt{{actions: []string{"secretsmanager:GetSecretValue"}, resources: []string{"arn:aws:ssm:us-east-1:123456789012:parameter/db"}}},
			want:  []diag{{2, `resource "arn:aws:ssm:us-east-1:123456789012:parameter/db" matches no resource type of the statement's actions; expected arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}`}},
		},
		{
			name:  "SSM parameter ARN with a leading slash is fine, bare name is not an ARN",
			stmts: []stmt{{actions: []string{"ssm:GetParameters"}, resources: []string{"arn:aws:ssm:eu-west-1:123456789012:parameter/app/db", "/app/db"}}},
			want:  []diag{{3, `resource "/app/db" is neither "*" nor an ARN`}},
		},
		{
			name:  "object action on a bucket ARN",
			stmts: []stmt{{actions: []string{"s3:GetObject"}, resources: []string{"arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"}}},
			want:  []diag{{2, `resource "arn:aws:s3:::my-bucket" matches no resource type of the statement's actions; expected arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName} or arn:${Partition}:s3:::${BucketName}/${ObjectName}`}},
		},
		{
			name:    "policy variables match what they expand to",
			version: policy.Version2012,
			stmts:   []stmt{{actions: []string{"s3:GetObject"}, resources: []string{"arn:aws:s3:::bucket/home/${aws:username}/*"}}},
		},
		{
			name:  "unknown action leaves resources unchecked",
			stmts: []stmt{{actions: []string{"ecr:Nope"}, resources: []string{"arn:aws:s3:::b"}}},
			want:  []diag{{1, `unknown action "ecr:Nope"`}},
		},
		{
			name:  "NotAction leaves resources and action keys unchecked",
			stmts: []stmt{{actions: []string{"iam:*"}, notAction: true, resources: []string{"arn:aws:s3:::b"}, conditions: []string{"ecr:ResourceTag/x"}}},
		},
		{
			name:  "unknown global key",
			stmts: []stmt{{actions: []string{"ecr:BatchGetImage"}, resources: []string{"*"}, conditions: []string{"aws:SourceVPCE", "aws:SoruceVpce", "aws:Nothing"}}},
			want:  []diag{{5, `unknown global condition key "aws:SoruceVpce"; did you mean "aws:SourceVpce"?`}, {7, `unknown global condition key "aws:Nothing"`}},
		},
		{
			name:  "unknown service key",
			stmts: []stmt{{actions: []string{"kms:Decrypt"}, resources: []string{"*"}, conditions: []string{"kms:ViaServices"}}},
			want:  []diag{{3, `unknown condition key "kms:ViaServices"; did you mean "kms:ViaService"?`}},
		},
		{
			name:  "known key not supported by the actions",
			stmts: []stmt{{actions: []string{"ecr:GetAuthorizationToken"}, resources: []string{"*"}, conditions: []string{"secretsmanager:SecretId", "ec2:SourceInstanceArn", "sts:ExternalId"}}},
			want: []diag{
				{3, `condition key "secretsmanager:SecretId" is not supported by any of the statement's actions`},
				{7, `condition key "sts:ExternalId" is not supported by any of the statement's actions`},
			},
		},
		{
			name:  "resource-type keys count, and identity-provider keys are skipped",
			stmts: []stmt{{actions: []string{"ecr:BatchGetImage", "sts:AssumeRoleWithWebIdentity"}, resources: []string{"*"}, conditions: []string{"ecr:ResourceTag/env", "token.actions.githubusercontent.com:sub", "sts:RoleSessionName"}}},
		},
		{
			name:  "key without prefix",
			stmts: []stmt{{actions: []string{"ecr:BatchGetImage"}, resources: []string{"*"}, conditions: []string{"SourceIp"}}},
			want:  []diag{{3, `condition key "SourceIp" has no prefix`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b builder
			ds := iamdata.Validate(b.policy(tc.version, tc.stmts...))
			var got []diag
			for i, d := range ds {
				if d.Severity != source.Warning {
					t.Errorf("diagnostic %d is not a warning: %v", i, d)
				}
				g := diag{Line: d.Range.Start.Line, Fragment: d.Summary}
				if i < len(tc.want) && strings.Contains(d.Summary, tc.want[i].Fragment) {
					g.Fragment = tc.want[i].Fragment
				}
				got = append(got, g)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s\nall: %v", diff, ds)
			}
		})
	}
	if ds := iamdata.Validate(nil); ds != nil {
		t.Errorf("Validate(nil) = %v", ds)
	}
}

func BenchmarkValidate(b *testing.B) {
	var bl builder
	p := bl.policy(policy.Version2012,
		stmt{actions: []string{"ecr:GetAuthorizationToken"}, resources: []string{"*"}},
		stmt{actions: []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}, resources: []string{"arn:aws:ecr:us-east-1:123456789012:repository/app"}},
		stmt{actions: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, resources: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*"}},
		stmt{actions: []string{"secretsmanager:GetSecretValue", "kms:Decrypt"}, resources: []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*", "arn:aws:kms:us-east-1:123456789012:key/*"}, conditions: []string{"kms:ViaService"}},
		stmt{actions: []string{"s3:Get*"}, resources: []string{"arn:aws:s3:::bucket/*"}},
	)
	iamdata.Validate(p)
	b.ReportAllocs()
	for b.Loop() {
		if ds := iamdata.Validate(p); len(ds) != 0 {
			b.Fatal(ds)
		}
	}
}

// FuzzValidate checks that Validate never panics and only warns.
func FuzzValidate(f *testing.F) {
	f.Add("ecr:GetAuthorizationToken", "arn:aws:ecr:*:*:repository/x", "aws:SourceArn", "2012-10-17")
	f.Add("s3:Get*", "arn:aws:s3:::b/${aws:username}/*", "s3:ExistingObjectTag/x", "2012-10-17")
	f.Add("*", "*", "ecr:ResourceTag/", "")
	f.Add("ecr:", "arn:", ":", "2012-10-17")
	f.Fuzz(func(t *testing.T, action, resource, key, version string) {
		var b builder
		for _, p := range []*policy.Policy{
			b.policy(version, stmt{actions: []string{action}, resources: []string{resource}, conditions: []string{key}}),
			b.policy(version, stmt{actions: []string{action, "ecr:BatchGetImage"}, resources: []string{resource}, notResource: true, conditions: []string{key}}),
		} {
			for _, d := range iamdata.Validate(p) {
				if d.Severity != source.Warning || !d.Range.Start.IsValid() {
					t.Fatalf("bad diagnostic %v", d)
				}
			}
		}
	})
}
