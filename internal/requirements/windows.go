package requirements

import "strings"

// gMSA credential specs and FSx for Windows File Server credentials
// (research §1.8), read with the execution role in the task's region.
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/windows-gmsa.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/wfsx-volumes.html;
// agent/taskresource/credentialspec/credentialspec_linux.go,
// agent/taskresource/fsxwindowsfileserver/fsxwindowsfileserver_windows.go.

// credentialSpec derives a gMSA credential spec reference: "credentialspec:"
// or "credentialspecdomainless:" followed by an S3 object ARN or an SSM
// parameter ARN. Local "file://" specs need nothing.
func (d *deriver) credentialSpec(container string, v val) {
	spec := v.Text
	for _, p := range []string{"credentialspecdomainless:", "credentialspec:"} {
		if s, ok := strings.CutPrefix(spec, p); ok {
			spec = s
			break
		}
	}
	if templated(spec) {
		d.diags.Warnf(v.Range, "gMSA credential spec of container %q is not resolved (%s): if it is an S3 or SSM ARN the role also needs s3:GetObject or ssm:GetParameters on it", container, spec)
		return
	}
	if !strings.HasPrefix(spec, "arn:") {
		return
	}
	v.Text = spec
	what := "gMSA credential spec of container " + container
	a, _ := ParseARN(spec)
	switch a.Service {
	case "s3":
		d.s3Object(v, what, FeatureGMSA, StepEnvironmentFiles)
	case "ssm":
		d.secretRef(v, secretUse{what: what, feature: FeatureGMSA, step: StepEnvironmentFiles, taskRegion: true})
	default:
		d.diags.Errorf(v.Range, "%s: expected an S3 object ARN or an SSM parameter ARN", what)
	}
}

// fsxCredentials derives the FSx for Windows File Server volume's
// credentialsParameter, an SSM or Secrets Manager ARN read in the task's
// region (fsxwindowsfileserver_windows.go).
func (d *deriver) fsxCredentials(volume string, v val) {
	what := "FSx credentials of volume " + volume
	if v.Unknown {
		use := secretUse{what: what, feature: FeatureFSxCredentials, step: StepSecrets, taskRegion: true}
		if service, whole := placeholderService(v.Text); whole {
			d.unresolvedARN(v, use, service)
			return
		}
		if !strings.HasPrefix(v.Text, "arn:") {
			// An unknown value is not an invalid one: say what it needs.
			d.diags.Warnf(v.Range, "%s: credentialsParameter is not resolved (%s): the role needs ssm:GetParameters or secretsmanager:GetSecretValue on it", what, v.Text)
			return
		}
	}
	a, ok := ParseARN(v.Text)
	if !ok || (a.Service != "ssm" && a.Service != "secretsmanager") {
		d.diags.Errorf(v.Range, "%s: unsupported credentialsParameter, only ssm/secretsmanager ARNs are valid", what)
		return
	}
	d.secretRef(v, secretUse{what: what, feature: FeatureFSxCredentials, step: StepSecrets, taskRegion: true})
}
