// Package taskdef is the model of an ECS task definition as the execution
// role sees it: the fields that make ECS call AWS on the task's behalf
// (research/ecs-execution-requirements.md §1, §8), each with the path and
// file position that caused it. Every input format (register JSON,
// DescribeTaskDefinition output, container definitions alone,
// CloudFormation, Terraform) loads into this one shape.
package taskdef

import (
	"encoding/json"
	"fmt"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// Str is a scalar of the input with where it came from, so a requirement
// can name the field that causes it.
type Str struct {
	Text string
	// Path is the register-task-definition (camelCase) path, the same for
	// every input format: containerDefinitions[1].secrets[0].valueFrom.
	Path  string
	Range source.Range
	// Unknown marks a placeholder (${Region}, ${GetAtt:Role.Arn}, a
	// Terraform ${var}) that the input does not resolve.
	Unknown bool
}

// String renders the value with where it came from, a placeholder
// prefixed with "?": "?${Region} (containerDefinitions[0].image at f.json:3:5)".
func (s Str) String() string {
	t := s.Text
	if s.Unknown {
		t = "?" + t
	}
	if s.Path == "" {
		return t
	}
	return t + " (" + s.Path + " at " + s.Range.String() + ")"
}

// MarshalJSON renders the String form, which is what reports show.
func (s Str) MarshalJSON() ([]byte, error) {
	if !s.IsSet() && s.Text == "" {
		return []byte("null"), nil
	}
	return json.Marshal(s.String())
}

// IsSet reports whether the field was present.
func (s Str) IsSet() bool { return s.Path != "" }

// Format kinds of input.
const (
	FormatRegister       = "register-json"   // aws ecs register-task-definition --cli-input-json
	FormatDescribe       = "describe-json"   // aws ecs describe-task-definition output
	FormatContainers     = "containers-json" // a bare containerDefinitions list or one container
	FormatCloudFormation = "cloudformation"
	FormatTerraform      = "terraform"
)

// Source says where a task definition was read.
type Source struct {
	File   string
	Format string
	// ID is the CloudFormation logical id or Terraform resource address.
	ID string
}

// TaskDefinition holds the fields the execution role depends on.
type TaskDefinition struct {
	Source                  Source
	Family                  Str
	ARN                     Str // taskDefinitionArn, when described
	ExecutionRoleArn        Str
	TaskRoleArn             Str
	RequiresCompatibilities []Str
	NetworkMode             Str
	RuntimePlatform         RuntimePlatform
	Containers              []*Container
	Volumes                 []*Volume
	ProxyConfiguration      *ProxyConfiguration
	// Region, Account and Partition are where the task runs: from the
	// task definition or execution role ARN, else flags, else the
	// placeholders ${Region}, ${AccountId}, ${Partition} marked Unknown.
	Region, Account, Partition Str
	// Node is the (resolved) JSON tree the model was read from, for
	// analyses that need a field the model does not carry.
	Node *jsontree.Node `json:"-"`
}

// RuntimePlatform says which OS the task runs (Windows needs gMSA and
// FSx rules).
type RuntimePlatform struct {
	OperatingSystemFamily, CPUArchitecture Str
}

// ProxyConfiguration is the App Mesh proxy configuration.
type ProxyConfiguration struct {
	Type, ContainerName Str
}

// Container is one container definition.
type Container struct {
	Name                  Str
	Image                 Str
	Essential             *bool
	RepositoryCredentials Str // credentialsParameter
	Secrets               []Secret
	LogConfiguration      *LogConfiguration
	EnvironmentFiles      []EnvironmentFile
	Environment           []EnvVar
	FirelensConfiguration *FirelensConfiguration
	CredentialSpecs       []Str
	DockerSecurityOptions []Str
	MountPoints           []MountPoint
	Path                  string // containerDefinitions[i]
}

// Secret is a secret injected as an environment variable or log option.
type Secret struct {
	Name, ValueFrom Str
}

// LogConfiguration is a container's log driver setup.
type LogConfiguration struct {
	LogDriver     Str
	Options       map[string]Str
	SecretOptions []Secret
}

// EnvironmentFile is an S3 object of variables.
type EnvironmentFile struct {
	Value, Type Str
}

// FirelensConfiguration routes logs through a FireLens sidecar.
type FirelensConfiguration struct {
	Type    Str
	Options map[string]Str
}

// MountPoint mounts a volume; read-write mounts need EFS ClientWrite.
type MountPoint struct {
	SourceVolume, ContainerPath Str
	ReadOnly                    bool
}

// EnvVar is a plain environment variable. Its value may be a secret
// someone pasted, so it never prints: String and Format redact it.
type EnvVar struct {
	Name  Str
	value Str
}

// NewEnvVar builds an environment variable.
func NewEnvVar(name, value Str) EnvVar { return EnvVar{Name: name, value: value} }

// Value returns the value for code that must inspect it (for instance to
// spot an ARN); never print it.
func (e EnvVar) Value() Str { return e.value }

// String redacts the value.
func (e EnvVar) String() string { return e.Name.Text + "=<redacted>" }

// Format redacts the value for every verb, including %#v and %+v.
func (e EnvVar) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.String()) }

// MarshalJSON redacts the value in renderings of the model.
func (e EnvVar) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"Name":%q,"Value":"<redacted>"}`, e.Name.Text), nil
}

// Volume is a task volume with the configurations that involve the
// execution role.
type Volume struct {
	Name Str
	Path string
	// EFS: the file system and whether IAM authorization is on
	// (authorizationConfig.iam = ENABLED).
	EFSFileSystemID  Str
	EFSIAM           Str
	EFSAccessPointID Str
	// FSx for Windows: the credentials secret or parameter.
	FSxCredentialsParameter Str
	FSxDomain               Str
	// ConfiguredAtLaunch marks an EBS volume configured when the task
	// runs; ConfiguredAtLaunchRange is where it is set, for the
	// requirements it brings.
	ConfiguredAtLaunch      bool
	ConfiguredAtLaunchRange source.Range `json:"-"`
}
