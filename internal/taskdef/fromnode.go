package taskdef

import (
	"strconv"
	"strings"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// reader walks one JSON tree into the model.
type reader struct {
	// pascal is set for CloudFormation, whose property names differ from
	// the register JSON in case only (EFSVolumeConfiguration, IAM,
	// FilesystemId); case variants are then expected, not warned about.
	pascal bool
	diags  *source.Diagnostics
}

// get finds a key by its camelCase register name, accepting PascalCase and,
// with a warning outside CloudFormation, any other case variant (the
// corpus has lowercase keys that the ECS API would reject).
func (r *reader) get(n *jsontree.Node, camel string) *jsontree.Node {
	if n == nil || n.Kind != jsontree.Object {
		return nil
	}
	if v := n.Get(camel); v != nil {
		return v
	}
	pascal := strings.ToUpper(camel[:1]) + camel[1:]
	if v := n.Get(pascal); v != nil {
		return v
	}
	for _, m := range n.Members {
		if strings.EqualFold(m.Key, camel) {
			if !r.pascal {
				r.diags.Warnf(m.KeyRange, "key %q read as %q: the ECS API is case-sensitive and would reject it", m.Key, camel)
			}
			return m.Value
		}
	}
	return nil
}

func (r *reader) str(n *jsontree.Node, key, path string) Str {
	v := r.get(n, key)
	if v == nil {
		return Str{}
	}
	return r.scalar(v, path+"."+key)
}

func (r *reader) scalar(v *jsontree.Node, path string) Str {
	path = strings.TrimPrefix(path, ".")
	s := Str{Path: path, Range: v.Range, Unknown: v.Unknown}
	switch v.Kind {
	case jsontree.String, jsontree.Number:
		s.Text = v.Str
		if !r.pascal && isTemplated(v.Str) {
			// A templatefile(), envsubst, ecspresso or test-harness
			// placeholder left unrendered.
			s.Unknown = true
		}
	case jsontree.Bool:
		s.Text = strconv.FormatBool(v.Bool)
	case jsontree.Null:
	default:
		r.diags.Errorf(v.Range, "%s: expected a string, found %s", path, v.Kind)
	}
	return s
}

func (r *reader) list(n *jsontree.Node, key, path string) []*jsontree.Node {
	v := r.get(n, key)
	if v == nil || v.Kind == jsontree.Null {
		return nil
	}
	if v.Unknown {
		r.diags.Warnf(v.Range, "%s is %s, unknown offline: its entries are not analysed", strings.TrimPrefix(path+"."+key, "."), v.Str)
		return nil
	}
	if v.Kind != jsontree.Array {
		r.diags.Errorf(v.Range, "%s: expected a list, found %s", strings.TrimPrefix(path+"."+key, "."), v.Kind)
		return nil
	}
	return v.Items
}

func idx(path, key string, i int) string {
	return strings.TrimPrefix(path+"."+key+"["+strconv.Itoa(i)+"]", ".")
}

func (r *reader) strMap(n *jsontree.Node, key, path string) map[string]Str {
	v := r.get(n, key)
	if v == nil || v.Kind != jsontree.Object {
		return nil
	}
	out := map[string]Str{}
	for _, m := range v.Members {
		out[m.Key] = r.scalar(m.Value, path+"."+key+"."+m.Key)
	}
	return out
}

func (r *reader) secrets(n *jsontree.Node, key, path string) []Secret {
	var out []Secret
	for i, s := range r.list(n, key, path) {
		p := idx(path, key, i)
		out = append(out, Secret{Name: r.str(s, "name", p), ValueFrom: r.str(s, "valueFrom", p)})
	}
	return out
}

// taskDefinition reads a task definition object (register shape).
func (r *reader) taskDefinition(n *jsontree.Node) *TaskDefinition {
	td := &TaskDefinition{Node: n}
	td.Family = r.str(n, "family", "")
	td.ARN = r.str(n, "taskDefinitionArn", "")
	td.ExecutionRoleArn = r.str(n, "executionRoleArn", "")
	td.TaskRoleArn = r.str(n, "taskRoleArn", "")
	td.NetworkMode = r.str(n, "networkMode", "")
	for i, c := range r.list(n, "requiresCompatibilities", "") {
		td.RequiresCompatibilities = append(td.RequiresCompatibilities, r.scalar(c, idx("", "requiresCompatibilities", i)))
	}
	if rp := r.get(n, "runtimePlatform"); rp != nil {
		td.RuntimePlatform.OperatingSystemFamily = r.str(rp, "operatingSystemFamily", "runtimePlatform")
		td.RuntimePlatform.CPUArchitecture = r.str(rp, "cpuArchitecture", "runtimePlatform")
	}
	if pc := r.get(n, "proxyConfiguration"); pc != nil && pc.Kind == jsontree.Object {
		td.ProxyConfiguration = &ProxyConfiguration{Type: r.str(pc, "type", "proxyConfiguration"), ContainerName: r.str(pc, "containerName", "proxyConfiguration")}
	}
	cs := r.get(n, "containerDefinitions")
	switch {
	case cs == nil && n.Get("Statement") != nil:
		r.diags.Errorf(n.Range, "this is an IAM policy document, not a task definition: give the role's policies to check with --role (a role file) or --iam")
	case cs == nil:
		r.diags.Errorf(n.Range, "task definition has no containerDefinitions")
	}
	for i, c := range r.list(n, "containerDefinitions", "") {
		td.Containers = append(td.Containers, r.container(c, idx("", "containerDefinitions", i)))
	}
	for i, v := range r.list(n, "volumes", "") {
		td.Volumes = append(td.Volumes, r.volume(v, idx("", "volumes", i)))
	}
	return td
}

func (r *reader) container(c *jsontree.Node, p string) *Container {
	out := &Container{Path: p}
	if c.Kind != jsontree.Object {
		r.diags.Errorf(c.Range, "%s: expected a container definition object, found %s", p, c.Kind)
		return out
	}
	out.Name = r.str(c, "name", p)
	out.Image = r.str(c, "image", p)
	if e := r.get(c, "essential"); e != nil && e.Kind == jsontree.Bool {
		b := e.Bool
		out.Essential = &b
	}
	if rc := r.get(c, "repositoryCredentials"); rc != nil {
		out.RepositoryCredentials = r.str(rc, "credentialsParameter", p+".repositoryCredentials")
	}
	out.Secrets = r.secrets(c, "secrets", p)
	if lc := r.get(c, "logConfiguration"); lc != nil && lc.Kind == jsontree.Object {
		lp := p + ".logConfiguration"
		out.LogConfiguration = &LogConfiguration{
			LogDriver:     r.str(lc, "logDriver", lp),
			Options:       r.strMap(lc, "options", lp),
			SecretOptions: r.secrets(lc, "secretOptions", lp),
		}
	}
	for i, f := range r.list(c, "environmentFiles", p) {
		fp := idx(p, "environmentFiles", i)
		out.EnvironmentFiles = append(out.EnvironmentFiles, EnvironmentFile{Value: r.str(f, "value", fp), Type: r.str(f, "type", fp)})
	}
	for i, e := range r.list(c, "environment", p) {
		ep := idx(p, "environment", i)
		out.Environment = append(out.Environment, NewEnvVar(r.str(e, "name", ep), r.str(e, "value", ep)))
	}
	if fc := r.get(c, "firelensConfiguration"); fc != nil && fc.Kind == jsontree.Object {
		fp := p + ".firelensConfiguration"
		out.FirelensConfiguration = &FirelensConfiguration{Type: r.str(fc, "type", fp), Options: r.strMap(fc, "options", fp)}
	}
	for i, s := range r.list(c, "credentialSpecs", p) {
		out.CredentialSpecs = append(out.CredentialSpecs, r.scalar(s, idx(p, "credentialSpecs", i)))
	}
	for i, s := range r.list(c, "dockerSecurityOptions", p) {
		out.DockerSecurityOptions = append(out.DockerSecurityOptions, r.scalar(s, idx(p, "dockerSecurityOptions", i)))
	}
	for i, m := range r.list(c, "mountPoints", p) {
		mp := idx(p, "mountPoints", i)
		ro := r.get(m, "readOnly")
		out.MountPoints = append(out.MountPoints, MountPoint{
			SourceVolume: r.str(m, "sourceVolume", mp), ContainerPath: r.str(m, "containerPath", mp),
			ReadOnly: ro != nil && (ro.Bool || ro.Str == "true"),
		})
	}
	return out
}

// volume reads the volume configurations that involve the execution role:
// EFS IAM authorization and FSx for Windows credentials
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html).
func (r *reader) volume(v *jsontree.Node, p string) *Volume {
	out := &Volume{Path: p, Name: r.str(v, "name", p)}
	if efs := r.get(v, "efsVolumeConfiguration"); efs != nil {
		ep := p + ".efsVolumeConfiguration"
		out.EFSFileSystemID = r.str(efs, "fileSystemId", ep)
		if ac := r.get(efs, "authorizationConfig"); ac != nil {
			out.EFSIAM = r.str(ac, "iam", ep+".authorizationConfig")
			out.EFSAccessPointID = r.str(ac, "accessPointId", ep+".authorizationConfig")
		}
	}
	if fsx := r.get(v, "fsxWindowsFileServerVolumeConfiguration"); fsx != nil {
		fp := p + ".fsxWindowsFileServerVolumeConfiguration"
		if ac := r.get(fsx, "authorizationConfig"); ac != nil {
			out.FSxCredentialsParameter = r.str(ac, "credentialsParameter", fp+".authorizationConfig")
			out.FSxDomain = r.str(ac, "domain", fp+".authorizationConfig")
		}
	}
	if c := r.get(v, "configuredAtLaunch"); c != nil {
		out.ConfiguredAtLaunch = c.Bool || c.Str == "true"
		out.ConfiguredAtLaunchRange = c.Range
	}
	return out
}

// FromNode reads the task definitions in a decoded JSON document: the
// register input, the describe output, a list of container definitions, or
// one container definition. Other adapters (Terraform) feed trees here.
func FromNode(n *jsontree.Node, file string) ([]*TaskDefinition, source.Diagnostics) {
	return fromJSON(n, file, Options{})
}

func fromJSON(n *jsontree.Node, file string, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	var ds source.Diagnostics
	r := &reader{diags: &ds}
	if n == nil {
		ds.Errorf(source.Range{File: file}, "empty input")
		return nil, ds
	}
	src := Source{File: file, Format: FormatRegister}
	var td *TaskDefinition
	switch {
	case n.Kind == jsontree.Array:
		src.Format = FormatContainers
		td = &TaskDefinition{Node: n}
		for i, c := range n.Items {
			td.Containers = append(td.Containers, r.container(c, "containerDefinitions["+strconv.Itoa(i)+"]"))
		}
	case n.Kind != jsontree.Object:
		ds.Errorf(n.Range, "expected a task definition object or a list of container definitions, found %s", n.Kind)
		return nil, ds
	case r.get(n, "taskDefinition") != nil:
		src.Format = FormatDescribe
		inner := r.get(n, "taskDefinition")
		if inner.Kind != jsontree.Object {
			ds.Errorf(inner.Range, "taskDefinition: expected an object, found %s", inner.Kind)
			return nil, ds
		}
		td = r.taskDefinition(inner)
	case r.get(n, "containerDefinitions") == nil && (r.get(n, "image") != nil || r.get(n, "name") != nil):
		src.Format = FormatContainers
		td = &TaskDefinition{Node: n, Containers: []*Container{r.container(n, "containerDefinitions[0]")}}
	default:
		td = r.taskDefinition(n)
	}
	td.Source = src
	place(td, opts)
	return []*TaskDefinition{td}, ds
}

// isTemplated spots the placeholder syntaxes of the corpus: ${var},
// {{must_env `X`}}, $$$EXECUTION_ROLE$$$.
func isTemplated(s string) bool {
	return strings.Contains(s, "${") || strings.Contains(s, "{{") || strings.Contains(s, "$$$")
}
