// Package eval is the offline IAM policy evaluation engine: it decides
// whether a request is Allowed, ExplicitlyDenied or ImplicitlyDenied under a
// set of policies, following the logic AWS documents, and explains why.
//
// Policies are compiled once by Compile into an Engine, then evaluated many
// times. Evaluate returns only the decision and allocates nothing for
// policies without variables; Explain also lists every matching statement,
// the gate that decided, what is missing and near misses. For many
// requests, ExplainInto reuses one Result and Request.Caller one parsed
// principal.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//
// # Not modelled
//
// Organization management accounts (exempt from SCPs and RCPs: leave SCPs
// and RCPs empty for them), AWS managed KMS keys' exemption from RCPs, S3
// ACLs and Block Public Access, KMS grants, RAM shares, and root-user powers
// beyond "full access in its own account". A '*' at the end of one of the
// first five segments of a six-segment Resource ARN matches within that
// segment only; only short ARNs ("arn:aws:logs:*") expand across colons.
package eval

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/source"
)

// Decision is the three-valued outcome of an evaluation.
type Decision uint8

// The decisions. An implicit deny means nothing allowed the request; an
// explicit deny means a Deny statement matched, which nothing can override.
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
)

// String returns "Allowed", "ExplicitlyDenied" or "ImplicitlyDenied", the
// names the oracle corpus and the CLI's JSON output use.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	}
	return "ImplicitlyDenied"
}

// Gate names a set of policies the request must pass. Explanations say which
// gate decided or blocked.
type Gate uint8

// The gates, in the order AWS evaluates them.
const (
	GateNone Gate = iota
	GateSCP
	GateRCP
	GateEndpoint
	GateResource
	GateIdentity
	GateBoundary
	GateSession
)

var gateNames = [...]string{"", "scp", "rcp", "endpoint", "resource", "identity", "boundary", "session"}

// String returns the gate's short name: "scp", "rcp", "endpoint",
// "resource", "identity", "boundary" or "session" ("" for none).
func (g Gate) String() string { return gateNames[g] }

// Request is one API call to decide.
type Request struct {
	// Principal is the caller: a user, role or assumed-role session ARN, a
	// federated-user ARN, an account ID or root ARN, a service principal
	// such as ecs-tasks.amazonaws.com, or Anonymous.
	Principal string
	// Action is "service:Action"; it compares case-insensitively.
	Action string
	// Resource is the ARN acted on, or "*".
	Resource string
	// ResourceAccount owns the resource. It is separate because S3 ARNs
	// carry no account. Empty means the account in Resource, or, if that is
	// empty too, the principal's account.
	ResourceAccount string
	// Context holds the request's condition keys. Keys compare
	// case-insensitively (tag-key suffixes too); a key with more than one
	// value is multi-valued.
	Context map[string][]string
	// Caller optionally holds Principal already parsed by ParsePrincipal,
	// for callers deciding many requests of one principal. It is used only
	// when it was parsed from Principal's very text.
	Caller *Principal
}

// Principal is a request principal parsed once: ParsePrincipal splits the
// ARN and classifies it (user, role, session, account, service...), which
// every decision otherwise does again.
type Principal struct {
	text string
	c    caller
}

// ParsePrincipal parses p for Request.Caller. The Principal refers to p's
// text, which must not change.
func ParsePrincipal(p string) *Principal { return &Principal{p, parseCaller(p)} }

// String returns the principal's text.
func (p *Principal) String() string { return p.text }

// PolicySet is every policy that applies to a request.
type PolicySet struct {
	Identity []*policy.Policy // user, group or role policies, inline and managed
	// Boundary holds the permissions boundary. IAM allows one; several are
	// treated as one document (any may allow, any may deny).
	Boundary []*policy.Policy
	// Session holds session policies. When present the session must be
	// allowed by them.
	Session  []*policy.Policy
	Resource *policy.Policy // the resource's policy: bucket, key, trust...
	// SCPs are the principal's organization levels, root first. Each level
	// must allow. An empty slice means the account is not in an
	// organization (or is its management account).
	SCPs [][]*policy.Policy
	// RCPs are the resource's organization levels. RCPFullAWSAccess is
	// attached at every level and cannot be detached, so RCPs only deny.
	RCPs      [][]*policy.Policy
	Endpoints []*policy.Policy // VPC endpoint policies on the request path
}

// Engine is a compiled PolicySet. It is safe for concurrent use.
type Engine struct {
	identity, boundary, session, resource, endpoints []*cPolicy
	scps, rcps                                       [][]*cPolicy
	hasBoundary, hasSession                          bool
	nStmts                                           int
}

// Compile compiles the policies once for many evaluations. It fails only on
// what the parser should already have rejected (unknown operators, bad
// Effect); the error names the statement's file:line:column.
func Compile(set PolicySet) (*Engine, error) {
	e := &Engine{}
	var err error
	if e.identity, err = compileSet(set.Identity); err != nil {
		return nil, err
	}
	if e.boundary, err = compileSet(set.Boundary); err != nil {
		return nil, err
	}
	if e.session, err = compileSet(set.Session); err != nil {
		return nil, err
	}
	if e.resource, err = compileSet([]*policy.Policy{set.Resource}); err != nil {
		return nil, err
	}
	if e.endpoints, err = compileSet(set.Endpoints); err != nil {
		return nil, err
	}
	for _, lvl := range set.SCPs {
		c, err := compileSet(lvl)
		if err != nil {
			return nil, err
		}
		e.scps = append(e.scps, c)
	}
	for _, lvl := range set.RCPs {
		c, err := compileSet(lvl)
		if err != nil {
			return nil, err
		}
		e.rcps = append(e.rcps, c)
	}
	e.hasBoundary = len(e.boundary) > 0
	e.hasSession = len(e.session) > 0
	number := func(ps []*cPolicy) {
		for _, p := range ps {
			for _, s := range p.stmts {
				s.id = e.nStmts
				e.nStmts++
			}
		}
	}
	for _, lvl := range e.scps {
		number(lvl)
	}
	for _, lvl := range e.rcps {
		number(lvl)
	}
	number(e.resource)
	number(e.endpoints)
	number(e.identity)
	number(e.boundary)
	number(e.session)
	return e, nil
}

// Statements returns how many statements the Engine holds: every Match.ID
// is below it.
func (e *Engine) Statements() int { return e.nStmts }

// Match is one statement that matched the request.
type Match struct {
	// ID numbers the statement within its Engine, from 0 to
	// Engine.Statements()-1, so that callers can keep per-statement data
	// (such as its rendered form) in a slice.
	ID   int
	Gate Gate
	// Level is the organization level of an SCP or RCP, the root being 0.
	Level     int
	Policy    string
	Type      policy.Type
	Statement string // Sid, or "#index"
	Effect    policy.Effect
	Range     source.Range
}

// NearMiss is a statement whose action matched but which did not apply, and
// why.
type NearMiss struct {
	Match
	Reason string // empty in a Lazy Result: see Result.AppendReason
	why    why
}

// Result is a decision with its explanation.
type Result struct {
	Decision Decision
	// Gate decided the outcome: the gate of the deny for ExplicitlyDenied,
	// the gate that blocked for ImplicitlyDenied, the gate whose allow
	// carried the request for Allowed.
	Gate       Gate
	Matches    []Match
	Missing    []string // empty in a Lazy Result: see AppendMissing
	NearMisses []NearMiss

	// Lazy, set by the caller before ExplainInto, leaves Missing and the
	// near misses' Reason empty: AppendMissing and AppendReason write
	// them on demand into the caller's buffer, so that explaining builds
	// no strings (simulate --requests renders each into its output line).
	Lazy        bool
	lazyMissing []why
	req         *Request
	who         string // the caller as messages name it
}

// String renders the result for people.
func (r *Result) String() string {
	var b strings.Builder
	b.WriteString(r.Decision.String())
	if r.Gate != GateNone {
		fmt.Fprintf(&b, " (gate %s)", r.Gate)
	}
	for _, m := range r.Matches {
		fmt.Fprintf(&b, "\n  %s %s policy %s statement %s at %s", m.Effect, m.Type, m.Policy, m.Statement, m.Range)
	}
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "\n  missing: %s", m)
	}
	for _, n := range r.NearMisses {
		fmt.Fprintf(&b, "\n  near miss: %s policy %s statement %s at %s: %s", n.Type, n.Policy, n.Statement, n.Range, n.Reason)
	}
	return b.String()
}

// Evaluate decides req without building an explanation.
func (e *Engine) Evaluate(req *Request) Decision {
	d, _ := e.decide(req, nil)
	return d
}

// Explain decides req and explains the decision: every matching statement
// (no short-circuit), the deciding gate, what is missing, and near misses.
func (e *Engine) Explain(req *Request) *Result {
	r := &Result{}
	r.Decision, r.Gate = e.decide(req, r)
	return r
}

// ExplainInto is Explain into r, whose slices it truncates and reuses:
// a caller explaining many requests one after the other allocates only
// the Missing and NearMiss reason strings. r must not be in use elsewhere.
func (e *Engine) ExplainInto(req *Request, r *Result) {
	r.Matches, r.Missing, r.NearMisses, r.lazyMissing = r.Matches[:0], r.Missing[:0], r.NearMisses[:0], r.lazyMissing[:0]
	r.Decision, r.Gate = e.decide(req, r)
}

// state is one evaluation's pre-split request.
type state struct {
	req      *Request
	caller   caller
	ctx      reqCtx
	svcBuf   [48]byte
	svcLen   int
	svcOK    bool
	name     string
	res      arn.Split
	wildOnly bool
	resWild  bool // the request names a set of resources ("*" or a pattern)
	hasBound bool
	explain  *Result
	resWhy   [whyWildcardOnly + 1]string // reason's rendered resource messages
}

func (st *state) svc() string { return string(st.svcBuf[:st.svcLen]) }

// gateResult is what one gate's policies say.
type gateResult struct {
	allow, deny bool
	pm          principalMatch // strongest principal match among allows
}

func (e *Engine) decide(req *Request, ex *Result) (Decision, Gate) {
	var st state
	st.req = req
	st.explain = ex
	st.ctx.m = req.Context
	if req.Caller != nil && req.Caller.text == req.Principal {
		st.caller = req.Caller.c
	} else {
		st.caller = parseCaller(req.Principal)
	}
	if st.caller.kind == kindSession {
		if v, ok := st.ctx.get("aws:principalarn"); ok && len(v) == 1 && strings.Contains(v[0], ":role/") {
			st.caller.roleARN = v[0]
		}
	}
	if ex != nil && ex.Lazy {
		ex.req, ex.who = req, principalName(&st.caller)
	}
	st.hasBound = e.hasBoundary
	// An action with a comma or whitespace never matches (iam-engine.md §1.3).
	if svc, name, ok := strings.Cut(req.Action, ":"); ok && len(svc) <= len(st.svcBuf) && name != "" && !hasActionSeparator(req.Action) {
		for i := 0; i < len(svc); i++ {
			c := svc[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			st.svcBuf[i] = c
		}
		st.svcLen, st.name, st.svcOK = len(svc), name, true
	}
	st.res = arn.SplitSubject(req.Resource)
	info := lookupAction(req.Action)
	st.wildOnly = info.wildcardOnly
	st.resWild = req.Resource != "*" && (strings.IndexByte(req.Resource, '*') >= 0 || strings.IndexByte(req.Resource, '?') >= 0) || req.Resource == "*" && !st.wildOnly

	// sts:GetCallerIdentity needs no permission and cannot be denied.
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
	if st.svcOK && st.svc() == "sts" && strings.EqualFold(st.name, "GetCallerIdentity") && !anonymousCaller(&st) {
		return Allowed, GateNone
	}

	c := &st.caller
	anon := c.kind == kindAnonymous
	principalSide := !anon && c.kind != kindService
	scpExempt := c.kind == kindRole && strings.Contains(c.arn, ":role/aws-service-role/") ||
		c.kind == kindSession && strings.Contains(st.ctx.first("aws:principalarn"), ":role/aws-service-role/")
	rcpApplies := len(e.rcps) > 0 && st.svcOK && iamdata.RCPSupported(st.svc())

	// 1. Collect every gate's verdict. Every statement of every applicable
	// gate is visited, as cedar-go does, so that an explanation lists all
	// matches; without an explanation nothing is allocated on the way.
	var scpBuf, rcpBuf [8]gateResult
	scp, rcp := scpBuf[:0], rcpBuf[:0]
	if principalSide && !scpExempt {
		for i, lvl := range e.scps {
			scp = append(scp, st.scan(lvl, GateSCP, i))
		}
	}
	if rcpApplies {
		for i, lvl := range e.rcps {
			rcp = append(rcp, st.scan(lvl, GateRCP, i))
		}
	}
	res := st.scan(e.resource, GateResource, 0)
	end := st.scan(e.endpoints, GateEndpoint, 0)
	var id, bound, sess gateResult
	if principalSide {
		id = st.scan(e.identity, GateIdentity, 0)
		bound = st.scan(e.boundary, GateBoundary, 0)
		sess = st.scan(e.session, GateSession, 0)
	}

	// 2. Explicit deny anywhere wins.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
	for _, g := range scp {
		if g.deny {
			return ExplicitlyDenied, GateSCP
		}
	}
	for _, g := range rcp {
		if g.deny {
			return ExplicitlyDenied, GateRCP
		}
	}
	switch {
	case res.deny:
		return ExplicitlyDenied, GateResource
	case id.deny:
		return ExplicitlyDenied, GateIdentity
	case bound.deny:
		return ExplicitlyDenied, GateBoundary
	case sess.deny:
		return ExplicitlyDenied, GateSession
	case end.deny:
		return ExplicitlyDenied, GateEndpoint
	}

	// missing records what an implicit deny lacks, only when explaining,
	// so the decision path builds no strings.
	missing := func(g Gate, w why) (Decision, Gate) {
		if ex != nil {
			if ex.Lazy {
				ex.lazyMissing = append(ex.lazyMissing, w)
			} else {
				ex.Missing = append(ex.Missing, w.render(req, principalName(c)))
			}
		}
		return ImplicitlyDenied, g
	}

	// AWS-owned resources (AWS managed policies, aws-reserved roles,
	// AWS managed KMS aliases) accept only read access whatever the policies
	// say. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
	if info.known && !info.read && awsOwned(&st) {
		return missing(GateNone, why{kind: whyAWSOwned})
	}

	// 3. SCPs: every level from the root to the account must allow.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
	for i, g := range scp {
		if !g.allow {
			return missing(GateSCP, why{kind: whySCP, level: i})
		}
	}
	// RCPs allow through the implied RCPFullAWSAccess at every level.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html

	// VPC endpoint policies must allow when the request goes through one.
	// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
	if len(e.endpoints) > 0 && !end.allow {
		return missing(GateEndpoint, why{kind: whyEndpoint})
	}

	// 4. Anonymous and service principals: only the resource policy can
	// allow.
	if !principalSide {
		if res.allow {
			return Allowed, GateResource
		}
		return missing(GateResource, why{kind: whyResourcePolicy})
	}

	resAcct := req.ResourceAccount
	if resAcct == "" && st.res.IsARN {
		resAcct = st.res.Segs[4]
	}
	sameAccount := resAcct == "" || resAcct == c.account
	boundOK := !e.hasBoundary || bound.allow
	sessOK := !e.hasSession || sess.allow
	if c.kind == kindFederated {
		// A federated-user session without a session policy has no
		// permissions of its own.
		// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
		sessOK = e.hasSession && sess.allow
	}
	if c.kind == kindAccount {
		// The root user has full access in its own account; outside it,
		// it still needs the other account's resource policy.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
		id.allow = true
	}
	principalChecks := func() (Decision, Gate) {
		if !boundOK {
			return missing(GateBoundary, why{kind: whyBoundary})
		}
		if !sessOK {
			return missing(GateSession, why{kind: whySession})
		}
		return Allowed, GateIdentity
	}
	identityPath := func() (Decision, Gate) {
		if !id.allow {
			return missing(GateIdentity, why{kind: whyIdentity})
		}
		return principalChecks()
	}

	// 5. Cross-account: both accounts must allow.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
	if !sameAccount {
		if !res.allow {
			return missing(GateResource, why{kind: whyCrossAccount, text: resAcct})
		}
		return identityPath()
	}

	// 6. Same account. Role trust policies and KMS key policies must allow
	// themselves; other resource policies can stand in for the identity
	// policy, depending on how they name the principal.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
	mustResource := isAssumeRole(&st) || isKMSKey(&st)
	if mustResource && !res.allow {
		return missing(GateResource, why{kind: whyTrustOrKey})
	}
	if res.allow {
		switch res.pm {
		case pmRole:
			// A role ARN overrides the identity implicit deny but not the
			// boundary's or the session policy's.
			return principalChecks()
		case pmDirect, pmWildcard:
			if c.kind == kindRole && res.pm == pmDirect {
				// The role used directly: its ARN is the role ARN.
				return principalChecks()
			}
			// Naming the session itself (or everyone) lifts the boundary's
			// implicit deny, but a session policy still limits the session.
			if c.kind == kindSession && !sessOK {
				return missing(GateSession, why{kind: whySession})
			}
			return Allowed, GateResource
		}
	}
	return identityPath()
}

// hasActionSeparator is strings.ContainsAny(a, ", \t\r\n") without building
// a byte set per call: it runs once per request.
func hasActionSeparator(a string) bool {
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case ',', ' ', '\t', '\r', '\n':
			return true
		}
	}
	return false
}

// principalName renders the caller for messages.
func principalName(c *caller) string {
	if c.kind == kindAnonymous {
		return "an anonymous caller"
	}
	return c.arn
}

// isAssumeRole reports an sts:AssumeRole* request, decided by the trust
// policy. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html
func isAssumeRole(st *state) bool {
	return st.svc() == "sts" && len(st.name) >= 10 && strings.EqualFold(st.name[:10], "AssumeRole")
}

// isKMSKey reports a request on a KMS key, decided by the key policy.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
func isKMSKey(st *state) bool {
	return st.svc() == "kms" && st.res.IsARN && strings.HasPrefix(st.res.Segs[5], "key/")
}

// first returns the key's single value, or "".
func (c *reqCtx) first(key string) string {
	if v, ok := c.get(key); ok && len(v) > 0 {
		return v[0]
	}
	return ""
}

// scan evaluates every statement of pols. level numbers an SCP/RCP level.
func (st *state) scan(pols []*cPolicy, g Gate, level int) gateResult {
	var r gateResult
	for _, p := range pols {
		for _, s := range p.stmts {
			ok, pm, w := st.statement(s, g)
			if !ok {
				if ex := st.explain; ex != nil && w.kind != whyNone {
					n := NearMiss{Match: matchOf(s, g, level), why: w}
					if !ex.Lazy {
						n.Reason = st.reason(w)
					}
					ex.NearMisses = append(ex.NearMisses, n)
				}
				continue
			}
			if s.deny {
				r.deny = true
			} else {
				r.allow = true
				if pm > r.pm {
					r.pm = pm
				}
			}
			if st.explain != nil {
				st.explain.Matches = append(st.explain.Matches, matchOf(s, g, level))
			}
		}
	}
	return r
}

func matchOf(s *cStatement, g Gate, level int) Match {
	return Match{ID: s.id, Gate: g, Level: level, Policy: s.pol.Name, Type: s.pol.Type, Statement: s.name, Effect: s.src.Effect, Range: s.src.Range}
}

// statement reports whether s applies to the request. w, filled only when
// explaining and the action matched, says which element did not.
func (st *state) statement(s *cStatement, g Gate) (ok bool, pm principalMatch, w why) {
	if !st.action(s) {
		return false, pmNone, w
	}
	explain := st.explain != nil
	if !st.resource(s) {
		if explain {
			switch {
			case s.notResource:
				w.kind = whyResourceExcluded
			case st.wildOnly:
				w.kind = whyWildcardOnly
			default:
				w.kind = whyResourceNotIn
			}
		}
		return false, pmNone, w
	}
	pm = pmWildcard
	switch {
	case s.principal != nil:
		m := s.principal.match(&st.caller)
		if s.notPrincipal {
			// A Deny with NotPrincipal denies every principal with a
			// permissions boundary, whatever it lists.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
			if s.deny && g == GateResource && st.hasBound && st.caller.kind != kindAnonymous {
				m = pmNone
			}
			// Naming the account in NotPrincipal does not exclude the
			// account's users and roles: only their own ARNs do.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
			if m == pmAccount {
				m = pmNone
			}
			if m != pmNone {
				if explain {
					w.kind = whyPrincipalExcluded
				}
				return false, pmNone, w
			}
			pm = pmDirect
		} else {
			if m == pmNone {
				if explain {
					w.kind = whyPrincipalNotNamed
				}
				return false, pmNone, w
			}
			pm = m
		}
	case g == GateResource:
		// A resource policy statement without Principal names nobody.
		if explain {
			w = why{kind: whyNoPrincipal, text: "it has no Principal element"}
		}
		return false, pmNone, w
	}
	for _, c := range s.conds {
		if !c.eval(&st.ctx) {
			if explain {
				w = why{kind: whyCondition, text: c.why, key: c.src.Key}
			}
			return false, pmNone, w
		}
	}
	return true, pm, w
}

// reason renders a near miss's reason. Resource messages depend only on
// the request, so each is built once per explanation, however many
// statements miss it; constant ones are not copied.
func (st *state) reason(w why) string {
	switch w.kind {
	case whyNoPrincipal, whyCondition:
		return w.text
	case whyResourceNotIn, whyResourceExcluded, whyWildcardOnly:
		if st.resWhy[w.kind] == "" {
			st.resWhy[w.kind] = w.render(st.req, principalName(&st.caller))
		}
		return st.resWhy[w.kind]
	}
	return w.render(st.req, principalName(&st.caller))
}

// action reports whether the statement's Action/NotAction applies.
func (st *state) action(s *cStatement) bool {
	if !s.hasAction {
		return false
	}
	m := st.actionListMatches(s)
	return m != s.notAction
}

func (st *state) actionListMatches(s *cStatement) bool {
	if s.actAll {
		return true
	}
	if !st.svcOK {
		return false
	}
	if gs, ok := s.actBySvc[string(st.svcBuf[:st.svcLen])]; ok {
		for i := range gs {
			if gs[i].Match(st.name) {
				return true
			}
		}
	}
	for i := range s.actWildSvc {
		if s.actWildSvc[i].Match(st.req.Action) {
			return true
		}
	}
	return false
}

// resource reports whether Resource/NotResource applies. Wildcard-only
// actions are matched only by "*".
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func (st *state) resource(s *cStatement) bool {
	if !s.hasResource {
		return true // trust policies have no Resource element
	}
	var m bool
	switch {
	case st.wildOnly:
		m = s.resAll
	case st.resWild:
		// The request names a set of resources: an Allow applies if it
		// could cover some of them, a Deny only if it covers them all.
		possibly := s.deny == s.notResource
		m = st.resourceSetMatches(s, possibly)
	default:
		m = st.resourceListMatches(s)
	}
	return m != s.notResource
}

// resourceSetMatches compares the statement's list with a request resource
// holding wildcards: with possibly, any overlap counts; without, a pattern
// must cover the request pattern.
func (st *state) resourceSetMatches(s *cStatement, possibly bool) bool {
	if s.resAll {
		return true
	}
	for _, p := range s.resources {
		if possibly && p.Intersects(st.req.Resource) || !possibly && p.Match(&st.res) {
			return true
		}
	}
	for _, t := range s.resTmpl {
		parts, ok := t.resolve(&st.ctx)
		if !ok {
			continue
		}
		p := arn.CompilePatternParts(parts)
		if possibly && p.Intersects(st.req.Resource) || !possibly && p.Match(&st.res) {
			return true
		}
	}
	return false
}

func (st *state) resourceListMatches(s *cStatement) bool {
	if s.resAll {
		return true
	}
	for _, p := range s.resources {
		if p.Match(&st.res) {
			return true
		}
	}
	for _, t := range s.resTmpl {
		parts, ok := t.resolve(&st.ctx)
		if !ok {
			continue // an unresolved variable matches nothing
		}
		if arn.CompilePatternParts(parts).Match(&st.res) {
			return true
		}
	}
	return false
}

// actionInfo is what the engine needs from iamdata about an action.
type actionInfo struct {
	known, wildcardOnly, read bool
}

// lookupAction caches iamdata lookups per action string, keeping the
// decision path free of allocations. A sync.Map, not a RWMutex: its reads
// write nothing shared, so parallel batch workers do not contend on a
// reader count for every request.
var (
	aiCache sync.Map // string -> actionInfo
	aiSize  atomic.Int64
)

func lookupAction(action string) actionInfo {
	if v, ok := aiCache.Load(action); ok {
		return v.(actionInfo)
	}
	var v actionInfo
	if a, ok := iamdata.LookupAction(action); ok {
		v = actionInfo{known: true, wildcardOnly: a.WildcardOnly(), read: a.AccessLevel == "Read" || a.AccessLevel == "List"}
	}
	if aiSize.Add(1) > 1<<16 {
		aiCache.Clear()
		aiSize.Store(1)
	}
	// A copy of the key: action may point into a caller's large buffer
	// (simulate --requests reads the whole file), which the cache must not
	// keep alive.
	aiCache.Store(strings.Clone(action), v)
	return v
}

func anonymousCaller(st *state) bool { return st.caller.kind == kindAnonymous }

// awsOwned reports resources that belong to AWS inside or outside the
// account: AWS managed policies (account "aws"), roles under the
// /aws-reserved/ path (IAM Identity Center), and AWS managed KMS aliases.
// https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html
// https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html
func awsOwned(st *state) bool {
	if !st.res.IsARN {
		return false
	}
	sg := &st.res.Segs
	switch sg[2] {
	case "iam":
		return sg[4] == "aws" && strings.HasPrefix(sg[5], "policy/") || strings.HasPrefix(sg[5], "role/aws-reserved/")
	case "kms":
		return strings.HasPrefix(sg[5], "alias/aws/")
	}
	return false
}
