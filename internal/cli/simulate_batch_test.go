package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
)

// batchPolicy exercises what the output and the fast path depend on:
// statements with and without Sid, Deny, conditions on single- and
// multi-valued keys, numbers, a policy variable; its file name needs
// escaping in "location".
const batchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Get", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
    {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/secret/*"},
    {"Sid": "Team", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"},
    {"Sid": "Ip", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "NumericLessThan": {"s3:max-keys": "10"}}},
    {"Sid": "Tags", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}, "Bool": {"aws:SecureTransport": "true"}}}
  ]
}`

// batchAuthz gives two roles different policies, so that engines are
// chosen per line's principal.
const batchAuthz = `{
  "RoleDetailList": [
    {"RoleName": "a", "RoleId": "AROA0000000000000000A", "Arn": "arn:aws:iam::111122223333:role/a",
     "RolePolicyList": [{"PolicyName": "get", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
     "AttachedManagedPolicies": []},
    {"RoleName": "b", "RoleId": "AROA0000000000000000B", "Arn": "arn:aws:iam::111122223333:role/b",
     "RolePolicyList": [{"PolicyName": "put", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}]}}],
     "AttachedManagedPolicies": []}
  ],
  "Policies": []
}`

// variedLines are request lines of every shape batch mode reads: the
// fast decoder's and the general decoder's (escapes, Unicode, numbers,
// booleans, lists, null), blank lines, white space around and inside.
var variedLines = []string{
	`{"principal":"arn:aws:sts::111122223333:assumed-role/a/s1","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k","resourceAccount":"111122223333","context":{}}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/secret/k"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::other/k"}`,
	`{"action":"s3:PutObject","resource":"arn:aws:s3:::bucket/blue/k","context":{"aws:PrincipalTag/team":"blue"}}`,
	`{"action":"s3:PutObject","resource":"arn:aws:s3:::bucket/red/k","context":{"aws:PrincipalTag/team":"blue"}}`,
	`{"action":"s3:PutObject","resource":"arn:aws:s3:::bucket/red/k"}`,
	`{"action":"kms:Decrypt","context":{"aws:SourceIp":"10.1.2.3","s3:max-keys":5}}`,
	`{"action":"kms:Decrypt","context":{"aws:SourceIp":"10.1.2.3","s3:max-keys":"50"}}`,
	`{"action":"kms:Decrypt","context":{"aws:SourceIp":"192.168.0.1","s3:max-keys":1.5e0}}`,
	`{"action":"ec2:CreateTags","context":{"aws:TagKeys":["env","team"],"aws:SecureTransport":true}}`,
	`{"action":"ec2:CreateTags","context":{"aws:TagKeys":["env","owner"],"aws:SecureTransport":true}}`,
	`{"action":"ec2:CreateTags","context":{"aws:TagKeys":[],"aws:SecureTransport":false}}`,
	`{"action":"ec2:CreateTags","context":{"aws:TagKeys":"env","aws:SecureTransport":"true"}}`,
	`{"action":"ec2:CreateTags","context":null}`,
	`  {"resource" : "arn:aws:s3:::bucket/k" ,  "action" : "S3:getobject"}  `,
	"\t{\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::bucket/k\"}\r",
	"\u00a0{\"action\":\"s3:GetObject\"}\u0085",
	``,
	`   `,
	`{"action":"s3:\u0047etObject","resource":"arn:aws:s3:::bucket/\u00e9\u65e5\u672c"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/é/日本/🙂"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/a\"b\\c\/d\n\t\u0001"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/<a>&'b'` + "\x7f" + `"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/<a>&'b'"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/*"}`,
	`{"action":"s3:GetObject"}`,
	`{"action":"iam:CreateRole","resource":"arn:aws:iam::111122223333:role/x"}`,
	`{"principal":"arn:aws:sts::111122223333:assumed-role/b/s2","action":"s3:PutObject","resource":"arn:aws:s3:::bucket/k"}`,
	`{"principal":"arn:aws:sts::111122223333:assumed-role/a/s\u00e9","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k"}`,
	`{"principal":"arn:aws:iam::111122223333:role/b","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k"}`,
	`{"context":{"aws:SourceIp":"10.0.0.1"},"resourceAccount":"444455556666","resource":"arn:aws:s3:::bucket/k","action":"s3:GetObject"}`,
	`{"action":"sts:GetCallerIdentity","resource":""}`,
	`{"action":"s3:Get,Object"}`,
	`{"action":"kms:Decrypt","context":{"k0":"0","k1":"1","k2":"2","k3":"3","k4":"4","k5":"5","k6":"6","k7":"7","k8":"8","k9":"9","ka":"a","kb":"b","kc":"c","kd":"d","ke":"e","kf":"f","aws:SourceIp":"10.0.0.1","s3:max-keys":"1"}}`,
}

// referenceBatch is what batch mode wrote before its fast path: every
// line read by the general decoder, decided by Explain or Evaluate on a
// fresh request, and formatted from the Result. The fast path must write
// the same bytes.
func referenceBatch(t *testing.T, f *simulateFlags, in *simInputs, ctx map[string][]string, src []byte) []byte {
	t.Helper()
	var out []byte
	cache := map[string]*eval.Engine{}
	for l := range bytes.SplitSeq(src, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) == 0 {
			continue
		}
		var rl requestLine
		if err := newLineDecoder().decode(l, &rl); err != nil {
			t.Fatalf("reference: %s: %v", l, err)
		}
		req := &eval.Request{Principal: rl.Principal, Action: rl.Action, Resource: rl.Resource, ResourceAccount: rl.ResourceAccount, Context: ctx}
		if req.Principal == "" {
			req.Principal = f.principal
		}
		if req.Resource == "" {
			req.Resource = "*"
		}
		if len(rl.Context) > 0 {
			merged := map[string][]string{}
			for k, v := range ctx {
				merged[k] = v
			}
			for _, c := range rl.Context {
				merged[c.key] = c.vals
			}
			req.Context = merged
		}
		en, err := in.engineFor(req.Principal, cache)
		if err != nil {
			t.Fatal(err)
		}
		out = refAppendDecision(t, out, f, req, en)
	}
	return out
}

func refAppendDecision(t *testing.T, out []byte, f *simulateFlags, req *eval.Request, en *eval.Engine) []byte {
	q := func(out []byte, s string) []byte {
		out, _ = jsontext.AppendQuote(out, s)
		return out
	}
	stmt := func(out []byte, m eval.Match) []byte {
		out = append(out, `{"policy":`...)
		out = q(out, m.Policy)
		out = append(out, `,"type":"`+m.Type.String()+`","statement":`...)
		out = q(out, m.Statement)
		out = append(out, `,"effect":"`+string(m.Effect)+`","location":`...)
		return q(out, m.Range.String())
	}
	head := func(out []byte, d eval.Decision, g eval.Gate) []byte {
		out = append(out, `{"principal":`...)
		out = q(out, req.Principal)
		out = append(out, `,"action":`...)
		out = q(out, req.Action)
		out = append(out, `,"resource":`...)
		out = q(out, req.Resource)
		out = append(out, `,"decision":"`+d.String()+`"`...)
		if g != eval.GateNone {
			out = append(out, `,"gate":"`+g.String()+`"`...)
		}
		return out
	}
	if f.format != "json" {
		var b bytes.Buffer
		if f.explain {
			writeTextDecision(&b, req, en.Explain(req))
		} else {
			fmt.Fprintf(&b, "%s %s on %s\n", en.Evaluate(req), req.Action, req.Resource)
		}
		return append(out, b.Bytes()...)
	}
	if !f.explain {
		return append(head(out, en.Evaluate(req), eval.GateNone), "}\n"...)
	}
	r := en.Explain(req)
	start := len(out)
	out = head(out, r.Decision, r.Gate)
	out = append(out, `,"explanation":{"statements":[`...)
	for i, m := range r.Matches {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(stmt(out, m), '}')
	}
	out = append(out, ']')
	if len(r.Missing) > 0 {
		out = append(out, `,"missing":[`...)
		for i, m := range r.Missing {
			if i > 0 {
				out = append(out, ',')
			}
			out = q(out, m)
		}
		out = append(out, ']')
	}
	if len(r.NearMisses) > 0 {
		out = append(out, `,"nearMisses":[`...)
		for i, n := range r.NearMisses {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(stmt(out, n.Match), `,"reason":`...)
			out = append(q(out, n.Reason), '}')
		}
		out = append(out, ']')
	}
	out = append(out, "}}\n"...)
	// An independent check of the JSON itself: it decodes to what
	// single-request mode marshals.
	var got, want decisionJSON
	if err := json.Unmarshal(out[start:], &got); err != nil {
		t.Errorf("reference output %s: %v", out[start:], err)
	}
	b, _ := json.Marshal(toJSON(req, r))
	_ = json.Unmarshal(b, &want)
	if d := cmp.Diff(want, got, cmp.AllowUnexported(nearMissJSON{})); d != "" {
		t.Errorf("batch JSON differs from single-request JSON (-single +batch):\n%s", d)
	}
	return out
}

func writeBatchFiles(t *testing.T) (dir string) {
	dir = t.TempDir()
	for name, text := range map[string]string{"pol \"é\".json": batchPolicy, "authz.json": batchAuthz} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBatchMatchesReference runs batch mode over varied lines, repeated
// past several chunks, with each output flag, and compares its output
// byte for byte with referenceBatch.
func TestBatchMatchesReference(t *testing.T) {
	dir := writeBatchFiles(t)
	var src []byte
	for len(src) < 3*batchChunkBytes+1000 {
		for _, l := range variedLines {
			src = append(append(src, l...), '\n')
		}
	}
	// A line longer than a chunk buffer, then no final newline.
	src = append(src, `{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/`+strings.Repeat("x", 2*batchChunkBytes)+`"}`+"\n"...)
	src = append(src, variedLines[0]...)
	reqFile := filepath.Join(dir, "requests.jsonl")
	if err := os.WriteFile(reqFile, src, 0o644); err != nil {
		t.Fatal(err)
	}
	pol := filepath.Join(dir, "pol \"é\".json")
	const session = "arn:aws:sts::111122223333:assumed-role/a/s1"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"json", []string{"--policy", pol, "--format", "json"}},
		{"json no explanation", []string{"--policy", pol, "--format", "json", "--explain=false"}},
		{"text", []string{"--policy", pol}},
		{"text no explanation", []string{"--policy", pol, "--explain=false"}},
		{"context flag", []string{"--policy", pol, "--format", "json", "--context", "aws:SourceIp=10.9.9.9", "--context", "aws:TagKeys=env", "--context", "aws:TagKeys=x", "--context", "aws:SecureTransport=true"}},
		{"authorization details", []string{"--policy", filepath.Join(dir, "authz.json"), "--format", "json"}},
		{"standard input", []string{"--policy", pol, "--format", "json", "--requests", "-"}}, // stdin only
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"simulate", "--principal", session}, tc.args...)
			if !slices.Contains(tc.args, "--requests") {
				args = append(args, "--requests", reqFile)
			}
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), args, bytes.NewReader(src), &stdout, &stderr); code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			fl := &simulateFlags{principal: session, format: "text", explain: true}
			var ctxFlags []string
			for i := 0; i < len(tc.args); i += 2 {
				switch a := tc.args[i]; {
				case a == "--policy":
					fl.policies = append(fl.policies, tc.args[i+1])
				case a == "--format":
					fl.format = tc.args[i+1]
				case a == "--context":
					ctxFlags = append(ctxFlags, tc.args[i+1])
				case a == "--explain=false":
					fl.explain = false
					i--

				}
			}
			e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
			in, err := e.loadSimInputs(fl)
			if err != nil {
				t.Fatal(err)
			}
			ctx, err := parseContext(ctxFlags)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceBatch(t, fl, in, ctx, src)
			if !bytes.Equal(stdout.Bytes(), want) {
				g, w := strings.Split(stdout.String(), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(g), len(w)) {
					if g[i] != w[i] {
						t.Fatalf("output line %d differs:\n got %s\nwant %s", i+1, g[i], w[i])
					}
				}
				t.Fatalf("output has %d lines, want %d", len(g), len(w))
			}
		})
	}
}

// TestBatchBadLine checks that a bad line ends the run with exit status 2
// and its file:line:column, after the decisions of the lines before it,
// also when it lies in a later chunk than the first.
func TestBatchBadLine(t *testing.T) {
	dir := writeBatchFiles(t)
	good := `{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k"}`
	before := batchChunkBytes/len(good) + 500 // past the first chunk
	for _, tc := range []struct {
		name, line string
		col        int
		msg        string
	}{
		{"truncated", `{"action":`, 11, "unexpected EOF"},
		{"unknown member", `   {"action":"x", "Action":"x"}`, 19, `unknown member "Action"`},
		{"duplicate member", `{"action":"x","action":"y"}`, 15, "duplicate"},
		{"duplicate context key", `{"action":"x","context":{"k":"a","k":"b"}}`, 34, "duplicate"},
		{"wrong type", `{"action":"x","resource":["a"]}`, 26, "resource must be a string"},
		{"bad context value", `{"action":"x","context":{"k":{"a":"b"}}}`, 30, `context key "k"`},
		{"invalid UTF-8", "{\"action\":\"s3:\xffx\"}", 15, "UTF-8"},
		{"trailing data", `{"action":"x"}}`, 15, "unexpected data after the request object"},
		{"trailing token", `{"action":"x"} []`, 16, "unexpected data after the request object"},
		{"lone surrogate", `{"action":"s3:GetObject","resource":"k\ud800"}`, 39, "surrogate"},
		{"no action", `{"resource":"*"}`, 1, `expected "principal" (or --principal) and "action"`},
		{"not an object", ` 42`, 2, "must be a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src []byte
			for range before {
				src = append(src, good+"\n"...)
			}
			src = append(src, "\n"+tc.line+"\n"+good+"\n"...)
			reqFile := filepath.Join(dir, "bad.jsonl")
			if err := os.WriteFile(reqFile, src, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"simulate", "--policy", filepath.Join(dir, "pol \"é\".json"), "--principal", "arn:aws:iam::111122223333:role/a", "--requests", reqFile, "--format", "json"}
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), args, nil, &stdout, &stderr); code != ExitBadInput {
				t.Fatalf("exit %d, want %d; stderr: %s", code, ExitBadInput, stderr.String())
			}
			pos := fmt.Sprintf("%s:%d:%d: ", reqFile, before+2, tc.col)
			if !strings.Contains(stderr.String(), pos) || !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr = %q, want %q and %q", stderr.String(), pos, tc.msg)
			}
			if n := strings.Count(stdout.String(), "\n"); n != before {
				t.Errorf("%d decisions written before the bad line, want %d", n, before)
			}
		})
	}
}

// TestStatementIDs checks what the per-statement output cache relies on:
// a statement always has the same ID, and IDs are below Statements().
func TestStatementIDs(t *testing.T) {
	p, ds := policy.Parse("p.json", []byte(batchPolicy), policy.Identity)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	en, err := eval.Compile(eval.PolicySet{Identity: []*policy.Policy{p}, Boundary: []*policy.Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	if en.Statements() != 2*len(p.Statements) {
		t.Fatalf("Statements() = %d, want %d", en.Statements(), 2*len(p.Statements))
	}
	seen := map[int]string{}
	for _, l := range variedLines {
		var rl requestLine
		if err := newLineDecoder().decode([]byte(strings.TrimSpace(l)), &rl); err != nil || rl.Action == "" {
			continue
		}
		req := &eval.Request{Principal: "arn:aws:iam::111122223333:role/a", Action: rl.Action, Resource: "arn:aws:s3:::bucket/k"}
		r := en.Explain(req)
		for _, m := range append(r.Matches, func() (ms []eval.Match) {
			for _, n := range r.NearMisses {
				ms = append(ms, n.Match)
			}
			return ms
		}()...) {
			if m.ID < 0 || m.ID >= en.Statements() {
				t.Fatalf("Match.ID %d out of [0, %d)", m.ID, en.Statements())
			}
			key := fmt.Sprint(m.Gate, m.Statement, m.Range)
			if k, ok := seen[m.ID]; ok && k != key {
				t.Fatalf("Match.ID %d names both %s and %s", m.ID, k, key)
			}
			seen[m.ID] = key
		}
	}
	if len(seen) < 2 {
		t.Fatalf("only %d statements matched; the test needs more", len(seen))
	}
}

// failingReader gives its data, then fails.
type failingReader struct{ data []byte }

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestBatchReadError checks that a read error ends the run with exit
// status 2 after the decisions of the chunks read before it.
func TestBatchReadError(t *testing.T) {
	dir := writeBatchFiles(t)
	pol := filepath.Join(dir, "pol \"é\".json")
	good := `{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/k"}` + "\n"
	n := 2*batchChunkBytes/len(good) + 10
	in := &failingReader{[]byte(strings.Repeat(good, n))}
	var stdout, stderr bytes.Buffer
	args := []string{"simulate", "--policy", pol, "--principal", "arn:aws:iam::111122223333:role/a", "--requests", "-", "--format", "json", "--explain=false"}
	if code := Main(context.Background(), args, in, &stdout, &stderr); code != ExitBadInput {
		t.Fatalf("exit %d, want %d; stderr: %s", code, ExitBadInput, stderr.String())
	}
	if !strings.Contains(stderr.String(), "read standard input: disk on fire") {
		t.Errorf("stderr = %q, want the read error", stderr.String())
	}
	// The chunks read before the error are decided, the one it cut is not.
	if got := strings.Count(stdout.String(), "\n"); got < batchChunkBytes/len(good) || got >= n {
		t.Errorf("%d decisions written, want at least a chunk's %d and fewer than %d", got, batchChunkBytes/len(good), n)
	}

	// A directory opens but does not read.
	stdout.Reset()
	stderr.Reset()
	args = []string{"simulate", "--policy", pol, "--principal", "arn:aws:iam::111122223333:role/a", "--requests", dir}
	if code := Main(context.Background(), args, nil, &stdout, &stderr); code != ExitBadInput || !strings.Contains(stderr.String(), "is a directory") {
		t.Errorf("exit %d, stderr %q; want %d and \"is a directory\"", code, stderr.String(), ExitBadInput)
	}
}
