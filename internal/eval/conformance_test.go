package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/policy"
)

// sharedDir locates /work/shared: $EXECROLE_SHARED, else ../../../shared
// relative to this package.
func sharedDir() string {
	if d := os.Getenv("EXECROLE_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared")
}

// oracleCase is one case of the iam-simulate core-engine corpus
// (format: /work/shared/oracles/README.md).
type oracleCase struct {
	Name    string `json:"name"`
	Doc     string `json:"doc"` // testdata/docs cases: the AWS page they come from
	Skip    any    `json:"skip"`
	Request struct {
		Principal json.RawMessage `json:"principal"`
		Action    string          `json:"action"`
		Resource  struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		Context map[string]any `json:"context"`
	} `json:"request"`
	IdentityPolicies []json.RawMessage `json:"identityPolicies"`
	SCPs             []struct {
		OrgIdentifier string            `json:"orgIdentifier"`
		Policies      []json.RawMessage `json:"policies"`
	} `json:"serviceControlPolicies"`
	RCPs []struct {
		OrgIdentifier string            `json:"orgIdentifier"`
		Policies      []json.RawMessage `json:"policies"`
	} `json:"resourceControlPolicies"`
	ResourcePolicy       json.RawMessage   `json:"resourcePolicy"`
	PermissionBoundaries []json.RawMessage `json:"permissionBoundaries"`
	SessionPolicy        json.RawMessage   `json:"sessionPolicy"`
	EndpointPolicies     []json.RawMessage `json:"endpointPolicies"`
	Simulation           *struct {
		Mode        string `json:"mode"`
		Constraints []any  `json:"discoveryContextKeyConstraints"`
	} `json:"simulation"`
	// lax, when set, lets build fall back to lax parsing and records that
	// it did.
	lax *bool

	Expected struct {
		Response               string `json:"response"`
		IgnoredConditions      any    `json:"ignoredConditions"`
		IgnoredRoleSessionName any    `json:"ignoredRoleSessionName"`
		Conditions             any    `json:"conditions"`
	} `json:"expected"`
}

// loadDisagreements reads testdata/oracle-disagreements.txt: one case per
// line, "file<TAB>case name<TAB>reason<TAB>AWS documentation URL".
func loadDisagreements(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join("testdata", "oracle-disagreements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 || !strings.HasPrefix(parts[3], "https://docs.aws.amazon.com/") {
			t.Fatalf("oracle-disagreements.txt:%d: want file, case, reason and docs.aws.amazon.com URL separated by tabs", n)
		}
		out[parts[0]+"\t"+parts[1]] = parts[2]
	}
	return out
}

func (c *oracleCase) build(t *testing.T, file string) (PolicySet, *Request, error) {
	var set PolicySet
	parse := func(what string, raw json.RawMessage, typ policy.Type) (*policy.Policy, error) {
		name := file + ":" + what
		p, ds := policy.Parse(name, raw, typ)
		if ds.HasErrors() && c.lax != nil {
			// The peer evaluates documents IAM would refuse to store;
			// so does AWS (see policy.ParseOptions.Lax).
			*c.lax = true
			p, ds = policy.ParseOptions{Lax: true}.Parse(name, raw, typ)
		}
		if ds.HasErrors() {
			return nil, ds
		}
		return p, nil
	}
	for i, raw := range c.IdentityPolicies {
		p, err := parse(fmt.Sprintf("identity[%d]", i), raw, policy.Identity)
		if err != nil {
			return set, nil, err
		}
		set.Identity = append(set.Identity, p)
	}
	for i, raw := range c.PermissionBoundaries {
		p, err := parse(fmt.Sprintf("boundary[%d]", i), raw, policy.Boundary)
		if err != nil {
			return set, nil, err
		}
		set.Boundary = append(set.Boundary, p)
	}
	if len(c.SessionPolicy) > 0 && string(c.SessionPolicy) != "null" {
		p, err := parse("session", c.SessionPolicy, policy.Session)
		if err != nil {
			return set, nil, err
		}
		set.Session = append(set.Session, p)
	}
	if len(c.ResourcePolicy) > 0 && string(c.ResourcePolicy) != "null" {
		typ := policy.Resource
		if strings.HasPrefix(strings.ToLower(c.Request.Action), "sts:assumerole") {
			typ = policy.Trust
		}
		p, err := parse("resource", c.ResourcePolicy, typ)
		if err != nil {
			return set, nil, err
		}
		set.Resource = p
	}
	for i, raw := range c.EndpointPolicies {
		p, err := parse(fmt.Sprintf("endpoint[%d]", i), raw, policy.Endpoint)
		if err != nil {
			return set, nil, err
		}
		set.Endpoints = append(set.Endpoints, p)
	}
	for i, lvl := range c.SCPs {
		var ps []*policy.Policy
		for j, raw := range lvl.Policies {
			p, err := parse(fmt.Sprintf("scp[%d][%d]", i, j), raw, policy.SCP)
			if err != nil {
				return set, nil, err
			}
			ps = append(ps, p)
		}
		set.SCPs = append(set.SCPs, ps)
	}
	for i, lvl := range c.RCPs {
		var ps []*policy.Policy
		for j, raw := range lvl.Policies {
			p, err := parse(fmt.Sprintf("rcp[%d][%d]", i, j), raw, policy.RCP)
			if err != nil {
				return set, nil, err
			}
			ps = append(ps, p)
		}
		set.RCPs = append(set.RCPs, ps)
	}
	req := &Request{
		Action:          c.Request.Action,
		Resource:        c.Request.Resource.Resource,
		ResourceAccount: c.Request.Resource.AccountID,
		Context:         map[string][]string{},
	}
	var ps string
	if err := json.Unmarshal(c.Request.Principal, &ps); err == nil {
		req.Principal = ps
	} else {
		var obj struct{ Type string }
		if err := json.Unmarshal(c.Request.Principal, &obj); err != nil || obj.Type != "Anonymous" {
			return set, nil, fmt.Errorf("principal %s", c.Request.Principal)
		}
		req.Principal = Anonymous
	}
	for k, v := range c.Request.Context {
		switch v := v.(type) {
		case string:
			req.Context[k] = []string{v}
		case []any:
			vs := []string{}
			for _, x := range v {
				vs = append(vs, fmt.Sprint(x))
			}
			req.Context[k] = vs
		default:
			req.Context[k] = []string{fmt.Sprint(v)}
		}
	}
	return set, req, nil
}

// strictMeaningful reports whether a Discovery-mode case's expected response
// is also the Strict decision: discovery ignored nothing (no ignored
// conditions or session names, no key constraints).
func (c *oracleCase) strictMeaningful() bool {
	return len(c.Simulation.Constraints) == 0 && c.Expected.IgnoredConditions == nil &&
		c.Expected.IgnoredRoleSessionName == nil && c.Expected.Conditions == nil
}

// TestOracle replays the iam-simulate core-engine corpus. Every Strict case
// must agree, except the ones listed with an AWS documentation link in
// testdata/oracle-disagreements.txt.
func TestOracle(t *testing.T) {
	dir := filepath.Join(sharedDir(), "oracles", "iam-simulate-core-engine")
	if _, err := os.Stat(dir); err != nil {
		msg := fmt.Sprintf("ORACLE CORPUS NOT FOUND at %s (set EXECROLE_SHARED): conformance NOT checked", dir)
		if os.Getenv("EXECROLE_REQUIRE_ORACLE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	listed := loadDisagreements(t)
	used := map[string]bool{}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var total, agree, disagreeListed, skipped, lax int
	whys := map[whyKind]bool{}
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var cases []oracleCase
		if err := json.Unmarshal(src, &cases); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for i := range cases {
			c := &cases[i]
			total++
			if c.Simulation != nil && c.Simulation.Mode == "Discovery" && !c.strictMeaningful() {
				skipped++
				continue
			}
			key := rel + "\t" + c.Name
			var wasLax bool
			c.lax = &wasLax
			set, req, err := c.build(t, rel)
			if wasLax {
				lax++
			}
			if err != nil {
				t.Errorf("%s: %q: %v", rel, c.Name, err)
				continue
			}
			e, err := Compile(set)
			var got string
			if err != nil {
				got = "compile error: " + err.Error()
			} else {
				got = e.Evaluate(req).String()
				ex := e.Explain(req)
				if ex.Decision.String() != got {
					t.Errorf("%s: %q: Explain says %s, Evaluate %s", rel, c.Name, ex.Decision, got)
				}
				checkLazy(t, rel+": "+c.Name, e, req, ex, whys)
			}
			if _, ok := listed[key]; ok {
				used[key] = true
				if got == c.Expected.Response {
					t.Errorf("%s: %q is listed as a disagreement but now agrees (%s): remove it from the list", rel, c.Name, got)
				}
				disagreeListed++
				continue
			}
			if got != c.Expected.Response {
				detail := ""
				if e != nil {
					detail = e.Explain(req).String()
				}
				t.Errorf("%s: %q: got %s, oracle says %s\n%s", rel, c.Name, got, c.Expected.Response, detail)
				continue
			}
			agree++
		}
	}
	// The corpus exercises almost every message Lazy results render.
	for k := whyResourceNotIn; k <= whyTrustOrKey; k++ {
		if !whys[k] && k != whyAWSOwned && k != whyEndpoint {
			t.Errorf("no oracle case explains with message kind %d", k)
		}
	}
	for k := range listed {
		if !used[k] {
			t.Errorf("oracle-disagreements.txt lists %q, which is not a Strict case of the corpus", k)
		}
	}
	t.Logf("oracle: %d cases, %d agree, %d listed disagreements, %d skipped(discovery)", total, agree, disagreeListed, skipped)
	fmt.Printf("oracle: %d cases, %d agree, %d listed disagreements, %d skipped(discovery)\n", total, agree, disagreeListed, skipped)
	// Cases with a policy strict parsing rejects (the peer evaluates it
	// anyway, as AWS does) were parsed with policy.ParseOptions{Lax: true}.
	t.Logf("oracle: %d evaluated cases hold a policy strict parsing rejects; parsed with Lax", lax)
}

// checkLazy checks that a Lazy ExplainInto says what Explain says, its
// messages rendered on demand, and records the kinds of message seen.
func checkLazy(t *testing.T, name string, e *Engine, req *Request, want *Result, seen map[whyKind]bool) {
	t.Helper()
	var got Result
	got.Lazy = true
	e.ExplainInto(req, &got)
	if got.Decision != want.Decision || got.Gate != want.Gate || len(got.Matches) != len(want.Matches) ||
		got.MissingCount() != len(want.Missing) || len(got.Missing) != 0 || len(got.NearMisses) != len(want.NearMisses) {
		t.Fatalf("%s: lazy explanation differs:\n%s\nwant\n%s", name, &got, want)
	}
	for i, m := range want.Missing {
		seen[got.lazyMissing[i].kind] = true
		if s := string(got.AppendMissing(nil, i)); s != m {
			t.Errorf("%s: lazy missing %q, want %q", name, s, m)
		}
	}
	for i, n := range want.NearMisses {
		seen[got.NearMisses[i].why.kind] = true
		if got.NearMisses[i].Reason != "" || got.NearMisses[i].Match != n.Match {
			t.Errorf("%s: lazy near miss %+v, want %+v without its reason", name, got.NearMisses[i], n)
		}
		if s := string(got.AppendReason(nil, i)); s != n.Reason {
			t.Errorf("%s: lazy reason %q, want %q", name, s, n.Reason)
		}
	}
}
