// Package requirements works out, from a task definition, every IAM call that
// ECS makes on the task's behalf while launching it: which role makes the
// call, the action, the exact resource ARN it is evaluated against, and the
// field of the input that causes it.
//
// It is the shared model of `execrole needs`, of the launch simulation in
// `check`, and of the role synthesis in package rolegen. The facts it encodes
// come from the ECS developer guide and the ECS container agent
// (aws/amazon-ecs-agent); each feature file cites its sources.
package requirements

import (
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/source"
)

// Role says which IAM role ECS uses for a call. Only the execution role is
// what execrole synthesises permissions for; the others are reported so that
// users do not put those permissions on the execution role.
type Role string

// The roles a task launch involves.
const (
	// Execution is the task execution role (executionRoleArn), assumed by
	// ecs-tasks.amazonaws.com to pull images, fetch secrets and write logs.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
	Execution Role = "execution"
	// Task is the task role (taskRoleArn), whose credentials the containers
	// and the EFS volume driver use.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
	Task Role = "task"
	// Infrastructure is the ECS infrastructure role, trusted by
	// ecs.amazonaws.com, for EBS volumes and Service Connect TLS.
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
	Infrastructure Role = "infrastructure"
	// Instance is the EC2 container instance role; on the EC2 launch type it
	// pulls images and writes awslogs when the execution role is not used.
	Instance Role = "instance"
)

// Feature is a stable identifier of the task-definition feature that causes
// a requirement. Tools may key explanations and documentation on it.
type Feature string

// The features execrole derives requirements for.
const (
	FeatureECRPull             Feature = "ecr-pull"
	FeatureECRPullThroughCache Feature = "ecr-pull-through-cache"
	FeatureAWSLogs             Feature = "awslogs"
	FeatureSSMSecret           Feature = "ssm-secret"
	FeatureSecretsManager      Feature = "secretsmanager-secret"
	FeatureRegistryCredentials Feature = "registry-credentials"
	FeatureEnvironmentFile     Feature = "environment-file"
	FeatureFireLensConfig      Feature = "firelens-config"
	FeatureKMS                 Feature = "kms"
	FeatureGMSA                Feature = "gmsa"
	FeatureFSxCredentials      Feature = "fsx-credentials"
	FeatureEFSIAM              Feature = "efs-iam"
	FeatureFireLensDestination Feature = "firelens-destination"
	FeatureECSExec             Feature = "ecs-exec"
	FeatureEBSVolume           Feature = "ebs-volume"
	FeatureServiceConnectTLS   Feature = "service-connect-tls"
	FeatureTrust               Feature = "trust"
)

// Step is the launch phase in which ECS makes a call. Steps are ordered as a
// launch progresses, so a simulator that walks requirements in Step order
// reports the failure a user would see first. The order follows the observed
// Fargate behaviour (research §0 item 4): secrets and registry auth fail
// before the log driver, and image pulls after the ECR token.
type Step int

// The launch steps, in order.
const (
	StepAssumeRole       Step = iota // ECS assumes the execution and task roles
	StepRegistryAuth                 // ECR token and private registry credentials
	StepSecrets                      // SSM and Secrets Manager secrets, with their KMS keys
	StepEnvironmentFiles             // S3 environment files, FireLens config, credential specs
	StepImagePull                    // manifest and layer pulls
	StepLogDriver                    // log driver start (awslogs CreateLogStream)
	StepRuntime                      // after the containers start: never blocks the launch
)

var stepNames = [...]string{"assume-role", "registry-auth", "secrets", "environment-files", "image-pull", "log-driver", "runtime"}

// String names the step as in JSON output ("secrets", "log-driver").
func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// MarshalText writes the step's name, so that JSON output is readable.
func (s Step) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(stepNames) {
		return nil, fmt.Errorf("unknown launch step %d", int(s))
	}
	return []byte(stepNames[s]), nil
}

// UnmarshalText reads a step name written by MarshalText.
func (s *Step) UnmarshalText(b []byte) error {
	for i, n := range stepNames {
		if n == string(b) {
			*s = Step(i)
			return nil
		}
	}
	return fmt.Errorf("unknown launch step %q", b)
}

// Requirement is one IAM call ECS (or the task) makes: role, action and the
// resource it is evaluated against, with the input field that causes it.
//
// The first five JSON fields are the stable `execrole needs --format json`
// contract; the rest are extras for simulators and renderers.
type Requirement struct {
	Role   Role   `json:"role"`
	Action string `json:"action"`
	// Resource is the ARN IAM evaluates the call against. When part of it
	// cannot be known from the input (a task ID, a secret's random suffix)
	// it is a pattern with IAM wildcards and Pattern is set.
	Resource string `json:"resource"`
	// Reason says in one sentence why the call is needed. It never contains
	// a secret's value; it may name the secret or parameter.
	Reason string `json:"reason"`
	// Path locates the causing field in the task definition, as in
	// "containerDefinitions[1].secrets[0].valueFrom".
	Path string `json:"path"`
	// Range is where Path's value stands in the user's file, when the input
	// had positions; Location is its "file:line:column" form for JSON.
	Range    source.Range `json:"-"`
	Location string       `json:"location,omitempty"`

	Feature Feature `json:"feature"`
	Step    Step    `json:"step"`
	// Pattern marks Resource as an IAM pattern (with * or ?) rather than
	// one ARN. Sample is then a concrete ARN matching it, so that a
	// simulator can issue a request.
	Pattern bool   `json:"pattern,omitempty"`
	Sample  string `json:"sample,omitempty"`
	// Context is the request context ECS's call carries beyond the
	// principal's own keys, e.g. {"kms:ViaService": ["ssm.eu-west-1.amazonaws.com"]}.
	// Policy synthesis turns it into conditions.
	Context map[string][]string `json:"context,omitempty"`
	// ResourceAccount and ResourceRegion are where the resource lives; ""
	// when the resource has no account or region (S3, ecr:GetAuthorizationToken).
	ResourceAccount string `json:"resourceAccount,omitempty"`
	ResourceRegion  string `json:"resourceRegion,omitempty"`
	// CrossAccount is set when the resource is in another account than the
	// task: the resource's own policy (repository, secret, key) must then
	// also allow the role.
	CrossAccount bool `json:"crossAccount,omitempty"`
	// Conditional marks a call made only in some situations, described by
	// When (logs:CreateLogGroup only when the group is missing). When that
	// situation holds, a denial blocks the launch like any other.
	Conditional bool   `json:"conditional,omitempty"`
	When        string `json:"when,omitempty"`
	// Runtime marks a call made after the containers started
	// (logs:PutLogEvents, task-role calls): a denial never stops the launch.
	Runtime bool `json:"runtime,omitempty"`
	// Placeholder is set when Resource contains an unresolved template value
	// (shown as ${...}); Notes then say which value is missing.
	Placeholder bool     `json:"placeholder,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// BlocksLaunch reports whether a denial of r can stop the task from
// starting. Conditional requirements count: their situation may hold.
func (r *Requirement) BlocksLaunch() bool { return !r.Runtime }

// Key identifies the permission r needs, independent of what caused it: two
// requirements with the same Key are satisfied by the same grant.
func (r *Requirement) Key() string {
	var b strings.Builder
	b.WriteString(string(r.Role))
	b.WriteByte('\x00')
	b.WriteString(r.Action)
	b.WriteByte('\x00')
	b.WriteString(r.Resource)
	for _, k := range sortedKeys(r.Context) {
		b.WriteByte('\x00')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(r.Context[k], ","))
	}
	return b.String()
}

// String renders r on one line for logs and test failures.
func (r *Requirement) String() string {
	s := fmt.Sprintf("%s %s %s (%s)", r.Role, r.Action, r.Resource, r.Path)
	if r.Location != "" {
		s += " at " + r.Location
	}
	return s
}
