// Package audit turns the CloudTrail evidence of what an ECS role's sessions
// did (package cloudtrail) into the audit report: the calls used and denied,
// each denial decided and explained by the policy engine with the smallest
// fix, what the role's policies grant that no call used, what CloudTrail
// cannot tell, and a rightsized policy that joins the task definitions'
// requirements with the observed calls.
//
// The report never concludes "unused" from missing evidence for what
// CloudTrail cannot record ([cloudtrail.BlindSpots]); those grants are listed
// as "cannot tell" and kept in the rightsized policy
// (/work/shared/research/cloudtrail-audit.md section 7, "Never conclude
// unused from missing evidence").
package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
)

// RoleInput is what the caller knows about one role beyond its CloudTrail
// evidence. Both fields are optional.
type RoleInput struct {
	// Policies are the role's identity policies and permissions boundary;
	// nil when none were given, which turns off decisions, "unused" and
	// "cannot tell".
	Policies *account.Policies
	// Requirements are what the role's task definitions need (package
	// requirements); only execution-role requirements are used.
	Requirements []requirements.Requirement
}

// Input holds the optional per-role inputs, keyed by role ARN as
// [cloudtrail.RoleUsage.Role] spells it (path included). A role in Input
// with no evidence in the usage is still reported, with no events.
type Input struct {
	Roles map[string]*RoleInput
}

// Report is the audit of every role in the evidence.
type Report struct {
	// Events is the number of events attributed to the audited roles (the
	// sum of their RoleReport.Events); Stats.Attributed also counts other
	// assumed roles when no role was named.
	Events     int64                    `json:"events"`
	Stats      cloudtrail.Stats         `json:"stats"`
	Problems   []cloudtrail.FileProblem `json:"problems,omitempty"`
	OtherRoles []string                 `json:"otherRoles,omitempty"`
	Roles      []*RoleReport            `json:"roles"`
	// BlindSpots is what CloudTrail cannot show, printed next to every
	// verdict.
	BlindSpots []cloudtrail.BlindSpot `json:"blindSpots"`
}

// RoleReport is the audit of one role.
type RoleReport struct {
	Role string `json:"role"`
	Name string `json:"name"`
	// Events counts this role's attributed events: calls used and denied
	// plus the AssumeRole calls that started its task sessions.
	Events      int64                `json:"events"`
	ECSSessions *cloudtrail.Sessions `json:"ecsSessions,omitempty"`
	// HasPolicies says whether decisions, unused and cannotTell were
	// computed.
	HasPolicies bool      `json:"hasPolicies"`
	Used        []*Used   `json:"used"`
	Denied      []*Denied `json:"denied"`
	// Unused and CannotTell are nil when no policies were given.
	Unused     []*Unused     `json:"unused"`
	CannotTell []*CannotTell `json:"cannotTell"`
	Policy     *Rightsized   `json:"policy"`
}

// Used is one aggregated call that succeeded, with the engine's view of it
// when policies were given.
type Used struct {
	*cloudtrail.Call
	// Decision is the engine's decision for the call under the given
	// policies. It may be a deny for a call that succeeded when a policy
	// not given decides too (KMS key policies) or the role changed since.
	Decision string `json:"decision,omitempty"`
	// AllowedBy names the identity statements that allowed it; empty
	// means no identity policy given allows the call.
	AllowedBy []StatementRef `json:"allowedBy,omitempty"`
}

// Denied is one aggregated denied call with the engine's decision,
// explanation and fix.
type Denied struct {
	*cloudtrail.Call
	Request     *Request     `json:"request"`
	Decision    string       `json:"decision,omitempty"`
	Gate        string       `json:"gate,omitempty"`
	Explanation *Explanation `json:"explanation,omitempty"`
	Fix         *Fix         `json:"fix,omitempty"`
}

// Request is the IAM request rebuilt from the log: the assumed-role session
// as principal and the context keys the log lets us know.
type Request struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context,omitempty"`
}

// Explanation is eval's explanation in printable form.
type Explanation struct {
	Statements []StatementRef `json:"statements"`
	Missing    []string       `json:"missing,omitempty"`
	NearMisses []NearMiss     `json:"nearMisses,omitempty"`
}

// StatementRef names one policy statement and where it is written.
type StatementRef struct {
	Policy    string `json:"policy"`
	Type      string `json:"type,omitempty"`
	Statement string `json:"statement"`
	Effect    string `json:"effect,omitempty"`
	Location  string `json:"location,omitempty"`
}

// NearMiss is a statement whose action matched but which did not apply.
type NearMiss struct {
	StatementRef
	Reason string `json:"reason"`
}

// Fix is the smallest Allow statement that would grant a denied call.
type Fix struct {
	Statement string `json:"statement"` // the statement's JSON
	// Verified is set when the engine allows the request once the
	// statement is added to the role's identity policies.
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
}

// Unused is what one Allow statement grants that no observed call used.
type Unused struct {
	StatementRef
	// Whole is set when no observed call matched the statement at all.
	Whole     bool     `json:"whole"`
	Actions   []string `json:"actions,omitempty"`
	Resources []string `json:"resources,omitempty"`
	Reason    string   `json:"reason"`
	Notes     []string `json:"notes,omitempty"`
}

// CannotTell is what one statement grants that no call used but that
// CloudTrail could not have shown.
type CannotTell struct {
	StatementRef
	Actions   []string `json:"actions,omitempty"`
	Resources []string `json:"resources,omitempty"`
	Reasons   []string `json:"reasons"`
	// grantResources are the resources the statement grants the actions
	// on, for the rightsized policy to keep.
	grantResources []string
	// grantCondition is the statement's Condition element, kept with it.
	grantCondition json.RawMessage
}

func refOf(m eval.Match) StatementRef {
	return StatementRef{Policy: m.Policy, Type: m.Type.String(), Statement: m.Statement, Effect: string(m.Effect), Location: m.Range.String()}
}

func refOfStatement(p *policy.Policy, s *policy.Statement) StatementRef {
	return StatementRef{Policy: p.Name, Type: p.Type.String(), Statement: s.Name(), Effect: string(s.Effect), Location: s.Range.String()}
}

// Build turns the scanned usage and the optional inputs into the report.
// It never fails: inputs it cannot use (a policy set the engine rejects) are
// reported as notes in the role's policy section.
func Build(usage *cloudtrail.Usage, in Input) *Report {
	rep := &Report{
		Stats:      usage.Stats,
		Problems:   usage.Problems,
		OtherRoles: usage.OtherRoles,
		Roles:      []*RoleReport{},
		BlindSpots: cloudtrail.BlindSpots,
	}
	seen := map[string]bool{}
	for _, ru := range usage.Roles {
		seen[ru.Role] = true
		rep.Roles = append(rep.Roles, buildRole(ru, in.Roles[ru.Role]))
	}
	// Roles the caller named that left no evidence: reported with no
	// events, so that the absence is visible rather than silent.
	var missing []string
	for arn := range in.Roles {
		if !seen[arn] {
			missing = append(missing, arn)
		}
	}
	sortStrings(missing)
	for _, arn := range missing {
		ru := &cloudtrail.RoleUsage{Role: arn, Name: roleName(arn), Used: []*cloudtrail.Call{}, Denied: []*cloudtrail.Call{}}
		rep.Roles = append(rep.Roles, buildRole(ru, in.Roles[arn]))
	}
	for _, r := range rep.Roles {
		rep.Events += r.Events
	}
	return rep
}

// roleName drops the path: "arn:aws:iam::A:role/path/Name" -> "Name".
func roleName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func buildRole(ru *cloudtrail.RoleUsage, ri *RoleInput) *RoleReport {
	r := &RoleReport{Role: ru.Role, Name: ru.Name, ECSSessions: ru.ECSSessions, Used: []*Used{}, Denied: []*Denied{}}
	if r.Name == "" {
		r.Name = roleName(ru.Role)
	}
	if ru.ECSSessions != nil {
		r.Events += ru.ECSSessions.Count
	}
	for _, c := range ru.Used {
		r.Events += c.Count
	}
	for _, c := range ru.Denied {
		r.Events += c.Count
	}
	if ri == nil {
		ri = &RoleInput{}
	}
	var en *eval.Engine
	var notes []string
	if ri.Policies != nil {
		var err error
		en, err = eval.Compile(policySet(ri.Policies))
		if err != nil {
			notes = append(notes, fmt.Sprintf("role policies not evaluated: %v", err))
		}
	}
	r.HasPolicies = en != nil
	matched := map[stmtKey][]*cloudtrail.Call{}
	for _, c := range ru.Used {
		u := &Used{Call: c}
		if en != nil && c.Mapping != cloudtrail.Permissionless {
			res := en.Explain(requestFor(ru.Role, c).eval())
			u.Decision = res.Decision.String()
			for _, m := range res.Matches {
				if m.Effect == policy.Allow && m.Gate == eval.GateIdentity {
					u.AllowedBy = append(u.AllowedBy, refOf(m))
					k := stmtKey{m.Policy, m.Statement}
					matched[k] = append(matched[k], c)
				}
			}
		}
		r.Used = append(r.Used, u)
	}
	for _, c := range ru.Denied {
		r.Denied = append(r.Denied, denial(ru.Role, c, ri.Policies, en))
	}
	if en != nil {
		r.Unused, r.CannotTell = unused(ru, ri.Policies, matched, r.Events)
	}
	r.Policy = rightsize(ru, ri, r.CannotTell)
	if len(ru.Denied) > 0 {
		// A denial is evidence of an attempt, not of a need: it may be a
		// misconfiguration or a probe. Its fix is printed with it.
		notes = append(notes, fmt.Sprintf("%d denied call row(s) are not granted here; see the fix printed with each", len(ru.Denied)))
	}
	r.Policy.Notes = append(notes, r.Policy.Notes...)
	return r
}

// stmtKey identifies a statement the way eval.Match names it.
type stmtKey struct{ policy, statement string }

func policySet(p *account.Policies) eval.PolicySet {
	set := eval.PolicySet{Identity: p.Identity}
	if p.Boundary != nil {
		set.Boundary = []*policy.Policy{p.Boundary}
	}
	return set
}
