package cloudtrail_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/execrole/execrole/internal/testutil"

	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/cloudtrail/synth"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

var update = flag.Bool("update", false, "rewrite golden files")

// samplesDir is the research folder's CloudTrail samples (see testutil.SharedDir).
func samplesDir(t testing.TB) string {
	return filepath.Join(testutil.SharedDir(t), "research", "cloudtrail-samples")
}

// rows flattens a Usage into one line per row for readable diffs.
func rows(u *cloudtrail.Usage) []string {
	out := []string{}
	for _, r := range u.Roles {
		if s := r.ECSSessions; s != nil {
			out = append(out, fmt.Sprintf("%s start n=%d fail=%d tasks=%s", r.Name, s.Count, s.Failures, strings.Join(s.Tasks.Names, ",")))
		}
		for _, c := range r.Used {
			out = append(out, fmt.Sprintf("%s used %s %s via=%s ctx=%s %s n=%d tasks=%s", r.Name, c.Action, c.Resource, c.Via, c.Context, c.Mapping, c.Count, strings.Join(c.Tasks.Names, ",")))
		}
		for _, c := range r.Denied {
			pt := ""
			if c.Denial != nil {
				pt = c.Denial.PolicyType
			}
			out = append(out, fmt.Sprintf("%s denied %s %s code=%s policy=%s n=%d", r.Name, c.Action, c.Resource, c.ErrorCode, pt, c.Count))
		}
	}
	return out
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

const task = "3f1e2d4c5b6a47889900aabbccddeeff"

// TestSamples runs every research sample through Scan, each wrapped in a
// bare JSON array (the Stratus Red Team shape). Shapes per
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html.
func TestSamples(t *testing.T) {
	dir := samplesDir(t)
	tests := []struct {
		file  string
		roles []string
		want  []string
		other []string
	}{
		{"01-sts-assumerole-by-ecs-tasks-execution-role.flaws2-verbatim.json", nil,
			[]string{"ecsTaskExecutionRole start n=1 fail=0 tasks=d190d14a-2404-45d6-9113-4eda22d7f2c7"}, nil},
		{"02-sts-assumerole-by-ecs-tasks-task-role.flaws2-verbatim.json", []string{"arn:aws:iam::653711331788:role/level3"},
			[]string{"level3 start n=1 fail=0 tasks=d190d14a-2404-45d6-9113-4eda22d7f2c7"}, nil},
		{"03-ssm-getparameters-success.stratus-verbatim.json", nil, []string{}, nil}, // IAMUser: not a role
		{"04-secretsmanager-getsecretvalue-success.stratus-verbatim.json", nil, []string{}, nil},
		// An assumed role never started by ECS: not selected without --role...
		{"05-ec2-unauthorizedoperation-assumedrole.stratus-verbatim.json", nil, []string{},
			[]string{"arn:aws:iam::321848314756:role/stratus-red-team-get-usr-data-role"}},
		// ...but attributed when named.
		{"05-ec2-unauthorizedoperation-assumedrole.stratus-verbatim.json", []string{"stratus-red-team-get-usr-data-role"},
			[]string{"stratus-red-team-get-usr-data-role denied ec2:DescribeInstanceAttribute arn:aws:ec2:apiso-westcentral-3r:751353041310:instance/* code=Client.UnauthorizedOperation policy=identity-based n=1"}, nil},
		{"06-sts-assumerole-accessdenied.stratus-verbatim.json", nil, []string{}, nil},
		// The AWS docs example labels an assumed-role ARN "IAMUser" and has
		// no sessionIssuer, so it cannot be attributed.
		{"07-kms-decrypt-invokedby-secretsmanager.awsdocs-verbatim.json", []string{"Admin"}, []string{}, nil},
		{"08-ecr-getauthorizationtoken-execution-role.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole used ecr:GetAuthorizationToken * via= ctx= curated n=1 tasks=" + task}, nil},
		{"09-ecr-batchgetimage-execution-role-via-vpce.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole used ecr:BatchGetImage arn:aws:ecr:us-east-1:111122223333:repository/web via= ctx= curated n=1 tasks=" + task}, nil},
		{"10-ecr-getdownloadurlforlayer-execution-role.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole used ecr:GetDownloadUrlForLayer arn:aws:ecr:us-east-1:111122223333:repository/web via= ctx= curated n=1 tasks=" + task}, nil},
		// No resources[]: the ARN is built from logGroupName/logStreamName,
		// the task ID replaced by "*".
		{"11-logs-createlogstream-execution-role.reconstructed.json", []string{"arn:aws:iam::111122223333:role/ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole used logs:CreateLogStream arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:ecs/web/* via= ctx= curated n=1 tasks=" + task}, nil},
		{"12-ssm-getparameters-accessdenied-execution-role.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole denied ssm:GetParameters arn:aws:ssm:us-east-1:111122223333:parameter/prod/web/DB_PASSWORD code=AccessDeniedException policy=identity-based n=1"}, nil},
		{"13-secretsmanager-getsecretvalue-accessdenied-execution-role.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole denied secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/db-AbCdEf code=AccessDenied policy=identity-based n=1"}, nil},
		{"14-kms-decrypt-invokedby-secretsmanager-execution-role.reconstructed.json", []string{"ecsTaskExecutionRole"},
			[]string{"ecsTaskExecutionRole used kms:Decrypt arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab via=secretsmanager.amazonaws.com ctx=arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-Gh7Jk9 curated n=1 tasks=" + task}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file[:2]+"/"+strings.Join(tc.roles, ","), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, t.TempDir(), "x.json", append(append([]byte("["), raw...), ']'))
			u, err := cloudtrail.Scan(context.Background(), []string{p}, cloudtrail.Filter{Roles: tc.roles}, cloudtrail.Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rows(u)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.other, u.OtherRoles); diff != "" {
				t.Errorf("other roles (-want +got):\n%s", diff)
			}
			if u.Stats.Records != 1 || len(u.Problems) != 0 {
				t.Errorf("stats %+v problems %v", u.Stats, u.Problems)
			}
		})
	}
}

// TestEnvelopeTaskStart reads sample 15, the {"Records":[...]} delivery
// shape, with and without gzip, and with no role filter: the role is
// selected because ecs-tasks assumed it.
func TestEnvelopeTaskStart(t *testing.T) {
	dir := samplesDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "15-logfile-envelope-task-start.reconstructed.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ecsTaskExecutionRole start n=1 fail=0 tasks=" + task,
		"ecsTaskExecutionRole used ecr:BatchGetImage arn:aws:ecr:us-east-1:111122223333:repository/web via= ctx= curated n=1 tasks=" + task,
		"ecsTaskExecutionRole used ecr:GetAuthorizationToken * via= ctx= curated n=1 tasks=" + task,
		"ecsTaskExecutionRole used ecr:GetDownloadUrlForLayer arn:aws:ecr:us-east-1:111122223333:repository/web via= ctx= curated n=1 tasks=" + task,
		"ecsTaskExecutionRole used kms:Decrypt arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab via=secretsmanager.amazonaws.com ctx=arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-Gh7Jk9 curated n=1 tasks=" + task,
		"ecsTaskExecutionRole used logs:CreateLogStream arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:ecs/web/* via= ctx= curated n=1 tasks=" + task,
		"ecsTaskExecutionRole used secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-Gh7Jk9 via= ctx= curated n=1 tasks=" + task,
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{{"plain.json", raw}, {"AWSLogs/1/CloudTrail/us-east-1/2025/03/01/f.json.gz", gz(t, raw)}} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			writeFile(t, d, tc.name, tc.data)
			u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, rows(u)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestShapes covers lookup-events output, CloudTrail Lake rows, stdin,
// digest files, a truncated gzip and malformed JSON in one scan: the bad
// files are reported by name and the good ones still counted.
func TestShapes(t *testing.T) {
	rec := func(id, name string) string {
		return `{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAX:task1","arn":"arn:aws:sts::111122223333:assumed-role/exec/task1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/exec","userName":"exec"}}},"eventTime":"2025-03-01T12:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"` + name + `","awsRegion":"us-east-1","requestParameters":{"registryId":"111122223333","repositoryName":"app"},"eventID":"` + id + `","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
	}
	lookupBody, _ := json.Marshal(map[string]any{"Events": []any{
		map[string]any{"EventId": "e1", "EventName": "BatchGetImage", "ReadOnly": "true", "Username": "task1", "CloudTrailEvent": rec("e1", "BatchGetImage")},
	}, "NextToken": "x"})
	lake := `{"QueryStatus":"FINISHED","QueryResultRows":[[{"eventID":"e2"},{"eventTime":"2025-03-01 12:00:01.000"},{"eventSource":"ecr.amazonaws.com"},{"eventName":"GetDownloadUrlForLayer"},{"awsRegion":"us-east-1"},{"recipientAccountId":"111122223333"},` +
		`{"userIdentity":"{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:task2\",\"sessionContext\":{\"sessionIssuer\":{\"arn\":\"arn:aws:iam::111122223333:role/exec\",\"userName\":\"exec\"}}}"},` +
		`{"requestParameters":"{\"registryId\":\"111122223333\",\"repositoryName\":\"app\"}"}]]}`
	good := `{"Records":[` + rec("e3", "BatchGetImage") + `,` + rec("e3", "BatchGetImage") + `]}`
	d := t.TempDir()
	writeFile(t, d, "lookup.json", lookupBody)
	writeFile(t, d, "lake.json", []byte(lake))
	writeFile(t, d, "AWSLogs/1/CloudTrail/us-east-1/2025/03/01/good.json.gz", gz(t, []byte(good)))
	writeFile(t, d, "AWSLogs/1/CloudTrail-Digest/us-east-1/2025/03/01/d.json.gz", gz(t, []byte(`{"digestStartTime":"x"}`)))
	writeFile(t, d, "AWSLogs/1/CloudTrail/us-east-1/2025/03/01/1_CloudTrail-Digest_x.json.gz", gz(t, []byte(`{}`)))
	writeFile(t, d, "digest-elsewhere.json", []byte(`{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}`))
	full := gz(t, []byte(`{"Records":[`+rec("e4", "BatchGetImage")+`,`+rec("e5", "BatchGetImage")+`]}`))
	writeFile(t, d, "truncated.json.gz", full[:len(full)-12])
	writeFile(t, d, "broken.json", []byte(`{"Records":[`+rec("e6", "BatchGetImage")+`,{"eventName":`))
	writeFile(t, d, "notjson.json", []byte("hello"))
	writeFile(t, d, "README.txt", []byte("ignored in directories"))
	stdin := strings.NewReader(`[` + rec("e7", "GetAuthorizationToken") + `]`)

	u, err := cloudtrail.Scan(context.Background(), []string{d, "-"}, cloudtrail.Filter{Roles: []string{"exec"}},
		cloudtrail.Options{Workers: 3, Stdin: stdin})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"exec used ecr:BatchGetImage arn:aws:ecr:us-east-1:111122223333:repository/app via= ctx= curated n=5 tasks=task1",
		"exec used ecr:GetAuthorizationToken * via= ctx= curated n=1 tasks=task1",
		"exec used ecr:GetDownloadUrlForLayer arn:aws:ecr:us-east-1:111122223333:repository/app via= ctx= curated n=1 tasks=task2",
	}
	if diff := cmp.Diff(want, rows(u)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var probs []string
	for _, p := range u.Problems {
		rel, _ := filepath.Rel(d, p.File)
		if p.File == "<stdin>" {
			rel = p.File
		}
		s := filepath.ToSlash(rel)
		if p.Skipped != "" {
			s += " skipped: " + p.Skipped
		}
		if p.Error != "" {
			s += fmt.Sprintf(" records=%d error", p.Records)
		}
		probs = append(probs, s)
	}
	wantProbs := []string{
		"AWSLogs/1/CloudTrail-Digest skipped: digest or Insights folder",
		"AWSLogs/1/CloudTrail/us-east-1/2025/03/01/1_CloudTrail-Digest_x.json.gz skipped: digest or Insights file",
		"broken.json records=1 error",
		"digest-elsewhere.json skipped: digest file (no Records)",
		"notjson.json records=0 error",
		"truncated.json.gz records=2 error",
	}
	if diff := cmp.Diff(wantProbs, probs); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%+v", diff, u.Problems)
	}
	if u.Stats.Duplicates != 1 {
		t.Errorf("duplicates = %d, want 1 (e3 twice)", u.Stats.Duplicates)
	}
	for _, p := range u.Problems {
		if strings.HasSuffix(p.File, "truncated.json.gz") && !strings.Contains(p.Error, "truncated or corrupt gzip") {
			t.Errorf("%s: error %q does not say the gzip stream is truncated", p.File, p.Error)
		}
		if strings.HasSuffix(p.File, "broken.json") && !strings.Contains(p.Error, "at line 1, column ") {
			t.Errorf("%s: error %q does not give the position", p.File, p.Error)
		}
	}
}

// TestMissingInput is the one hard error: a path that does not exist.
func TestMissingInput(t *testing.T) {
	_, err := cloudtrail.Scan(context.Background(), []string{"/nonexistent/trail"}, cloudtrail.Filter{}, cloudtrail.Options{})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/trail") {
		t.Fatalf("err = %v, want one naming the path", err)
	}
}

// TestSynthTruth checks Scan against the counts the generator computed on
// its own, for 1 and several workers and with a time window.
func TestSynthTruth(t *testing.T) {
	d := t.TempDir()
	st, err := synth.Generate(d, synth.Config{Seed: 7, TasksPerDay: 30, Days: 2, DuplicateRate: 0.2, DenialRate: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if st.DuplicateFiles == 0 {
		t.Fatal("generator wrote no duplicate files; the dedup path is untested")
	}
	for _, workers := range []int{1, 2, 5} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			got := map[synth.Key]int64{}
			starts := map[string]int64{}
			for _, r := range u.Roles {
				if r.ECSSessions != nil {
					starts[r.Role] = r.ECSSessions.Count
				}
				for _, c := range r.Used {
					got[synth.Key{Role: r.Role, Action: c.Action, Resource: c.Resource}] += c.Count
				}
				for _, c := range r.Denied {
					got[synth.Key{Role: r.Role, Action: c.Action, Resource: c.Resource, Denied: true}] += c.Count
				}
			}
			if diff := cmp.Diff(st.Calls, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(st.Starts, starts); diff != "" {
				t.Errorf("starts (-want +got):\n%s", diff)
			}
			if u.Stats.Records != st.Records || u.Stats.Duplicates == 0 || len(u.Problems) != 2 /* one CloudTrail-Digest folder per account */ {
				t.Errorf("stats %+v, generator %d records; problems %v", u.Stats, st.Records, u.Problems)
			}
			wantOther := []string{}
			for _, r := range u.OtherRoles {
				if !strings.Contains(r, "lambda-ingest") && !strings.Contains(r, "ci-deployer") {
					wantOther = append(wantOther, r)
				}
			}
			if len(wantOther) > 0 {
				t.Errorf("unexpected unselected roles %v", wantOther)
			}
		})
	}
	// A window of the second day only.
	since := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{Since: since}, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range u.Roles {
		for _, c := range append(r.Used, r.Denied...) {
			if c.First.Before(since) {
				t.Errorf("%s %s first seen %v before --since", r.Name, c.Action, c.First)
			}
		}
	}
	if u.Stats.OutOfWindow == 0 || u.Stats.OutOfWindowFiles == 0 {
		t.Errorf("window skipped no records (%d) or no files (%d)", u.Stats.OutOfWindow, u.Stats.OutOfWindowFiles)
	}
	// The file-name prefilter (directory walks only) must not change the
	// result: the same files named one by one are all opened.
	var all []string
	filepath.WalkDir(d, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && !strings.Contains(p, "CloudTrail-Digest") {
			all = append(all, p)
		}
		return err
	})
	full, err := cloudtrail.Scan(context.Background(), all, cloudtrail.Filter{Since: since}, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if full.Stats.OutOfWindowFiles != 0 {
		t.Errorf("explicit files were prefiltered: %d", full.Stats.OutOfWindowFiles)
	}
	if diff := cmp.Diff(rows(full), rows(u)); diff != "" {
		t.Errorf("prefilter changed the result (-all files +prefiltered):\n%s", diff)
	}
}

// TestGolden pins the JSON form of a small generated trail, which must be
// byte-identical for any worker count.
func TestGolden(t *testing.T) {
	d := t.TempDir()
	if _, err := synth.Generate(d, synth.Config{Seed: 42, Accounts: 1, Regions: []string{"us-east-1"}, TasksPerDay: 6, NoisePerTask: 3, DenialRate: 0.3}); err != nil {
		t.Fatal(err)
	}
	var outs [][]byte
	for _, w := range []int{1, 4} {
		u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		for i := range u.Problems { // temp dir differs per run
			u.Problems[i].File = filepath.ToSlash(strings.TrimPrefix(u.Problems[i].File, d))
		}
		b, err := json.Marshal(u, json.Deterministic(true), jsontext.WithIndent("  "))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, append(b, '\n'))
	}
	if diff := cmp.Diff(string(outs[0]), string(outs[1])); diff != "" {
		t.Fatalf("output depends on worker count (-1 +4):\n%s", diff)
	}
	golden := filepath.Join("testdata", "synth-seed42.golden.json")
	testutil.Golden(t, golden, outs[0], *update)
}

// TestProgress checks the progress line goes to Options.Progress and ends
// with a newline; with a nil writer nothing is drawn (covered by every
// other test passing no writer).
func TestProgress(t *testing.T) {
	d := t.TempDir()
	if _, err := synth.Generate(d, synth.Config{Seed: 1, TasksPerDay: 3, NoisePerTask: 1}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{Progress: &buf})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d/%d files", u.Stats.Files, u.Stats.Files) // digest folders are skipped by the walk
	if !strings.Contains(buf.String(), "\rcloudtrail: ") || !strings.HasSuffix(buf.String(), "\n") || !strings.Contains(buf.String(), want) {
		t.Errorf("progress output %q lacks %q", buf.String(), want)
	}
}

// TestCancel stops a scan when the context is cancelled.
func TestCancel(t *testing.T) {
	d := t.TempDir()
	if _, err := synth.Generate(d, synth.Config{Seed: 1, TasksPerDay: 3, NoisePerTask: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cloudtrail.Scan(ctx, []string{d}, cloudtrail.Filter{}, cloudtrail.Options{}); err == nil {
		t.Fatal("cancelled scan returned no error")
	}
}
