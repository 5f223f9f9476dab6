package rolegen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/requirements"
)

// grantKey is one (action, resource) grant.
type grantKey struct{ action, resource string }

// grant is what a grant must allow: its request context, merged over the
// requirements that need it.
type grant struct {
	first    int                        // index of the first requirement, for ordering
	ctx      map[string]map[string]bool // condition key -> allowed values
	uncond   bool                       // some requirement carries no context: no condition
	features map[requirements.Feature]bool
}

// buildStatements turns requirements into as few readable statements as
// exact resources allow: grants that share their action set and conditions
// share a statement. A resource covered by another resource's wildcard for
// the same action and conditions is dropped, so that every resource in the
// result is needed by some requirement.
func buildStatements(reqs []requirements.Requirement) []statement {
	grants := map[grantKey]*grant{}
	for i, r := range reqs {
		k := grantKey{r.Action, r.Resource}
		gr := grants[k]
		if gr == nil {
			gr = &grant{first: i, ctx: map[string]map[string]bool{}, features: map[requirements.Feature]bool{}}
			grants[k] = gr
		}
		gr.features[r.Feature] = true
		if len(r.Context) == 0 {
			gr.uncond = true
		}
		for ck, vs := range r.Context {
			if gr.ctx[ck] == nil {
				gr.ctx[ck] = map[string]bool{}
			}
			for _, v := range vs {
				gr.ctx[ck][v] = true
			}
		}
	}
	// Drop grants subsumed by a wildcard grant of the same action whose
	// conditions are the same.
	sigs := make(map[grantKey]string, len(grants))
	var wild []grantKey
	for k, gr := range grants {
		sigs[k] = ctxSig(gr)
		if strings.ContainsAny(k.resource, "*?") {
			wild = append(wild, k)
		}
	}
	sort.Slice(wild, func(i, j int) bool { return wild[i].resource < wild[j].resource })
	for k, gr := range grants {
		for _, k2 := range wild {
			gr2, ok := grants[k2]
			if !ok || k2 == k || k2.action != k.action || sigs[k2] != sigs[k] || !globMatch(k2.resource, k.resource) {
				continue
			}
			// Two patterns matching each other: keep the smaller one.
			if globMatch(k.resource, k2.resource) && k.resource < k2.resource {
				continue
			}
			if gr2.first > gr.first {
				gr2.first = gr.first
			}
			for f := range gr.features {
				gr2.features[f] = true
			}
			delete(grants, k)
			break
		}
	}
	// unit: one resource under one condition, with the actions it needs.
	type unit struct {
		resource string
		ctx      string
		actions  map[string]bool
		first    int
		gr       *grant
		features map[requirements.Feature]bool
	}
	units := map[string]*unit{}
	for k, gr := range grants {
		uk := k.resource + "\x00" + ctxSig(gr)
		u := units[uk]
		if u == nil {
			u = &unit{resource: k.resource, ctx: ctxSig(gr), actions: map[string]bool{}, first: gr.first, gr: gr, features: map[requirements.Feature]bool{}}
			units[uk] = u
		}
		u.actions[k.action] = true
		if gr.first < u.first {
			u.first = gr.first
		}
		for f := range gr.features {
			u.features[f] = true
		}
	}
	type group struct {
		actions   []string
		resources []string
		cond      map[string]map[string]any
		first     int
		features  map[requirements.Feature]bool
	}
	groups := map[string]*group{}
	for _, u := range units {
		acts := sortedKeys(u.actions)
		gk := strings.Join(acts, ",") + "\x00" + u.ctx
		gp := groups[gk]
		if gp == nil {
			gp = &group{actions: acts, cond: condition(u.gr), first: u.first, features: map[requirements.Feature]bool{}}
			groups[gk] = gp
		}
		gp.resources = append(gp.resources, u.resource)
		if u.first < gp.first {
			gp.first = u.first
		}
		for f := range u.features {
			gp.features[f] = true
		}
	}
	list := make([]*group, 0, len(groups))
	for _, gp := range groups {
		sort.Strings(gp.resources)
		list = append(list, gp)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].first != list[j].first {
			return list[i].first < list[j].first
		}
		return strings.Join(list[i].actions, ",") < strings.Join(list[j].actions, ",")
	})
	used := map[string]int{}
	out := make([]statement, 0, len(list))
	for _, gp := range list {
		name := sidFor(gp.actions, gp.features, gp.cond)
		used[name]++
		if used[name] > 1 {
			name = fmt.Sprintf("%s%d", name, used[name])
		}
		out = append(out, statement{Sid: name, Effect: "Allow", Action: one(gp.actions), Resource: one(gp.resources), Condition: gp.cond})
	}
	return out
}

// ctxSig is a canonical text of a grant's conditions.
func ctxSig(gr *grant) string {
	if gr.uncond {
		return ""
	}
	var b strings.Builder
	for _, k := range sortedSet(gr.ctx) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(sortedKeys(gr.ctx[k]), ","))
		b.WriteByte(';')
	}
	return b.String()
}

// condition writes a grant's context as StringEquals conditions: every
// value ECS's call may carry is allowed (values of one key are ORed).
func condition(gr *grant) map[string]map[string]any {
	if gr.uncond || len(gr.ctx) == 0 {
		return nil
	}
	eq := map[string]any{}
	for _, k := range sortedSet(gr.ctx) {
		eq[k] = one(sortedKeys(gr.ctx[k]))
	}
	return map[string]map[string]any{"StringEquals": eq}
}

// sidFor names a statement after what it is for.
func sidFor(actions []string, features map[requirements.Feature]bool, cond map[string]map[string]any) string {
	only := func(f requirements.Feature) bool { return len(features) == 1 && features[f] }
	a := actions[0]
	switch {
	case a == "ecr:GetAuthorizationToken":
		return "EcrAuth"
	case slices.Contains(actions, "ecr:BatchImportUpstreamImage") || slices.Contains(actions, "ecr:CreateRepository"):
		return "EcrPullThroughCache"
	case strings.HasPrefix(a, "ecr:"):
		return "EcrPull"
	case a == "logs:CreateLogGroup":
		return "LogsCreateGroup"
	case strings.HasPrefix(a, "logs:"):
		return "Logs"
	case strings.HasPrefix(a, "ssm:"):
		return "SsmParameters"
	case strings.HasPrefix(a, "secretsmanager:"):
		if only(requirements.FeatureRegistryCredentials) {
			return "RegistryCredentials"
		}
		return "Secrets"
	case strings.HasPrefix(a, "kms:"):
		if via, ok := cond["StringEquals"]["kms:ViaService"].(string); ok {
			switch svc, _, _ := strings.Cut(via, "."); svc {
			case "ssm":
				return "KmsViaSsm"
			case "secretsmanager":
				return "KmsViaSecretsManager"
			case "s3":
				return "KmsViaS3"
			}
		}
		return "Kms"
	case a == "s3:GetBucketLocation":
		return "S3BucketLocation"
	case strings.HasPrefix(a, "s3:"):
		switch {
		case only(requirements.FeatureEnvironmentFile):
			return "S3EnvFiles"
		case only(requirements.FeatureFireLensConfig):
			return "S3FireLensConfig"
		case only(requirements.FeatureGMSA):
			return "S3CredentialSpecs"
		}
		return "S3Objects"
	case strings.HasPrefix(a, "elasticfilesystem:"):
		return "EfsMount"
	case strings.HasPrefix(a, "ssmmessages:"):
		return "EcsExec"
	}
	svc, _, _ := strings.Cut(a, ":")
	if svc == "" {
		return "Grant"
	}
	return strings.ToUpper(svc[:1]) + sid(svc[1:])
}

// globMatch reports whether IAM pattern p (with * and ?) matches s, taking
// s literally.
func globMatch(p, s string) bool {
	// Iterative wildcard matching with backtracking on the last *.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// packPolicies puts statements into one inline policy when the role's
// aggregate inline limit allows, else into customer managed policies of at
// most maxManaged characters, splitting long resource lists.
func packPolicies(roleName string, stmts []statement) ([]NamedPolicy, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	if compactSize(stmts) <= maxInline {
		doc, err := marshalDoc(stmts)
		if err != nil {
			return nil, err
		}
		return []NamedPolicy{{Name: policyName(roleName, ""), Document: doc}}, nil
	}
	var pieces []statement
	for _, st := range stmts {
		pieces = append(pieces, splitStatement(st)...)
	}
	var chunks [][]statement
	var cur []statement
	for _, st := range pieces {
		if len(cur) > 0 && compactSize(append(cur[:len(cur):len(cur)], st)) > maxManaged {
			chunks = append(chunks, cur)
			cur = nil
		}
		cur = append(cur, st)
	}
	chunks = append(chunks, cur)
	if len(chunks) > 2*maxManagedAttached {
		return nil, fmt.Errorf("role %s needs %d managed policies of %d characters, more than IAM's maximum of %d per role: split the task definition", roleName, len(chunks), maxManaged, 2*maxManagedAttached)
	}
	out := make([]NamedPolicy, 0, len(chunks))
	for i, c := range chunks {
		doc, err := marshalDoc(c)
		if err != nil {
			return nil, err
		}
		out = append(out, NamedPolicy{Name: policyName(roleName, fmt.Sprintf("-%d", i+1)), Document: doc, Managed: true})
	}
	return out, nil
}

// splitStatement cuts a statement whose resource list alone exceeds a
// managed policy into several with the same Sid stem.
func splitStatement(st statement) []statement {
	if compactSize([]statement{st}) <= maxManaged {
		return []statement{st}
	}
	res, ok := st.Resource.([]string)
	if !ok || len(res) < 2 {
		return []statement{st}
	}
	var out []statement
	var cur []string
	base := st.Sid
	emit := func() {
		s := st
		s.Resource = one(cur)
		s.Sid = fmt.Sprintf("%sPart%d", base, len(out)+1)
		out = append(out, s)
		cur = nil
	}
	for _, r := range res {
		try := st
		try.Resource = append(cur[:len(cur):len(cur)], r)
		if len(cur) > 0 && compactSize([]statement{try}) > maxManaged-100 {
			emit()
		}
		cur = append(cur, r)
	}
	emit()
	return out
}

// policyName derives a policy name from the role name within IAM's limit.
func policyName(role, suffix string) string {
	return truncate(role, maxPolicyName-len("-permissions")-len(suffix)) + "-permissions" + suffix
}
