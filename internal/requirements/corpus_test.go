package requirements_test

import (
	"path/filepath"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/requirements"
)

func sharedDir(t *testing.T) string { return testutil.SharedDir(t) }

// corpusCases is a curated subset of /work/shared/corpus/taskdef-json with
// what each one exercises and what surprised us when we first ran it.
var corpusCases = []struct {
	file string
	opts requirements.Options
	why  string
}{
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__secrets-environment-variables__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"Surprise: the agent's functional tests template valueFrom as $$$SECRET_VALUE_FROM$$$; it is taken as an SSM name, as ECS would."},
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__private-registry-auth-asm-validator-unix__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"repositoryCredentials on EC2."},
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__firelens-fluentbit-s3__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"FireLens config from S3 on EC2; the bucket is a $$$TEST_S3_BUCKET$$$ template, kept as written and flagged as a placeholder."},
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__gmsa-s3__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"gMSA credential spec in S3."},
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__gmsa-ssm__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"Surprise: the spec is \"credentialspec:$$$TEST_SSM_ARN$$$\"; an unresolved spec cannot be granted, so it is a warning, not a requirement."},
	{"aws__amazon-ecs-agent__agent__functional_tests__testdata__taskdefinitions__awslogs-secret-support-multiline__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333", LaunchType: "EC2"},
		"awslogs with a secretOptions SSM name; awslogs-region is a $$$TEST_REGION$$$ template and lands in the log ARNs as written."},
	{"aws-samples__amazon-ecs-firelens-examples__examples__fluent-bit__cross-account__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333"},
		"Surprise: the log group name holds a Fluent Bit variable $(ecs_cluster); the task-role grant keeps it literally (flagged). The log router image is in AWS's ECR account 906394416424: a cross-account pull whose repository policy AWS already set."},
	{"aws-samples__amazon-ecs-firelens-examples__examples__fluent-bit__multi-config-support__task-definition.json", requirements.Options{Region: "us-west-2", Account: "111122223333"},
		"FireLens multi-config."},
	{"insano70__bcos__task-def-production-current.json", requirements.Options{},
		"A real export: 16 secrets are JSON keys of one Secrets Manager secret; they collapse into one grant in rolegen. Account inferred from executionRoleArn."},
	{"terraform-aws-modules__terraform-aws-ecs__examples__container-definition__definition.json", requirements.Options{Region: "eu-west-1", Account: "111122223333"},
		"Surprise: a single container definition, not a task definition; and its environmentFiles value is an s3:// URL, which ECS rejects (it needs an ARN, agent/s3/s3.go), reported as an error."},
	{"kayac__ecspresso__tests__td.json", requirements.Options{Region: "ap-northeast-1", Account: "111122223333"},
		"Surprise: ecspresso templates the image tag ({{ env ... }}) and uses one role as both task and execution role, which we warn about."},
	{"calemcnulty-gai__chatgenius__ecs-task-definition.json", requirements.Options{Region: "us-east-1"},
		"Surprise: taskRoleArn equals executionRoleArn (ecsTaskExecutionRole), giving the app every execution permission; warned."},
	{"yetigong__trading-agent__aws__deployment__task-definition.json", requirements.Options{Region: "us-east-1"},
		"SSM ARNs in us-west-2 while the task is told to run in us-east-1: the ARN's region wins (API_Secret.html); same role for task and execution, warned."},
}

func TestCorpusGolden(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "taskdef-json")
	for _, tc := range corpusCases {
		t.Run(tc.file, func(t *testing.T) {
			reqs, ds := derive(t, filepath.Join(dir, tc.file), tc.opts)
			out := goldenOut{Requirements: reqs}
			for _, d := range ds {
				out.Diagnostics = append(out.Diagnostics, d.Error())
			}
			checkGolden(t, filepath.Join("testdata", "corpus", tc.file), out)
		})
	}
}
