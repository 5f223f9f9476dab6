package launch_test

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	acct    = "111122223333"
	other   = "444455556666"
	region  = "eu-west-1"
	roleARN = "arn:aws:iam::111122223333:role/app/ecsTaskExecutionRole"
	// session omits the role path (research §2.1) and ends in the task ID.
	session = "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/" + launch.DefaultTaskID
)

// taskDef uses ECR, awslogs, an SSM parameter and a Secrets Manager secret.
func taskDef(image string, ssmOnly bool) string {
	secrets := `{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf"},
            {"name":"API_KEY","valueFrom":"/app/api-key"}`
	if ssmOnly {
		secrets = `{"name":"API_KEY","valueFrom":"/app/api-key"},{"name":"TOKEN","valueFrom":"arn:aws:ssm:eu-west-1:111122223333:parameter/app/token"}`
	}
	return `{"family":"app","executionRoleArn":"` + roleARN + `","requiresCompatibilities":["FARGATE"],
"containerDefinitions":[{"name":"web","image":"` + image + `",
 "secrets":[` + secrets + `],
 "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app","awslogs-region":"eu-west-1","awslogs-stream-prefix":"web"}}}]}`
}

const localImage = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app/web:1.2"

const goodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:eu-west-1:111122223333:*"}}}]}`

// The typo AWS users make (research §3): ecs-task, not ecs-tasks.
const typoTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-task.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func stmt(sid, actions, resources string) string {
	return `{"Sid":"` + sid + `","Effect":"Allow","Action":` + actions + `,"Resource":` + resources + `}`
}

var (
	sECRToken = stmt("ECRToken", `"ecr:GetAuthorizationToken"`, `"*"`)
	sECRPull  = stmt("ECRPull", `["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]`, `"arn:aws:ecr:eu-west-1:111122223333:repository/app/web"`)
	sLogs     = stmt("Logs", `["logs:CreateLogStream","logs:PutLogEvents"]`, `"arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:*"`)
	sSSM      = stmt("SSM", `"ssm:GetParameters"`, `"arn:aws:ssm:eu-west-1:111122223333:parameter/app/*"`)
	sSecret   = stmt("Secret", `"secretsmanager:GetSecretValue"`, `"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-*"`)
	// terraform-aws-modules/terraform-aws-ecs#313: the group ARN without
	// ":*" does not match the stream ARNs (research §1.2).
	sLogsNoStar = stmt("Logs", `["logs:CreateLogStream","logs:PutLogEvents"]`, `"arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app"`)
	sDenySecret = `{"Sid":"NoProdSecrets","Effect":"Deny","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}`
)

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func parse(t testing.TB, name, src string, typ policy.Type) *policy.Policy {
	t.Helper()
	p, ds := policy.Parse(name, []byte(src), typ)
	if ds.HasErrors() {
		t.Fatalf("%s: %v", name, ds)
	}
	return p
}

type tc struct {
	name       string
	image      string
	launchType string
	agent      string
	trust      string
	identity   []string // policy documents; "managed:ARN" for an embedded AWS managed policy
	resources  map[string]string
	ssmOnly    bool // the task's secrets are SSM parameters only

	verdict       launch.Verdict
	failedStep    string
	stoppedReason string
	containerRsn  string
	decisions     map[string]string // action -> decision of its first call
}

func input(t testing.TB, c tc) launch.Input {
	t.Helper()
	image := c.image
	if image == "" {
		image = localImage
	}
	tds, ds := taskdef.LoadBytes("td.json", []byte(taskDef(image, c.ssmOnly)), taskdef.Options{Region: region, Account: acct})
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatalf("task definition: %v", ds)
	}
	reqs, ds := requirements.Derive(tds[0], requirements.Options{Region: region, Account: acct, LaunchType: c.launchType})
	if ds.HasErrors() {
		t.Fatalf("requirements: %v", ds)
	}
	in := launch.Input{TaskDefinition: tds[0], Requirements: reqs, LaunchType: c.launchType, Region: region,
		Role: launch.Role{ARN: roleARN, Trust: parse(t, "trust.json", or(c.trust, goodTrust), policy.Trust)}}
	for i, d := range c.identity {
		if arn, ok := strings.CutPrefix(d, "managed:"); ok {
			p, err := account.Managed(arn)
			if err != nil {
				t.Fatal(err)
			}
			in.Role.Identity = append(in.Role.Identity, p)
			continue
		}
		in.Role.Identity = append(in.Role.Identity, parse(t, "policy"+string(rune('0'+i))+".json", d, policy.Identity))
	}
	for arn, d := range c.resources {
		if in.ResourcePolicies == nil {
			in.ResourcePolicies = map[string]*policy.Policy{}
		}
		in.ResourcePolicies[arn] = parse(t, "resource.json", d, policy.Resource)
	}
	if c.agent != "" {
		v, err := launch.ParseVersion(c.agent)
		if err != nil {
			t.Fatal(err)
		}
		in.AgentVersion = v
	}
	return in
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

const execPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

var allGood = []string{doc(sECRToken, sECRPull, sLogs, sSSM, sSecret)}

var cases = []tc{
	{
		name: "all-allowed-fargate", identity: allGood, verdict: launch.Starts,
		decisions: map[string]string{"sts:AssumeRole": "Allowed", "ssm:GetParameters": "Allowed", "logs:CreateLogStream": "Allowed"},
	},
	{
		// Research §3: observed stoppedReason and service event text.
		name: "trust-typo-ecs-task", trust: typoTrust, identity: allGood, verdict: launch.Fails, failedStep: "assume-role",
		stoppedReason: "ECS was unable to assume the role '" + roleARN + "' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.",
		decisions:     map[string]string{"sts:AssumeRole": "ImplicitlyDenied"},
	},
	{
		// Research §2.3, Fargate SM denied, SDK v2 form (2026 observation).
		name: "missing-secretsmanager-fargate", identity: []string{doc(sECRToken, sECRPull, sLogs, sSSM)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action",
	},
	{
		// Research §2.2, EC2 agent ≥ 1.92.0: "Secret {id}: {err}: {err}" with SDK v2 text (agent/asm/asm.go).
		name: "missing-secretsmanager-ec2-1.92", launchType: "EC2", agent: "1.92.0", identity: []string{doc(sECRToken, sECRPull, sLogs, sSSM)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "Secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf: " + smV2 + ": " + smV2,
	},
	{
		// Research §2.2/§7.5: v1.84.0 to v1.92.0 duplicate the SDK v1 text.
		name: "missing-secretsmanager-ec2-1.84", launchType: "EC2", agent: "1.84.0", identity: []string{doc(sECRToken, sECRPull, sLogs, sSSM)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "Secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf: " + smV1 + ": " + smV1,
	},
	{
		// Research §2.2/§7.5: before v1.84.0 (New Relic doc, 2020).
		name: "missing-secretsmanager-ec2-1.83", launchType: "EC2", agent: "1.83.0", identity: []string{doc(sECRToken, sECRPull, sLogs, sSSM)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "Fetching secret data from AWS Secrets Manager in region eu-west-1: secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf: " + smV1,
	},
	{
		// Research §2.3, Fargate ECR token denied (aws-bootcamp-cruddur journal), SDK v2 form.
		name: "missing-ecr-token-fargate", identity: []string{doc(sECRPull, sLogs, sSSM, sSecret)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): operation error ECR: GetAuthorizationToken, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
	},
	{
		// Research §2.2, EC2 ECR token denied: container reason, task "Task failed to start" (§0 item 3).
		name: "missing-ecr-token-ec2", launchType: "EC2", identity: []string{doc(sECRPull, sLogs, sSSM, sSecret)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "Task failed to start",
		containerRsn:  "CannotPullECRContainerError: operation error ECR: GetAuthorizationToken, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
	},
	{
		// Research §1.2 pitfall and §2.3 Fargate awslogs SDK v2 form (terraform-aws-modules/terraform-aws-ecs#313).
		name: "log-group-without-star", identity: []string{doc(sECRToken, sECRPull, sLogsNoStar, sSSM, sSecret)}, verdict: launch.Fails, failedStep: "log-driver",
		stoppedReason: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream:web/web/" + launch.DefaultTaskID + " because no identity-based policy allows the logs:CreateLogStream action : exit status 1",
		decisions:     map[string]string{"logs:CreateLogStream": "ImplicitlyDenied", "logs:PutLogEvents": "ImplicitlyDenied"},
	},
	{
		// IAM grammar for explicit denies (research §2.1, troubleshoot_access-denied.html).
		name: "explicit-deny", identity: []string{doc(sECRToken, sECRPull, sLogs, sSSM, sSecret, sDenySecret)}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf with an explicit deny in an identity-based policy",
		decisions:     map[string]string{"secretsmanager:GetSecretValue": "ExplicitlyDenied"},
	},
	{
		// Research §1.1: cross-account pulls need the repository policy, which was not given.
		name: "cross-account-ecr-no-repo-policy", image: crossImage,
		identity: []string{doc(sECRToken, sECRPullCross, sLogs, sSSM, sSecret)}, verdict: launch.Unknown,
		decisions: map[string]string{"ecr:BatchGetImage": "Unknown", "ecr:GetAuthorizationToken": "Allowed"},
	},
	{
		// Research §1.1: the same with a repository policy that lets the role's account in.
		name: "cross-account-ecr-with-repo-policy", image: crossImage,
		identity:  []string{doc(sECRToken, sECRPullCross, sLogs, sSSM, sSecret)},
		resources: map[string]string{crossRepo: repoPolicy(acct)}, verdict: launch.Starts,
		decisions: map[string]string{"ecr:BatchGetImage": "Allowed"},
	},
	{
		// Research §1.1 and aws-actions/amazon-ecr-login#232: "no resource-based policy allows".
		name: "cross-account-ecr-repo-policy-denies", image: crossImage,
		identity:  []string{doc(sECRToken, sECRPullCross, sLogs, sSSM, sSecret)},
		resources: map[string]string{crossRepo: repoPolicy("999999999999")}, verdict: launch.Fails, failedStep: "image-pull",
		// Research §2.3: Fargate shows only containerd's 403 (aws/aws-cdk#29876).
		stoppedReason: crossPullReason, containerRsn: crossPullReason,
		decisions: map[string]string{"ecr:BatchGetImage": "ImplicitlyDenied"},
	},
	{
		// Research §4: AmazonECSTaskExecutionRolePolicy has no ssm:GetParameters;
		// §2.3 Fargate SSM text (aws/copilot-cli#4504), SDK v2 form.
		name: "managed-policy-only-ssm", ssmOnly: true, identity: []string{"managed:" + execPolicy}, verdict: launch.Fails, failedStep: "registry-auth-and-secrets",
		stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: User: " + session + " is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/app/api-key because no identity-based policy allows the ssm:GetParameters action",
		decisions:     map[string]string{"ssm:GetParameters": "ImplicitlyDenied", "ecr:GetAuthorizationToken": "Allowed", "logs:CreateLogStream": "Allowed"},
	},
}

const (
	crossImage = "444455556666.dkr.ecr.eu-west-1.amazonaws.com/shared/base:2.0"
	crossRepo  = "arn:aws:ecr:eu-west-1:444455556666:repository/shared/base"
)

const crossPullReason = "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " + crossImage + ": pulling from host 444455556666.dkr.ecr.eu-west-1.amazonaws.com failed with status code [manifests 2.0]: 403 Forbidden"

var sECRPullCross = stmt("ECRPull", `["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]`, `"`+crossRepo+`"`)

func repoPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"` + crossRepo + `"}]}`
}

var (
	smIAM = "User: " + session + " is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action"
	smV2  = "operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: <request-id>, api error AccessDeniedException: " + smIAM
	smV1  = "AccessDeniedException: " + smIAM + " status code: 400, request id: <request-id>"
)

func TestSimulate(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := launch.Simulate(input(t, c))
			if rep.Verdict != c.verdict {
				t.Errorf("verdict = %s, want %s; warnings %q", rep.Verdict, c.verdict, rep.Warnings)
			}
			if rep.FailedStep != c.failedStep {
				t.Errorf("failed step = %q, want %q", rep.FailedStep, c.failedStep)
			}
			if c.stoppedReason != "" {
				if d := cmp.Diff(c.stoppedReason, rep.StoppedReason); d != "" {
					t.Errorf("stoppedReason (-want +got):\n%s", d)
				}
			}
			if d := cmp.Diff(c.containerRsn, rep.ContainerReason); d != "" {
				t.Errorf("containerReason (-want +got):\n%s", d)
			}
			for action, want := range c.decisions {
				if got := decision(rep, action); got != want {
					t.Errorf("%s: decision %q, want %q", action, got, want)
				}
			}
			if rep.Verdict == launch.Fails && rep.Fix == nil {
				t.Errorf("no fix for a failing launch")
			}
			golden(t, rep)
		})
	}
}

func decision(rep *launch.Report, action string) string {
	for _, s := range rep.Steps {
		for _, c := range s.Calls {
			if c.Action == action {
				return c.Decision
			}
		}
	}
	return "(no call)"
}

func golden(t *testing.T, rep *launch.Report) {
	t.Helper()
	got, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "golden", strings.ReplaceAll(t.Name(), "/", "__")+".json")
	testutil.Golden(t, file, got, *update)
}

// TestFixMakesTaskStart applies each failing case's Fix to the identity and
// trust policies and simulates again: the fix must be enough.
func TestFixMakesTaskStart(t *testing.T) {
	for _, c := range cases {
		if c.verdict != launch.Fails || strings.Contains(c.name, "explicit") || strings.Contains(c.name, "repo-policy-denies") {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			in := input(t, c)
			rep := launch.Simulate(in)
			var extra []any
			for _, a := range rep.Fix.Add {
				switch a.Policy {
				case "identity policy":
					extra = append(extra, a.Statement)
				case "trust policy":
					b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{a.Statement}})
					in.Role.Trust = parse(t, "fixed-trust.json", string(b), policy.Trust)
				default:
					t.Fatalf("unexpected fix target %q", a.Policy)
				}
			}
			if len(extra) > 0 {
				b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": extra})
				in.Role.Identity = append(in.Role.Identity, parse(t, "fix.json", string(b), policy.Identity))
			}
			if again := launch.Simulate(in); again.Verdict != launch.Starts {
				t.Errorf("after the fix: %s at %s: %s", again.Verdict, again.FailedStep, again.StoppedReason)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	for _, s := range []string{"1.92.0", "v1.84.0", " 1.105.1 "} {
		if _, err := launch.ParseVersion(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "1.92", "1.x.0", "1.2.3.4", "1..0"} {
		if _, err := launch.ParseVersion(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func BenchmarkSimulate(b *testing.B) {
	in := input(b, tc{identity: allGood})
	b.ReportAllocs()
	for b.Loop() {
		if rep := launch.Simulate(in); rep.Verdict != launch.Starts {
			b.Fatal(rep.Verdict)
		}
	}
}
