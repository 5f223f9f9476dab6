package rules

import (
	"strings"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/policy"
)

// ecsTasksPrincipal is the service principal ECS assumes execution roles as.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
const ecsTasksPrincipal = "ecs-tasks.amazonaws.com"

// nearMisses are service principals people write instead of ecs-tasks.
var nearMisses = map[string]bool{
	"ecs-task.amazonaws.com":  true,
	"ecs.amazonaws.com":       true,
	"ec2.amazonaws.com":       true,
	"ecs-tasks":               true,
	"tasks.ecs.amazonaws.com": true,
}

// typos are near misses that name no service at all, so replacing them
// with ecs-tasks.amazonaws.com is the whole fix; ec2 and ecs are real
// services another use of the role may need, so they get a statement added
// instead.
var typos = map[string]bool{
	"ecs-task.amazonaws.com":  true,
	"ecs-tasks":               true,
	"tasks.ecs.amazonaws.com": true,
}

// MisspeltPrincipals returns the service principals of trust's Allow
// statements that are typos of ecs-tasks.amazonaws.com, when no statement
// names the right one: the values a fix replaces.
func MisspeltPrincipals(trust *policy.Policy) []policy.Value {
	p := &Pass{Role: &account.Principal{Trust: trust}}
	if trust == nil || p.trustsECSTasks() {
		return nil
	}
	var out []policy.Value
	for _, s := range p.trustAllows() {
		for _, e := range s.Principal.Entries {
			if e.Kind == policy.KindService && typos[strings.ToLower(e.Value.Text)] {
				out = append(out, e.Value)
			}
		}
	}
	return out
}

// ECSTasksPrincipal is the service principal ECS assumes execution roles as.
const ECSTasksPrincipal = ecsTasksPrincipal

// trustAllows returns the Allow statements of the trust policy.
func (p *Pass) trustAllows() []*policy.Statement {
	if p.Role == nil || p.Role.Trust == nil {
		return nil
	}
	var out []*policy.Statement
	for _, s := range p.Role.Trust.Statements {
		if s.Effect == policy.Allow && s.Principal != nil && !s.NotPrincipal {
			out = append(out, s)
		}
	}
	return out
}

func isECSTasks(s string) bool {
	// China regions spell it with the .com.cn suffix in some docs.
	return strings.EqualFold(s, ecsTasksPrincipal) || strings.EqualFold(s, ecsTasksPrincipal+".cn")
}

func trustsECSTasks(s *policy.Statement) bool {
	for _, e := range s.Principal.Entries {
		if e.Kind == policy.KindService && isECSTasks(e.Value.Text) {
			return true
		}
	}
	return false
}

func checkTrustPrincipal(p *Pass) {
	if p.Role == nil || p.Role.Trust == nil {
		return
	}
	if p.trustsECSTasks() {
		return // a near miss beside the right principal is an extra one (ER003)
	}
	misspelt := false
	for _, s := range p.trustAllows() {
		for _, e := range s.Principal.Entries {
			if e.Kind == policy.KindService && nearMisses[strings.ToLower(e.Value.Text)] {
				misspelt = true
				p.Reportf(e.Value.Range, nil, "trust policy names service principal %q, not %q: ECS cannot assume the role and the task fails to start", e.Value.Text, ecsTasksPrincipal)
			}
		}
	}
	if misspelt {
		return
	}
	p.Reportf(p.Role.Trust.Range, nil, "trust policy of role %s does not allow %s: ECS cannot assume it and the task fails to start", p.Role.Name, ecsTasksPrincipal)
}

// trustsECSTasks reports whether an Allow statement of the trust policy
// names ecs-tasks.amazonaws.com.
func (p *Pass) trustsECSTasks() bool {
	for _, s := range p.trustAllows() {
		if trustsECSTasks(s) {
			return true
		}
	}
	return false
}

func checkTrustAssumeRole(p *Pass) {
	for _, s := range p.trustAllows() {
		if !trustsECSTasks(s) {
			continue
		}
		if s.NotAction {
			if !anyMatch(s.Actions, "sts:AssumeRole") {
				return
			}
		} else if anyMatch(s.Actions, "sts:AssumeRole") {
			return
		}
		r := s.Ranges["Action"]
		if !r.Start.IsValid() {
			r = s.Range
		}
		p.Reportf(r, nil, "statement %s trusts %s but does not allow sts:AssumeRole", s.Name(), ecsTasksPrincipal)
	}
}

func checkTrustExtraPrincipals(p *Pass) {
	for _, s := range p.trustAllows() {
		if s.Principal.Wildcard {
			p.Reportf(s.Principal.Range, nil, "statement %s trusts every principal (\"*\"); only %s needs to assume an execution role", s.Name(), ecsTasksPrincipal)
			continue
		}
		for _, e := range s.Principal.Entries {
			if e.Kind == policy.KindService && (isECSTasks(e.Value.Text) || nearMisses[strings.ToLower(e.Value.Text)] && !p.trustsECSTasks()) {
				continue // right, or reported by the principal rule
			}
			p.Reportf(e.Value.Range, nil, "statement %s also trusts %s principal %q; only %s needs to assume an execution role", s.Name(), e.Kind, e.Value.Text, ecsTasksPrincipal)
		}
	}
}

// checkTrustSourceAccount wants aws:SourceAccount or aws:SourceArn, which
// ECS sets when it assumes the role, against the confused-deputy problem.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
func checkTrustSourceAccount(p *Pass) {
	for _, s := range p.trustAllows() {
		if !trustsECSTasks(s) {
			continue
		}
		has := false
		for _, c := range s.Conditions {
			k := strings.ToLower(c.Key)
			if k == "aws:sourceaccount" || k == "aws:sourcearn" {
				has = true
			}
		}
		if !has {
			p.Reportf(s.Range, nil, "statement %s lets %s assume the role on behalf of any account; add an aws:SourceAccount condition", s.Name(), ecsTasksPrincipal)
		}
	}
}
