package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/policy"
)

// Principal element matching through a same-account bucket policy with no
// identity policy, so only the resource policy can allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func TestPrincipalMatching(t *testing.T) {
	const acct = "123456789012"
	session := "arn:aws:sts::" + acct + ":assumed-role/app/s1"
	tests := []struct {
		name      string
		principal string // JSON of the Principal element
		caller    string
		ctx       map[string][]string
		want      Decision
	}{
		{"star", `"*"`, session, nil, Allowed},
		{"AWS star", `{"AWS":"*"}`, Anonymous, nil, Allowed},
		{"role ARN names its sessions", `{"AWS":"arn:aws:iam::` + acct + `:role/app"}`, session, nil, Allowed},
		{"role ARN with path names its sessions via aws:PrincipalArn", `{"AWS":"arn:aws:iam::` + acct + `:role/team/app"}`, session,
			map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::" + acct + ":role/team/app"}}, Allowed},
		{"other role", `{"AWS":"arn:aws:iam::` + acct + `:role/other"}`, session, nil, ImplicitlyDenied},
		{"session ARN names that session", `{"AWS":"` + session + `"}`, session, nil, Allowed},
		{"other session of the role", `{"AWS":"arn:aws:sts::` + acct + `:assumed-role/app/s2"}`, session, nil, ImplicitlyDenied},
		{"unique ID never matches a named role", `{"AWS":"AROAEXAMPLEID1234567"}`, session, nil, ImplicitlyDenied},
		{"account root needs an identity allow too", `{"AWS":"arn:aws:iam::` + acct + `:root"}`, session, nil, ImplicitlyDenied},
		{"account ID needs an identity allow too", `{"AWS":"` + acct + `"}`, session, nil, ImplicitlyDenied},
		{"no partial wildcards", `{"AWS":"arn:aws:iam::` + acct + `:role/*"}`, session, nil, ImplicitlyDenied},
		{"service principal", `{"Service":"ecs-tasks.amazonaws.com"}`, "ecs-tasks.amazonaws.com", nil, Allowed},
		{"service principal is not a role", `{"Service":"ecs-tasks.amazonaws.com"}`, session, nil, ImplicitlyDenied},
		{"anonymous not named by account", `{"AWS":"` + acct + `"}`, Anonymous, nil, ImplicitlyDenied},
		{"user ARN", `{"AWS":"arn:aws:iam::` + acct + `:user/alice"}`, "arn:aws:iam::" + acct + ":user/alice", nil, Allowed},
		{"user ARN is case-sensitive", `{"AWS":"arn:aws:iam::` + acct + `:user/Alice"}`, "arn:aws:iam::" + acct + ":user/alice", nil, ImplicitlyDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":%s,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, tt.principal)
			e, err := Compile(PolicySet{Resource: mustParse(t, "bucket.json", src, policy.Resource)})
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Principal: tt.caller, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: acct, Context: tt.ctx}
			if got := e.Evaluate(req); got != tt.want {
				t.Errorf("got %s, want %s\n%s", got, tt.want, e.Explain(req))
			}
			// The same with the principal parsed beforehand, and with
			// one parsed from another principal, which must be ignored.
			for _, c := range []*Principal{ParsePrincipal(tt.caller), ParsePrincipal("arn:aws:iam::" + acct + ":user/alice"), ParsePrincipal("ecs-tasks.amazonaws.com")} {
				req.Caller = c
				if got := e.Evaluate(req); got != tt.want {
					t.Errorf("with Caller %s: got %s, want %s", c, got, tt.want)
				}
			}
		})
	}
}

// Action and resource matching in identity policies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func TestActionResourceMatching(t *testing.T) {
	const stream = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:log-stream:x"
	tests := []struct {
		name, stmt, action, resource string
		want                         Decision
	}{
		{"action case-insensitive", `"Action":"LOGS:putlogevents","Resource":"*"`, "logs:PutLogEvents", stream, Allowed},
		{"action wildcard", `"Action":"logs:Put*","Resource":"*"`, "logs:PutLogEvents", stream, Allowed},
		{"action ?", `"Action":"logs:PutLogEvent?","Resource":"*"`, "logs:PutLogEvents", stream, Allowed},
		{"action other service", `"Action":"s3:Put*","Resource":"*"`, "logs:PutLogEvents", stream, ImplicitlyDenied},
		{"wildcard service prefix", `"Action":"*:PutLogEvents","Resource":"*"`, "logs:PutLogEvents", stream, Allowed},
		{"action with comma never matches", `"Action":"logs:PutLogEvents,logs:CreateLogStream","Resource":"*"`, "logs:PutLogEvents", stream, ImplicitlyDenied},
		{"NotAction", `"NotAction":"iam:*","Resource":"*"`, "logs:PutLogEvents", stream, Allowed},
		{"resource case-sensitive", `"Action":"logs:*","Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/ECS/app:*"`, "logs:PutLogEvents", stream, ImplicitlyDenied},
		{"short ARN expands", `"Action":"logs:*","Resource":"arn:aws:logs:*"`, "logs:PutLogEvents", stream, Allowed},
		{"NotResource excludes", `"Action":"logs:*","NotResource":"arn:aws:logs:*:*:log-group:/ecs/*"`, "logs:PutLogEvents", stream, ImplicitlyDenied},
		{"NotResource other", `"Action":"logs:*","NotResource":"arn:aws:logs:*:*:log-group:/other/*"`, "logs:PutLogEvents", stream, Allowed},
		{"wildcard-only needs *", `"Action":"ecr:GetAuthorizationToken","Resource":"arn:aws:ecr:*:*:*"`, "ecr:GetAuthorizationToken", "*", ImplicitlyDenied},
		{"missing Action never matches", `"Action":"logs:PutLogEvents","Resource":"*"`, "logs:PutLogEvents", stream, ImplicitlyDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Lax: some of these statements are ones strict parsing
			// rejects, and the engine must still not match them.
			src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + tt.stmt + `}]}`
			p, ds := policy.ParseOptions{Lax: true}.Parse("id.json", []byte(src), policy.Identity)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if strings.HasPrefix(tt.name, "missing Action") {
				// By hand: even lax parsing requires Action or NotAction.
				p.Statements[0].Actions, p.Statements[0].ActionSet = nil, false
			}
			e, err := Compile(PolicySet{Identity: []*policy.Policy{p}})
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Principal: "arn:aws:iam::123456789012:user/u", Action: tt.action, Resource: tt.resource}
			if got := e.Evaluate(req); got != tt.want {
				t.Errorf("got %s, want %s\n%s", got, tt.want, e.Explain(req))
			}
		})
	}
}

func TestCompileErrorNamesStatement(t *testing.T) {
	// The parser rejects this operator; Compile must too when given such an
	// AST directly.
	p := mustParse(t, "bad.json", `{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":"v"}}}]}`, policy.Identity)
	c := p.Statements[0].Conditions[0]
	c.Operator, c.OperatorText = policy.Operator{}, "StringEqualz" // by hand: Parse rejects it
	p.Statements[0].Range.File = "bad.json"
	p.Statements[0].Range.Start.Line, p.Statements[0].Range.Start.Column = 3, 5
	e, err := Compile(PolicySet{Identity: []*policy.Policy{p}})
	if err == nil || e != nil {
		t.Fatalf("Compile = %v, %v; want an error", e, err)
	}
	for _, want := range []string{"bad.json:3:5", "S1", "StringEqualz"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestSplitTemplate(t *testing.T) {
	tm := splitTemplate("home/${aws:username}/${*}${aws:PrincipalTag/x, 'dflt'}")
	if len(tm) != 5 || !tm[1].isVar || tm[1].key != "aws:username" || !tm[3].escaped || tm[4].def != "dflt" || tm[4].key != "aws:principaltag/x" {
		t.Errorf("splitTemplate = %+v", tm)
	}
	if splitTemplate("no vars") != nil {
		t.Error("template without variables should be nil")
	}
}

// Callers the oracle corpus does not cover.
func TestSpecialCallers(t *testing.T) {
	const acct = "123456789012"
	allowS3 := mustParse(t, "s.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, policy.Session)
	denyS3 := mustParse(t, "d.json", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}}`, policy.Identity)
	slr := "arn:aws:iam::" + acct + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
	scpDeny := [][]*policy.Policy{{mustParse(t, "scp.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`, policy.SCP)}}
	tests := []struct {
		name   string
		set    PolicySet
		caller string
		action string
		want   Decision
	}{
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
		{"root user has full access in its account", PolicySet{}, "arn:aws:iam::" + acct + ":root", "s3:GetObject", Allowed},
		{"root user is still bound by explicit deny", PolicySet{Identity: []*policy.Policy{denyS3}}, "arn:aws:iam::" + acct + ":root", "s3:DeleteBucket", ExplicitlyDenied},
		// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
		{"SCPs apply to the root user of a member account", PolicySet{SCPs: scpDeny}, "arn:aws:iam::" + acct + ":root", "s3:GetObject", ImplicitlyDenied},
		{"SCPs do not apply to service-linked roles", PolicySet{SCPs: scpDeny, Identity: []*policy.Policy{allowS3}}, slr, "s3:GetObject", Allowed},
		// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
		{"federated user without session policy", PolicySet{Identity: []*policy.Policy{allowS3}}, "arn:aws:sts::" + acct + ":federated-user/bob", "s3:GetObject", ImplicitlyDenied},
		{"federated user with session policy", PolicySet{Identity: []*policy.Policy{allowS3}, Session: []*policy.Policy{allowS3}}, "arn:aws:sts::" + acct + ":federated-user/bob", "s3:GetObject", Allowed},
		// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
		{"GetCallerIdentity cannot be denied", PolicySet{Identity: []*policy.Policy{mustParse(t, "x.json", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, policy.Identity)}}, "arn:aws:iam::" + acct + ":user/u", "sts:GetCallerIdentity", Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compile(tt.set)
			if err != nil {
				t.Fatal(err)
			}
			req := &Request{Principal: tt.caller, Action: tt.action, Resource: "arn:aws:s3:::b/k", ResourceAccount: acct}
			if got := e.Evaluate(req); got != tt.want {
				t.Errorf("got %s, want %s\n%s", got, tt.want, e.Explain(req))
			}
		})
	}
}

// TestLazyMessages covers the Lazy messages the oracle corpus does not:
// AWS-owned resources and VPC endpoint policies.
func TestLazyMessages(t *testing.T) {
	allowAll := mustParse(t, "all.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, policy.Identity)
	endpoint := mustParse(t, "vpce.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, policy.Endpoint)
	e, err := Compile(PolicySet{Identity: []*policy.Policy{allowAll}, Endpoints: []*policy.Policy{endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[whyKind]bool{}
	for _, req := range []*Request{
		{Principal: "arn:aws:iam::123456789012:user/u", Action: "iam:DeletePolicy", Resource: "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{Principal: "arn:aws:iam::123456789012:user/u", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"},
	} {
		want := e.Explain(req)
		if want.MissingCount() != 1 {
			t.Fatalf("%s on %s: %s; want one missing permission", req.Action, req.Resource, want)
		}
		checkLazy(t, req.Action, e, req, want, seen)
	}
	if !seen[whyAWSOwned] || !seen[whyEndpoint] {
		t.Errorf("messages seen %v, want AWS-owned and endpoint ones", seen)
	}
}
