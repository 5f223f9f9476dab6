package requirements_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/requirements"
)

// short renders a requirement as "role action resource" for compact tables.
func short(rs []requirements.Requirement) []string {
	var out []string
	for _, r := range rs {
		if r.Feature == requirements.FeatureTrust {
			continue
		}
		s := string(r.Role) + " " + r.Action + " " + r.Resource
		if r.Conditional {
			s += " [conditional]"
		}
		if r.Runtime {
			s += " [runtime]"
		}
		for _, k := range []string{"kms:ViaService"} {
			if v := r.Context[k]; len(v) > 0 {
				s += " " + k + "=" + strings.Join(v, ",")
			}
		}
		out = append(out, s)
	}
	return out
}

func deriveString(t *testing.T, src string, opts requirements.Options) ([]requirements.Requirement, []string) {
	t.Helper()
	reqs, ds := deriveBytes("td.json", []byte(src), opts)
	var diags []string
	for _, d := range ds {
		diags = append(diags, d.Error())
	}
	return reqs, diags
}

const acct = "111122223333"

func td(containers string, extra ...string) string {
	return `{"executionRoleArn":"arn:aws:iam::111122223333:role/x",` + strings.Join(extra, "") + `"containerDefinitions":[` + containers + `]}`
}

func TestDeriveFeatures(t *testing.T) {
	base := requirements.Options{Region: "eu-west-1", Account: acct}
	ec2 := base
	ec2.LaunchType = "EC2"
	noOverride := ec2
	noOverride.AWSLogsExecutionRoleOverride = new(bool)
	kms := base
	kms.KMSKeys = map[string]string{
		"/app/token": "arn:aws:kms:eu-west-1:111122223333:key/k1",
		"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123": "arn:aws:kms:eu-west-1:111122223333:key/k2",
	}
	tests := []struct {
		name      string
		src       string
		opts      requirements.Options
		want      []string
		wantDiags []string
	}{{
		name: "ECR_on_ECS.html: token on *, pull actions on the repository",
		src:  td(`{"name":"a","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"}`),
		opts: base,
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
		},
	}, {
		name: "public registries need nothing",
		src:  td(`{"name":"a","image":"public.ecr.aws/nginx/nginx:1"},{"name":"b","image":"nginx:latest"}`),
		opts: base,
	}, {
		name: "private-auth.html: repositoryCredentials by name, no ECR pull",
		src:  td(`{"name":"a","image":"quay.io/x/y:1","repositoryCredentials":{"credentialsParameter":"regcreds"}}`),
		opts: base,
		want: []string{"execution secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:111122223333:secret:regcreds-??????"},
	}, {
		name: "using_awslogs.html + moby cloudwatchlogs.go: stream, create-group, runtime PutLogEvents",
		src:  td(`{"name":"web","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-region":"us-east-2","awslogs-stream-prefix":"p","awslogs-create-group":"True"}}}`),
		opts: base,
		want: []string{
			"execution logs:CreateLogGroup arn:aws:logs:us-east-2:111122223333:log-group:g:log-stream: [conditional]",
			"execution logs:CreateLogStream arn:aws:logs:us-east-2:111122223333:log-group:g:log-stream:p/web/*",
			"execution logs:PutLogEvents arn:aws:logs:us-east-2:111122223333:log-group:g:log-stream:p/web/* [runtime]",
		},
	}, {
		name: "moby: awslogs-create-stream=false skips CreateLogStream",
		src:  td(`{"name":"web","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-stream":"s","awslogs-create-stream":"false"}}}`),
		opts: base,
		want: []string{"execution logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s [runtime]"},
	}, {
		name: "EC2 README ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false: awslogs via the instance role",
		src:  td(`{"name":"web","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-stream":"s"}}}`),
		opts: noOverride,
		want: []string{
			"instance logs:CreateLogStream arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s",
			"instance logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s [runtime]",
		},
	}, {
		name: "EC2 default: execution role for awslogs (ecs-init sets the override) and ECR (ShouldPullWithExecutionRole)",
		src:  td(`{"name":"web","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-stream":"s"}}}`),
		opts: ec2,
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution logs:CreateLogStream arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s",
			"execution logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s [runtime]",
		},
	}, {
		name: "ECR_on_ECS.html reading: EC2 pulls with the instance role when asked",
		src:  td(`{"name":"web","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app"}`),
		opts: requirements.Options{Region: "eu-west-1", Account: acct, LaunchType: "EC2", ECRPullWithInstanceRole: true},
		want: []string{
			"instance ecr:GetAuthorizationToken *",
			"instance ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"instance ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
		},
	}, {
		name: "pull-through-cache-iam.html: BatchImportUpstreamImage and CreateRepository under a cache prefix",
		src:  td(`{"name":"web","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/quay/org/app:1"}`),
		opts: requirements.Options{Region: "eu-west-1", Account: acct, PullThroughCachePrefixes: []string{"quay"}},
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/quay/org/app",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/quay/org/app",
			"execution ecr:BatchImportUpstreamImage arn:aws:ecr:eu-west-1:111122223333:repository/quay/org/app [conditional]",
			"execution ecr:CreateRepository arn:aws:ecr:eu-west-1:111122223333:repository/quay/org/app [conditional]",
		},
	}, {
		name: "fsxwindowsfileserver_windows.go: credentials read in the task region; other ARNs rejected",
		src: td(`{"name":"a","image":"nginx"}`, `"volumes":[{"name":"f","fsxWindowsFileServerVolumeConfiguration":{"authorizationConfig":{"credentialsParameter":"arn:aws:ssm:us-east-1:111122223333:parameter/fsx"}}},
{"name":"g","fsxWindowsFileServerVolumeConfiguration":{"authorizationConfig":{"credentialsParameter":"arn:aws:s3:::b/k"}}}],`),
		opts:      base,
		want:      []string{"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/fsx"},
		wantDiags: []string{"td.json:2:102: FSx credentials of volume g: unsupported credentialsParameter, only ssm/secretsmanager ARNs are valid"},
	}, {
		name: "FSx credentials not resolved: a warning, not an error",
		src: td(`{"name":"a","image":"nginx"}`, `"volumes":[{"name":"f","fsxWindowsFileServerVolumeConfiguration":{"authorizationConfig":{"credentialsParameter":"${lookup(var.x, \"p\", null)}"}}},
{"name":"g","fsxWindowsFileServerVolumeConfiguration":{"authorizationConfig":{"credentialsParameter":"${aws_secretsmanager_secret.fsx.arn}"}}}],`),
		opts: base,
		want: []string{"execution secretsmanager:GetSecretValue ${aws_secretsmanager_secret.fsx.arn}"},
		wantDiags: []string{
			`td.json:1:168: warning: FSx credentials of volume f: credentialsParameter is not resolved (${lookup(var.x, "p", null)}): the role needs ssm:GetParameters or secretsmanager:GetSecretValue on it`,
			"td.json:2:102: warning: FSx credentials of volume g: the reference is not resolved (${aws_secretsmanager_secret.fsx.arn}); it is the ARN of a Secrets Manager secret, granted on the placeholder",
		},
	}, {
		name: "secrets whose ARN is a Terraform placeholder: the service from the resource type",
		src: td(`{"name":"a","image":"nginx","secrets":[
{"name":"A","valueFrom":"${data.aws_secretsmanager_secret_version.db.arn}"},
{"name":"B","valueFrom":"${module.m.aws_ssm_parameter.p[0].arn}"},
{"name":"C","valueFrom":"${aws_ssm_parameter.q.name}"},
{"name":"D","valueFrom":"${aws_secretsmanager_secret_version.v.id}"},
{"name":"E","valueFrom":"${ImportValue:App-Secret-Arn}:PASSWORD::"}],
"repositoryCredentials":{"credentialsParameter":"${aws_secretsmanager_secret.registry.arn}"}}`),
		opts: base,
		want: []string{
			"execution secretsmanager:GetSecretValue ${aws_secretsmanager_secret.registry.arn}",
			"execution secretsmanager:GetSecretValue ${data.aws_secretsmanager_secret_version.db.arn}",
			"execution ssm:GetParameters ${module.m.aws_ssm_parameter.p[0].arn}",
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/${aws_ssm_parameter.q.name}",
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/${aws_secretsmanager_secret_version.v.id}",
			"execution secretsmanager:GetSecretValue ${ImportValue:App-Secret-Arn}",
		},
		wantDiags: []string{
			"td.json:2:25: warning: secret A of container a: the reference is not resolved (${data.aws_secretsmanager_secret_version.db.arn}); it is the ARN of a Secrets Manager secret, granted on the placeholder",
			"td.json:3:25: warning: secret B of container a: the reference is not resolved (${module.m.aws_ssm_parameter.p[0].arn}); it is the ARN of an SSM parameter, granted on the placeholder",
			"td.json:4:25: warning: secret C of container a: valueFrom is not resolved (${aws_ssm_parameter.q.name}); assuming an SSM parameter name",
			"td.json:5:25: warning: secret D of container a: valueFrom is not resolved (${aws_secretsmanager_secret_version.v.id}); assuming an SSM parameter name",
			"td.json:6:25: warning: secret E of container a: the reference is not resolved (${ImportValue:App-Secret-Arn}); it is the ARN of a Secrets Manager secret, granted on the placeholder",
			"td.json:7:49: warning: the registry credentials of container a: the reference is not resolved (${aws_secretsmanager_secret.registry.arn}); it is the ARN of a Secrets Manager secret, granted on the placeholder",
		},
	}, {
		name: "image from an aws_ecr_repository of the same configuration: ECR in the task's account",
		src:  td(`{"name":"a","image":"${module.m.aws_ecr_repository.app.repository_url}:latest"}`),
		opts: base,
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/${module.m.aws_ecr_repository.app.name}",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/${module.m.aws_ecr_repository.app.name}",
		},
		wantDiags: []string{`td.json:1:100: warning: image of container "a" is the URL of module.m.aws_ecr_repository.app, not resolved: assumed in the task's account and region`},
	}, {
		name: "no requiresCompatibilities and no awsvpc: an EC2 task, whose instance role pulls and logs",
		src: `{"containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1",
"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-region":"eu-west-1","awslogs-stream-prefix":"p"}}}]}`,
		opts: base,
		want: []string{
			"instance ecr:GetAuthorizationToken *",
			"instance ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"instance ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"instance logs:CreateLogStream arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:p/a/*",
			"instance logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:p/a/* [runtime]",
		},
	}, {
		name: "no requiresCompatibilities but awsvpc: Fargate stays possible, and needs the execution role",
		src:  `{"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"}]}`,
		opts: base,
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
		},
		wantDiags: []string{"td.json:1:69: Fargate requires task definition to have execution role ARN to support ECR images (set executionRoleArn)"},
	}, {
		name: "using_firelens.html: FireLens destinations belong to the task role",
		src:  td(`{"name":"app","image":"nginx","logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"kinesis_firehose","region":"us-east-1","delivery_stream":"ds"}}}`),
		opts: base,
		want: []string{"task firehose:PutRecordBatch arn:aws:firehose:us-east-1:111122223333:deliverystream/ds [runtime]"},
	}, {
		name: "API_Secret.html: SSM name with and without slash, other-region ARN",
		src:  td(`{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"A_NAME"},{"name":"B","valueFrom":"/p/b"},{"name":"C","valueFrom":"arn:aws:ssm:us-east-1:444455556666:parameter/c"}]}`),
		opts: base,
		want: []string{
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/A_NAME",
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/p/b",
			"execution ssm:GetParameters arn:aws:ssm:us-east-1:444455556666:parameter/c",
		},
	}, {
		name: "integration-ps-secretsmanager.html: /aws/reference/secretsmanager/ needs both",
		src:  td(`{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"/aws/reference/secretsmanager/s"}]}`),
		opts: base,
		want: []string{
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/aws/reference/secretsmanager/s",
			"execution secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-??????",
		},
	}, {
		name: "secrets-envvar-secrets-manager.html: json-key suffix stripped; log secretOptions",
		src:  td(`{"name":"a","image":"nginx","logConfiguration":{"logDriver":"splunk","secretOptions":[{"name":"splunk-token","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123:token::"}]}}`),
		opts: base,
		want: []string{"execution secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123"},
	}, {
		name: "ps-restrict-decryption.html: kms:Decrypt via the reading service, matched as written or resolved",
		src:  td(`{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"/app/token"},{"name":"B","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123:k::"}]}`),
		opts: kms,
		want: []string{
			"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/app/token",
			"execution kms:Decrypt arn:aws:kms:eu-west-1:111122223333:key/k1 kms:ViaService=ssm.eu-west-1.amazonaws.com",
			"execution secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC123",
			"execution kms:Decrypt arn:aws:kms:eu-west-1:111122223333:key/k2 kms:ViaService=secretsmanager.eu-west-1.amazonaws.com",
		},
	}, {
		name: "taskdef-envfiles.html: GetObject and GetBucketLocation",
		src:  td(`{"name":"a","image":"nginx","environmentFiles":[{"type":"s3","value":"arn:aws:s3:::b/k.env"}]}`),
		opts: base,
		want: []string{"execution s3:GetObject arn:aws:s3:::b/k.env", "execution s3:GetBucketLocation arn:aws:s3:::b"},
	}, {
		name: "efs-volumes.html: EFS IAM on the task role; read-only mount needs no ClientWrite",
		src: td(`{"name":"a","image":"nginx","mountPoints":[{"sourceVolume":"v","containerPath":"/v","readOnly":true}]}`,
			`"volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1","authorizationConfig":{"iam":"ENABLED"}}}],`),
		opts: base,
		want: []string{"task elasticfilesystem:ClientMount arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-1"},
	}, {
		name: "Fargate without executionRoleArn: registration errors (research §0 item 2)",
		src:  `{"requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-stream-prefix":"p"}}}]}`,
		opts: base,
		want: []string{
			"execution ecr:GetAuthorizationToken *",
			"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
			"execution logs:CreateLogStream arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:p/a/*",
			"execution logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:p/a/* [runtime]",
		},
		wantDiags: []string{
			"td.json:1:84: Fargate requires task definition to have execution role ARN to support ECR images (set executionRoleArn)",
			"td.json:1:167: Fargate requires task definition to have execution role ARN to support log driver awslogs (set executionRoleArn)",
		},
	}, {
		name:      "bad inputs name file:line:column",
		src:       td(`{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"arn:aws:s3:::b/k"}],"environmentFiles":[{"type":"http","value":"x"}]}`),
		opts:      base,
		wantDiags: []string{"td.json:1:143: secret A of container a: valueFrom names a s3 resource; expected an SSM parameter or a Secrets Manager secret", "td.json:1:192: environment file type \"http\" is not supported; ECS only knows \"s3\""},
	}, {
		name: "unknown account and region become placeholders",
		src:  `{"containerDefinitions":[{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"p"}]}]}`,
		want: []string{"execution ssm:GetParameters arn:aws:ssm:${Region}:${AccountId}:parameter/p"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reqs, diags := deriveString(t, tc.src, tc.opts)
			if diff := cmp.Diff(tc.want, short(reqs)); diff != "" {
				t.Errorf("requirements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantDiags, diags); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// Placeholders say which requirement they affect.
func TestDerivePlaceholderNotes(t *testing.T) {
	reqs, _ := deriveString(t, `{"containerDefinitions":[{"name":"a","image":"nginx","secrets":[{"name":"A","valueFrom":"p"}]}]}`, requirements.Options{})
	if len(reqs) != 1 || !reqs[0].Placeholder || len(reqs[0].Notes) != 2 {
		t.Fatalf("got %+v, want one placeholder requirement with account and region notes", reqs)
	}
}

// Reasons never contain secret values; the task definition holds none, but
// environment values sit next to secrets and must not leak into output.
func TestDeriveNoValuesInReasons(t *testing.T) {
	reqs, _ := deriveString(t, td(`{"name":"a","image":"nginx","environment":[{"name":"PW","value":"hunter2"}],"secrets":[{"name":"A","valueFrom":"p"}]}`), requirements.Options{})
	for _, r := range reqs {
		if strings.Contains(fmt.Sprint(r), "hunter2") || strings.Contains(r.Reason, "hunter2") {
			t.Errorf("requirement leaks an environment value: %v", r)
		}
	}
}

// FuzzDerive: any JSON the loader accepts derives without a panic into
// complete requirements.
func FuzzDerive(f *testing.F) {
	f.Add([]byte(td(`{"name":"a","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app","secrets":[{"name":"A","valueFrom":"arn:aws:secretsmanager:r:a:secret:x:y::"}]}`)))
	f.Add([]byte(`{"taskDefinition":{"containerDefinitions":[{"logConfiguration":{"logDriver":"awslogs","options":{}}}]}}`))
	f.Add([]byte(`{"volumes":[{"efsVolumeConfiguration":{"authorizationConfig":{"iam":"ENABLED"}}}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		reqs, _ := deriveBytes("f.json", src, requirements.Options{KMSKeys: map[string]string{"p": "k"}})
		for _, r := range reqs {
			if r.Action == "" || r.Resource == "" || r.Role == "" {
				t.Fatalf("incomplete requirement %+v", r)
			}
		}
	})
}

// CloudFormation spells the same properties in PascalCase, and some with
// acronyms (AWS::ECS::TaskDefinition EFSVolumeConfiguration, IAM).
func TestDeriveCloudFormationSpelling(t *testing.T) {
	src := `{"ExecutionRoleArn":"arn:aws:iam::111122223333:role/x","ContainerDefinitions":[{"Name":"a","Image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app",
"Secrets":[{"Name":"S","ValueFrom":"p"}],"MountPoints":[{"SourceVolume":"v","ContainerPath":"/v"}]}],
"Volumes":[{"Name":"v","EFSVolumeConfiguration":{"FilesystemId":"fs-1","AuthorizationConfig":{"IAM":"ENABLED"}}}]}`
	// As a template's AWS::ECS::TaskDefinition, where this spelling is
	// the right one; in register JSON the loader warns about it.
	tmpl := `{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"T":{"Type":"AWS::ECS::TaskDefinition","Properties":` + src + `}}}`
	reqs, diags := deriveString(t, tmpl, requirements.Options{Region: "eu-west-1"})
	want := []string{
		"execution ecr:GetAuthorizationToken *",
		"execution ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/p",
		"task elasticfilesystem:ClientMount arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-1",
		"task elasticfilesystem:ClientWrite arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-1",
		"execution ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/app",
		"execution ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/app",
	}
	if diff := cmp.Diff(want, short(reqs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(diags) != 0 {
		t.Errorf("diagnostics: %v", diags)
	}
}
