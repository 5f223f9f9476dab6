package requirements

// Secrets Manager secrets (research §1.4).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html;
// agent/taskresource/asmsecret/asmsecret.go (ARN shapes, one
// GetSecretValue per unique valueFrom in the ARN's region).

// secretsManager adds secretsmanager:GetSecretValue on the secret.
func (d *deriver) secretsManager(v val, use secretUse, ref SecretRef) {
	feature := use.feature
	if feature == "" {
		feature = FeatureSecretsManager
	}
	res, sample, pattern := ref.Pattern()
	r := Requirement{
		Role: Execution, Action: "secretsmanager:GetSecretValue", Resource: res, Sample: sample, Pattern: pattern,
		Reason:          use.what + " is read from Secrets Manager secret " + ref.Name,
		Feature:         feature,
		Step:            use.step,
		ResourceAccount: ref.ARN.Account,
		ResourceRegion:  ref.ARN.Region,
	}
	if pattern {
		r.Notes = append(r.Notes, "the reference has no 6-character random suffix; the grant matches it with -??????")
	}
	if ref.JSONKey != "" || ref.VersionStage != "" || ref.VersionID != "" {
		r.Notes = append(r.Notes, "json-key and version fields are stripped: IAM evaluates the secret's own ARN")
	}
	d.add(r, v)
	d.kms(v, use, "secretsmanager", ref.ARN.Region, ref.ARN.Account, v.Text, ref.ARN.String(), res)
}
