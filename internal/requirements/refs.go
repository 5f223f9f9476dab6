package requirements

import (
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/arn"
)

// This file parses the references a task definition holds (image URIs,
// parameter names, secret and object ARNs) into the parts that ARNs of
// IAM resources are built from. The parsers are pure functions over strings
// so that they can be fuzzed and reused by check and audit.

// Image is a container image reference as far as IAM cares about it.
type Image struct {
	// ECR is set for private ECR registries (ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]).
	ECR        bool
	Account    string
	Region     string
	Partition  string // aws, aws-cn or aws-us-gov, from the host name
	FIPS       bool
	Repository string // path after the host, without tag or digest; may contain "/"
	Tag        string
	Digest     string
	// Public is set for public.ecr.aws and other registries that ECS pulls
	// without credentials from the role.
	Public bool
	// DualStack is set for ACCOUNT.dkr-ecr.REGION.on.aws, which ECS does
	// not recognise as ECR (aws/containers-roadmap#2611).
	DualStack bool
}

// ecrHost is the ECR registry host form ECS recognises (research §1.1,
// agent/api/container/registryauth.go and the ECR_on_ECS.html guide).
var ecrHost = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

var dualStackHost = regexp.MustCompile(`^(\d{12})\.dkr-ecr(-fips)?\.([a-z0-9-]+)\.on\.aws$`)

// ParseImage splits an image reference. Non-ECR images return ECR=false and
// no error: they need nothing from the role unless repositoryCredentials is
// set. An error means the reference is malformed.
func ParseImage(ref string) (Image, error) {
	var img Image
	if ref == "" {
		return img, errors.New("empty image reference")
	}
	if strings.ContainsAny(ref, " \t\n") {
		return img, errors.New("image reference contains white space")
	}
	host, rest, ok := strings.Cut(ref, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		// Docker Hub short form ("nginx", "library/nginx"): public.
		img.Public = true
		img.Repository = ref
		return img, nil
	}
	if at := strings.Index(rest, "@"); at >= 0 {
		img.Digest = rest[at+1:]
		rest = rest[:at]
		if !strings.HasPrefix(img.Digest, "sha256:") {
			return img, errors.New("image digest must start with sha256:")
		}
	}
	if slash := strings.LastIndex(rest, "/"); true {
		if colon := strings.LastIndex(rest, ":"); colon > slash {
			img.Tag = rest[colon+1:]
			rest = rest[:colon]
			if img.Tag == "" {
				return img, errors.New("image tag is empty")
			}
		}
	}
	if rest == "" {
		return img, errors.New("image reference has no repository")
	}
	img.Repository = rest
	if m := ecrHost.FindStringSubmatch(host); m != nil {
		img.ECR = true
		img.Account, img.FIPS, img.Region = m[1], m[2] != "", m[3]
		img.Partition = arn.PartitionOf(img.Region)
		if m[4] != "" {
			img.Partition = "aws-cn"
		}
		return img, nil
	}
	if m := dualStackHost.FindStringSubmatch(host); m != nil {
		img.DualStack = true
		img.Account, img.FIPS, img.Region = m[1], m[2] != "", m[3]
		img.Partition = arn.PartitionOf(img.Region)
		return img, nil
	}
	img.Public = host == "public.ecr.aws" || host == "docker.io" || host == "registry-1.docker.io" ||
		host == "index.docker.io" || host == "ghcr.io" || host == "quay.io" || host == "gcr.io" ||
		host == "mcr.microsoft.com" || host == "registry.k8s.io"
	return img, nil
}

// RepositoryARN is the ARN ECR evaluates BatchGetImage and
// GetDownloadUrlForLayer against; a tag or digest does not change it.
func (img Image) RepositoryARN() string {
	return "arn:" + img.Partition + ":ecr:" + img.Region + ":" + img.Account + ":repository/" + img.Repository
}

// ARN is an Amazon Resource Name split at its first five colons.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s; it accepts any resource text after the fifth colon.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// String joins a back into "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE".
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// SecretRef is a Secrets Manager reference from valueFrom or
// credentialsParameter: a full or partial ARN, or a bare name.
type SecretRef struct {
	// ARN is the secret ARN with the json-key/version suffix fields
	// stripped; for a bare name it is built in the task's region/account.
	ARN ARN
	// Name is the secret name, without the 6-character random suffix when
	// the reference carried one (Suffixed).
	Name     string
	Suffixed bool
	JSONKey  string
	// VersionStage and VersionID are the extended form's fields.
	VersionStage, VersionID string
}

// secretSuffix is the "-" and six random characters Secrets Manager appends
// to a secret's name in its ARN.
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
var secretSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// ParseSecretARN parses a Secrets Manager ARN as ECS does
// (agent/taskresource/asmsecret/asmsecret.go getASMParametersFromInput): the
// resource is "secret:ID" or "secret:ID:json-key:version-stage:version-id";
// any other count of fields is an error.
func ParseSecretARN(s string) (SecretRef, error) {
	a, ok := ParseARN(s)
	if !ok || a.Service != "secretsmanager" {
		return SecretRef{}, errors.New("not a Secrets Manager ARN")
	}
	fields := strings.Split(a.Resource, ":")
	if fields[0] != "secret" || (len(fields) != 2 && len(fields) != 5) || fields[1] == "" {
		return SecretRef{}, errors.New(`expected "arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME" optionally followed by ":JSON-KEY:VERSION-STAGE:VERSION-ID"`)
	}
	if a.Region == "" || a.Account == "" {
		return SecretRef{}, errors.New("secret ARN lacks a region or account")
	}
	ref := SecretRef{Name: fields[1]}
	if len(fields) == 5 {
		ref.JSONKey, ref.VersionStage, ref.VersionID = fields[2], fields[3], fields[4]
		if ref.VersionStage != "" && ref.VersionID != "" {
			return SecretRef{}, errors.New("version-stage and version-id are mutually exclusive")
		}
	}
	a.Resource = "secret:" + fields[1]
	ref.ARN = a
	if secretSuffix.MatchString(ref.Name) {
		ref.Suffixed = true
		ref.Name = ref.Name[:len(ref.Name)-7]
	}
	return ref, nil
}

// Pattern returns the resource IAM evaluates GetSecretValue against: the
// ARN itself when the reference carries the random suffix, else the
// partial ARN followed by "-??????", which is how AWS documents matching a
// secret whose suffix is unknown. sample is a concrete ARN matching it.
func (r SecretRef) Pattern() (resource, sample string, pattern bool) {
	if r.Suffixed {
		return r.ARN.String(), r.ARN.String(), false
	}
	return r.ARN.String() + "-??????", r.ARN.String() + "-AbCdEf", true
}

// ParameterARN is the ARN ssm:GetParameters is evaluated against for the
// parameter named name: the ARN has exactly one "/" after "parameter",
// whether or not the name starts with "/" (research §1.3; copilot-cli#4504).
func ParameterARN(partition, region, account, name string) string {
	return "arn:" + partition + ":ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(name, "/")
}

// SMReferencePrefix is the SSM path that proxies Secrets Manager secrets.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
const SMReferencePrefix = "/aws/reference/secretsmanager/"

// S3Object is the bucket and key of an S3 object ARN.
type S3Object struct {
	Partition, Bucket, Key string
}

// s3ObjectARN is the agent's parse pattern (agent/s3/s3.go, research §1.6).
var s3ObjectARN = regexp.MustCompile(`^arn:([^:]+):s3:::([^/]+)/(.+)$`)

// ParseS3ObjectARN parses arn:PARTITION:s3:::BUCKET/KEY.
func ParseS3ObjectARN(s string) (S3Object, error) {
	m := s3ObjectARN.FindStringSubmatch(s)
	if m == nil {
		return S3Object{}, errors.New(`expected an S3 object ARN "arn:aws:s3:::BUCKET/KEY"`)
	}
	return S3Object{m[1], m[2], m[3]}, nil
}

// ObjectARN is the ARN s3:GetObject is evaluated against.
func (o S3Object) ObjectARN() string { return "arn:" + o.Partition + ":s3:::" + o.Bucket + "/" + o.Key }

// BucketARN is the ARN s3:GetBucketLocation is evaluated against.
func (o S3Object) BucketARN() string { return "arn:" + o.Partition + ":s3:::" + o.Bucket }

func sortedKeys(m map[string][]string) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
