package policy

import (
	"strings"
	"unicode"

	"github.com/execrole/execrole/internal/source"
)

// Size limits, as AWS states them in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// and https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
const (
	ManagedPolicyLimit   = 6144  // managed policy and permissions boundary, whitespace not counted
	RoleInlineTotalLimit = 10240 // all inline policies of one role together, whitespace not counted
	TrustPolicyLimit     = 2048  // role trust policy, default quota (adjustable), whitespace not counted
	OrgPolicyLimit       = 5120  // SCP and RCP, whitespace counted
	SessionPolicyLimit   = 2048  // session policy passed to AssumeRole
)

// Size returns the character count AWS compares with the limit for type
// t: every character for SCPs and RCPs, non-whitespace characters for the
// others.
func Size(text string, t Type) int {
	n := 0
	for _, r := range text {
		if t == SCP || t == RCP || !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// checkText applies the checks that need the document's text: allowed
// characters and size. r is where text lies in the user's file.
func checkText(p *Policy, text string, r source.Range, at func(offset int) source.Range, ds *source.Diagnostics) {
	// Allowed characters: TAB, LF, CR and U+0020 to U+00FF.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
	for i, c := range text {
		if c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xFF) {
			continue
		}
		ds.Errorf(at(i), "policy contains the character %U; IAM allows only TAB, LF, CR and U+0020 to U+00FF", c)
		break
	}
	n := Size(text, p.Type)
	switch p.Type {
	case Identity, Boundary:
		// Warnings only: AWS managed policies (ReadOnlyAccess is over
		// 90,000 characters) are exempt, and the parser cannot tell an
		// AWS managed document from a customer one.
		if n > RoleInlineTotalLimit {
			ds.Warnf(r, "policy has %d non-whitespace characters; AWS limits a customer managed policy to %d and a role's inline policies to %d in total, so only an AWS managed policy can be this large", n, ManagedPolicyLimit, RoleInlineTotalLimit)
		} else if n > ManagedPolicyLimit {
			ds.Warnf(r, "policy has %d non-whitespace characters; it fits only as a role inline policy (limit %d in total), not as a customer managed policy (limit %d)", n, RoleInlineTotalLimit, ManagedPolicyLimit)
		}
	case Trust:
		if n > TrustPolicyLimit {
			ds.Warnf(r, "trust policy has %d non-whitespace characters; the default AWS quota is %d (adjustable)", n, TrustPolicyLimit)
		}
	case SCP, RCP:
		if n > OrgPolicyLimit {
			ds.Errorf(r, "%s has %d characters counting whitespace; AWS Organizations limits it to %d", strings.ToUpper(p.Type.String()), n, OrgPolicyLimit)
		}
	case Session:
		if n > SessionPolicyLimit {
			ds.Errorf(r, "session policy has %d non-whitespace characters; AWS limits session policies to %d", n, SessionPolicyLimit)
		}
	}
}

// iamSid reports whether the type is stored by IAM or Organizations,
// where a Sid may hold only ASCII letters and digits; resource policies of
// other services accept more.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
func iamSid(t Type) bool {
	switch t {
	case Identity, Trust, Boundary, Session, SCP, RCP:
		return true
	}
	return false
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// validate applies the rules that depend on the policy type and version.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
func validate(p *Policy, ds *source.Diagnostics, o ParseOptions) {
	sids := map[string]*Statement{}
	for _, s := range p.Statements {
		validateStatement(p, s, ds, o)
		if s.Sid != "" {
			if iamSid(p.Type) && !alnum(s.Sid) {
				ds.Errorf(s.Ranges["Sid"], "Sid %q in %s policies may contain only ASCII letters and digits", s.Sid, p.Type)
			}
			if prev, dup := sids[s.Sid]; dup {
				ds.Errorf(s.Ranges["Sid"], "Sid %q is already used by statement #%d; Sids must be unique within a policy", s.Sid, prev.Index)
			}
			sids[s.Sid] = s
		}
	}
}

func validateStatement(p *Policy, s *Statement, ds *source.Diagnostics, o ParseOptions) {
	t := p.Type
	pr, hasP := s.Ranges["Principal"]
	npr, hasNP := s.Ranges["NotPrincipal"]
	switch t {
	case Trust, Resource, Repository:
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
		if !hasP && !hasNP {
			o.relaxable(ds, s.Range, "statement %s needs a Principal in %s policies, saying who it applies to", s.Name(), t)
		}
	case Identity, Boundary, Session, SCP:
		if hasP {
			o.relaxable(ds, pr, "Principal is not allowed in %s policies; the principal is whoever the policy is attached to", t)
		}
	case RCP:
		// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
		if !hasP {
			o.relaxable(ds, s.Range, "statement %s of an RCP needs \"Principal\": \"*\"", s.Name())
		} else if s.Principal != nil && !s.NotPrincipal && !s.Principal.Wildcard {
			o.relaxable(ds, pr, "RCP Principal must be \"*\" (use conditions such as aws:PrincipalAccount to narrow it)")
		}
		if s.Effect == Allow && !rcpFullAccess(s) {
			o.relaxable(ds, s.Ranges["Effect"], "RCP statements must be Deny; the only Allow is the RCPFullAWSAccess shape (Principal, Action and Resource \"*\", no Condition)")
		}
	}
	if hasNP {
		switch t {
		case Identity, Boundary, Session, Trust, SCP, RCP:
			o.relaxable(ds, npr, "NotPrincipal is not allowed in %s policies", t)
		default:
			if s.Effect != Deny {
				o.relaxable(ds, npr, "NotPrincipal may be used only with \"Effect\": \"Deny\"")
			}
		}
	}
	if t == Trust && hasP && s.Principal != nil && s.Principal.Wildcard {
		ds.Errorf(pr, "a trust policy may not use the bare \"*\" principal; name the service or account, e.g. {\"Service\": \"ecs-tasks.amazonaws.com\"}")
	}
	for _, kind := range []string{"Resource", "NotResource"} {
		if r, ok := s.Ranges[kind]; ok && t == Trust {
			o.relaxable(ds, r, "%s is not allowed in a trust policy; the resource is the role itself", kind)
		}
	}
	if !s.ResourceSet {
		switch t {
		case Identity, Boundary, Session, Resource, RCP:
			ds.Errorf(s.Range, "statement %s has neither Resource nor NotResource; use \"Resource\": \"*\" for all resources", s.Name())
		}
	}

	vars := p.VariablesEnabled()
	for _, a := range s.Actions {
		checkAction(a, ds, o)
	}
	for _, r := range s.Resources {
		checkResource(p, r, ds)
	}
	if s.Principal != nil {
		for _, e := range s.Principal.Entries {
			if vars && !e.Value.Unknown && strings.Contains(e.Value.Text, "${") {
				ds.Errorf(e.Value.Range, "policy variables are not allowed in a principal")
			}
		}
	}
	for _, c := range s.Conditions {
		fam := c.Operator.Family()
		for _, v := range c.Values {
			if v.Unknown || !strings.Contains(v.Text, "${") {
				continue
			}
			if !vars {
				ds.Warnf(v.Range, "%s", literalVarMsg(p))
				continue
			}
			switch fam {
			case "String", "Arn":
				if _, err := ParseTemplate(v.Text); err != nil {
					ds.Errorf(v.Range, "%v", err)
				}
			case "Bool":
				// The operators page allows it, the variables page does not.
				ds.Warnf(v.Range, "policy variable in a Bool condition value: AWS documents disagree on whether it is resolved")
			default:
				ds.Errorf(v.Range, "policy variables are allowed only in String and Arn condition values, not under %s", c.OperatorText)
			}
		}
	}
}

func literalVarMsg(p *Policy) string {
	v := p.Version
	if v == "" {
		v = "(absent)"
	}
	return "${...} is literal text, not a policy variable, under Version " + v + "; policy variables need \"Version\": \"2012-10-17\""
}

// rcpFullAccess reports whether s is the allow-all statement of the
// default RCPFullAWSAccess policy.
func rcpFullAccess(s *Statement) bool {
	return s.Principal != nil && s.Principal.Wildcard && !s.NotPrincipal &&
		!s.NotAction && len(s.Actions) == 1 && s.Actions[0].Text == "*" &&
		!s.NotResource && len(s.Resources) == 1 && s.Resources[0].Text == "*" &&
		len(s.Conditions) == 0
}

// checkAction enforces "service:action" or "*".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func checkAction(a Value, ds *source.Diagnostics, o ParseOptions) {
	if a.Text == "*" {
		return
	}
	if strings.Contains(a.Text, "${") {
		ds.Errorf(a.Range, "policy variables are not allowed in Action")
		return
	}
	svc, name, ok := strings.Cut(a.Text, ":")
	if !ok || svc == "" || name == "" || strings.Contains(name, ":") {
		o.relaxable(ds, a.Range, "action %q must have the form service:action, e.g. \"ecr:GetAuthorizationToken\", or be \"*\"", a.Text)
		return
	}
	if strings.ContainsAny(svc, "*?") {
		ds.Warnf(a.Range, "action %q has a wildcard in the service prefix; it matches actions of every service whose prefix fits", a.Text)
	}
}

// checkResource enforces "*" or an ARN, with variables only in the
// resource part (after the fifth colon).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func checkResource(p *Policy, r Value, ds *source.Diagnostics) {
	if r.Text == "*" || r.Unknown {
		return
	}
	if !strings.HasPrefix(r.Text, "arn:") {
		ds.Errorf(r.Range, "resource %q must be \"*\" or an ARN starting with \"arn:\"", r.Text)
		return
	}
	i := strings.Index(r.Text, "${")
	if i < 0 {
		return
	}
	if !p.VariablesEnabled() {
		ds.Warnf(r.Range, "%s", literalVarMsg(p))
		return
	}
	if strings.Count(r.Text[:i], ":") < 5 {
		ds.Errorf(r.Range, "policy variables are allowed only in the resource part of an ARN (after the fifth colon), in %q", r.Text)
		return
	}
	if _, err := ParseTemplate(r.Text); err != nil {
		ds.Errorf(r.Range, "%v", err)
	}
}
