package eval

import (
	"strings"
)

// Anonymous is the Request.Principal of an unsigned request. Only resource
// policies that name "*" can allow it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
const Anonymous = "anonymous"

// principalKind classifies the caller, because the kind decides which
// policies apply and which implicit denies a resource policy can override.
type principalKind uint8

const (
	kindAnonymous principalKind = iota
	kindUser                    // arn:aws:iam::A:user/...
	kindRole                    // arn:aws:iam::A:role/... used directly
	kindSession                 // arn:aws:sts::A:assumed-role/R/S
	kindFederated               // arn:aws:sts::A:federated-user/N
	kindAccount                 // 123456789012 or arn:aws:iam::A:root
	kindService                 // ecs-tasks.amazonaws.com
	kindOther                   // any other ARN or identifier
)

// caller is the request principal, split once per evaluation without
// allocating: every field is a substring of Request.Principal except
// roleARN, which for sessions comes from aws:PrincipalArn when given.
type caller struct {
	kind    principalKind
	arn     string
	account string
	// For sessions: the role's name (from the session ARN) and its ARN
	// when aws:PrincipalArn supplies it (the session ARN loses the path).
	roleName string
	roleARN  string
}

func parseCaller(p string) caller {
	if p == Anonymous || p == "" {
		return caller{kind: kindAnonymous}
	}
	if isAccountID(p) {
		return caller{kind: kindAccount, arn: p, account: p}
	}
	if !strings.HasPrefix(p, "arn:") {
		if strings.Contains(p, ".amazonaws.com") {
			return caller{kind: kindService, arn: p}
		}
		return caller{kind: kindOther, arn: p}
	}
	// arn:partition:service::account:resource
	rest := p[4:]
	var segs [5]string
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return caller{kind: kindOther, arn: p}
		}
		segs[i] = rest[:j]
		rest = rest[j+1:]
	}
	segs[4] = rest
	c := caller{arn: p, account: segs[3], kind: kindOther}
	res := segs[4]
	switch segs[1] {
	case "iam":
		switch {
		case res == "root":
			c.kind = kindAccount
		case strings.HasPrefix(res, "user/"):
			c.kind = kindUser
		case strings.HasPrefix(res, "role/"):
			c.kind = kindRole
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			c.kind = kindSession
			r := res[len("assumed-role/"):]
			if j := strings.IndexByte(r, '/'); j >= 0 {
				c.roleName = r[:j]
			} else {
				c.roleName = r
			}
		case strings.HasPrefix(res, "federated-user/"):
			c.kind = kindFederated
		}
	}
	return c
}

// isRoleOf reports whether arn names the role whose session c is. A role
// ARN names all its sessions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
func (c *caller) isRoleOf(a string) bool {
	if c.kind != kindSession {
		return false
	}
	if c.roleARN != "" {
		return a == c.roleARN
	}
	// arn:<partition>:iam::<account>:role/<path/>name: the session ARN
	// drops the path, so compare account and final name.
	if !strings.HasPrefix(a, "arn:") {
		return false
	}
	rest := a[4:]
	for i := 0; i < 3; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false
		}
		if i == 1 && rest[:j] != "iam" {
			return false
		}
		rest = rest[j+1:]
	}
	j := strings.IndexByte(rest, ':')
	if j < 0 || rest[:j] != c.account {
		return false
	}
	res := rest[j+1:]
	if !strings.HasPrefix(res, "role/") {
		return false
	}
	k := strings.LastIndexByte(res, '/')
	return res[k+1:] == c.roleName
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// principalMatch says how a Principal element named the caller: the
// same-account resource-policy table turns on it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
type principalMatch uint8

const (
	pmNone     principalMatch = iota // ordered weakest to strongest
	pmAccount                        // the caller's account ("123456789012" or :root)
	pmRole                           // the role ARN of the calling session
	pmDirect                         // the caller's own ARN (user, session, role, service)
	pmWildcard                       // "*"
)

// cPrincipal is a compiled Principal element.
type cPrincipal struct {
	wildcard bool
	aws      []string // ARNs, account IDs or unique IDs as written
	service  []string
	other    []string // Federated and CanonicalUser values
}

// match returns how the element names the caller.
func (p *cPrincipal) match(c *caller) principalMatch {
	if p.wildcard {
		return pmWildcard
	}
	best := pmNone
	for _, a := range p.aws {
		m := matchAWSPrincipal(a, c)
		if m > best {
			best = m
		}
	}
	if best != pmNone {
		return best
	}
	if c.kind == kindService {
		for _, s := range p.service {
			if s == c.arn {
				return pmDirect
			}
		}
	}
	for _, o := range p.other {
		if o == c.arn {
			return pmDirect
		}
	}
	return pmNone
}

// matchAWSPrincipal matches one value of the "AWS" key. There are no partial
// wildcards in principals, and unique IDs (AROA..., AIDA...) never match a
// named role or user.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func matchAWSPrincipal(a string, c *caller) principalMatch {
	if a == "*" {
		return pmWildcard
	}
	if c.kind == kindAnonymous || c.kind == kindService {
		return pmNone
	}
	if isAccountID(a) {
		if a == c.account {
			return pmAccount
		}
		return pmNone
	}
	if strings.HasSuffix(a, ":root") && strings.HasPrefix(a, "arn:") {
		if acct, ok := rootAccount(a); ok && acct == c.account {
			if c.kind == kindAccount {
				return pmDirect
			}
			return pmAccount
		}
		return pmNone
	}
	if a == c.arn {
		return pmDirect
	}
	if c.isRoleOf(a) {
		return pmRole
	}
	return pmNone
}

// rootAccount extracts the account from arn:<partition>:iam::<account>:root.
func rootAccount(a string) (string, bool) {
	rest := a[4:]
	for i := 0; i < 3; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return "", false
		}
		rest = rest[j+1:]
	}
	j := strings.IndexByte(rest, ':')
	if j < 0 || rest[j+1:] != "root" {
		return "", false
	}
	return rest[:j], true
}
