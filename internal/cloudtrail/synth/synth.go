// Package synth writes realistic synthetic CloudTrail trails for tests and
// benchmarks: gzip files in the S3 delivery layout, several accounts,
// regions and ECS services, the execution-role task-start sequence, task-role
// calls, denials, duplicates, digest files and unrelated noise. Record shapes
// follow the samples in /work/shared/research/cloudtrail-samples (AWS
// documentation examples, flaws2 and Stratus Red Team records).
//
// Generation is deterministic for a given Config, and the generator returns
// the aggregation a correct reader must compute, worked out independently of
// the reader's mapping code.
package synth

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
)

// Config sizes a trail. Zero fields take the defaults noted.
type Config struct {
	Seed     uint64
	Accounts int      // default 2
	Regions  []string // default us-east-1, eu-west-1
	Days     int      // default 1
	// TasksPerDay is the number of task starts per account, region and day
	// (default 24), spread over the ECS services.
	TasksPerDay int
	// NoisePerTask is the number of unrelated records per task (default 20):
	// IAM users, Lambda roles, console and EC2 traffic.
	NoisePerTask int
	// DenialRate is the share of tasks whose secret or parameter fetch is
	// denied (default 0.05).
	DenialRate float64
	// DuplicateRate is the share of files delivered a second time under
	// another name with the same eventIDs (default 0.01).
	DuplicateRate float64
	// Start is the first day (default 2025-03-01).
	Start time.Time
}

func (c *Config) defaults() {
	if c.Accounts == 0 {
		c.Accounts = 2
	}
	if len(c.Regions) == 0 {
		c.Regions = []string{"us-east-1", "eu-west-1"}
	}
	if c.Days == 0 {
		c.Days = 1
	}
	if c.TasksPerDay == 0 {
		c.TasksPerDay = 24
	}
	if c.NoisePerTask == 0 {
		c.NoisePerTask = 20
	}
	if c.DenialRate == 0 {
		c.DenialRate = 0.05
	}
	if c.DuplicateRate == 0 {
		c.DuplicateRate = 0.01
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	}
}

// Key identifies one expected aggregated row.
type Key struct {
	Role     string // sessionIssuer ARN
	Action   string
	Resource string
	Denied   bool
}

// Stats describes what was written and what a reader must find.
type Stats struct {
	Files, DigestFiles, DuplicateFiles int
	Records                            int64 // including duplicates and noise
	JSONBytes, GzipBytes               int64
	// Calls is the expected count per (role, action, resource, denied) for
	// every role that ecs-tasks.amazonaws.com assumed, duplicates excluded.
	Calls map[Key]int64
	// Starts is the expected number of ecs-tasks AssumeRole events per role.
	Starts map[string]int64
	// Tasks is the number of task starts.
	Tasks int
}

// Generate writes a trail under dir/AWSLogs/... and returns what it wrote.
func Generate(dir string, cfg Config) (*Stats, error) {
	cfg.defaults()
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		st: &Stats{Calls: map[Key]int64{}, Starts: map[string]int64{}}, dir: dir}
	for ai := 0; ai < cfg.Accounts; ai++ {
		acct := fmt.Sprintf("%012d", 111122223333+uint64(ai)*111111111)
		for _, region := range cfg.Regions {
			for d := 0; d < cfg.Days; d++ {
				day := cfg.Start.AddDate(0, 0, d)
				if err := g.day(acct, region, day); err != nil {
					return nil, err
				}
			}
		}
	}
	return g.st, nil
}

type gen struct {
	cfg Config
	rng *rand.Rand
	st  *Stats
	dir string
	buf bytes.Buffer
}

// service is one ECS service with its roles and dependencies.
type service struct {
	name, execRole, execPath, taskRole string
	secrets, params, layers            int
	createGroup                        bool
}

var services = []service{
	{"web", "ecsTaskExecutionRole", "/", "web-task", 2, 2, 3, false},
	{"worker", "worker-exec", "/ecs/", "worker-task", 1, 3, 2, true},
	{"batch", "batch-exec", "/service-role/", "", 0, 1, 5, false},
}

type rec = map[string]any

func (g *gen) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *gen) alnum(n int) string {
	const s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = s[g.rng.IntN(len(s))]
	}
	return string(b)
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func roleARN(acct, path, name string) string { return "arn:aws:iam::" + acct + ":role" + path + name }

const agentUA = "Amazon ECS Agent - v1.89.1 (4f1a9b7d) (linux) (+http://aws.amazon.com/ecs/)"

func (g *gen) base(t time.Time, source, name, region, acct string, ident rec, ua, ip string) rec {
	return rec{
		"eventVersion": "1.11", "userIdentity": ident, "eventTime": ts(t),
		"eventSource": source, "eventName": name, "awsRegion": region,
		"sourceIPAddress": ip, "userAgent": ua, "requestParameters": nil, "responseElements": nil,
		"requestID": g.uuid(), "eventID": g.uuid(), "readOnly": true, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": acct, "eventCategory": "Management",
		"tlsDetails": rec{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
			"clientProvidedHostHeader": fmt.Sprintf("%s.%s.amazonaws.com", source[:len(source)-len(".amazonaws.com")], region)},
	}
}

func assumedIdent(acct, path, role, roleID, session, akid, created string) rec {
	return rec{
		"type": "AssumedRole", "principalId": roleID + ":" + session,
		"arn":       "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session,
		"accountId": acct, "accessKeyId": akid,
		"sessionContext": rec{
			"sessionIssuer": rec{"type": "Role", "principalId": roleID, "arn": roleARN(acct, path, role), "accountId": acct, "userName": role},
			"attributes":    rec{"creationDate": created, "mfaAuthenticated": "false"},
		},
	}
}

func (g *gen) expect(role, action, resource string, denied bool) {
	g.st.Calls[Key{role, action, resource, denied}]++
}

func deniedMsg(acct, role, session, action, resource string) string {
	return "User: arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session + " is not authorized to perform: " +
		action + " on resource: " + resource + " because no identity-based policy allows the " + action + " action"
}

// task emits the records of one task start (research section 3.1).
func (g *gen) task(acct, region string, t0 time.Time, s service, first bool) []rec {
	g.st.Tasks++
	var out []rec
	session := g.hex(32)
	exec := roleARN(acct, s.execPath, s.execRole)
	execID := "AROA" + g.alnum(17)
	akid := "ASIA" + g.alnum(16)
	created := ts(t0)
	start := func(arn string) rec {
		r := g.base(t0, "sts.amazonaws.com", "AssumeRole", region, acct,
			rec{"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"}, "ecs-tasks.amazonaws.com", "ecs-tasks.amazonaws.com")
		r["requestParameters"] = rec{"roleArn": arn, "roleSessionName": session}
		r["responseElements"] = rec{"credentials": rec{"accessKeyId": "ASIA" + g.alnum(16), "expiration": t0.Add(6 * time.Hour).Format("Jan 2, 2006 3:04:05 PM")}}
		r["resources"] = []rec{{"ARN": arn, "accountId": acct, "type": "AWS::IAM::Role"}}
		r["sharedEventID"] = g.uuid()
		g.st.Starts[arn]++
		return r
	}
	out = append(out, start(exec))
	if s.taskRole != "" {
		out = append(out, start(roleARN(acct, "/", s.taskRole)))
	}
	ident := assumedIdent(acct, s.execPath, s.execRole, execID, session, akid, created)
	ip := fmt.Sprintf("10.0.%d.%d", g.rng.IntN(256), g.rng.IntN(256))
	t := t0
	step := func() time.Time { t = t.Add(time.Duration(1+g.rng.IntN(3)) * time.Second); return t }
	call := func(source, name string, params rec, resources []rec, ua string) rec {
		r := g.base(step(), source, name, region, acct, ident, ua, ip)
		r["requestParameters"] = params
		if resources != nil {
			r["resources"] = resources
		}
		return r
	}
	// ECR pull.
	out = append(out, call("ecr.amazonaws.com", "GetAuthorizationToken", rec{"registryIds": []string{acct}}, nil, agentUA))
	g.expect(exec, "ecr:GetAuthorizationToken", "*", false)
	repo := "arn:aws:ecr:" + region + ":" + acct + ":repository/" + s.name
	out = append(out, call("ecr.amazonaws.com", "BatchGetImage", rec{"registryId": acct, "repositoryName": s.name,
		"imageIds": []rec{{"imageTag": "1.4.2"}}, "acceptedMediaTypes": []string{"application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.index.v1+json"}},
		[]rec{{"ARN": repo, "accountId": acct}}, agentUA))
	g.expect(exec, "ecr:BatchGetImage", repo, false)
	for range s.layers {
		out = append(out, call("ecr.amazonaws.com", "GetDownloadUrlForLayer", rec{"registryId": acct, "repositoryName": s.name,
			"layerDigest": "sha256:" + g.hex(64)}, []rec{{"ARN": repo, "accountId": acct}}, agentUA))
		g.expect(exec, "ecr:GetDownloadUrlForLayer", repo, false)
	}
	denyTask := g.rng.Float64() < g.cfg.DenialRate
	// SSM parameters in one GetParameters call.
	if s.params > 0 {
		var names []string
		var res []rec
		for i := range s.params {
			n := fmt.Sprintf("/prod/%s/PARAM_%d", s.name, i)
			names = append(names, n)
			res = append(res, rec{"ARN": "arn:aws:ssm:" + region + ":" + acct + ":parameter" + n, "accountId": acct})
		}
		r := call("ssm.amazonaws.com", "GetParameters", rec{"names": names, "withDecryption": true}, res, agentUA)
		if denyTask {
			delete(r, "resources")
			target := "arn:aws:ssm:" + region + ":" + acct + ":parameter" + names[0]
			r["errorCode"] = "AccessDeniedException"
			r["errorMessage"] = deniedMsg(acct, s.execRole, session, "ssm:GetParameters", target)
			g.expect(exec, "ssm:GetParameters", target, true)
		} else {
			for _, x := range res {
				g.expect(exec, "ssm:GetParameters", x["ARN"].(string), false)
			}
		}
		out = append(out, r)
	}
	for i := range s.secrets {
		sec := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:prod/%s/secret-%d-%s", region, acct, s.name, i, "AbCdEf")
		r := call("secretsmanager.amazonaws.com", "GetSecretValue", rec{"secretId": sec}, nil, agentUA)
		if denyTask && s.params == 0 {
			r["errorCode"] = "AccessDenied"
			r["errorMessage"] = deniedMsg(acct, s.execRole, session, "secretsmanager:GetSecretValue", sec)
			g.expect(exec, "secretsmanager:GetSecretValue", sec, true)
			out = append(out, r)
			continue
		}
		out = append(out, r)
		g.expect(exec, "secretsmanager:GetSecretValue", sec, false)
		key := "arn:aws:kms:" + region + ":" + acct + ":key/" + "1234abcd-12ab-34cd-56ef-1234567890ab"
		kid := assumedIdent(acct, s.execPath, s.execRole, execID, session, akid, created)
		kid["invokedBy"] = "secretsmanager.amazonaws.com"
		k := g.base(step(), "kms.amazonaws.com", "Decrypt", region, acct, kid, "secretsmanager.amazonaws.com", "secretsmanager.amazonaws.com")
		k["requestParameters"] = rec{"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"encryptionContext": rec{"SecretARN": sec, "SecretVersionId": g.uuid()}}
		k["resources"] = []rec{{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key}}
		out = append(out, k)
		g.expect(exec, "kms:Decrypt", key, false)
	}
	group := "/ecs/" + s.name
	logUA := "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.23.6 md/GOOS#linux md/GOARCH#amd64 api/cloudwatchlogs#1.45.3 Docker/27.5.1 (linux)"
	if s.createGroup && first {
		r := call("logs.amazonaws.com", "CreateLogGroup", rec{"logGroupName": group}, nil, logUA)
		r["readOnly"] = false
		out = append(out, r)
		g.expect(exec, "logs:CreateLogGroup", "arn:aws:logs:"+region+":"+acct+":log-group:"+group+":log-stream:", false)
	}
	r := call("logs.amazonaws.com", "CreateLogStream", rec{"logGroupName": group, "logStreamName": "ecs/" + s.name + "/" + session}, nil, logUA)
	r["readOnly"] = false
	out = append(out, r)
	g.expect(exec, "logs:CreateLogStream", "arn:aws:logs:"+region+":"+acct+":log-group:"+group+":log-stream:ecs/"+s.name+"/*", false)

	// Task-role calls: same session name, different issuer.
	if s.taskRole != "" {
		tr := roleARN(acct, "/", s.taskRole)
		tident := assumedIdent(acct, "/", s.taskRole, "AROA"+g.alnum(17), session, "ASIA"+g.alnum(16), created)
		for range 1 + g.rng.IntN(4) {
			tbl := "arn:aws:dynamodb:" + region + ":" + acct + ":table/" + s.name
			x := g.base(step(), "dynamodb.amazonaws.com", "DescribeTable", region, acct, tident, "aws-sdk-go-v2/1.36.3", ip)
			x["requestParameters"] = rec{"tableName": s.name}
			x["resources"] = []rec{{"ARN": tbl, "accountId": acct, "type": "AWS::DynamoDB::Table"}}
			out = append(out, x)
			g.expect(tr, "dynamodb:DescribeTable", tbl, false)
		}
	}
	return out
}

// noise emits records no ECS role made.
func (g *gen) noise(acct, region string, t time.Time) rec {
	switch g.rng.IntN(4) {
	case 0:
		id := rec{"type": "IAMUser", "principalId": "AIDA" + g.alnum(16), "arn": "arn:aws:iam::" + acct + ":user/deploy",
			"accountId": acct, "accessKeyId": "AKIA" + g.alnum(16), "userName": "deploy"}
		r := g.base(t, "ec2.amazonaws.com", "DescribeInstances", region, acct, id, "aws-cli/2.15.0 Python/3.11.6", "198.51.100.7")
		r["requestParameters"] = rec{"instancesSet": rec{}, "filterSet": rec{}}
		return r
	case 1:
		id := assumedIdent(acct, "/service-role/", "lambda-ingest", "AROALAMBDAINGEST0001", "lambda-ingest", "ASIA"+g.alnum(16), ts(t))
		r := g.base(t, "s3.amazonaws.com", "ListBuckets", region, acct, id, "aws-sdk-go-v2/1.36.3", "203.0.113.9")
		return r
	case 2:
		id := assumedIdent(acct, "/", "ci-deployer", "AROACIDEPLOYER000001", "gha-"+g.hex(8), "ASIA"+g.alnum(16), ts(t))
		r := g.base(t, "ecs.amazonaws.com", "DescribeServices", region, acct, id, "aws-cli/2.15.0", "192.0.2.44")
		r["requestParameters"] = rec{"cluster": "prod", "services": []string{"web", "worker"}}
		r["responseElements"] = nil
		if g.rng.IntN(10) == 0 {
			r["errorCode"] = "AccessDenied"
			r["errorMessage"] = "User: arn:aws:sts::" + acct + ":assumed-role/ci-deployer/x is not authorized to perform: ecs:DescribeServices"
		}
		return r
	default:
		id := rec{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}
		r := g.base(t, "kms.amazonaws.com", "GenerateDataKey", region, acct, id, "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com")
		r["requestParameters"] = rec{"keySpec": "AES_256", "encryptionContext": rec{"aws:cloudtrail:arn": "arn:aws:cloudtrail:" + region + ":" + acct + ":trail/org"}}
		return r
	}
}

// day writes one account/region/day: records bucketed into 5-minute files
// named by delivery time, one digest file, and a few duplicate deliveries.
func (g *gen) day(acct, region string, day time.Time) error {
	buckets := map[int64][]rec{}
	for i := range g.cfg.TasksPerDay {
		s := services[i%len(services)]
		t0 := day.Add(time.Duration(g.rng.Int64N(int64(23 * time.Hour))))
		recs := g.task(acct, region, t0, s, i < len(services))
		for range g.cfg.NoisePerTask {
			recs = append(recs, g.noise(acct, region, day.Add(time.Duration(g.rng.Int64N(int64(24*time.Hour))))))
		}
		for _, r := range recs {
			et, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
			// Delivered 5 to 15 minutes later.
			deliver := et.Add(time.Duration(5+g.rng.IntN(10)) * time.Minute).Truncate(5 * time.Minute)
			buckets[deliver.Unix()] = append(buckets[deliver.Unix()], r)
		}
	}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var logNames []string
	for _, k := range keys {
		recs := buckets[k]
		g.rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		at := time.Unix(k, 0).UTC()
		name, err := g.write(acct, region, at, recs)
		if err != nil {
			return err
		}
		logNames = append(logNames, name)
		if g.rng.Float64() < g.cfg.DuplicateRate {
			if _, err := g.write(acct, region, at, recs); err != nil {
				return err
			}
			g.st.DuplicateFiles++
		}
	}
	return g.digest(acct, region, day, logNames)
}

func (g *gen) write(acct, region string, at time.Time, recs []rec) (string, error) {
	dir := filepath.Join(g.dir, "AWSLogs", acct, "CloudTrail", region, at.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", acct, region, at.Format("20060102T1504"), g.alnum(16))
	body, err := json.Marshal(map[string]any{"Records": recs}, json.Deterministic(true))
	if err != nil {
		return "", err
	}
	g.buf.Reset()
	zw, _ := gzip.NewWriterLevel(&g.buf, gzip.DefaultCompression)
	if _, err := zw.Write(body); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, name), g.buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	g.st.Files++
	g.st.Records += int64(len(recs))
	g.st.JSONBytes += int64(len(body))
	g.st.GzipBytes += int64(g.buf.Len())
	return name, nil
}

// digest writes a digest file with the documented top-level keys
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
func (g *gen) digest(acct, region string, day time.Time, logs []string) error {
	dir := filepath.Join(g.dir, "AWSLogs", acct, "CloudTrail-Digest", region, day.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var files []rec
	for _, l := range logs {
		files = append(files, rec{"s3Bucket": "trail-bucket", "s3Object": l, "hashValue": g.hex(64), "hashAlgorithm": "SHA-256"})
	}
	body, err := json.Marshal(rec{"awsAccountId": acct, "digestStartTime": ts(day), "digestEndTime": ts(day.Add(time.Hour)),
		"digestS3Bucket": "trail-bucket", "digestPublicKeyFingerprint": g.hex(32), "digestSignatureAlgorithm": "SHA256withRSA",
		"logFiles": files}, json.Deterministic(true))
	if err != nil {
		return err
	}
	g.buf.Reset()
	zw := gzip.NewWriter(&g.buf)
	zw.Write(body)
	zw.Close()
	name := fmt.Sprintf("%s_CloudTrail-Digest_%s_org_%s_%sZ.json.gz", acct, region, region, day.Format("20060102T150405"))
	g.st.DigestFiles++
	return os.WriteFile(filepath.Join(dir, name), g.buf.Bytes(), 0o644)
}
