package requirements

import "strings"

// SSM Parameter Store secrets (research §1.3).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
// https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html;
// agent/taskresource/ssmsecret/ssmsecret.go and agent/ssm/ssm.go
// (ssm:GetParameters with decryption, region from the ARN or the task).

// ssmParameter adds ssm:GetParameters on the parameter, and the Secrets
// Manager secret behind a /aws/reference/secretsmanager/ parameter.
func (d *deriver) ssmParameter(v val, use secretUse, a ARN, name string) {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	feature := use.feature
	if feature == "" {
		feature = FeatureSSMSecret
	}
	r := Requirement{
		Role: Execution, Action: "ssm:GetParameters", Resource: a.String(),
		Reason:          use.what + " is read from SSM parameter " + strings.TrimPrefix(a.Resource, "parameter") + " (with decryption)",
		Feature:         feature,
		Step:            use.step,
		ResourceAccount: a.Account,
		ResourceRegion:  a.Region,
	}
	d.add(r, v)
	viaRegion := a.Region
	if secretName, ok := strings.CutPrefix(name, SMReferencePrefix); ok && secretName != "" {
		// The parameter proxies a Secrets Manager secret, which SSM reads
		// with the caller's credentials: the role also needs
		// GetSecretValue on it.
		ref := SecretRef{Name: secretName, ARN: ARN{Partition: a.Partition, Service: "secretsmanager", Region: a.Region, Account: a.Account, Resource: "secret:" + secretName}}
		if secretSuffix.MatchString(secretName) {
			ref.Suffixed = true
		}
		res, sample, pattern := ref.Pattern()
		d.add(Requirement{
			Role: Execution, Action: "secretsmanager:GetSecretValue", Resource: res, Sample: sample, Pattern: pattern,
			Reason:          use.what + " references Secrets Manager secret " + secretName + " through SSM",
			Feature:         FeatureSecretsManager,
			Step:            use.step,
			ResourceAccount: a.Account,
			ResourceRegion:  a.Region,
		}, v)
		d.kms(v, use, "secretsmanager", viaRegion, a.Account, v.Text, a.String(), ref.ARN.String())
		return
	}
	d.kms(v, use, "ssm", viaRegion, a.Account, v.Text, a.String())
}
