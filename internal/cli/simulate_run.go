package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
)

// simInputs are the policies of a simulate run before a principal picks
// from any authorization-details export among them.
type simInputs struct {
	base     eval.PolicySet
	accounts []*account.Snapshot

	mu      sync.Mutex
	engines map[string]*eval.Engine // by principal; "" without accounts
}

func (e *env) loadSimInputs(f *simulateFlags) (*simInputs, error) {
	in := &simInputs{}
	for _, path := range f.policies {
		p, snap, err := e.loadPolicyOrAccount(path)
		if err != nil {
			return nil, err
		}
		if snap != nil {
			in.accounts = append(in.accounts, snap)
			continue
		}
		in.base.Identity = append(in.base.Identity, p)
	}
	for _, arn := range f.managedARNs {
		p, err := account.Managed(arn)
		if err != nil {
			return nil, badInput(fmt.Errorf("--managed-policy: %w", err))
		}
		in.base.Identity = append(in.base.Identity, p)
	}
	one := func(path string, t policy.Type) (*policy.Policy, error) {
		if path == "" {
			return nil, nil
		}
		return e.loadPolicy(path, t)
	}
	var err error
	if in.base.Resource, err = one(f.resourcePolicy, resourcePolicyType(f.action)); err != nil {
		return nil, err
	}
	if b, err := one(f.boundary, policy.Boundary); err != nil {
		return nil, err
	} else if b != nil {
		in.base.Boundary = []*policy.Policy{b}
	}
	if s, err := one(f.sessionPolicy, policy.Session); err != nil {
		return nil, err
	} else if s != nil {
		in.base.Session = []*policy.Policy{s}
	}
	if in.base.SCPs, err = e.loadLevels(f.scps, policy.SCP); err != nil {
		return nil, err
	}
	if in.base.RCPs, err = e.loadLevels(f.rcps, policy.RCP); err != nil {
		return nil, err
	}
	return in, nil
}

// resourcePolicyType reads a resource policy as a trust policy when the
// action assumes a role, since trust policies follow their own grammar
// (no Resource element), and as a repository policy for ECR actions, whose
// Resource is implied.
func resourcePolicyType(action string) policy.Type {
	switch a := strings.ToLower(action); {
	case strings.HasPrefix(a, "sts:assumerole"):
		return policy.Trust
	case strings.HasPrefix(a, "ecr:"):
		return policy.Repository
	}
	return policy.Resource
}

// engineFor compiles the policy set that applies to principal: the flags'
// policies plus, from each export, those of the role, user or group the
// principal names.
func (in *simInputs) engineFor(principal string, cache map[string]*eval.Engine) (*eval.Engine, error) {
	key := ""
	if len(in.accounts) > 0 {
		key = principal
	}
	if en, ok := cache[key]; ok {
		return en, nil
	}
	set := in.base
	set.Identity = append([]*policy.Policy(nil), in.base.Identity...)
	for _, snap := range in.accounts {
		p, ok := snap.Find(principal)
		if !ok {
			return nil, badInput(fmt.Errorf("%s: no role, user or group matches principal %q", snap.File, principal))
		}
		pols, err := snap.PoliciesOf(p)
		if err != nil {
			return nil, badInput(err)
		}
		set.Identity = append(set.Identity, pols.Identity...)
		if pols.Boundary != nil && len(set.Boundary) == 0 {
			set.Boundary = []*policy.Policy{pols.Boundary}
		}
	}
	en, err := eval.Compile(set)
	if err != nil {
		return nil, badInput(err)
	}
	cache[key] = en
	return en, nil
}

// decisionJSON is one decision as printed by --format json.
type decisionJSON struct {
	Principal   string           `json:"principal"`
	Action      string           `json:"action"`
	Resource    string           `json:"resource"`
	Decision    string           `json:"decision"`
	Gate        string           `json:"gate,omitempty"`
	Explanation *explanationJSON `json:"explanation,omitempty"`
}

type explanationJSON struct {
	Statements []statementJSON `json:"statements"`
	Missing    []string        `json:"missing,omitempty"`
	NearMisses []nearMissJSON  `json:"nearMisses,omitempty"`
}

type statementJSON struct {
	Policy    string `json:"policy"`
	Type      string `json:"type"`
	Statement string `json:"statement"`
	Effect    string `json:"effect"`
	Location  string `json:"location"`
}

type nearMissJSON struct {
	statementJSON
	Reason string `json:"reason"`
}

func toJSON(req *eval.Request, r *eval.Result) decisionJSON {
	d := decisionJSON{Principal: req.Principal, Action: req.Action, Resource: req.Resource, Decision: r.Decision.String()}
	if r.Gate != eval.GateNone {
		d.Gate = r.Gate.String()
	}
	x := &explanationJSON{Statements: []statementJSON{}, Missing: r.Missing}
	for _, m := range r.Matches {
		x.Statements = append(x.Statements, statementOf(m))
	}
	for _, n := range r.NearMisses {
		x.NearMisses = append(x.NearMisses, nearMissJSON{statementOf(n.Match), n.Reason})
	}
	d.Explanation = x
	return d
}

func statementOf(m eval.Match) statementJSON {
	return statementJSON{Policy: m.Policy, Type: m.Type.String(), Statement: m.Statement, Effect: string(m.Effect), Location: m.Range.String()}
}

func runSimulate(e *env, f *simulateFlags) error {
	if err := checkFormat(f.format, "text", "json"); err != nil {
		return err
	}
	if f.requests == "" && (f.principal == "" || f.action == "") {
		return badInput(fmt.Errorf("simulate: --principal and --action are required (or --requests FILE)"))
	}
	if len(f.policies)+len(f.managedARNs) == 0 && f.resourcePolicy == "" && f.scps == nil {
		return badInput(fmt.Errorf("simulate: give at least one policy (--policy, --managed-policy, --resource-policy or --scp)"))
	}
	ctx, err := parseContext(f.contexts)
	if err != nil {
		return err
	}
	var in *simInputs
	withoutGC(func() {
		if in, err = e.loadSimInputs(f); err == nil {
			// Every decision consults the service authorization
			// reference: decode it now, inside the window, if the
			// policies' validation has not.
			iamdata.Services()
		}
	})
	if err != nil {
		return err
	}
	cache := map[string]*eval.Engine{}
	out := bufio.NewWriterSize(e.stdout, 64*1024)
	defer out.Flush()

	emit := func(req *eval.Request) error {
		en, err := in.engineFor(req.Principal, cache)
		if err != nil {
			return err
		}
		if f.format == "json" {
			var d decisionJSON
			if f.explain {
				d = toJSON(req, en.Explain(req))
			} else {
				d = decisionJSON{Principal: req.Principal, Action: req.Action, Resource: req.Resource, Decision: en.Evaluate(req).String()}
			}
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			out.Write(b)
			return out.WriteByte('\n')
		}
		if !f.explain {
			_, err := fmt.Fprintf(out, "%s %s on %s\n", en.Evaluate(req), req.Action, req.Resource)
			return err
		}
		writeTextDecision(out, req, en.Explain(req))
		return nil
	}

	if f.requests != "" {
		out.Flush()
		if f.requests == "-" {
			return runBatch(e, f, in, ctx, f.requests, e.stdin, func(err error) error {
				return fmt.Errorf("read standard input: %w", err)
			})
		}
		r, err := os.Open(f.requests)
		if err != nil {
			return badInput(err)
		}
		defer r.Close()
		return runBatch(e, f, in, ctx, f.requests, r, badInput)
	}
	resources := f.resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	for _, res := range resources {
		req := &eval.Request{Principal: f.principal, Action: f.action, Resource: res, ResourceAccount: f.resourceAccount, Context: ctx}
		if err := emit(req); err != nil {
			return err
		}
	}
	return nil
}

func writeTextDecision(w io.Writer, req *eval.Request, r *eval.Result) {
	fmt.Fprintf(w, "%s: %s on %s\n", r.Decision, req.Action, req.Resource)
	fmt.Fprintf(w, "  principal: %s\n", req.Principal)
	if r.Gate != eval.GateNone {
		fmt.Fprintf(w, "  decided by: %s policies\n", r.Gate)
	}
	ms := append([]eval.Match(nil), r.Matches...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Effect == policy.Deny && ms[j].Effect != policy.Deny })
	for _, m := range ms {
		verb := "allowed"
		if m.Effect == policy.Deny {
			verb = "denied"
		}
		fmt.Fprintf(w, "  %s by %s policy %q statement %s (%s)\n", verb, m.Type, m.Policy, m.Statement, m.Range)
	}
	for _, m := range r.Missing {
		fmt.Fprintf(w, "  missing: %s\n", m)
	}
	for _, n := range r.NearMisses {
		fmt.Fprintf(w, "  near miss: %s policy %q statement %s (%s): %s\n", n.Type, n.Policy, n.Statement, n.Range, n.Reason)
	}
}

// withoutGC runs load with the garbage collector paused. Start-up decodes
// the embedded service authorization reference and the policies, a burst
// of allocation that is nearly all kept; collecting during it only costs
// time (measured: 30 ms -> 20 ms to decide nothing, which is most of a
// small batch). A 1 GiB memory limit still collects for a huge input.
// https://go.dev/doc/gc-guide#Memory_limit
func withoutGC(load func()) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(min(debug.SetMemoryLimit(-1), 1<<30)))
	load()
}

// loadLevels reads organisation levels of SCPs or RCPs: each flag value is
// one level, its files comma-separated, root first.
func (e *env) loadLevels(flags []string, t policy.Type) ([][]*policy.Policy, error) {
	var out [][]*policy.Policy
	for _, fl := range flags {
		var level []*policy.Policy
		for _, path := range strings.Split(fl, ",") {
			p, err := e.loadPolicy(path, t)
			if err != nil {
				return nil, err
			}
			level = append(level, p)
		}
		out = append(out, level)
	}
	return out, nil
}
