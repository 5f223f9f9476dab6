package launch

import (
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/requirements"
)

// Fix is the smallest change that makes the task start: statements to add
// and explicit denies to change. It covers every blocking denial of the
// launch, not only the first, so that applying it does not just move the
// failure to the next step.
type Fix struct {
	Add    []Addition `json:"add,omitempty"`
	Change []string   `json:"change,omitempty"`
}

// Addition.Policy values a patch can write into the role's source: the
// role's own policies and its trust policy.
const (
	IdentityPolicy = "identity policy"
	TrustPolicy    = "trust policy"
)

// Addition is one statement to add to one policy.
type Addition struct {
	// Policy says where: "trust policy", "identity policy",
	// "permissions boundary", "service control policy at level N", or
	// "resource policy of ARN".
	Policy    string       `json:"policy"`
	Statement FixStatement `json:"statement"`
}

// FixStatement is an IAM statement; fields marshal in the usual order.
type FixStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// fix builds the Fix for every blocking denied call of rep.
func (e *env) fix(rep *Report) *Fix {
	f := &Fix{}
	type key struct{ target, action, via string }
	resources := map[key][]string{}
	var order []key
	seenChange := map[string]bool{}
	for si := range rep.Steps {
		for ci := range rep.Steps[si].Calls {
			c := &rep.Steps[si].Calls[ci]
			if !c.Blocking || c.Decision == eval.Allowed.String() || c.Decision == DecisionUnknown {
				continue
			}
			if c.Decision == eval.ExplicitlyDenied.String() {
				for _, s := range c.Statements {
					if s.Effect != "Deny" {
						continue
					}
					msg := "statement " + s.Statement + " of " + s.Policy
					if s.Location != "" {
						msg += " (" + s.Location + ")"
					}
					msg += " explicitly denies " + c.Action + " on " + c.Resource + ": narrow or remove it; no Allow can override it"
					if !seenChange[msg] {
						seenChange[msg] = true
						f.Change = append(f.Change, msg)
					}
				}
				continue
			}
			if c.req.Step == requirements.StepAssumeRole {
				f.Add = append(f.Add, e.trustFix())
				continue
			}
			target := IdentityPolicy
			switch c.Gate {
			case eval.GateBoundary.String():
				target = "permissions boundary"
			case eval.GateSCP.String():
				target = "service control policy (an organization level does not allow it)"
			case eval.GateResource.String():
				target = "resource policy of " + c.Resource
			}
			via := ""
			if v := c.req.Context["kms:ViaService"]; len(v) == 1 {
				via = v[0]
			}
			k := key{target, c.Action, via}
			if _, ok := resources[k]; !ok {
				order = append(order, k)
			}
			// The requirement's resource: a pattern when ECS's exact ARN
			// cannot be known (a secret's suffix, a task ID).
			resources[k] = appendUnique(resources[k], c.req.Resource)
		}
	}
	// Merge actions that share a target, condition and resources.
	type group struct {
		key
		actions, res []string
	}
	var groups []*group
	for _, k := range order {
		res := resources[k]
		sort.Strings(res)
		merged := false
		for _, g := range groups {
			if g.target == k.target && g.via == k.via && strings.Join(g.res, "\n") == strings.Join(res, "\n") {
				g.actions = appendUnique(g.actions, k.action)
				merged = true
				break
			}
		}
		if !merged {
			groups = append(groups, &group{key: k, actions: []string{k.action}, res: res})
		}
	}
	for _, g := range groups {
		st := FixStatement{Effect: "Allow", Action: g.actions, Resource: g.res}
		if strings.HasPrefix(g.target, "resource policy") {
			st.Principal = map[string]string{"AWS": e.roleARN}
		}
		if g.via != "" {
			// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
			st.Condition = map[string]map[string]string{"StringEquals": {"kms:ViaService": g.via}}
		}
		f.Add = append(f.Add, Addition{Policy: g.target, Statement: st})
	}
	if len(f.Add) == 0 && len(f.Change) == 0 {
		return nil
	}
	return f
}

// trustFix is the trust statement AWS documents for the execution role,
// with the confused-deputy conditions it recommends (research §3;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html,
// task-iam-roles.html).
func (e *env) trustFix() Addition {
	return Addition{Policy: TrustPolicy, Statement: FixStatement{
		Effect:    "Allow",
		Principal: map[string]string{"Service": ECSTasks},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{
			"ArnLike":      {"aws:SourceArn": "arn:" + e.partition + ":ecs:" + e.region + ":" + e.account + ":*"},
			"StringEquals": {"aws:SourceAccount": e.account},
		},
	}}
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
