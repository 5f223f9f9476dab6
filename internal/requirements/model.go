package requirements

import (
	"strings"

	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
)

// Derive works out every call ECS makes on behalf of td, from any input
// format package taskdef reads (register or describe JSON, container
// definitions alone, CloudFormation, Terraform). Requirements come in launch
// order (by Step, then Path); diagnostics name file:line:column.
//
// Options fill in what td does not say; where td knows the region, account
// or partition (from an ARN in it) and Options does not, td's value is used.
func Derive(td *taskdef.TaskDefinition, opts Options) ([]Requirement, source.Diagnostics) {
	if td == nil {
		var ds source.Diagnostics
		ds.Errorf(source.Range{}, "no task definition")
		return nil, ds
	}
	known := func(s taskdef.Str) string {
		if s.Unknown || strings.Contains(s.Text, "${") {
			return ""
		}
		return s.Text
	}
	if opts.Region == "" {
		opts.Region = known(td.Region)
	}
	if opts.Account == "" {
		opts.Account = known(td.Account)
	}
	if opts.Partition == "" {
		opts.Partition = known(td.Partition)
	}
	var compat []string
	for _, c := range td.RequiresCompatibilities {
		compat = append(compat, c.Text)
	}
	containersOnly := td.Source.Format == taskdef.FormatContainers
	if len(compat) == 0 && !containersOnly && !td.NetworkMode.Unknown && !templated(td.NetworkMode.Text) &&
		!strings.EqualFold(td.NetworkMode.Text, "awsvpc") {
		// Without requiresCompatibilities ECS validates the task
		// definition for EC2 only, and Fargate needs networkMode awsvpc
		// (the default is bridge): such a task runs on EC2.
		// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-requiresCompatibilities,
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode
		compat = []string{EC2}
	}
	d := newDeriver(opts, compat, td.ExecutionRoleArn.Text != "" || containersOnly)
	if containersOnly {
		d.diags.Warnf(source.Range{File: td.Source.File}, "input holds container definitions only: executionRoleArn and volumes are not known; the execution role is assumed to be set")
	}
	d.trustStr(td.ExecutionRoleArn, Execution)
	d.trustStr(td.TaskRoleArn, Task)
	if td.ExecutionRoleArn.Text != "" && td.ExecutionRoleArn.Text == td.TaskRoleArn.Text {
		d.diags.Warnf(td.TaskRoleArn.Range, "taskRoleArn and executionRoleArn name the same role: the application's processes get every permission of the execution role (secrets, image pulls); use two roles")
	}
	writable := map[string]bool{}
	for _, c := range td.Containers {
		for _, mp := range c.MountPoints {
			if !mp.ReadOnly {
				writable[mp.SourceVolume.Text] = true
			}
		}
	}
	for _, c := range td.Containers {
		d.modelContainer(c)
	}
	for _, v := range td.Volumes {
		d.modelVolume(v, writable)
	}
	if opts.ExecuteCommand {
		d.execCommand()
	}
	for ref := range opts.KMSKeys {
		if !d.kmsUsed[ref] {
			d.diags.Warnf(source.Range{File: td.Source.File}, "--kms-key %s matches no secret reference, environment file or credentials parameter of the task definition", ref)
		}
	}
	d.diags.Sort()
	return d.finish(), d.diags
}

func fromStr(s taskdef.Str) val {
	return val{Text: s.Text, Path: s.Path, Range: s.Range, Unknown: s.Unknown || templated(s.Text)}
}

func (d *deriver) trustStr(role taskdef.Str, which Role) {
	if role.Text == "" {
		return
	}
	d.add(Requirement{
		Role: which, Action: "sts:AssumeRole", Resource: role.Text,
		Reason:  "ECS (ecs-tasks.amazonaws.com) assumes the " + string(which) + " role before the task starts; its trust policy must allow that",
		Feature: FeatureTrust, Step: StepAssumeRole,
	}, fromStr(role))
}

func (d *deriver) modelContainer(c *taskdef.Container) {
	name := c.Name.Text
	if name == "" {
		name = c.Path
	}
	withCreds := c.RepositoryCredentials.IsSet()
	if c.Image.IsSet() {
		d.image(name, fromStr(c.Image), withCreds)
	}
	if withCreds {
		d.registryCredentials(name, fromStr(c.RepositoryCredentials))
	}
	for _, s := range c.Secrets {
		if !s.ValueFrom.IsSet() {
			d.diags.Errorf(s.Name.Range, "secret %s of container %s has no valueFrom", s.Name.Text, name)
			continue
		}
		d.secretRef(fromStr(s.ValueFrom), secretUse{what: "secret " + s.Name.Text + " of container " + name, step: StepSecrets})
	}
	if lc := c.LogConfiguration; lc != nil {
		options := make(map[string]val, len(lc.Options))
		for k, v := range lc.Options {
			options[k] = fromStr(v)
		}
		switch lc.LogDriver.Text {
		case "awslogs":
			d.awslogs(name, fromStr(lc.LogDriver), options)
		case "awsfirelens":
			if n, ok := options["Name"]; ok {
				d.fireLensDestination(name, n, options)
			}
		}
		for _, s := range lc.SecretOptions {
			if !s.ValueFrom.IsSet() {
				d.diags.Errorf(s.Name.Range, "log secret option %s of container %s has no valueFrom", s.Name.Text, name)
				continue
			}
			d.secretRef(fromStr(s.ValueFrom), secretUse{what: "log option " + s.Name.Text + " of container " + name, step: StepSecrets})
		}
	}
	for _, f := range c.EnvironmentFiles {
		d.environmentFile(name, fromStr(f.Type), fromStr(f.Value))
	}
	if fl := c.FirelensConfiguration; fl != nil {
		if t, ok := fl.Options["config-file-type"]; ok {
			d.fireLensConfig(name, fromStr(t), fromStr(fl.Options["config-file-value"]))
		}
	}
	for _, s := range c.CredentialSpecs {
		d.credentialSpec(name, fromStr(s))
	}
	for _, s := range c.DockerSecurityOptions {
		if strings.HasPrefix(s.Text, "credentialspec:") {
			d.credentialSpec(name, fromStr(s))
		}
	}
}

func (d *deriver) modelVolume(v *taskdef.Volume, writable map[string]bool) {
	name := v.Name.Text
	if name == "" {
		name = v.Path
	}
	if v.EFSIAM.IsSet() {
		d.efsVolume(name, fromStr(v.EFSIAM), fromStr(v.EFSFileSystemID), fromStr(v.EFSAccessPointID), writable[v.Name.Text])
	}
	if v.FSxCredentialsParameter.IsSet() {
		d.fsxCredentials(name, fromStr(v.FSxCredentialsParameter))
	}
	if v.ConfiguredAtLaunch {
		d.ebsVolume(name, val{Path: strings.TrimPrefix(v.Path+".configuredAtLaunch", "."), Range: v.ConfiguredAtLaunchRange})
	}
}

// templated reports whether s holds an unexpanded template expression of
// the tools found in the corpus: ecspresso and Go templates ({{ }}), the
// ECS agent's functional tests ($$$NAME$$$), shell or Terraform (${ },
// $( )). ECS would take such text literally, which is never what is meant.
func templated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "$$$") || strings.Contains(s, "${") || strings.Contains(s, "$(")
}
