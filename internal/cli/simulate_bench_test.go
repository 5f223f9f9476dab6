package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"runtime"
	"testing"
)

// benchPrincipal and the request sets mirror bench/iamsim/gen.mjs, so the
// Go benchmarks measure the same lines bench/iamsim/run.sh feeds both tools.
const benchPrincipal = "arn:aws:sts::111122223333:assumed-role/app-exec/0123abcd"

type benchReq struct {
	action, resource string
	ctx              map[string]any
}

var benchSets = map[string]struct {
	policies []string // relative to the repository root
	reqs     []benchReq
}{
	"allow-one": {[]string{"bench/iamsim/allow-one.json"}, []benchReq{
		{"s3:GetObject", "arn:aws:s3:::bench-bucket/a/b.txt", nil},
		{"s3:PutObject", "arn:aws:s3:::bench-bucket/a/b.txt", nil},
		{"s3:GetObject", "arn:aws:s3:::other-bucket/a/b.txt", nil},
		{"s3:GetObject", "arn:aws:s3:::bench-bucket/deep/key/x", nil},
	}},
	"ecs-exec": {[]string{"internal/managed/policies/AmazonECSTaskExecutionRolePolicy.json", "bench/iamsim/scoped-custom.json"}, []benchReq{
		{"ecr:GetAuthorizationToken", "*", nil},
		{"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/app", nil},
		{"logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:s1", nil},
		{"logs:CreateLogGroup", "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app", nil},
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf", nil},
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/prod/db-AbCdEf", nil},
		{"ssm:GetParameters", "arn:aws:ssm:us-east-1:111122223333:parameter/app/token", nil},
		{"ssm:GetParameters", "arn:aws:ssm:us-east-1:111122223333:parameter/other/token", nil},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666", map[string]any{"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666", map[string]any{"kms:ViaService": "ssm.us-east-1.amazonaws.com"}},
	}},
	"readonly": {[]string{"internal/managed/policies/ReadOnlyAccess.json"}, []benchReq{
		{"s3:GetObject", "arn:aws:s3:::any-bucket/k", nil},
		{"s3:PutObject", "arn:aws:s3:::any-bucket/k", nil},
		{"ec2:DescribeInstances", "*", nil},
		{"ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/*", nil},
		{"iam:GetRole", "arn:aws:iam::111122223333:role/app-exec", nil},
		{"iam:CreateRole", "arn:aws:iam::111122223333:role/x", nil},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/t", nil},
		{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:111122223333:table/t", nil},
		{"lambda:ListFunctions", "*", nil},
		{"zzzunknown:GetThing", "*", nil},
	}},
}

// benchLines writes n request lines as gen.mjs does (JSON.stringify's
// member order, "context":{} when empty).
func benchLines(tb testing.TB, set string, n int) []byte {
	tb.Helper()
	reqs := benchSets[set].reqs
	var lines [][]byte
	for _, r := range reqs {
		ctx := r.ctx
		if ctx == nil {
			ctx = map[string]any{}
		}
		b, err := json.Marshal(struct {
			Principal       string         `json:"principal"`
			Action          string         `json:"action"`
			Resource        string         `json:"resource"`
			ResourceAccount string         `json:"resourceAccount"`
			Context         map[string]any `json:"context"`
		}{benchPrincipal, r.action, r.resource, "111122223333", ctx})
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, append(b, '\n'))
	}
	var out bytes.Buffer
	for i := range n {
		out.Write(lines[i%len(lines)])
	}
	return out.Bytes()
}

// benchBatch measures runBatch, the --requests path after the policies are
// loaded: decoding each line, deciding it, formatting and writing its
// decision. It reports ns/line and allocs/line.
func benchBatch(b *testing.B, set string, explain bool) {
	const n = 1 << 16
	src := benchLines(b, set, n)
	var paths []string
	for _, p := range benchSets[set].policies {
		paths = append(paths, filepath.Join("..", "..", p))
	}
	e := &env{stdout: io.Discard, stderr: io.Discard}
	f := &simulateFlags{policies: paths, format: "json", explain: explain}
	in, err := e.loadSimInputs(f)
	if err != nil {
		b.Fatal(err)
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for b.Loop() {
		if err := runBatch(e, f, in, map[string][]string{}, "bench.jsonl", bytes.NewReader(src), badInput); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	lines := float64(b.N) * n
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/lines, "allocs/line")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/lines, "B/line")
}

func BenchmarkBatchAllowOne(b *testing.B)          { benchBatch(b, "allow-one", true) }
func BenchmarkBatchAllowOneNoExplain(b *testing.B) { benchBatch(b, "allow-one", false) }
func BenchmarkBatchExecRole(b *testing.B)          { benchBatch(b, "ecs-exec", true) }
func BenchmarkBatchExecRoleNoExplain(b *testing.B) { benchBatch(b, "ecs-exec", false) }
func BenchmarkBatchReadOnly(b *testing.B)          { benchBatch(b, "readonly", true) }
func BenchmarkBatchReadOnlyNoExplain(b *testing.B) { benchBatch(b, "readonly", false) }
