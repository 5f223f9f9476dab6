package cloudtrail

import (
	"strings"

	"github.com/execrole/execrole/internal/arn"
)

// MappingKind says how far an action and resource can be trusted.
type MappingKind string

const (
	// Curated means the event is in the hand-written table below, each entry
	// citing the AWS page that documents the event's shape.
	Curated MappingKind = "curated"
	// Generic means the action was derived by the generic rule (service
	// prefix from eventSource, action from eventName) and the resource from
	// resources[] or "*"; the action may not exist in IAM.
	Generic MappingKind = "generic"
	// Permissionless marks calls that need no IAM permission
	// (sts:GetCallerIdentity), kept so they are visible but never granted.
	Permissionless MappingKind = "permissionless"
)

// Mapped is the IAM action and resource one event was authorised for.
type Mapped struct {
	Action   string
	Resource string
	// Context names what a call was made for when the log says so, such as
	// the secret or parameter ARN in a KMS encryption context.
	Context string
	Kind    MappingKind
}

// eventKey is (eventSource, eventName).
type eventKey struct{ source, name string }

// curatedEvent maps one event of a service an execution role uses.
type curatedEvent struct {
	action   string
	resource func(r *Record) []string
	source   string // AWS documentation for the event's shape
}

const (
	docECR     = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/logging-using-cloudtrail.html"
	docLogs    = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html"
	docSSM     = "https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html"
	docSM      = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html"
	docSMKMS   = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"
	docKMS     = "https://docs.aws.amazon.com/kms/latest/developerguide/ct-decrypt.html"
	docS3      = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"
	docSTS     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"
	docNoPerm  = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
	docLogList = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html"
)

// curated is the event table for the services an execution role uses,
// keyed by (eventSource, eventName). Which of these calls CloudTrail records
// at all is in [BlindSpots].
var curated = map[eventKey]curatedEvent{
	// ECR: every API call is logged; the image layer download itself is a
	// pre-signed S3 GET that is not.
	{"ecr.amazonaws.com", "GetAuthorizationToken"}:       {"ecr:GetAuthorizationToken", star, docECR},
	{"ecr.amazonaws.com", "BatchGetImage"}:               {"ecr:BatchGetImage", ecrRepo, docECR},
	{"ecr.amazonaws.com", "GetDownloadUrlForLayer"}:      {"ecr:GetDownloadUrlForLayer", ecrRepo, docECR},
	{"ecr.amazonaws.com", "BatchCheckLayerAvailability"}: {"ecr:BatchCheckLayerAvailability", ecrRepo, docECR},
	// CloudWatch Logs: request parameters only, no resources[].
	// PutLogEvents is not in the list of logged calls, but is mapped in case
	// a future trail records it.
	{"logs.amazonaws.com", "CreateLogStream"}: {"logs:CreateLogStream", logStream, docLogs},
	{"logs.amazonaws.com", "CreateLogGroup"}:  {"logs:CreateLogGroup", logGroupForCreate, docLogs},
	{"logs.amazonaws.com", "PutLogEvents"}:    {"logs:PutLogEvents", logStream, docLogList},
	// SSM: resources[] holds one ARN per parameter; fall back to names[].
	{"ssm.amazonaws.com", "GetParameters"}:       {"ssm:GetParameters", ssmParams, docSSM},
	{"ssm.amazonaws.com", "GetParameter"}:        {"ssm:GetParameter", ssmParams, docSSM},
	{"ssm.amazonaws.com", "GetParametersByPath"}: {"ssm:GetParametersByPath", ssmParams, docSSM},
	// Secrets Manager: no resources[]; secretId is what the caller sent.
	{"secretsmanager.amazonaws.com", "GetSecretValue"}: {"secretsmanager:GetSecretValue", secret, docSM},
	{"secretsmanager.amazonaws.com", "DescribeSecret"}: {"secretsmanager:DescribeSecret", secret, docSM},
	// KMS: resources[] has the key ARN; encryptionContext names the secret
	// or parameter when Secrets Manager or SSM called on the role's behalf.
	{"kms.amazonaws.com", "Decrypt"}:         {"kms:Decrypt", kmsKey, docKMS},
	{"kms.amazonaws.com", "GenerateDataKey"}: {"kms:GenerateDataKey", kmsKey, docKMS},
	{"kms.amazonaws.com", "DescribeKey"}:     {"kms:DescribeKey", kmsKey, docKMS},
	// S3 data events (environment files, FireLens configuration).
	{"s3.amazonaws.com", "GetObject"}:         {"s3:GetObject", s3Object, docS3},
	{"s3.amazonaws.com", "HeadObject"}:        {"s3:GetObject", s3Object, docS3},
	{"s3.amazonaws.com", "GetBucketLocation"}: {"s3:GetBucketLocation", s3Bucket, docS3},
	// STS: role chaining from the role's session.
	{"sts.amazonaws.com", "AssumeRole"}: {"sts:AssumeRole", assumedRole, docSTS},
}

// CuratedSource returns the documentation URL behind a curated event, for
// reports that cite their evidence; ok is false for events mapped generically.
func CuratedSource(eventSource, eventName string) (url string, ok bool) {
	c, ok := curated[eventKey{eventSource, eventName}]
	return c.source, ok
}

// prefixExceptions lists eventSource hosts whose IAM prefix is not the first
// DNS label (CloudTrail record contents: "exception ... CloudWatch is
// monitoring.amazonaws.com"; the rest per trailscraper's table, see research
// section 2.1).
var prefixExceptions = map[string]string{
	"monitoring.amazonaws.com":       "cloudwatch",
	"appstream2.amazonaws.com":       "appstream",
	"models.lex.amazonaws.com":       "lex",
	"runtime.lex.amazonaws.com":      "lex",
	"mturk-requester.amazonaws.com":  "mechanicalturk",
	"streams.dynamodb.amazonaws.com": "dynamodb",
	"tagging.amazonaws.com":          "tag",
}

// s3Renames maps S3 API names to the IAM actions that authorise them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
var s3Renames = map[string]string{
	"HeadObject": "GetObject", "HeadBucket": "ListBucket", "ListObjects": "ListBucket",
	"ListObjectsV2": "ListBucket", "ListBuckets": "ListAllMyBuckets",
	"CopyObject": "PutObject", "UploadPart": "PutObject", "UploadPartCopy": "PutObject",
	"CreateMultipartUpload": "PutObject", "CompleteMultipartUpload": "PutObject",
	"DeleteObjects": "DeleteObject", "ListObjectVersions": "ListBucketVersions",
	"ListParts": "ListMultipartUploadParts",
}

// permissionless lists events that need no IAM permission.
var permissionless = map[eventKey]bool{
	{"sts.amazonaws.com", "GetCallerIdentity"}: true, // docNoPerm
}

// Map returns the actions and resources an event was authorised for. It
// never fails: events outside the curated table get the generic rule.
func Map(r *Record) []Mapped {
	key := eventKey{r.EventSource, r.EventName}
	if c, ok := curated[key]; ok {
		ctx := kmsContext(r)
		res := c.resource(r)
		out := make([]Mapped, 0, len(res))
		for _, x := range res {
			out = append(out, Mapped{Action: c.action, Resource: x, Context: ctx, Kind: Curated})
		}
		return out
	}
	if permissionless[key] {
		return []Mapped{{Action: servicePrefix(r.EventSource) + ":" + r.EventName, Resource: "*", Kind: Permissionless}}
	}
	action := servicePrefix(r.EventSource) + ":" + genericAction(r.EventSource, r.EventName)
	var out []Mapped
	for _, res := range r.Resources {
		if res.ARN != "" {
			out = append(out, Mapped{Action: action, Resource: res.ARN, Kind: Generic})
		}
	}
	if len(out) == 0 {
		out = append(out, Mapped{Action: action, Resource: "*", Kind: Generic})
	}
	return out
}

func servicePrefix(eventSource string) string {
	if p, ok := prefixExceptions[eventSource]; ok {
		return p
	}
	if i := strings.IndexByte(eventSource, '.'); i > 0 {
		return eventSource[:i]
	}
	return eventSource
}

// genericAction applies the known name rules: S3 renames, KMS ReEncrypt
// (which needs ReEncryptFrom and ReEncryptTo; reported as ReEncrypt*), and
// the version suffix on Lambda event names such as CreateFunction20150331
// (cloud-custodian#3292).
func genericAction(source, name string) string {
	switch source {
	case "s3.amazonaws.com":
		if a, ok := s3Renames[name]; ok {
			return a
		}
	case "kms.amazonaws.com":
		if name == "ReEncrypt" {
			return "ReEncrypt*"
		}
	case "lambda.amazonaws.com":
		return stripVersion(name)
	}
	return name
}

// stripVersion removes a trailing date/version like "20150331v2".
func stripVersion(name string) string {
	i := len(name)
	for i > 0 {
		c := name[i-1]
		if (c >= '0' && c <= '9') || c == 'v' || c == '_' {
			i--
			continue
		}
		break
	}
	if i < len(name) && i > 0 && len(name)-i >= 8 {
		return name[:i]
	}
	return name
}

// account is the resource owner for ARNs built from request parameters.
func (r *Record) account() string {
	for _, res := range r.Resources {
		if res.AccountID != "" {
			return res.AccountID
		}
	}
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}

func firstResourceARNs(r *Record, typ string) []string {
	var out []string
	for _, res := range r.Resources {
		if res.ARN != "" && (typ == "" || res.Type == "" || res.Type == typ) {
			out = append(out, res.ARN)
		}
	}
	return out
}

func star(*Record) []string { return []string{"*"} }

func ecrRepo(r *Record) []string {
	if a := firstResourceARNs(r, "AWS::ECR::Repository"); len(a) > 0 {
		return a[:1]
	}
	repo := r.param("repositoryName")
	if repo == "" {
		return []string{"*"}
	}
	acct := r.param("registryId")
	if acct == "" {
		acct = r.account()
	}
	return []string{"arn:" + arn.PartitionOf(r.AWSRegion) + ":ecr:" + r.AWSRegion + ":" + acct + ":repository/" + repo}
}

// logStream builds the stream ARN from the request. The last path segment of
// an awslogs stream name is the task ID, so it is replaced with "*" to keep
// one row per log configuration instead of one per task (research 6.3).
func logStream(r *Record) []string {
	g := r.param("logGroupName")
	if g == "" {
		return []string{"*"}
	}
	s := r.param("logStreamName")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[:i+1] + "*"
	}
	return []string{logGroupARN(r, g) + ":log-stream:" + s}
}

// logGroupForCreate uses the form ECS denial messages print for
// CreateLogGroup: "log-group:NAME:log-stream:".
func logGroupForCreate(r *Record) []string {
	g := r.param("logGroupName")
	if g == "" {
		return []string{"*"}
	}
	return []string{logGroupARN(r, g) + ":log-stream:"}
}

func logGroupARN(r *Record, g string) string {
	return "arn:" + arn.PartitionOf(r.AWSRegion) + ":logs:" + r.AWSRegion + ":" + r.account() + ":log-group:" + g
}

func ssmParams(r *Record) []string {
	if a := firstResourceARNs(r, ""); len(a) > 0 {
		return a
	}
	names := r.paramStrings("names")
	if n := r.param("name"); n != "" {
		names = append(names, n)
	}
	if p := r.param("path"); p != "" {
		names = append(names, strings.TrimSuffix(p, "/")+"/*")
	}
	if len(names) == 0 {
		return []string{"*"}
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if strings.HasPrefix(n, "arn:") {
			out = append(out, n)
			continue
		}
		out = append(out, "arn:"+arn.PartitionOf(r.AWSRegion)+":ssm:"+r.AWSRegion+":"+r.account()+":parameter/"+strings.TrimPrefix(n, "/"))
	}
	return out
}

// secret uses secretId: a full ARN as ECS passes it, or a name, which the
// secret's ARN extends with "-" and six random characters.
func secret(r *Record) []string {
	id := r.param("secretId")
	if id == "" {
		if a := firstResourceARNs(r, ""); len(a) > 0 {
			return a
		}
		return []string{"*"}
	}
	if strings.HasPrefix(id, "arn:") {
		return []string{id}
	}
	return []string{"arn:" + arn.PartitionOf(r.AWSRegion) + ":secretsmanager:" + r.AWSRegion + ":" + r.account() + ":secret:" + id + "-??????"}
}

func kmsKey(r *Record) []string {
	if a := firstResourceARNs(r, "AWS::KMS::Key"); len(a) > 0 {
		return a[:1]
	}
	if k := r.param("keyId"); strings.HasPrefix(k, "arn:") {
		return []string{k}
	}
	return []string{"*"}
}

// kmsContext returns the secret or parameter a KMS call decrypted for
// (encryption context keys SecretARN and PARAMETER_ARN).
func kmsContext(r *Record) string {
	if r.EventSource != "kms.amazonaws.com" {
		return ""
	}
	if s := r.param("encryptionContext.SecretARN"); s != "" {
		return s
	}
	return r.param("encryptionContext.PARAMETER_ARN")
}

func s3Object(r *Record) []string {
	if a := firstResourceARNs(r, "AWS::S3::Object"); len(a) > 0 {
		return a[:1]
	}
	b, k := r.param("bucketName"), r.param("key")
	if b == "" || k == "" {
		return []string{"*"}
	}
	return []string{"arn:" + arn.PartitionOf(r.AWSRegion) + ":s3:::" + b + "/" + k}
}

func s3Bucket(r *Record) []string {
	if a := firstResourceARNs(r, "AWS::S3::Bucket"); len(a) > 0 {
		return a[:1]
	}
	if b := r.param("bucketName"); b != "" {
		return []string{"arn:" + arn.PartitionOf(r.AWSRegion) + ":s3:::" + b}
	}
	return []string{"*"}
}

func assumedRole(r *Record) []string {
	if a := r.param("roleArn"); a != "" {
		return []string{a}
	}
	if a := firstResourceARNs(r, "AWS::IAM::Role"); len(a) > 0 {
		return a[:1]
	}
	return []string{"*"}
}
