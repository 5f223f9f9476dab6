package launch

import (
	"path"
	"strings"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/requirements"
)

// Error texts. Every shape below is quoted in research
// ecs-execution-requirements.md: §2.1 (IAM grammar, SDK wrapping), §2.2 (EC2
// agent, read in aws/amazon-ecs-agent), §2.3 (Fargate, observed), §3 (trust).
// Where the research marks a shape as inferred, the code says [I].

// fargatePrefix starts every Fargate credential-phase failure (§2.3).
const fargatePrefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "

// taskFailedToStart is the task's reason when a container-level error
// (image pull, container start) stops it on EC2 (§0 item 3, observed).
const taskFailedToStart = "Task failed to start"

// policyWord is the policy type IAM names in an AccessDenied message (§2.1,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
var policyWord = map[string]string{
	eval.GateIdentity.String(): "identity-based",
	eval.GateResource.String(): "resource-based",
	eval.GateBoundary.String(): "permissions boundary",
	eval.GateSession.String():  "session",
	eval.GateSCP.String():      "service control",
	eval.GateRCP.String():      "resource control",
	eval.GateEndpoint.String(): "VPC endpoint",
}

// iamMessage is the AccessDenied sentence IAM returns for c (§2.1).
func iamMessage(c *Call) string {
	word := policyWord[c.Gate]
	if word == "" {
		word = "identity-based"
	}
	// A permissions boundary is named without "policy" ("no permissions
	// boundary allows"), as in the troubleshooting page's examples.
	if word != "permissions boundary" {
		word += " policy"
	}
	s := "User: " + c.Principal + " is not authorized to perform: " + c.Action + " on resource: " + c.Resource
	if c.Decision == eval.ExplicitlyDenied.String() {
		article := "a "
		if strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
			article = "an "
		}
		return s + " with an explicit deny in " + article + word
	}
	return s + " because no " + word + " allows the " + c.Action + " action"
}

// sdkV2 wraps an API error as AWS SDK for Go v2 prints it (§2.1).
func sdkV2(service, op string, status, code, msg string) string {
	return "operation error " + service + ": " + op + ", https response error StatusCode: " + status +
		", RequestID: " + RequestID + ", api error " + code + ": " + msg
}

// sdkV1 wraps an API error as AWS SDK for Go v1 prints it, after ECS's
// whitespace squeeze (§2.1; agent/api/task/task.go SetTerminalReason).
func sdkV1(status, code, msg string) string {
	return code + ": " + msg + " status code: " + status + ", request id: " + RequestID
}

var serviceNames = map[string]string{
	"ssm": "SSM", "secretsmanager": "Secrets Manager", "ecr": "ECR", "logs": "CloudWatch Logs", "s3": "S3",
}

// apiError is c's denial as the SDK prints it; v2 picks the SDK.
func apiError(c *Call, v2 bool) string {
	svc, op, _ := strings.Cut(c.Action, ":")
	msg := iamMessage(c)
	if v2 {
		return sdkV2(serviceNames[strings.ToLower(svc)], op, "400", "AccessDeniedException", msg)
	}
	return sdkV1("400", "AccessDeniedException", msg)
}

// kmsError is the error SSM or Secrets Manager returns when it cannot
// decrypt with the role's permissions: SSM passes KMS's text on (§2.2,
// aws-cdk#4498), Secrets Manager says "Access to KMS is not allowed" (§2.2,
// §2.3). The service's own error replaces the IAM sentence.
func kmsError(via string, v2 bool) string {
	svc, op, msg := "SSM", "GetParameters", "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."
	if strings.HasPrefix(via, "secretsmanager.") {
		svc, op, msg = "Secrets Manager", "GetSecretValue", "Access to KMS is not allowed"
	}
	if v2 {
		return sdkV2(svc, op, "400", "AccessDeniedException", msg)
	}
	return sdkV1("400", "AccessDeniedException", msg)
}

// reason fills rep's stopped and container reasons for the failing call c.
func (e *env) reason(rep *Report, c *Call) {
	r := c.req
	if r.Step == requirements.StepAssumeRole {
		// §3, observed in service events and stopped tasks.
		rep.StoppedReason = "ECS was unable to assume the role '" + c.Resource + "' that was provided for this task. " +
			"Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role."
		return
	}
	if c.Decision == DecisionUnknown {
		return
	}
	via := ""
	if v := r.Context["kms:ViaService"]; len(v) > 0 {
		via = v[0]
	}
	isKMS := strings.HasPrefix(strings.ToLower(r.Action), "kms:")
	region := or(r.ResourceRegion, e.region)
	switch {
	case r.Feature == requirements.FeatureRegistryCredentials || strings.Contains(r.Path, "repositoryCredentials"):
		cred := or(e.values[r.Path], c.Resource)
		err := e.secretsManagerErr(c, isKMS, via, e.ec2 && e.agent.Less(v1_92_0))
		if !e.ec2 {
			// [I] for AccessDenied: observed with RequestError (§2.3).
			rep.StoppedReason = fargatePrefix + "unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for " + cred + ": " + err
			return
		}
		// agent/taskresource/asmauth (§2.2).
		rep.StoppedReason = "Asm fetching secret from the service for " + cred + ": " + err
	case r.Feature == requirements.FeatureSSMSecret || isKMS && strings.HasPrefix(via, "ssm."):
		v2 := !e.ec2 || !e.agent.Less(v1_93_1)
		err := apiError(c, v2)
		if isKMS {
			err = kmsError(via, v2)
		}
		if !e.ec2 {
			rep.StoppedReason = fargatePrefix + "unable to retrieve secrets from ssm: service call has been retried 1 time(s): " + err
			return
		}
		// agent/taskresource/ssmsecret/ssmsecret.go (§2.2).
		rep.StoppedReason = "Fetching secret data from SSM Parameter Store in " + region + ": " + err
	case r.Feature == requirements.FeatureSecretsManager || isKMS && strings.HasPrefix(via, "secretsmanager."):
		id := e.secretID(r)
		if !e.ec2 {
			rep.StoppedReason = fargatePrefix + "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " + id + " from secrets manager: " + e.secretsManagerErr(c, isKMS, via, false)
			return
		}
		if e.agent.Less(v1_84_0) {
			// Before v1.84.0 (§2.2, §7.5; New Relic doc, 2020).
			rep.StoppedReason = "Fetching secret data from AWS Secrets Manager in region " + region + ": secret " + id + ": " + e.secretsManagerErr(c, isKMS, via, true)
			return
		}
		// From v1.84.0 the SDK error is repeated (agent/asm/asm.go
		// GetSecretFromASMWithInput wraps an error already carrying it, §2.2).
		err := e.secretsManagerErr(c, isKMS, via, e.agent.Less(v1_92_0))
		rep.StoppedReason = "Secret " + id + ": " + err + ": " + err
	case r.Action == "ecr:GetAuthorizationToken":
		if !e.ec2 {
			rep.StoppedReason = fargatePrefix + "unable to retrieve ecr registry auth: service call has been retried 1 time(s): " + apiError(c, true)
			return
		}
		rep.StoppedReason = taskFailedToStart
		rep.Container = e.containerName(r.Path)
		rep.ContainerReason = "CannotPullECRContainerError: " + apiError(c, !e.agent.Less(v1_93_1))
	case r.Feature == requirements.FeatureECRPull || r.Feature == requirements.FeatureECRPullThroughCache:
		e.pullReason(rep, c)
	case r.Feature == requirements.FeatureAWSLogs:
		what := "log stream"
		if strings.EqualFold(r.Action, "logs:CreateLogGroup") {
			what = "log group"
		}
		if !e.ec2 {
			// Fargate's logger wrapper (§2.3, §7.6).
			rep.StoppedReason = "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch " + what + ": " + apiError(c, true) + " : exit status 1"
			return
		}
		// moby daemon/logger/awslogs (§2.2, observed with SDK v1 text). [I]
		// for the task-level reason.
		rep.StoppedReason = taskFailedToStart
		rep.Container = e.containerName(r.Path)
		rep.ContainerReason = "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch " + what + ": " + apiError(c, false)
	case r.Feature == requirements.FeatureEnvironmentFile || r.Feature == requirements.FeatureFireLensConfig:
		e.s3Reason(rep, c)
	default:
		// [I]: features whose denial text the research did not capture
		// (gMSA, FSx credentials, ...): the IAM sentence as the SDK prints it.
		if !e.ec2 {
			rep.StoppedReason = fargatePrefix + apiError(c, true)
			return
		}
		rep.StoppedReason = apiError(c, true)
	}
}

// secretsManagerErr is a Secrets Manager denial, of the secret or its key.
func (e *env) secretsManagerErr(c *Call, isKMS bool, via string, v1 bool) string {
	if isKMS {
		if via == "" {
			via = "secretsmanager."
		}
		return kmsError(via, !v1)
	}
	return apiError(c, !v1)
}

// secretID is the SecretId ECS sends for r: valueFrom as written, without
// the json-key/version fields (agent/taskresource/asmsecret/asmsecret.go
// getASMParametersFromInput).
func (e *env) secretID(r *requirements.Requirement) string {
	if v := e.values[r.Path]; v != "" {
		if ref, err := requirements.ParseSecretARN(v); err == nil && strings.Count(v, ":") > 6 {
			return ref.ARN.String()
		}
		return v
	}
	return strings.TrimSuffix(r.Resource, "-??????")
}

// containerName names the container of a requirement path
// "containerDefinitions[i]....".
func (e *env) containerName(p string) string {
	i := strings.Index(p, "]")
	if i < 0 || !strings.HasPrefix(p, "containerDefinitions[") {
		return ""
	}
	return e.values[p[:i+1]+".name"]
}

// pullReason is an image pull denied by the registry (ECR repository).
func (e *env) pullReason(rep *Report, c *Call) {
	r := c.req
	ref := e.values[r.Path]
	img, err := requirements.ParseImage(ref)
	if ref == "" || err != nil || !img.ECR {
		// Rebuild the reference from the repository ARN.
		a, _ := requirements.ParseARN(r.Resource)
		img = requirements.Image{Account: a.Account, Region: a.Region, Repository: strings.TrimPrefix(a.Resource, "repository/")}
		ref = a.Account + ".dkr.ecr." + a.Region + ".amazonaws.com/" + img.Repository
	}
	host := ref
	if i := strings.Index(ref, "/"); i >= 0 {
		host = ref[:i]
	}
	manifest := or(img.Tag, "latest")
	if img.Digest != "" {
		manifest = img.Digest
	}
	rep.Container = e.containerName(r.Path)
	if !e.ec2 {
		// containerd sees only the 403; the IAM sentence is not shown
		// (§2.3, aws/aws-cdk#29876, aws-samples/bedrock-access-gateway#114).
		if strings.EqualFold(r.Action, "ecr:GetDownloadUrlForLayer") {
			rep.ContainerReason = "CannotPullContainerError: unexpected status from HEAD request to https://" + host + "/v2/" + img.Repository + "/blobs/sha256:<layer-digest>: 403 Forbidden"
		} else {
			rep.ContainerReason = "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " + ref + ": pulling from host " + host + " failed with status code [manifests " + manifest + "]: 403 Forbidden"
		}
		rep.StoppedReason = rep.ContainerReason
		return
	}
	// agent/api/errormessages/error_messages.go (§2.2): the prefix, with a
	// curly apostrophe, is added from v1.84.0 when the daemon's text names
	// ecr:BatchGetImage.
	daemon := "Error response from daemon: pull access denied for " + host + "/" + img.Repository +
		", repository does not exist or may require 'docker login': denied: " + iamMessage(c)
	prefix := ""
	if !e.agent.Less(v1_84_0) && strings.EqualFold(r.Action, "ecr:BatchGetImage") {
		prefix = "The task can’t pull the image. Check that the role has the permissions to pull images from the registry. "
	}
	rep.StoppedReason = taskFailedToStart
	rep.ContainerReason = "CannotPullContainerError: " + prefix + daemon
}

// s3Reason is an environment file or FireLens config download denied.
func (e *env) s3Reason(rep *Report, c *Call) {
	r := c.req
	obj, err := requirements.ParseS3ObjectARN(r.Resource)
	if err != nil {
		// s3:GetBucketLocation is on the bucket ARN.
		obj.Bucket = strings.TrimPrefix(r.Resource, "arn:"+e.partition+":s3:::")
	}
	v2 := !e.ec2 || !e.agent.Less(v1_93_1)
	s3err := sdkV1("403", "AccessDenied", "Access Denied") + ", host id: <host-id>"
	if v2 {
		svc, op, _ := strings.Cut(r.Action, ":")
		s3err = "operation error " + serviceNames[svc] + ": " + op + ", https response error StatusCode: 403, RequestID: " +
			RequestID + ", HostID: <host-id>, api error AccessDenied: Access Denied"
	}
	if r.Feature == requirements.FeatureFireLensConfig {
		// agent/taskresource/firelens (§2.2); Fargate reads FireLens
		// config only from files, so this is EC2's text.
		rep.StoppedReason = "Unable to download firelens s3 config file: unable to download s3 config " + obj.Key + " from bucket " + obj.Bucket + ": " + s3err
		return
	}
	if !e.ec2 {
		// §2.3, aws/aws-cdk#12720.
		rep.StoppedReason = "ResourceInitializationError: failed to download env files: file download command: non-empty error stream: failed to download file " +
			path.Base(or(obj.Key, obj.Bucket)) + ": failed to write to a temporary file: AccessDenied: Access Denied"
		return
	}
	if obj.Key == "" {
		// [I] bucket-region discovery (§2.2 note).
		rep.StoppedReason = "Unable to initialize s3 client for bucket " + obj.Bucket + ", error: " + s3err
		return
	}
	rep.StoppedReason = "Unable to download env file with key " + obj.Key + " from bucket " + obj.Bucket + ", error: " + s3err
}
