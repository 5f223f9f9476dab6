package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/execrole/execrole/internal/account"
	"github.com/execrole/execrole/internal/audit"
	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/cloudtrail/synth"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
	"github.com/execrole/execrole/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	roleARN = "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"
	task    = "3f1e2d4c5b6a47889900aabbccddeeff"
)

func parsePolicy(t testing.TB, name, doc string) *policy.Policy {
	t.Helper()
	p, diags := policy.Parse(name, []byte(doc), policy.Identity)
	if err := diags.Errs(); err != nil {
		t.Fatal(err)
	}
	return p
}

func policyFile(t testing.TB, path string) *policy.Policy {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := policy.Parse(filepath.Base(path), b, policy.Identity)
	if err := diags.Errs(); err != nil {
		t.Fatal(err)
	}
	return p
}

func taskRequirements(t testing.TB, path string) []requirements.Requirement {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tds, diags := taskdef.LoadBytes(filepath.Base(path), b, taskdef.Options{})
	if err := diags.Errs(); err != nil {
		t.Fatal(err)
	}
	var out []requirements.Requirement
	for _, td := range tds {
		reqs, diags := requirements.Derive(td, requirements.Options{})
		if err := diags.Errs(); err != nil {
			t.Fatal(err)
		}
		out = append(out, reqs...)
	}
	return out
}

// samplesTrail writes the shared research samples as one delivery file in a
// temporary directory (the repository never holds a copy) and returns it.
func samplesTrail(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(testutil.SharedDir(t), "research", "cloudtrail-samples")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", dir, err)
	}
	var records []json.RawMessage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Records []json.RawMessage }
		if json.Unmarshal(b, &env) == nil && env.Records != nil {
			records = append(records, env.Records...)
		} else {
			records = append(records, json.RawMessage(b))
		}
	}
	b, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "samples.json")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func scan(t testing.TB, path string, f cloudtrail.Filter) *cloudtrail.Usage {
	t.Helper()
	u, err := cloudtrail.Scan(context.Background(), []string{path}, f, cloudtrail.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// File names depend on the temporary directory.
	for i := range u.Problems {
		u.Problems[i].File = filepath.Base(u.Problems[i].File)
	}
	return u
}

func reportJSON(t testing.TB, r *audit.Report) []byte {
	t.Helper()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestGolden builds the report for the shared samples and a synthetic trail,
// with and without policies and task definitions, and compares its JSON
// and text forms with testdata/*.golden.
func TestGolden(t *testing.T) {
	samples := func(t *testing.T) *cloudtrail.Usage {
		return scan(t, samplesTrail(t), cloudtrail.Filter{Roles: []string{"ecsTaskExecutionRole"}})
	}
	synthetic := func(t *testing.T) *cloudtrail.Usage {
		dir := t.TempDir()
		if _, err := synth.Generate(dir, synth.Config{Seed: 7, Accounts: 1, Regions: []string{"us-east-1"}, TasksPerDay: 3, NoisePerTask: 2, DenialRate: 0.5}); err != nil {
			t.Fatal(err)
		}
		return scan(t, dir, cloudtrail.Filter{})
	}
	tests := []struct {
		name  string
		usage func(*testing.T) *cloudtrail.Usage
		input func(*testing.T, *cloudtrail.Usage) audit.Input
	}{
		{"samples-evidence-only", samples, func(*testing.T, *cloudtrail.Usage) audit.Input { return audit.Input{} }},
		{"samples-policy-taskdef", samples, func(t *testing.T, _ *cloudtrail.Usage) audit.Input {
			return audit.Input{Roles: map[string]*audit.RoleInput{roleARN: {
				Policies:     &account.Policies{Identity: []*policy.Policy{policyFile(t, "testdata/role.json")}},
				Requirements: taskRequirements(t, "testdata/taskdef.json"),
			}}}
		}},
		{"synth-policy", synthetic, func(t *testing.T, u *cloudtrail.Usage) audit.Input {
			in := audit.Input{Roles: map[string]*audit.RoleInput{}}
			for _, r := range u.Roles {
				in.Roles[r.Role] = &audit.RoleInput{Policies: &account.Policies{Identity: []*policy.Policy{policyFile(t, "testdata/role.json")}}}
			}
			return in
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.usage(t)
			rep := audit.Build(u, tc.input(t, u))
			testutil.Golden(t, "testdata/"+tc.name+".json.golden", reportJSON(t, rep), *update)
			var text bytes.Buffer
			audit.WriteText(&text, rep)
			testutil.Golden(t, "testdata/"+tc.name+".txt.golden", text.Bytes(), *update)
		})
	}
}

var t0 = time.Date(2025, 3, 1, 12, 5, 0, 0, time.UTC)

func call(action, resource string) *cloudtrail.Call {
	return &cloudtrail.Call{Action: action, Resource: resource, Mapping: cloudtrail.Curated, Region: "us-east-1", Count: 2,
		First: t0, Last: t0.Add(time.Hour), Tasks: cloudtrail.TaskSet{Names: []string{task}}}
}

func denied(action, resource string) *cloudtrail.Call {
	c := call(action, resource)
	c.ErrorCode = "AccessDenied"
	return c
}

func usage(used, denied []*cloudtrail.Call) *cloudtrail.Usage {
	if used == nil {
		used = []*cloudtrail.Call{}
	}
	if denied == nil {
		denied = []*cloudtrail.Call{}
	}
	return &cloudtrail.Usage{Roles: []*cloudtrail.RoleUsage{{Role: roleARN, Name: "ecsTaskExecutionRole", Used: used, Denied: denied}}}
}

func withPolicies(ps ...*policy.Policy) audit.Input {
	return audit.Input{Roles: map[string]*audit.RoleInput{roleARN: {Policies: &account.Policies{Identity: ps}}}}
}

func unusedOf(r *audit.RoleReport) map[string][]string {
	out := map[string][]string{}
	for _, u := range r.Unused {
		out[u.Statement] = append(append(out[u.Statement], u.Actions...), u.Resources...)
	}
	return out
}

func cannotOf(r *audit.RoleReport) map[string][]string {
	out := map[string][]string{}
	for _, c := range r.CannotTell {
		out[c.Statement] = append(append(out[c.Statement], c.Actions...), c.Resources...)
	}
	return out
}

// TestUnused checks that unused is decided by the engine's matches and that
// blind spots are never reported as unused.
func TestUnused(t *testing.T) {
	ssmA := "arn:aws:ssm:us-east-1:111122223333:parameter/a"
	ssmB := "arn:aws:ssm:us-east-1:111122223333:parameter/b"
	tests := []struct {
		name       string
		used       []*cloudtrail.Call
		policy     string
		unused     map[string][]string
		cannotTell map[string][]string
	}{
		{
			name: "unused resource of an observed read-only action",
			used: []*cloudtrail.Call{call("ssm:GetParameters", ssmA)},
			policy: `{"Statement":[{"Sid":"P","Effect":"Allow","Action":"ssm:GetParameters","Resource":["` + ssmA + `","` + ssmB + `"]},
				{"Sid":"Q","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`,
			unused:     map[string][]string{"P": {ssmB}, "Q": {"sqs:SendMessage", "*"}},
			cannotTell: map[string][]string{},
		},
		{
			name: "read-only action of a service never seen: trail may be write-only",
			used: []*cloudtrail.Call{call("logs:CreateLogStream", "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:ecs/web/*")},
			policy: `{"Statement":[{"Sid":"P","Effect":"Allow","Action":"ssm:GetParameters","Resource":"` + ssmA + `"},
				{"Sid":"L","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
			unused:     map[string][]string{},
			cannotTell: map[string][]string{"P": {"ssm:GetParameters", ssmA}, "L": {"logs:PutLogEvents"}},
		},
		{
			name: "every blind spot granted, none seen",
			used: []*cloudtrail.Call{call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")},
			policy: `{"Statement":[{"Sid":"B","Effect":"Allow","Action":["logs:PutLogEvents","iam:PassRole","s3:GetObject","ecr:GetDownloadUrlForLayer","kms:Decrypt","logs:CreateLogGroup","sqs:DeleteQueue"],"Resource":"*"},
				{"Sid":"Q","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`,
			unused:     map[string][]string{"B": {"sqs:DeleteQueue"}},
			cannotTell: map[string][]string{"B": {"logs:PutLogEvents", "iam:PassRole", "s3:GetObject", "ecr:GetDownloadUrlForLayer", "kms:Decrypt", "logs:CreateLogGroup", "*"}},
		},
		{
			// A string comparison of action and resource would call the
			// statement used; the engine knows the condition did not hold.
			name:       "statement whose condition did not hold is unused",
			used:       []*cloudtrail.Call{call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")},
			policy:     `{"Statement":[{"Sid":"Eu","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`,
			unused:     map[string][]string{"Eu": {"sqs:SendMessage", "*"}},
			cannotTell: map[string][]string{},
		},
		{
			name:       "wildcard pattern used through one action",
			used:       []*cloudtrail.Call{call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")},
			policy:     `{"Statement":[{"Sid":"S","Effect":"Allow","Action":["sqs:Send*","sqs:Delete*"],"Resource":["arn:aws:sqs:us-east-1:111122223333:*","arn:aws:sqs:eu-west-1:111122223333:*"]}]}`,
			unused:     map[string][]string{"S": {"sqs:Delete*", "arn:aws:sqs:eu-west-1:111122223333:*"}},
			cannotTell: map[string][]string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := audit.Build(usage(tc.used, nil), withPolicies(parsePolicy(t, "p.json", tc.policy)))
			r := rep.Roles[0]
			if got := unusedOf(r); !equalMaps(got, tc.unused) {
				t.Errorf("unused = %v, want %v", got, tc.unused)
			}
			if got := cannotOf(r); !equalMaps(got, tc.cannotTell) {
				t.Errorf("cannot tell = %v, want %v", got, tc.cannotTell)
			}
		})
	}
}

func equalMaps(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestDenied checks the engine's decision, explanation and fix per denial.
func TestDenied(t *testing.T) {
	param := "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db"
	tests := []struct {
		name     string
		policy   string
		boundary string
		call     *cloudtrail.Call
		decision string
		gate     string
		fix      string
		verified bool
		note     string
	}{
		{
			name:     "no statement allows",
			policy:   `{"Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/other"}]}`,
			call:     denied("ssm:GetParameters", param),
			decision: "ImplicitlyDenied", gate: "identity",
			fix:      `{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"` + param + `"}`,
			verified: true,
		},
		{
			name:     "wildcard-only action is fixed on *",
			policy:   `{"Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"arn:aws:ecr:us-east-1:111122223333:repository/web"}]}`,
			call:     denied("ecr:GetAuthorizationToken", "arn:aws:ecr:us-east-1:111122223333:repository/web"),
			decision: "ImplicitlyDenied", gate: "identity",
			fix:      `{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}`,
			verified: true,
		},
		{
			name:     "explicit deny",
			policy:   `{"Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"},{"Sid":"NoProd","Effect":"Deny","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:*:*:parameter/prod/*"}]}`,
			call:     denied("ssm:GetParameters", param),
			decision: "ExplicitlyDenied", gate: "identity",
			fix:  `{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"` + param + `"}`,
			note: "explicit deny",
		},
		{
			name:     "boundary blocks",
			policy:   `{"Statement":[{"Effect":"Allow","Action":["ecr:*","ssm:*"],"Resource":"*"}]}`,
			boundary: `{"Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`,
			call:     denied("ssm:GetParameters", param),
			decision: "ImplicitlyDenied", gate: "boundary",
			fix:  `{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"` + param + `"}`,
			note: "boundary policies must allow",
		},
		{
			name:     "allowed now: denial came from elsewhere",
			policy:   `{"Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}]}`,
			call:     denied("ssm:GetParameters", param),
			decision: "Allowed", gate: "identity",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pols := &account.Policies{Identity: []*policy.Policy{parsePolicy(t, "role.json", tc.policy)}}
			if tc.boundary != "" {
				b, diags := policy.Parse("boundary.json", []byte(tc.boundary), policy.Boundary)
				if err := diags.Errs(); err != nil {
					t.Fatal(err)
				}
				pols.Boundary = b
			}
			rep := audit.Build(usage(nil, []*cloudtrail.Call{tc.call}), audit.Input{Roles: map[string]*audit.RoleInput{roleARN: {Policies: pols}}})
			d := rep.Roles[0].Denied[0]
			if d.Decision != tc.decision || d.Gate != tc.gate {
				t.Errorf("decision = %s by %s, want %s by %s", d.Decision, d.Gate, tc.decision, tc.gate)
			}
			if d.Request.Principal != "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/"+task {
				t.Errorf("principal = %s", d.Request.Principal)
			}
			if tc.fix == "" {
				if d.Fix != nil {
					t.Errorf("fix = %+v, want none", d.Fix)
				}
				return
			}
			if d.Fix == nil {
				t.Fatal("no fix")
			}
			if d.Fix.Statement != tc.fix || d.Fix.Verified != tc.verified || !strings.Contains(d.Fix.Note, tc.note) {
				t.Errorf("fix = %+v, want %s verified=%v note~%q", d.Fix, tc.fix, tc.verified, tc.note)
			}
			if tc.decision == "ImplicitlyDenied" && len(d.Explanation.Missing) == 0 {
				t.Error("implicit deny without what is missing")
			}
		})
	}
}

// TestRequestContext checks the principal and the context keys rebuilt from
// a KMS call Secrets Manager made for the role.
func TestRequestContext(t *testing.T) {
	c := call("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k")
	c.Via = "secretsmanager.amazonaws.com"
	c.Context = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	c.ErrorCode = "AccessDeniedException"
	u := usage(nil, []*cloudtrail.Call{c})
	u.Roles[0].Role = "arn:aws:iam::111122223333:role/service/ecsTaskExecutionRole"
	// Allowed only through Secrets Manager for that secret: the request must
	// carry both keys for the engine to allow it.
	p := parsePolicy(t, "kms.json", `{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{
		"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"},
		"StringLike":{"kms:EncryptionContext:SecretARN":"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/*"}}}]}`)
	rep := audit.Build(u, audit.Input{Roles: map[string]*audit.RoleInput{u.Roles[0].Role: {Policies: &account.Policies{Identity: []*policy.Policy{p}}}}})
	d := rep.Roles[0].Denied[0]
	if want := "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/" + task; d.Request.Principal != want {
		t.Errorf("principal = %s, want %s (role path dropped)", d.Request.Principal, want)
	}
	// KMS also needs the key policy, which is not given: the engine stops
	// at the resource gate, after the identity statement matched. Without
	// the two context keys the statement would not match.
	if d.Gate != "resource" || len(d.Explanation.Statements) != 1 || d.Explanation.Statements[0].Policy != "kms.json" {
		t.Errorf("decision = %s by %s, want the identity statement to match: context %v; %+v", d.Decision, d.Gate, d.Request.Context, d.Explanation)
	}
}

// TestRightsized checks statement origins: taskdef only, observed only,
// both, and blind spots kept.
func TestRightsized(t *testing.T) {
	reqs := taskRequirements(t, "testdata/taskdef.json")
	u := usage([]*cloudtrail.Call{
		call("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/web"),
		call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
		call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:r"),
		call("sts:GetCallerIdentity", "*"),
	}, nil)
	u.Roles[0].Used[3].Mapping = cloudtrail.Permissionless
	rep := audit.Build(u, audit.Input{Roles: map[string]*audit.RoleInput{roleARN: {Requirements: reqs}}})
	p := rep.Roles[0].Policy
	origins := map[string]string{}
	for _, s := range p.Statements {
		origins[s.Sid] = s.Origin
	}
	if origins["BothEcrPull"] != audit.OriginBoth {
		t.Errorf("EcrPull should be both: %v", origins)
	}
	if origins["CloudTrail1"] != audit.OriginCloudTrail {
		t.Errorf("sqs should be cloudtrail: %v", origins)
	}
	if !slices.ContainsFunc(p.Statements, func(o audit.Origin) bool { return o.Origin == audit.OriginTaskdef }) {
		t.Errorf("no taskdef-only statement: %v", origins)
	}
	var doc struct {
		Statement []struct {
			Sid      string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal(p.Document, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Statement {
		if slices.Contains(s.Action, "sts:GetCallerIdentity") {
			t.Error("a permissionless call was granted")
		}
		if s.Sid == "CloudTrail1" && !slices.Equal(s.Resource, []string{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:r"}) {
			t.Errorf("sqs resources not grouped: %v", s.Resource)
		}
	}
	if !slices.ContainsFunc(p.BlindSpotsKept, func(k audit.Kept) bool { return slices.Contains(k.Actions, "logs:PutLogEvents") }) {
		t.Errorf("logs:PutLogEvents from the task definition not listed as kept: %+v", p.BlindSpotsKept)
	}
	// The policy must parse as an identity policy.
	if _, diags := policy.Parse("rightsized", p.Document, policy.Identity); diags.HasErrors() {
		t.Error(diags.Errs())
	}
}

// TestRoleWithoutEvidence: a role given with policies but absent from the
// logs is reported, and nothing of it is called unused.
func TestRoleWithoutEvidence(t *testing.T) {
	u := &cloudtrail.Usage{Roles: []*cloudtrail.RoleUsage{}}
	rep := audit.Build(u, withPolicies(parsePolicy(t, "p.json", `{"Statement":[{"Sid":"Q","Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)))
	if len(rep.Roles) != 1 || rep.Roles[0].Events != 0 {
		t.Fatalf("roles = %+v", rep.Roles)
	}
	if len(rep.Roles[0].Unused) != 0 || len(rep.Roles[0].CannotTell) != 1 {
		t.Errorf("unused %v, cannot tell %v", rep.Roles[0].Unused, rep.Roles[0].CannotTell)
	}
}

func BenchmarkBuild(b *testing.B) {
	dir := b.TempDir()
	if _, err := synth.Generate(dir, synth.Config{Seed: 1, Days: 2, TasksPerDay: 48}); err != nil {
		b.Fatal(err)
	}
	u := scan(b, dir, cloudtrail.Filter{})
	in := audit.Input{Roles: map[string]*audit.RoleInput{}}
	p := policyFile(b, "testdata/role.json")
	reqs := taskRequirements(b, "testdata/taskdef.json")
	for _, r := range u.Roles {
		in.Roles[r.Role] = &audit.RoleInput{Policies: &account.Policies{Identity: []*policy.Policy{p}}, Requirements: reqs}
	}
	b.ResetTimer()
	for b.Loop() {
		audit.Build(u, in)
	}
}

// TestKeptKeepsCondition: a blind-spot grant kept from the current policy
// keeps its Condition, so keeping it never widens it.
func TestKeptKeepsCondition(t *testing.T) {
	u := usage([]*cloudtrail.Call{call("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")}, nil)
	p := parsePolicy(t, "p.json", `{"Statement":[{"Sid":"Q","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"},
		{"Sid":"K","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ssm.us-east-1.amazonaws.com"}}}]}`)
	rep := audit.Build(u, withPolicies(p))
	var doc struct {
		Statement []struct {
			Sid       string
			Action    []string
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal(rep.Roles[0].Policy.Document, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range doc.Statement {
		if slices.Contains(s.Action, "kms:Decrypt") {
			found = true
			if s.Condition["StringEquals"]["kms:ViaService"] != "ssm.us-east-1.amazonaws.com" {
				t.Errorf("kept kms:Decrypt lost its condition: %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("kms:Decrypt (a blind spot) not kept: %s", rep.Roles[0].Policy.Document)
	}
}

// TestWildcardOnlyUnused: an unused wildcard-only action is reported with
// the reason its Resource cannot be narrowed, once ECR reads are shown to
// be logged.
func TestWildcardOnlyUnused(t *testing.T) {
	u := usage([]*cloudtrail.Call{call("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/web")}, nil)
	p := parsePolicy(t, "p.json", `{"Statement":[{"Sid":"E","Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetAuthorizationToken"],"Resource":"*"}]}`)
	r := audit.Build(u, withPolicies(p)).Roles[0]
	if len(r.Unused) != 1 || !slices.Equal(r.Unused[0].Actions, []string{"ecr:GetAuthorizationToken"}) ||
		len(r.Unused[0].Notes) != 1 || !strings.Contains(r.Unused[0].Notes[0], "no resource-level permissions") {
		t.Errorf("unused = %+v", r.Unused)
	}
}
