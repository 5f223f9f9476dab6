package rolegen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
)

// The no-slack property: the generated policy allows every requirement of
// its role, evaluated by the IAM engine (internal/eval) as the role's
// assumed-role session, and removing any single action or resource from it
// denies at least one requirement.
//
// Policies are handed to the engine through toPolicy below, because
// internal/policy's parser had not landed when this was written; switch to
// policy.Parse once it does.

type doc struct {
	Statement []stmt
}

type stmt struct {
	Sid       string
	Effect    string
	Principal map[string]strs `json:",omitempty"`
	Action    strs
	Resource  strs
	Condition map[string]map[string]strs
}

type strs []string

func (s *strs) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = strs{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

func toPolicy(name string, d doc, typ policy.Type) *policy.Policy {
	p := &policy.Policy{Name: name, Type: typ, Version: policy.Version2012}
	for i, st := range d.Statement {
		ps := &policy.Statement{Index: i, Sid: st.Sid, SidSet: st.Sid != "", Effect: policy.Effect(st.Effect), ActionSet: true}
		for _, a := range st.Action {
			ps.Actions = append(ps.Actions, policy.Value{Text: a})
		}
		if st.Resource != nil {
			ps.ResourceSet = true
			for _, r := range st.Resource {
				ps.Resources = append(ps.Resources, policy.Value{Text: r})
			}
		}
		if len(st.Principal) > 0 {
			pr := &policy.Principal{}
			for kind, vs := range st.Principal {
				for _, v := range vs {
					pr.Entries = append(pr.Entries, policy.PrincipalEntry{Kind: kind, Value: policy.Value{Text: v}})
				}
			}
			ps.Principal = pr
		}
		for op, keys := range st.Condition {
			for k, vs := range keys {
				c := &policy.Condition{OperatorText: op, Key: k}
				for _, v := range vs {
					c.Values = append(c.Values, policy.Value{Text: v})
				}
				ps.Conditions = append(ps.Conditions, c)
			}
		}
		p.Statements = append(p.Statements, ps)
	}
	return p
}

// checker evaluates requirements against one role's generated policies.
type checker struct {
	t        *testing.T
	identity []*policy.Policy
	repos    map[string]*policy.Policy // cross-account repository policies by ARN
	roleARN  string
	account  string
	keyPol   *policy.Policy
	engines  map[*policy.Policy]*eval.Engine // by resource policy; reset when identity changes
}

func (c *checker) allowed(r requirements.Requirement) bool {
	set := eval.PolicySet{Identity: c.identity}
	req := &eval.Request{
		Principal: "arn:aws:sts::" + c.account + ":assumed-role/" + c.roleARN[strings.LastIndex(c.roleARN, "/")+1:] + "/0123456789abcdef0123456789abcdef",
		Action:    r.Action,
		Resource:  r.Sample,
		Context:   r.Context,
		// The identity policy alone is under test; only cross-account ECR
		// repositories have a generated resource policy to check with it.
		ResourceAccount: c.account,
	}
	if rp, ok := c.repos[r.Resource]; ok && r.CrossAccount {
		set.Resource = rp
		req.ResourceAccount = r.ResourceAccount
	}
	if strings.HasPrefix(r.Action, "kms:") {
		set.Resource = c.keyPol
	}
	e, ok := c.engines[set.Resource]
	if !ok {
		var err error
		if e, err = eval.Compile(set); err != nil {
			c.t.Fatal(err)
		}
		c.engines[set.Resource] = e
	}
	return e.Evaluate(req) == eval.Allowed
}

func TestNoSlack(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reqs := load(t, baseName(tc.name), tc.ropt)
			res, err := rolegen.Generate(reqs, tc.gopt)
			if err != nil {
				t.Fatal(err)
			}
			checkNoSlack(t, reqs, res, res.ExecutionRole, requirements.Execution)
			if res.TaskRole != nil {
				checkNoSlack(t, reqs, res, res.TaskRole, requirements.Task)
			}
		})
	}
}

func checkNoSlack(t *testing.T, all []requirements.Requirement, res *rolegen.Result, role *rolegen.Role, which requirements.Role) {
	t.Helper()
	var reqs []requirements.Requirement
	for _, r := range all {
		if r.Role == which && r.Feature != requirements.FeatureTrust {
			reqs = append(reqs, r)
		}
	}
	account := strings.Split(role.ARN, ":")[4]
	c := &checker{t: t, roleARN: role.ARN, account: account, repos: map[string]*policy.Policy{}}
	// KMS needs the key policy to allow too; the default key policy
	// delegates to IAM policies of the key's account
	// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
	c.keyPol = toPolicy("default key policy", doc{Statement: []stmt{{
		Sid: "EnableIAMUserPermissions", Effect: "Allow",
		Principal: map[string]strs{"AWS": {"arn:aws:iam::" + account + ":root"}},
		Action:    strs{"kms:*"}, Resource: strs{"*"},
	}}}, policy.Resource)
	var docs []*doc
	for _, p := range role.Policies {
		var d doc
		if err := json.Unmarshal(p.Document, &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, &d)
	}
	for _, arn := range role.ManagedPolicyARNs {
		mp, ok := managed.ByARN(arn)
		if !ok {
			t.Fatalf("managed policy %s not embedded", arn)
		}
		var d doc
		if err := json.Unmarshal(mp.Document, &d); err != nil {
			t.Fatal(err)
		}
		c.identity = append(c.identity, toPolicy(arn, d, policy.Identity))
	}
	fixed := len(c.identity)
	for _, rp := range res.RepositoryPolicies {
		var d doc
		if err := json.Unmarshal(rp.Document, &d); err != nil {
			t.Fatal(err)
		}
		c.repos[rp.Repository] = toPolicy(rp.Repository, d, policy.Resource)
	}
	rebuild := func() {
		c.engines = map[*policy.Policy]*eval.Engine{}
		c.identity = c.identity[:fixed]
		for i, d := range docs {
			c.identity = append(c.identity, toPolicy(role.Policies[i].Name, *d, policy.Identity))
		}
	}
	rebuild()
	for _, r := range reqs {
		if !c.allowed(r) {
			t.Errorf("generated policy denies %s", r.String())
		}
	}
	allAllowed := func() bool {
		rebuild()
		for _, r := range reqs {
			if !c.allowed(r) {
				return false
			}
		}
		return true
	}
	for _, d := range docs {
		for si := range d.Statement {
			st := &d.Statement[si]
			for _, field := range []*strs{&st.Action, &st.Resource} {
				orig := *field
				for i := range orig {
					*field = append(append(strs{}, orig[:i]...), orig[i+1:]...)
					if allAllowed() {
						t.Errorf("slack: statement %s still allows every requirement without %q", st.Sid, orig[i])
					}
					*field = orig
				}
			}
		}
	}
}
