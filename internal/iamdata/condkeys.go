package iamdata

import (
	"strings"
)

// globalKeys are the AWS global condition context keys and their types, as
// listed in https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// (the service data carries only the tag keys). aws:EpochTime is documented
// as Date or Numeric; Date is kept since Date operators accept epoch seconds.
var globalKeys = []ConditionKey{
	// Properties of the principal.
	{"aws:PrincipalArn", "ARN"},
	{"aws:PrincipalAccount", "String"},
	{"aws:PrincipalOrgPaths", "ArrayOfString"},
	{"aws:PrincipalOrgID", "String"},
	{"aws:PrincipalTag/${TagKey}", "String"},
	{"aws:PrincipalIsAWSService", "Bool"},
	{"aws:PrincipalServiceName", "String"},
	{"aws:PrincipalServiceNamesList", "ArrayOfString"},
	{"aws:PrincipalType", "String"},
	{"aws:userid", "String"},
	{"aws:username", "String"},
	// Properties of a role session.
	{"aws:AssumedRoot", "String"},
	{"aws:FederatedProvider", "String"},
	{"aws:TokenIssueTime", "Date"},
	{"aws:MultiFactorAuthAge", "Numeric"},
	{"aws:MultiFactorAuthPresent", "Bool"},
	{"aws:ChatbotSourceArn", "ARN"},
	{"aws:Ec2InstanceSourceVpc", "String"},
	{"aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"},
	{"aws:SourceIdentity", "String"},
	{"ec2:RoleDelivery", "Numeric"},
	{"ec2:SourceInstanceArn", "ARN"},
	{"glue:RoleAssumedBy", "String"},
	{"glue:CredentialIssuingService", "String"},
	{"lambda:SourceFunctionArn", "ARN"},
	{"ssm:SourceInstanceArn", "ARN"},
	{"identitystore:UserId", "String"},
	// Properties of the network.
	{"aws:SourceIp", "IPAddress"},
	{"aws:SourceVpc", "String"},
	{"aws:SourceVpcArn", "ARN"},
	{"aws:SourceVpce", "String"},
	{"aws:VpceAccount", "String"},
	{"aws:VpceOrgID", "String"},
	{"aws:VpceOrgPaths", "ArrayOfString"},
	{"aws:VpcSourceIp", "IPAddress"},
	// Properties of the resource.
	{"aws:ResourceAccount", "String"},
	{"aws:ResourceOrgID", "String"},
	{"aws:ResourceOrgPaths", "ArrayOfString"},
	{"aws:ResourceTag/${TagKey}", "String"},
	// Properties of the request.
	{"aws:CalledVia", "ArrayOfString"},
	{"aws:CalledViaFirst", "String"},
	{"aws:CalledViaLast", "String"},
	{"aws:ViaAWSService", "Bool"},
	{"aws:CurrentTime", "Date"},
	{"aws:EpochTime", "Date"},
	{"aws:referer", "String"},
	{"aws:RequestedRegion", "String"},
	{"aws:RequestTag/${TagKey}", "String"},
	{"aws:TagKeys", "ArrayOfString"},
	{"aws:SecureTransport", "Bool"},
	{"aws:SourceAccount", "String"},
	{"aws:SourceArn", "ARN"},
	{"aws:SourceOrgID", "String"},
	{"aws:SourceOrgPaths", "ArrayOfString"},
	{"aws:UserAgent", "String"},
}

// GlobalConditionKeys returns the global condition keys (aws:* and the
// cross-service keys such as ec2:SourceInstanceArn) with their types.
func GlobalConditionKeys() []ConditionKey { return globalKeys }

// ConditionKeyType returns the type of a condition key as written in a
// policy (case-insensitive), e.g. "ARN" for aws:SourceArn or "String" for
// aws:ResourceTag/Project, which matches the pattern aws:ResourceTag/${TagKey}.
// Global keys are consulted before service keys.
func ConditionKeyType(key string) (string, bool) {
	d := data()
	lk := strings.ToLower(key)
	if t, ok := d.condKeys[lk]; ok {
		return t, true
	}
	for _, p := range d.condPatterns {
		if globMatch(p.glob, key) {
			return p.typ, true
		}
	}
	return "", false
}

// keyMatches reports whether key (as written in a policy) is the condition
// key template (possibly with ${...} placeholders, each matching one or more
// characters), ignoring case.
func keyMatches(template, key string) bool {
	if !strings.Contains(template, "${") {
		return strings.EqualFold(template, key)
	}
	g, ok := templateGlob(template)
	return ok && globMatch(g, key)
}

// templateGlob turns a condition key template into a glob in which each
// placeholder matches one or more characters. Tag keys may themselves
// contain ':' and '/', e.g. aws:ResourceTag/aws:cloudformation:stack-name.
func templateGlob(template string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(template); {
		if strings.HasPrefix(template[i:], "${") {
			if end := strings.IndexByte(template[i:], '}'); end > 0 {
				b.WriteString("?*")
				i += end + 1
				continue
			}
		}
		c := template[i]
		if c == '*' || c == '?' {
			return "", false // no template has these; refuse rather than mis-match
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), true
}
