// Package athena runs the CloudTrail aggregation query of
// [cloudtrail.AthenaSQL] in Amazon Athena and turns its rows into the same
// [cloudtrail.Usage] a scan of local files gives, so that one report serves
// both: Athena is the way to audit trails too large to download
// (/work/shared/research/cloudtrail-audit.md section 6).
package athena

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/execrole/execrole/internal/cloudtrail"
)

// Client is the part of the Athena API a query needs; *athena.Client
// implements it, and tests pass a fake.
type Client interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, opts ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, opts ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
}

// Query says where to run a query.
type Query struct {
	SQL       string
	Catalog   string // "" means AwsDataCatalog
	Database  string
	WorkGroup string // "" means the account's primary work group
	// OutputLocation is the s3:// prefix for results; "" uses the work
	// group's setting.
	OutputLocation string
	// Poll is the wait between status checks; 0 means one second.
	Poll time.Duration
}

// Result is a finished query: the header, the rows, and its cost figures.
type Result struct {
	Header       []string
	Rows         [][]string
	ScannedBytes int64
	EngineMillis int64
}

// Run starts the query, waits for it to finish and reads every page of its
// results, following the steps in research section 6.5: StartQueryExecution,
// poll GetQueryExecution until SUCCEEDED, FAILED or CANCELLED, then page
// GetQueryResults (at most 1000 rows a page), whose first row of a SELECT is
// the header
// (https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html).
func Run(ctx context.Context, c Client, q Query) (*Result, error) {
	catalog := q.Catalog
	if catalog == "" {
		catalog = "AwsDataCatalog"
	}
	in := &athena.StartQueryExecutionInput{
		QueryString:           &q.SQL,
		QueryExecutionContext: &types.QueryExecutionContext{Catalog: &catalog},
	}
	if q.Database != "" {
		in.QueryExecutionContext.Database = &q.Database
	}
	if q.WorkGroup != "" {
		in.WorkGroup = &q.WorkGroup
	}
	if q.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: &q.OutputLocation}
	}
	start, err := c.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("athena: start query: %w", err)
	}
	if start.QueryExecutionId == nil {
		return nil, errors.New("athena: start query: no query execution ID returned")
	}
	id := *start.QueryExecutionId
	poll := q.Poll
	if poll <= 0 {
		poll = time.Second
	}
	res := &Result{}
	for {
		out, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: &id})
		if err != nil {
			return nil, fmt.Errorf("athena: query %s: %w", id, err)
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return nil, fmt.Errorf("athena: query %s: no status returned", id)
		}
		if st := qe.Statistics; st != nil {
			res.ScannedBytes = deref(st.DataScannedInBytes)
			res.EngineMillis = deref(st.EngineExecutionTimeInMillis)
		}
		state := qe.Status.State
		if state == types.QueryExecutionStateSucceeded {
			break
		}
		if state == types.QueryExecutionStateFailed || state == types.QueryExecutionStateCancelled {
			reason := ""
			if qe.Status.StateChangeReason != nil {
				reason = ": " + *qe.Status.StateChangeReason
			}
			return nil, fmt.Errorf("athena: query %s %s%s", id, strings.ToLower(string(state)), reason)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	var token *string
	first := true
	for {
		max := int32(1000)
		page, err := c.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: &id, NextToken: token, MaxResults: &max})
		if err != nil {
			return nil, fmt.Errorf("athena: query %s results: %w", id, err)
		}
		if page.ResultSet != nil {
			for _, row := range page.ResultSet.Rows {
				cells := make([]string, len(row.Data))
				for i, d := range row.Data {
					cells[i] = deref(d.VarCharValue)
				}
				if first {
					res.Header, first = cells, false
					continue
				}
				res.Rows = append(res.Rows, cells)
			}
		}
		if page.NextToken == nil || *page.NextToken == "" {
			break
		}
		token = page.NextToken
	}
	return res, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// columns are the output columns of cloudtrail.AthenaSQL.
var columns = []string{"role_arn", "eventsource", "eventname", "awsregion", "recipientaccountid", "errorcode", "invokedby",
	"resource_arn", "req_key", "calls", "sessions", "first_seen", "last_seen", "sample_error"}

// RowError is a result row that cannot be converted; the row number counts
// data rows from 1, after the header.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("athena row %d: %v", e.Row, e.Err) }

// Usage converts the rows of cloudtrail.AthenaSQL into a Usage. Each row is
// rebuilt into a record (the role's session, the event, its resource and
// the request key turned back into requestParameters) and mapped by
// cloudtrail.Map, the same code that maps local logs; its calls count is the
// row's. Athena returns the number of distinct sessions, not their names,
// so TaskSets stay empty. Rows that cannot be read are returned as errors
// and left out; the rest is kept.
func Usage(res *Result) (*cloudtrail.Usage, []error) {
	idx := map[string]int{}
	for i, h := range res.Header {
		idx[strings.ToLower(h)] = i
	}
	for _, c := range columns {
		if _, ok := idx[c]; !ok {
			return &cloudtrail.Usage{Roles: []*cloudtrail.RoleUsage{}}, []error{fmt.Errorf("athena: result has no column %q (header %v): not the output of cloudtrail.AthenaSQL", c, res.Header)}
		}
	}
	agg := &aggregator{roles: map[string]*cloudtrail.RoleUsage{}, calls: map[key]*cloudtrail.Call{}}
	var errs []error
	for n, row := range res.Rows {
		get := func(c string) string {
			if i := idx[c]; i < len(row) {
				return row[i]
			}
			return ""
		}
		if err := agg.add(get); err != nil {
			errs = append(errs, &RowError{Row: n + 1, Err: err})
		}
	}
	return agg.usage(), errs
}

type key struct {
	role, action, resource, context, via, source, event, region, errorCode string
	kind                                                                   cloudtrail.MappingKind
	denied                                                                 bool
}

type aggregator struct {
	roles map[string]*cloudtrail.RoleUsage
	calls map[key]*cloudtrail.Call
	stats cloudtrail.Stats
}

func (a *aggregator) add(get func(string) string) error {
	role := get("role_arn")
	if !strings.HasPrefix(role, "arn:") {
		return fmt.Errorf("role_arn %q is not an ARN", role)
	}
	calls, err := strconv.ParseInt(get("calls"), 10, 64)
	if err != nil || calls < 0 {
		return fmt.Errorf("calls %q is not a count", get("calls"))
	}
	rec := &cloudtrail.Record{
		EventTime:          get("first_seen"),
		EventSource:        get("eventsource"),
		EventName:          get("eventname"),
		AWSRegion:          get("awsregion"),
		ErrorCode:          get("errorcode"),
		ErrorMessage:       get("sample_error"),
		RecipientAccountID: get("recipientaccountid"),
	}
	rec.UserIdentity.Type = "AssumedRole"
	rec.UserIdentity.InvokedBy = get("invokedby")
	rec.UserIdentity.SessionContext.SessionIssuer.ARN = role
	if r := get("resource_arn"); r != "" {
		rec.Resources = []cloudtrail.Resource{{ARN: r}}
	}
	params, err := requestParameters(rec.EventSource, rec.EventName, get("req_key"))
	if err != nil {
		return err
	}
	rec.RequestParameters = params
	first, err := rec.Time()
	if err != nil {
		return fmt.Errorf("first_seen: %w", err)
	}
	last := first
	if s := get("last_seen"); s != "" {
		lr := &cloudtrail.Record{EventTime: s}
		if last, err = lr.Time(); err != nil {
			return fmt.Errorf("last_seen: %w", err)
		}
	}
	if rec.EventSource == "" || rec.EventName == "" {
		return errors.New("eventsource or eventname empty")
	}
	a.stats.Records += calls
	a.stats.Attributed += calls
	ru := a.roles[role]
	if ru == nil {
		name := role[strings.LastIndexByte(role, '/')+1:]
		ru = &cloudtrail.RoleUsage{Role: role, Name: name, Used: []*cloudtrail.Call{}, Denied: []*cloudtrail.Call{}}
		a.roles[role] = ru
	}
	// The same classification and denial parsing as the scan
	// (cloudtrail.IsDenial, cloudtrail.ParseDenial; research section 2.5).
	denied := cloudtrail.IsDenial(rec.ErrorCode)
	maps := cloudtrail.Map(rec)
	var detail *cloudtrail.DenialDetail
	if denied {
		if d, ok := cloudtrail.ParseDenial(rec.ErrorMessage); ok {
			detail = &d
			if d.Action != "" && d.Resource != "" {
				kind, ctx := cloudtrail.Generic, ""
				if len(maps) > 0 {
					kind, ctx = maps[0].Kind, maps[0].Context
				}
				maps = []cloudtrail.Mapped{{Action: d.Action, Resource: d.Resource, Context: ctx, Kind: kind}}
			}
		}
	}
	for _, m := range maps {
		k := key{role, m.Action, m.Resource, m.Context, rec.UserIdentity.InvokedBy, rec.EventSource, rec.EventName, rec.AWSRegion, "", m.Kind, denied}
		if denied {
			k.errorCode = rec.ErrorCode
		}
		c := a.calls[k]
		if c == nil {
			c = &cloudtrail.Call{Action: m.Action, Resource: m.Resource, Context: m.Context, Via: k.via, Mapping: m.Kind,
				Source: k.source, Event: k.event, Region: k.region, First: first, Last: last, Tasks: cloudtrail.TaskSet{Names: []string{}}}
			if denied {
				c.ErrorCode, c.ErrorMessage, c.Denial = rec.ErrorCode, rec.ErrorMessage, detail
				ru.Denied = append(ru.Denied, c)
			} else {
				ru.Used = append(ru.Used, c)
			}
			a.calls[k] = c
		}
		c.Count += calls
		if !denied && rec.ErrorCode != "" {
			c.Errors += calls
		}
		if first.Before(c.First) {
			c.First = first
		}
		if last.After(c.Last) {
			c.Last = last
		}
	}
	return nil
}

func (a *aggregator) usage() *cloudtrail.Usage {
	u := &cloudtrail.Usage{Roles: []*cloudtrail.RoleUsage{}, Stats: a.stats}
	for _, ru := range a.roles {
		cloudtrail.SortCalls(ru.Used)
		cloudtrail.SortCalls(ru.Denied)
		u.Roles = append(u.Roles, ru)
	}
	sortRoles(u.Roles)
	return u
}

// requestParameters inverts the req_key expression of cloudtrail.AthenaSQL
// so that cloudtrail.Map finds the parameters it reads in a local log.
func requestParameters(source, event, k string) ([]byte, error) {
	if k == "" {
		return nil, nil
	}
	var p map[string]any
	switch source {
	case "secretsmanager.amazonaws.com":
		p = map[string]any{"secretId": k}
	case "ssm.amazonaws.com":
		if event == "GetParameters" {
			// json_format of the names array.
			var names []string
			if err := json.Unmarshal([]byte(k), &names); err != nil {
				return nil, fmt.Errorf("req_key %q: expected the JSON array of parameter names: %w", k, err)
			}
			p = map[string]any{"names": names}
		} else if event == "GetParametersByPath" {
			p = map[string]any{"path": k}
		} else {
			p = map[string]any{"name": k}
		}
	case "logs.amazonaws.com":
		// concat_ws(':log-stream:', group, stream with its last segment
		// replaced by '*'); concat_ws skips a NULL stream.
		g, s, _ := strings.Cut(k, ":log-stream:")
		p = map[string]any{"logGroupName": g}
		if s != "" {
			p["logStreamName"] = s
		}
	case "ecr.amazonaws.com":
		// concat_ws('/', registryId, repositoryName): a registry ID is a
		// 12-digit account ID, and concat_ws skips it when NULL.
		reg, repo, ok := strings.Cut(k, "/")
		if ok && len(reg) == 12 && strings.Trim(reg, "0123456789") == "" {
			p = map[string]any{"registryId": reg, "repositoryName": repo}
		} else {
			p = map[string]any{"repositoryName": k}
		}
	case "kms.amazonaws.com":
		ctxKey := "PARAMETER_ARN"
		if strings.Contains(k, ":secretsmanager:") {
			ctxKey = "SecretARN"
		}
		p = map[string]any{"encryptionContext": map[string]string{ctxKey: k}}
	case "s3.amazonaws.com":
		b, obj, _ := strings.Cut(k, "/")
		p = map[string]any{"bucketName": b}
		if obj != "" {
			p["key"] = obj
		}
	default:
		return nil, nil
	}
	return json.Marshal(p)
}

func sortRoles(rs []*cloudtrail.RoleUsage) {
	slices.SortFunc(rs, func(x, y *cloudtrail.RoleUsage) int { return cmp.Compare(x.Role, y.Role) })
}
