package requirements

import (
	"regexp"
	"strings"
)

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
		if service, whole := placeholderService(v.Text); v.Unknown && whole {
			d.unresolvedARN(v, use, service)
			return
		}
		if m := secretWithFields.FindStringSubmatch(v.Text); v.Unknown && m != nil {
			d.unresolvedARN(val{Text: m[1], Path: v.Path, Range: v.Range, Unknown: true}, use, "secretsmanager")
			return
		}
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

// tfSecretARN matches a Terraform placeholder for the whole ARN of a
// secret or parameter: ${[module.M.]...[data.]TYPE.NAME[KEY].ATTR}. The
// resource type says which service the unknown ARN belongs to
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret#attribute-reference:
// arn and id are the secret's ARN, also for the secret_version and the data
// sources; .../ssm_parameter#attribute-reference: arn is the ARN, name and
// id the name).
var tfSecretARN = regexp.MustCompile(`^\$\{(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*(?:data\.)?(aws_secretsmanager_secret|aws_secretsmanager_secret_version|aws_ssm_parameter)\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.(arn|id)\}$`)

// secretWithFields is an unresolved reference followed by the extended
// form's ":json-key:version-stage:version-id", which only a Secrets Manager
// ARN has (SSM parameter names cannot hold ":",
// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html).
// The grant is on the placeholder: IAM evaluates the secret's own ARN.
var secretWithFields = regexp.MustCompile(`^(\$\{[^{}]*\})(?::[^:]*){3}$`)

// placeholderService reports the service of a placeholder that stands for
// a whole secret or parameter ARN.
func placeholderService(s string) (service string, whole bool) {
	m := tfSecretARN.FindStringSubmatch(s)
	switch {
	case m == nil:
		return "", false
	case m[1] == "aws_ssm_parameter" && m[2] == "arn":
		return "ssm", true
	case m[1] == "aws_secretsmanager_secret" || m[1] == "aws_secretsmanager_secret_version" && m[2] == "arn":
		return "secretsmanager", true
	}
	return "", false
}

// unresolvedARN derives a reference that is the unknown ARN of a secret or
// parameter defined elsewhere in the input: the action its service needs,
// on the placeholder, which stands for the whole ARN. Read as a parameter
// name it would give a wrong action and an ARN with the placeholder inside.
func (d *deriver) unresolvedARN(v val, use secretUse, service string) {
	d.diags.Warnf(v.Range, "%s: the reference is not resolved (%s); it is the ARN of %s, granted on the placeholder", use.what, v.Text,
		map[string]string{"ssm": "an SSM parameter", "secretsmanager": "a Secrets Manager secret"}[service])
	feature, action, reason := use.feature, "ssm:GetParameters", use.what+" is read from SSM parameter "+v.Text+" (with decryption)"
	if service == "secretsmanager" {
		action, reason = "secretsmanager:GetSecretValue", use.what+" is read from Secrets Manager secret "+v.Text
		if feature == "" {
			feature = FeatureSecretsManager
		}
	} else if feature == "" {
		feature = FeatureSSMSecret
	}
	d.add(Requirement{
		Role: Execution, Action: action, Resource: v.Text,
		Reason: reason, Feature: feature, Step: use.step,
		ResourceAccount: d.account, ResourceRegion: d.region,
	}, v)
	d.kms(v, use, service, d.region, d.account, v.Text)
}
