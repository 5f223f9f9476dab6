package eval

import (
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/arn"
	"github.com/execrole/execrole/internal/policy"
)

// cPolicy is a compiled policy document.
type cPolicy struct {
	src   *policy.Policy
	stmts []*cStatement
}

// cStatement is a compiled statement: its action patterns indexed by
// lower-cased service prefix, its resources pre-split into globs.
type cStatement struct {
	src  *policy.Statement
	pol  *policy.Policy
	deny bool
	id   int    // Match.ID: the statement's number within its Engine
	name string // src.Name(), computed once: "#3" would allocate per match

	// Action / NotAction.
	notAction  bool
	hasAction  bool
	actAll     bool                  // "*" present
	actBySvc   map[string][]arn.Glob // lower-cased prefix -> name globs
	actWildSvc []arn.Glob            // patterns whose prefix has a wildcard: whole-action globs

	// Resource / NotResource.
	notResource bool
	hasResource bool
	resAll      bool // a "*" entry
	resources   []*arn.Pattern
	resTmpl     []template // entries with variables, resolved per request

	principal    *cPrincipal // nil: no Principal element
	notPrincipal bool

	conds []*cCondition
}

func compilePolicy(p *policy.Policy) (*cPolicy, error) {
	cp := &cPolicy{src: p}
	vars := p.VariablesEnabled()
	for _, s := range p.Statements {
		cs, err := compileStatement(p, s, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: policy %s statement %s: %w", s.Range, p.Name, s.Name(), err)
		}
		cp.stmts = append(cp.stmts, cs)
	}
	return cp, nil
}

func compileStatement(p *policy.Policy, s *policy.Statement, vars bool) (*cStatement, error) {
	cs := &cStatement{src: s, pol: p, deny: s.Effect == policy.Deny, name: s.Name()}
	if s.Effect != policy.Allow && s.Effect != policy.Deny {
		return nil, fmt.Errorf("Effect %q: want Allow or Deny", s.Effect)
	}
	cs.notAction, cs.hasAction = s.NotAction, s.ActionSet
	for _, a := range s.Actions {
		t := a.Text
		if t == "*" {
			cs.actAll = true
			continue
		}
		svc, name, ok := strings.Cut(t, ":")
		if !ok || name == "" || strings.ContainsAny(t, ", \t\r\n") {
			// Never matches (iam-engine.md §1.3: commas, whitespace, no
			// name). Keep nothing for it.
			continue
		}
		if strings.ContainsAny(svc, "*?") {
			cs.actWildSvc = append(cs.actWildSvc, arn.CompileGlob(t, true))
			continue
		}
		if cs.actBySvc == nil {
			cs.actBySvc = make(map[string][]arn.Glob)
		}
		k := strings.ToLower(svc)
		cs.actBySvc[k] = append(cs.actBySvc[k], arn.CompileGlob(name, true))
	}
	cs.notResource, cs.hasResource = s.NotResource, s.ResourceSet
	for _, r := range s.Resources {
		if r.Unknown {
			// Optimistic: a placeholder stands for the value the stack
			// will have, which execrole cannot see; each matches like "*"
			// within its ARN part.
			cs.resources = append(cs.resources, arn.CompilePattern(placeholdersAsWildcards(r.Text)))
			continue
		}
		if vars {
			if t := splitTemplate(r.Text); t != nil {
				cs.resTmpl = append(cs.resTmpl, t)
				continue
			}
		}
		pt := arn.CompilePattern(r.Text)
		if pt.MatchAll() {
			cs.resAll = true
		}
		cs.resources = append(cs.resources, pt)
	}
	if s.Principal != nil {
		cs.notPrincipal = s.NotPrincipal
		cs.principal = compilePrincipal(s.Principal)
	}
	for _, c := range s.Conditions {
		cc, err := compileCondition(c, vars)
		if err != nil {
			return nil, err
		}
		cs.conds = append(cs.conds, cc)
	}
	return cs, nil
}

func compilePrincipal(p *policy.Principal) *cPrincipal {
	cp := &cPrincipal{wildcard: p.Wildcard}
	for _, e := range p.Entries {
		switch e.Kind {
		case policy.KindAWS:
			cp.aws = append(cp.aws, e.Value.Text)
		case policy.KindService:
			cp.service = append(cp.service, e.Value.Text)
		default:
			cp.other = append(cp.other, e.Value.Text)
		}
	}
	return cp
}

// compileSet compiles every policy of one gate.
func compileSet(ps []*policy.Policy) ([]*cPolicy, error) {
	var out []*cPolicy
	for _, p := range ps {
		if p == nil {
			continue
		}
		cp, err := compilePolicy(p)
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, nil
}
