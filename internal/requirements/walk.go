package requirements

import (
	"strconv"
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// DeriveNode derives the requirements of a task definition given as a
// position-carrying JSON tree: the RegisterTaskDefinition input, the
// DescribeTaskDefinition output ({"taskDefinition": {...}}), or the same
// with CloudFormation's PascalCase property names. Requirements come in
// launch order (by Step, then Path); diagnostics name file:line:column.
func DeriveNode(n *jsontree.Node, opts Options) ([]Requirement, source.Diagnostics) {
	if n == nil || (n.Kind != jsontree.Object && n.Kind != jsontree.Array) {
		var ds source.Diagnostics
		r := source.Range{}
		if n != nil {
			r = n.Range
		}
		ds.Errorf(r, "expected a task definition object or a list of container definitions")
		return nil, ds
	}
	if inner := get(n, "taskDefinition"); inner != nil && inner.Kind == jsontree.Object {
		n = inner
	}
	if n.Kind == jsontree.Array || (get(n, "containerDefinitions") == nil && get(n, "image") != nil) {
		// Terraform's container_definitions and similar files hold the
		// container definitions alone: a list, or a single object.
		return deriveContainers(n, opts)
	}
	var compat []string
	for _, c := range items(get(n, "requiresCompatibilities")) {
		compat = append(compat, c.Str)
	}
	execRole := get(n, "executionRoleArn")
	if opts.Account == "" && execRole != nil && !execRole.Unknown {
		// The execution role is in the task's account: ECS passes it with
		// iam:PassRole, which does not cross accounts.
		if a, ok := ParseARN(execRole.Str); ok && a.Service == "iam" && isAccountID(a.Account) {
			opts.Account = a.Account
			if opts.Partition == "" {
				opts.Partition = a.Partition
			}
		}
	}
	d := newDeriver(opts, compat, execRole != nil && execRole.Kind == jsontree.String && execRole.Str != "")
	d.trust(execRole, "executionRoleArn", Execution)
	taskRole := get(n, "taskRoleArn")
	d.trust(taskRole, "taskRoleArn", Task)
	if execRole != nil && taskRole != nil && execRole.Str != "" && execRole.Str == taskRole.Str {
		d.diags.Warnf(taskRole.Range, "taskRoleArn and executionRoleArn name the same role: the application's processes get every permission of the execution role (secrets, image pulls); use two roles")
	}

	containers := get(n, "containerDefinitions")
	if containers == nil {
		d.diags.Errorf(n.Range, "task definition has no containerDefinitions")
	}
	// Which volumes some container mounts read-write (for EFS ClientWrite).
	writable := map[string]bool{}
	for i, c := range items(containers) {
		base := "containerDefinitions[" + strconv.Itoa(i) + "]"
		if c.Kind != jsontree.Object {
			d.diags.Errorf(c.Range, "%s: expected a container definition object", base)
			continue
		}
		d.container(c, base, writable)
	}
	for i, v := range items(get(n, "volumes")) {
		base := "volumes[" + strconv.Itoa(i) + "]"
		d.volume(v, base, writable)
	}
	if opts.ExecuteCommand {
		d.execCommand()
	}
	for ref := range opts.KMSKeys {
		if !d.kmsUsed[ref] {
			d.diags.Warnf(n.Range, "--kms-key %s matches no secret reference, environment file or credentials parameter of the task definition", ref)
		}
	}
	d.diags.Sort()
	return d.finish(), d.diags
}

// deriveContainers derives a bare container definition list (or a single
// container definition); paths are relative to that input.
func deriveContainers(n *jsontree.Node, opts Options) ([]Requirement, source.Diagnostics) {
	d := newDeriver(opts, nil, true)
	writable := map[string]bool{}
	if n.Kind == jsontree.Object {
		d.container(n, "", writable)
	} else {
		for i, c := range n.Items {
			base := "[" + strconv.Itoa(i) + "]"
			if c.Kind != jsontree.Object {
				d.diags.Errorf(c.Range, "%s: expected a container definition object", base)
				continue
			}
			d.container(c, base, writable)
		}
	}
	d.diags.Warnf(source.Range{File: n.Range.File}, "input holds container definitions only: executionRoleArn and volumes are not known; the execution role is assumed to be set")
	d.diags.Sort()
	return d.finish(), d.diags
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (d *deriver) trust(role *jsontree.Node, path string, which Role) {
	if role == nil || role.Kind != jsontree.String || role.Str == "" {
		return
	}
	d.add(Requirement{
		Role: which, Action: "sts:AssumeRole", Resource: role.Str,
		Reason:  "ECS (ecs-tasks.amazonaws.com) assumes the " + string(which) + " role before the task starts; its trust policy must allow that",
		Feature: FeatureTrust, Step: StepAssumeRole,
	}, valOf(role, path))
}

func (d *deriver) container(c *jsontree.Node, base string, writable map[string]bool) {
	name := text(get(c, "name"))
	if name == "" {
		name = base
	}
	creds := get(get(c, "repositoryCredentials"), "credentialsParameter")
	if img := get(c, "image"); img != nil {
		d.image(name, valOf(img, base+".image"), creds != nil)
	} else {
		d.diags.Errorf(c.Range, "%s: container %q has no image", base, name)
	}
	if creds != nil {
		d.registryCredentials(name, valOf(creds, base+".repositoryCredentials.credentialsParameter"))
	}
	for j, s := range items(get(c, "secrets")) {
		p := base + ".secrets[" + strconv.Itoa(j) + "]"
		vf := get(s, "valueFrom")
		if vf == nil {
			d.diags.Errorf(s.Range, "%s: secret has no valueFrom", p)
			continue
		}
		d.secretRef(valOf(vf, p+".valueFrom"), secretUse{what: "secret " + text(get(s, "name")) + " of container " + name, step: StepSecrets})
	}
	if lc := get(c, "logConfiguration"); lc != nil {
		lp := base + ".logConfiguration"
		driver := get(lc, "logDriver")
		options := map[string]val{}
		for _, m := range members(get(lc, "options")) {
			options[m.Key] = valOf(m.Value, lp+".options."+pathKey(m.Key))
		}
		switch text(driver) {
		case "awslogs":
			d.awslogs(name, valOf(driver, lp+".logDriver"), options)
		case "awsfirelens":
			if n, ok := options["Name"]; ok {
				d.fireLensDestination(name, n, options)
			}
		}
		for j, s := range items(get(lc, "secretOptions")) {
			p := lp + ".secretOptions[" + strconv.Itoa(j) + "]"
			vf := get(s, "valueFrom")
			if vf == nil {
				d.diags.Errorf(s.Range, "%s: secret option has no valueFrom", p)
				continue
			}
			d.secretRef(valOf(vf, p+".valueFrom"), secretUse{what: "log option " + text(get(s, "name")) + " of container " + name, step: StepSecrets})
		}
	}
	for j, f := range items(get(c, "environmentFiles")) {
		p := base + ".environmentFiles[" + strconv.Itoa(j) + "]"
		d.environmentFile(name, valOf(get(f, "type"), p+".type"), valOf(get(f, "value"), p+".value"))
	}
	if fl := get(c, "firelensConfiguration"); fl != nil {
		opts := get(fl, "options")
		p := base + ".firelensConfiguration.options"
		if t := get(opts, "config-file-type"); t != nil {
			d.fireLensConfig(name, valOf(t, p+".config-file-type"), valOf(get(opts, "config-file-value"), p+".config-file-value"))
		}
	}
	for j, s := range items(get(c, "credentialSpecs")) {
		d.credentialSpec(name, valOf(s, base+".credentialSpecs["+strconv.Itoa(j)+"]"))
	}
	for j, s := range items(get(c, "dockerSecurityOptions")) {
		if strings.HasPrefix(s.Str, "credentialspec:") {
			d.credentialSpec(name, valOf(s, base+".dockerSecurityOptions["+strconv.Itoa(j)+"]"))
		}
	}
	for _, mp := range items(get(c, "mountPoints")) {
		if ro := get(mp, "readOnly"); ro == nil || !ro.Bool {
			writable[text(get(mp, "sourceVolume"))] = true
		}
	}
}

func (d *deriver) volume(v *jsontree.Node, base string, writable map[string]bool) {
	name := text(get(v, "name"))
	if name == "" {
		name = base
	}
	if efs := get(v, "efsVolumeConfiguration"); efs != nil {
		p := base + ".efsVolumeConfiguration"
		auth := get(efs, "authorizationConfig")
		if iam := get(auth, "iam"); iam != nil {
			d.efsVolume(name, valOf(iam, p+".authorizationConfig.iam"), valOf(get(efs, "fileSystemId"), p+".fileSystemId"),
				valOf(get(auth, "accessPointId"), p+".authorizationConfig.accessPointId"), writable[name])
		}
	}
	if fsx := get(v, "fsxWindowsFileServerVolumeConfiguration"); fsx != nil {
		p := base + ".fsxWindowsFileServerVolumeConfiguration.authorizationConfig.credentialsParameter"
		if cp := get(get(fsx, "authorizationConfig"), "credentialsParameter"); cp != nil {
			d.fsxCredentials(name, valOf(cp, p))
		}
	}
	if cal := get(v, "configuredAtLaunch"); cal != nil && cal.Kind == jsontree.Bool && cal.Bool {
		d.ebsVolume(name, valOf(cal, base+".configuredAtLaunch"))
	}
}

// get looks key up as written, else ignoring case, which covers
// CloudFormation's spelling of the same properties (ContainerDefinitions,
// EFSVolumeConfiguration, AuthorizationConfig.IAM).
func get(n *jsontree.Node, key string) *jsontree.Node {
	if n == nil || n.Kind != jsontree.Object {
		return nil
	}
	if v := n.Get(key); v != nil {
		return v
	}
	for _, m := range n.Members {
		if len(m.Key) == len(key) && strings.EqualFold(m.Key, key) {
			return m.Value
		}
	}
	return nil
}

func items(n *jsontree.Node) []*jsontree.Node {
	if n == nil || n.Kind != jsontree.Array {
		return nil
	}
	return n.Items
}

func members(n *jsontree.Node) []*jsontree.Member {
	if n == nil || n.Kind != jsontree.Object {
		return nil
	}
	return n.Members
}

func text(n *jsontree.Node) string {
	if n == nil {
		return ""
	}
	s, _ := n.Text()
	return s
}

func valOf(n *jsontree.Node, path string) val {
	path = strings.TrimPrefix(path, ".")
	if n == nil {
		return val{Path: path}
	}
	t := text(n)
	return val{Text: t, Path: path, Range: n.Range, Unknown: n.Unknown || templated(t)}
}

// templated reports whether s holds an unexpanded template expression of
// the tools found in the corpus: ecspresso and Go templates ({{ }}), the
// ECS agent's functional tests ($$$NAME$$$), shell or Terraform (${ },
// $( )). ECS would take such text literally, which is never what is meant.
func templated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "$$$") || strings.Contains(s, "${") || strings.Contains(s, "$(")
}

// pathKey writes an option name as a path element; names with characters
// other than letters, digits, "-" and "_" are quoted.
func pathKey(k string) string {
	for _, r := range k {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return strconv.Quote(k)
		}
	}
	return k
}
