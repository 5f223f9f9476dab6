package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
)

// placeholderTask stands for the session name when the evidence has none
// (Athena rows carry a count of sessions, not their names).
const placeholderTask = "TASKID"

// sessionARN is the assumed-role session ARN a task's calls are made as:
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION, where ROLE is the
// role name without its path
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns)
// and SESSION is the task ID (research section 3.2).
func sessionARN(roleARN, task string) string {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) < 6 {
		return roleARN
	}
	return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + roleName(roleARN) + "/" + task
}

func accountOf(roleARN string) string {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// requestFor rebuilds the request CloudTrail recorded, with the condition
// keys the log lets us know. Keys CloudTrail does not record (aws:SourceVpce
// is not kept by the scan, tags never are) stay absent, so conditions on them
// do not match (research section 0.6, "conditions ... not in CloudTrail").
func requestFor(roleARN string, c *cloudtrail.Call) *Request {
	task := placeholderTask
	if len(c.Tasks.Names) > 0 {
		task = c.Tasks.Names[0]
	}
	ctx := map[string][]string{
		// For a role session aws:PrincipalArn is the role's ARN and
		// aws:PrincipalType is "AssumedRole"
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
		"aws:PrincipalArn":  {roleARN},
		"aws:PrincipalType": {"AssumedRole"},
	}
	if a := accountOf(roleARN); a != "" {
		ctx["aws:PrincipalAccount"] = []string{a}
	}
	if c.Region != "" {
		// aws:RequestedRegion is the region called, CloudTrail's awsRegion
		// (reference_policies_condition-keys.html#condition-keys-requestedregion).
		ctx["aws:RequestedRegion"] = []string{c.Region}
	}
	if strings.HasPrefix(strings.ToLower(c.Action), "kms:") && strings.HasSuffix(c.Via, ".amazonaws.com") {
		// A KMS call a service makes for the role carries kms:ViaService
		// "SERVICE.REGION.amazonaws.com"
		// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)
		// and CloudTrail shows that service in invokedBy (research 0.3).
		svc := strings.TrimSuffix(c.Via, ".amazonaws.com")
		ctx["kms:ViaService"] = []string{svc + "." + c.Region + ".amazonaws.com"}
		if c.Context != "" {
			// Secrets Manager and Parameter Store put the secret or
			// parameter ARN in the encryption context
			// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
			// https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
			switch svc {
			case "secretsmanager":
				ctx["kms:EncryptionContext:SecretARN"] = []string{c.Context}
			case "ssm":
				ctx["kms:EncryptionContext:PARAMETER_ARN"] = []string{c.Context}
			}
		}
	}
	return &Request{Principal: sessionARN(roleARN, task), Action: c.Action, Resource: c.Resource, Context: ctx}
}

func (r *Request) eval() *eval.Request {
	return &eval.Request{Principal: r.Principal, Action: r.Action, Resource: r.Resource, Context: r.Context}
}

func explanationOf(res *eval.Result) *Explanation {
	x := &Explanation{Statements: []StatementRef{}, Missing: res.Missing}
	for _, m := range res.Matches {
		x.Statements = append(x.Statements, refOf(m))
	}
	for _, n := range res.NearMisses {
		x.NearMisses = append(x.NearMisses, NearMiss{refOf(n.Match), n.Reason})
	}
	return x
}

// denial decides a denied call under the role's policies and proposes the
// smallest statement that grants it.
func denial(roleARN string, c *cloudtrail.Call, pols *account.Policies, en *eval.Engine) *Denied {
	req := requestFor(roleARN, c)
	d := &Denied{Call: c, Request: req, Fix: &Fix{Statement: fixStatement(c.Action, c.Resource)}}
	if en == nil {
		d.Fix.Note = "not verified: no role policies given"
		return d
	}
	res := en.Explain(req.eval())
	d.Decision = res.Decision.String()
	if res.Gate != eval.GateNone {
		d.Gate = res.Gate.String()
	}
	d.Explanation = explanationOf(res)
	switch res.Decision {
	case eval.Allowed:
		// The role's own policies allow it now: the denial came from a
		// policy not given here (SCP, resource, VPC endpoint, session) or
		// the role was changed since.
		d.Fix = nil
		return d
	case eval.ExplicitlyDenied:
		// An explicit deny overrides any allow
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
		d.Fix.Note = "an explicit deny matches; no Allow can fix it: narrow the Deny statement"
		return d
	}
	fixed, err := withFix(pols, d.Fix.Statement)
	if err != nil {
		d.Fix.Note = "not verified: " + err.Error()
		return d
	}
	d.Fix.Verified = fixed.Evaluate(req.eval()) == eval.Allowed
	if !d.Fix.Verified {
		d.Fix.Note = fmt.Sprintf("an identity-policy Allow is not enough: the %s policies must allow it too", res.Gate)
	}
	return d
}

// fixStatement is the smallest Allow for one action on one resource. Actions
// with no resource-level permissions are granted only by Resource "*"
// (service authorization reference, via iamdata.WildcardOnly).
func fixStatement(action, resource string) string {
	if only, known := iamdata.WildcardOnly(action); only && known || resource == "" {
		resource = "*"
	}
	b, _ := json.Marshal(struct {
		Effect   string
		Action   string
		Resource string
	}{"Allow", action, resource})
	return string(b)
}

// withFix compiles the role's policies plus one more identity policy
// holding stmt.
func withFix(pols *account.Policies, stmt string) (*eval.Engine, error) {
	doc := `{"Version":"2012-10-17","Statement":[` + stmt + `]}`
	p, diags := policy.Parse("fix", []byte(doc), policy.Identity)
	if err := diags.Errs(); err != nil {
		return nil, err
	}
	set := policySet(pols)
	set.Identity = append(append([]*policy.Policy(nil), set.Identity...), p)
	return eval.Compile(set)
}
