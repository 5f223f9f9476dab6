package requirements

import "strings"

// Secret references in `secrets` and log-driver `secretOptions`: an SSM
// parameter name or ARN, or a Secrets Manager ARN (research §1.3-1.4).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html,
// https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html;
// agent/taskresource/ssmsecret/ssmsecret.go and agent/ssm/ssm.go
// (ssm:GetParameters, names as given, region from the ARN or the task),
// agent/taskresource/asmsecret/asmsecret.go (ARN shapes),
// agent/taskresource/asmauth/asmauth.go (registry credentials).

// secretUse says where a secret reference appears, for reasons and steps.
type secretUse struct {
	what    string // "secret FOO of container app", "log option splunk-token of container app"
	feature Feature
	step    Step
	// taskRegion forces the task's region even for ARNs (gMSA and FSx
	// credentials are read in the task region; research §1.8).
	taskRegion bool
}

// secretRef derives the requirements of one valueFrom: an SSM parameter name
// or ARN, or a Secrets Manager ARN.
func (d *deriver) secretRef(v val, use secretUse) {
	if v.Text == "" {
		d.diags.Errorf(v.Range, "%s: valueFrom is empty; expected an SSM parameter name or ARN, or a Secrets Manager secret ARN", use.what)
		return
	}
	if !strings.HasPrefix(v.Text, "arn:") {
		if v.Unknown {
			d.diags.Warnf(v.Range, "%s: valueFrom is not resolved (%s); assuming an SSM parameter name", use.what, v.Text)
		}
		d.ssmParameter(v, use, ARN{Partition: d.partition, Service: "ssm", Region: d.region, Account: d.account, Resource: "parameter/" + strings.TrimPrefix(v.Text, "/")}, v.Text)
		return
	}
	a, ok := ParseARN(v.Text)
	if !ok {
		d.diags.Errorf(v.Range, "%s: malformed ARN; expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", use.what)
		return
	}
	switch a.Service {
	case "ssm":
		name, ok := strings.CutPrefix(a.Resource, "parameter/")
		if !ok || name == "" {
			d.diags.Errorf(v.Range, "%s: SSM ARN must name a parameter (arn:%s:ssm:REGION:ACCOUNT:parameter/NAME)", use.what, a.Partition)
			return
		}
		if a.Region == "" || a.Account == "" {
			d.diags.Errorf(v.Range, "%s: SSM parameter ARN lacks a region or account", use.what)
			return
		}
		if use.taskRegion {
			a.Region = d.region
		}
		d.ssmParameter(v, use, a, "/"+strings.TrimPrefix(name, "/"))
	case "secretsmanager":
		ref, err := ParseSecretARN(v.Text)
		if err != nil {
			d.diags.Errorf(v.Range, "%s: %v", use.what, err)
			return
		}
		if use.taskRegion {
			ref.ARN.Region = d.region
		}
		d.secretsManager(v, use, ref)
	default:
		d.diags.Errorf(v.Range, "%s: valueFrom names a %s resource; expected an SSM parameter or a Secrets Manager secret", use.what, a.Service)
	}
}
