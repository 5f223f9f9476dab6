package requirements

import "strings"

// Private registry credentials, repositoryCredentials (research §1.5).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html;
// agent/taskresource/asmauth/asmauth.go.

// registryCredentials derives repositoryCredentials.credentialsParameter: a
// Secrets Manager secret name (same region) or ARN.
func (d *deriver) registryCredentials(container string, v val) {
	use := secretUse{what: "the registry credentials of container " + container, feature: FeatureRegistryCredentials, step: StepRegistryAuth}
	if strings.HasPrefix(v.Text, "arn:") {
		a, ok := ParseARN(v.Text)
		if !ok || a.Service != "secretsmanager" {
			d.diags.Errorf(v.Range, "%s: credentialsParameter must be a Secrets Manager secret name or ARN", use.what)
			return
		}
		d.secretRef(v, use)
		return
	}
	if service, whole := placeholderService(v.Text); v.Unknown && whole && service == "secretsmanager" {
		d.unresolvedARN(v, use, service)
		return
	}
	if v.Text == "" {
		d.diags.Errorf(v.Range, "%s: credentialsParameter is empty; expected a Secrets Manager secret name or ARN", use.what)
		return
	}
	// A bare name never carries the random suffix (a name may end like
	// one, but it is still the name), so the grant keeps the wildcard.
	ref := SecretRef{Name: v.Text, ARN: ARN{Partition: d.partition, Service: "secretsmanager", Region: d.region, Account: d.account, Resource: "secret:" + v.Text}}
	d.secretsManager(v, use, ref)
}
