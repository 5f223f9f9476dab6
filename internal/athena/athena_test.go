package athena_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/google/go-cmp/cmp"

	athenarun "github.com/execrole/execrole/internal/athena"
	"github.com/execrole/execrole/internal/cloudtrail"
)

// fake plays Athena: the query goes QUEUED, RUNNING, then final; results
// come in pages of pageSize rows, the header first as the API returns it.
type fake struct {
	states   []types.QueryExecutionState
	reason   string
	rows     [][]*string
	pageSize int

	started *athena.StartQueryExecutionInput
	polls   int
	pages   int
}

func (f *fake) StartQueryExecution(_ context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	f.started = in
	id := "q-1"
	return &athena.StartQueryExecutionOutput{QueryExecutionId: &id}, nil
}

func (f *fake) GetQueryExecution(_ context.Context, in *athena.GetQueryExecutionInput, _ ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	if *in.QueryExecutionId != "q-1" {
		return nil, fmt.Errorf("unknown query %s", *in.QueryExecutionId)
	}
	st := f.states[min(f.polls, len(f.states)-1)]
	f.polls++
	scanned, ms := int64(123456), int64(789)
	qe := &types.QueryExecution{Status: &types.QueryExecutionStatus{State: st}, Statistics: &types.QueryExecutionStatistics{DataScannedInBytes: &scanned, EngineExecutionTimeInMillis: &ms}}
	if f.reason != "" {
		qe.Status.StateChangeReason = &f.reason
	}
	return &athena.GetQueryExecutionOutput{QueryExecution: qe}, nil
}

func (f *fake) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	start := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "t%d", &start)
	}
	if in.MaxResults == nil || *in.MaxResults > 1000 {
		return nil, fmt.Errorf("MaxResults must be 1..1000")
	}
	end := min(start+f.pageSize, len(f.rows))
	out := &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{}}
	for _, r := range f.rows[start:end] {
		var row types.Row
		for _, c := range r {
			row.Data = append(row.Data, types.Datum{VarCharValue: c})
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, row)
	}
	if end < len(f.rows) {
		tok := fmt.Sprintf("t%d", end)
		out.NextToken = &tok
	}
	f.pages++
	return out, nil
}

// row builds a result row; "NULL" stands for a NULL cell (nil VarCharValue).
func row(cells ...string) []*string {
	out := make([]*string, len(cells))
	for i, c := range cells {
		if c != "NULL" {
			out[i] = &c
		}
	}
	return out
}

const role = "arn:aws:iam::111122223333:role/ecs/web-exec"

// header is the column list cloudtrail.AthenaSQL selects.
var header = row("role_arn", "eventsource", "eventname", "awsregion", "recipientaccountid", "errorcode", "invokedby",
	"resource_arn", "req_key", "calls", "sessions", "first_seen", "last_seen", "sample_error")

// realistic rows, as the query returns them for one day of a web service:
// one row per (event, resource) with the request key of research section 6.3.
var rows = [][]*string{
	header,
	row(role, "ecr.amazonaws.com", "GetAuthorizationToken", "us-east-1", "111122223333", "NULL", "NULL", "NULL", "", "12", "12", "2025-03-01T00:05:02Z", "2025-03-01T22:05:02Z", "NULL"),
	row(role, "ecr.amazonaws.com", "BatchGetImage", "us-east-1", "111122223333", "NULL", "NULL", "arn:aws:ecr:us-east-1:111122223333:repository/web", "111122223333/web", "12", "12", "2025-03-01T00:05:03Z", "2025-03-01T22:05:03Z", "NULL"),
	row(role, "logs.amazonaws.com", "CreateLogStream", "us-east-1", "111122223333", "NULL", "NULL", "NULL", "/ecs/web:log-stream:ecs/web/*", "12", "12", "2025-03-01T00:05:09Z", "2025-03-01T22:05:09Z", "NULL"),
	row(role, "ssm.amazonaws.com", "GetParameters", "us-east-1", "111122223333", "NULL", "NULL", "arn:aws:ssm:us-east-1:111122223333:parameter/prod/web/A", `["/prod/web/A","/prod/web/B"]`, "12", "12", "2025-03-01T00:05:05Z", "2025-03-01T22:05:05Z", "NULL"),
	row(role, "ssm.amazonaws.com", "GetParameters", "us-east-1", "111122223333", "NULL", "NULL", "arn:aws:ssm:us-east-1:111122223333:parameter/prod/web/B", `["/prod/web/A","/prod/web/B"]`, "12", "12", "2025-03-01T00:05:05Z", "2025-03-01T22:05:05Z", "NULL"),
	row(role, "kms.amazonaws.com", "Decrypt", "us-east-1", "111122223333", "NULL", "secretsmanager.amazonaws.com", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-Gh7Jk9", "3", "3", "2025-03-01T00:05:06Z", "2025-03-01T02:05:06Z", "NULL"),
	row(role, "secretsmanager.amazonaws.com", "GetSecretValue", "us-east-1", "111122223333", "AccessDenied", "NULL", "NULL", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/db-AbCdEf", "9", "9", "2025-03-01T03:05:06Z", "2025-03-01T22:05:06Z",
		"User: arn:aws:sts::111122223333:assumed-role/web-exec/3f1e2d4c5b6a47889900aabbccddeeff is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action"),
	row(role, "secretsmanager.amazonaws.com", "GetSecretValue", "us-east-1", "111122223333", "NULL", "NULL", "NULL", "prod/web/api-key", "3", "3", "2025-03-01T00:05:06Z", "2025-03-01T02:05:06Z", "NULL"),
}

func TestRunAndConvert(t *testing.T) {
	f := &fake{states: []types.QueryExecutionState{types.QueryExecutionStateQueued, types.QueryExecutionStateRunning, types.QueryExecutionStateSucceeded}, rows: rows, pageSize: 3}
	sql := cloudtrail.AthenaSQL("cloudtrail_logs_pp", cloudtrail.Filter{Roles: []string{role}})
	res, err := athenarun.Run(context.Background(), f, athenarun.Query{SQL: sql, Database: "default", WorkGroup: "primary", OutputLocation: "s3://results/", Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if f.polls != 3 || f.pages != 3 || len(res.Rows) != len(rows)-1 || res.ScannedBytes != 123456 {
		t.Fatalf("polls %d pages %d rows %d scanned %d", f.polls, f.pages, len(res.Rows), res.ScannedBytes)
	}
	if *f.started.QueryString != sql || *f.started.QueryExecutionContext.Database != "default" || *f.started.QueryExecutionContext.Catalog != "AwsDataCatalog" ||
		*f.started.WorkGroup != "primary" || *f.started.ResultConfiguration.OutputLocation != "s3://results/" {
		t.Errorf("start input = %+v", f.started)
	}
	u, errs := athenarun.Usage(res)
	if errs != nil {
		t.Fatal(errs)
	}
	if len(u.Roles) != 1 || u.Roles[0].Role != role || u.Roles[0].Name != "web-exec" {
		t.Fatalf("roles = %+v", u.Roles)
	}
	var got []string
	for _, c := range u.Roles[0].Used {
		got = append(got, fmt.Sprintf("used %s %s n=%d via=%s ctx=%s %s..%s", c.Action, c.Resource, c.Count, c.Via, c.Context, c.First.Format("15:04"), c.Last.Format("15:04")))
	}
	for _, c := range u.Roles[0].Denied {
		got = append(got, fmt.Sprintf("denied %s %s n=%d code=%s policy=%s", c.Action, c.Resource, c.Count, c.ErrorCode, c.Denial.PolicyType))
	}
	want := []string{
		"used ecr:BatchGetImage arn:aws:ecr:us-east-1:111122223333:repository/web n=12 via= ctx= 00:05..22:05",
		"used ecr:GetAuthorizationToken * n=12 via= ctx= 00:05..22:05",
		"used kms:Decrypt arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab n=3 via=secretsmanager.amazonaws.com ctx=arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-Gh7Jk9 00:05..02:05",
		"used logs:CreateLogStream arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:ecs/web/* n=12 via= ctx= 00:05..22:05",
		// A secret named without its suffix: the ARN gets IAM's "-??????".
		"used secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/api-key-?????? n=3 via= ctx= 00:05..02:05",
		"used ssm:GetParameters arn:aws:ssm:us-east-1:111122223333:parameter/prod/web/A n=12 via= ctx= 00:05..22:05",
		"used ssm:GetParameters arn:aws:ssm:us-east-1:111122223333:parameter/prod/web/B n=12 via= ctx= 00:05..22:05",
		"denied secretsmanager:GetSecretValue arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web/db-AbCdEf n=9 code=AccessDenied policy=identity-based",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("usage (-want +got):\n%s", d)
	}
	if u.Stats.Attributed != 12*5+3+9+3 {
		t.Errorf("attributed = %d", u.Stats.Attributed)
	}
}

// TestSameAsScan converts rows and scans the local events they summarise:
// both must give the same rows (apart from task names, which Athena counts).
func TestSameAsScan(t *testing.T) {
	events := `{"Records":[
{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAX:t1","arn":"arn:aws:sts::111122223333:assumed-role/web-exec/t1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + role + `","userName":"web-exec"}}},"eventTime":"2025-03-01T00:05:09Z","eventSource":"logs.amazonaws.com","eventName":"CreateLogStream","awsRegion":"us-east-1","requestParameters":{"logGroupName":"/ecs/web","logStreamName":"ecs/web/t1"},"eventID":"e1","recipientAccountId":"111122223333"},
{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAX:t1","arn":"arn:aws:sts::111122223333:assumed-role/web-exec/t1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + role + `","userName":"web-exec"}}},"eventTime":"2025-03-01T00:05:03Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","awsRegion":"us-east-1","requestParameters":{"registryId":"111122223333","repositoryName":"web"},"eventID":"e2","recipientAccountId":"111122223333"}]}`
	dir := t.TempDir()
	path := dir + "/trail.json"
	if err := os.WriteFile(path, []byte(events), 0o644); err != nil {
		t.Fatal(err)
	}
	scanned, err := cloudtrail.Scan(context.Background(), []string{path}, cloudtrail.Filter{Roles: []string{role}}, cloudtrail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := &athenarun.Result{Header: deref(header), Rows: [][]string{
		deref(row(role, "logs.amazonaws.com", "CreateLogStream", "us-east-1", "111122223333", "", "", "", "/ecs/web:log-stream:ecs/web/*", "1", "1", "2025-03-01T00:05:09Z", "2025-03-01T00:05:09Z", "")),
		deref(row(role, "ecr.amazonaws.com", "BatchGetImage", "us-east-1", "111122223333", "", "", "", "111122223333/web", "1", "1", "2025-03-01T00:05:03Z", "2025-03-01T00:05:03Z", "")),
	}}
	converted, errs := athenarun.Usage(res)
	if errs != nil {
		t.Fatal(errs)
	}
	strip := func(cs []*cloudtrail.Call) []cloudtrail.Call {
		var out []cloudtrail.Call
		for _, c := range cs {
			x := *c
			x.Tasks = cloudtrail.TaskSet{}
			out = append(out, x)
		}
		return out
	}
	if d := cmp.Diff(strip(scanned.Roles[0].Used), strip(converted.Roles[0].Used)); d != "" {
		t.Errorf("scan vs athena (-scan +athena):\n%s", d)
	}
}

func TestErrors(t *testing.T) {
	f := &fake{states: []types.QueryExecutionState{types.QueryExecutionStateFailed}, reason: "TABLE_NOT_FOUND: line 6:8: Table awsdatacatalog.default.cloudtrail_logs_pp does not exist", rows: rows, pageSize: 10}
	_, err := athenarun.Run(context.Background(), f, athenarun.Query{SQL: "SELECT 1", Poll: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "failed: TABLE_NOT_FOUND") {
		t.Errorf("failed query: err = %v", err)
	}

	_, errs := athenarun.Usage(&athenarun.Result{Header: []string{"role_arn", "calls"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no column") {
		t.Errorf("wrong header: %v", errs)
	}

	bad := &athenarun.Result{Header: deref(header), Rows: [][]string{
		deref(row(role, "ecr.amazonaws.com", "GetAuthorizationToken", "us-east-1", "111122223333", "", "", "", "", "many", "1", "2025-03-01T00:05:02Z", "2025-03-01T00:05:02Z", "")),
		deref(row(role, "ssm.amazonaws.com", "GetParameters", "us-east-1", "111122223333", "", "", "", "[not json", "1", "1", "2025-03-01T00:05:02Z", "2025-03-01T00:05:02Z", "")),
		deref(row(role, "ecr.amazonaws.com", "GetAuthorizationToken", "us-east-1", "111122223333", "", "", "", "", "2", "1", "yesterday", "2025-03-01T00:05:02Z", "")),
		deref(row(role, "ecr.amazonaws.com", "GetAuthorizationToken", "us-east-1", "111122223333", "", "", "", "", "2", "1", "2025-03-01T00:05:02Z", "2025-03-01T00:05:02Z", "")),
	}}
	u, errs := athenarun.Usage(bad)
	if len(errs) != 3 {
		t.Fatalf("errors = %v, want 3", errs)
	}
	for i, want := range []string{"athena row 1: calls", "athena row 2: req_key", "athena row 3: first_seen"} {
		if !strings.HasPrefix(errs[i].Error(), want) {
			t.Errorf("error %d = %v, want prefix %q", i, errs[i], want)
		}
	}
	if len(u.Roles) != 1 || len(u.Roles[0].Used) != 1 || u.Roles[0].Used[0].Count != 2 {
		t.Errorf("good row not kept: %+v", u.Roles)
	}
}

func deref(r []*string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		if c != nil {
			out[i] = *c
		}
	}
	return out
}
