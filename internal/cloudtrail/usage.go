package cloudtrail

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Filter selects the events to aggregate.
type Filter struct {
	// Roles are role ARNs (matched against sessionIssuer.arn, which includes
	// the role path) or role names (matched against sessionIssuer.userName).
	// Empty means every role that ecs-tasks.amazonaws.com assumed in the input.
	Roles []string
	// Since and Until bound eventTime, inclusive; zero means unbounded.
	Since, Until time.Time
}

func (f *Filter) inWindow(t time.Time) bool {
	return (f.Since.IsZero() || !t.Before(f.Since)) && (f.Until.IsZero() || !t.After(f.Until))
}

// matchRole reports whether a role (by ARN and name) is selected.
func (f *Filter) matchRole(arn, name string) bool {
	if len(f.Roles) == 0 {
		return true
	}
	if name == "" {
		name = roleNameFromARN(arn)
	}
	for _, r := range f.Roles {
		if strings.HasPrefix(r, "arn:") {
			if r == arn {
				return true
			}
		} else if r == name {
			return true
		}
	}
	return false
}

// roleNameFromARN drops the path: "arn:aws:iam::A:role/path/Name" -> "Name".
func roleNameFromARN(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// Usage is the aggregated evidence of a scan. Every slice is sorted so that
// the JSON form is stable across runs and worker counts.
type Usage struct {
	Roles []*RoleUsage `json:"roles"`
	// OtherRoles are assumed-role issuers seen in the input that were not
	// selected: not in Filter.Roles, or (with no Filter.Roles) never assumed
	// by ecs-tasks.amazonaws.com in the input. Sorted.
	OtherRoles []string      `json:"otherRoles,omitempty"`
	Stats      Stats         `json:"stats"`
	Problems   []FileProblem `json:"problems,omitempty"`
}

// Stats counts what the scan read and why records were left out.
type Stats struct {
	Files        int   `json:"files"`
	SkippedFiles int   `json:"skippedFiles"` // digest, Insights and non-CloudTrail files
	Bytes        int64 `json:"bytes"`        // uncompressed JSON bytes read
	Records      int64 `json:"records"`
	Attributed   int64 `json:"attributed"` // records of selected roles (with no Filter.Roles: of any assumed role)
	Duplicates   int64 `json:"duplicates"` // same eventID seen before
	OutOfWindow  int64 `json:"outOfWindow"`
	// OutOfWindowFiles were not opened: their delivery time in the file
	// name puts them outside Since/Until (see Scan).
	OutOfWindowFiles int   `json:"outOfWindowFiles,omitzero"`
	BadRecords       int64 `json:"badRecords"` // records that are not valid events
	// DedupSaturated is set when more attributed events were seen than the
	// duplicate filter holds; later duplicates may then be counted twice.
	DedupSaturated bool `json:"dedupSaturated,omitzero"`
}

// FileProblem is a file that could not be read, in whole or in part, or
// that was skipped because it is not a CloudTrail event file.
type FileProblem struct {
	File string `json:"file"`
	// Records is how many records were read from the file before the error;
	// they are kept in the aggregation.
	Records int64  `json:"records"`
	Error   string `json:"error,omitempty"`
	Skipped string `json:"skipped,omitempty"` // reason a file was skipped on purpose
}

// RoleUsage is what one role's sessions did.
type RoleUsage struct {
	Role string `json:"role"` // sessionIssuer.arn, path included
	Name string `json:"name"`
	// ECSSessions counts the AssumeRole calls by ecs-tasks.amazonaws.com that
	// started the role's sessions; nil when none were in the input.
	ECSSessions *Sessions `json:"ecsSessions,omitempty"`
	Used        []*Call   `json:"used"`
	Denied      []*Call   `json:"denied"`
}

// Sessions summarises the sts:AssumeRole events that started task sessions.
// A failure there is a trust-policy problem, not a permission one.
type Sessions struct {
	Count    int64     `json:"count"`
	Failures int64     `json:"failures"`
	First    time.Time `json:"firstSeen"`
	Last     time.Time `json:"lastSeen"`
	Tasks    TaskSet   `json:"tasks"`
}

// Call is one aggregated (action, resource) row.
type Call struct {
	Action   string      `json:"action"`
	Resource string      `json:"resource"`
	Context  string      `json:"context,omitempty"` // e.g. the secret a KMS Decrypt was for
	Via      string      `json:"via,omitempty"`     // userIdentity.invokedBy
	Mapping  MappingKind `json:"mapping"`
	Source   string      `json:"eventSource"`
	Event    string      `json:"eventName"`
	Region   string      `json:"region"`
	Count    int64       `json:"count"`
	// Errors counts calls that passed authorisation but failed otherwise.
	Errors int64     `json:"errors,omitzero"`
	First  time.Time `json:"firstSeen"`
	Last   time.Time `json:"lastSeen"`
	Tasks  TaskSet   `json:"tasks"`
	// Denied rows only.
	ErrorCode    string        `json:"errorCode,omitempty"`
	ErrorMessage string        `json:"errorMessage,omitempty"` // from the earliest event
	Denial       *DenialDetail `json:"denial,omitempty"`
}

// MaxTasks bounds the session names kept per row so memory does not grow
// with the number of tasks; the lexicographically smallest are kept, which
// makes the result independent of file order and worker count.
const MaxTasks = 64

// TaskSet is a bounded, sorted set of session names (task IDs).
type TaskSet struct {
	Names []string `json:"names"`
	// Truncated is set when more than MaxTasks distinct names were seen.
	Truncated bool `json:"truncated,omitzero"`
}

func (s *TaskSet) add(name string) {
	if name == "" {
		return
	}
	i, found := slices.BinarySearch(s.Names, name)
	if found {
		return
	}
	if len(s.Names) >= MaxTasks {
		s.Truncated = true
		if i >= len(s.Names) {
			return
		}
		s.Names = s.Names[:len(s.Names)-1]
	}
	s.Names = slices.Insert(s.Names, i, name)
}

func (s *TaskSet) merge(o TaskSet) {
	for _, n := range o.Names {
		s.add(n)
	}
	s.Truncated = s.Truncated || o.Truncated
}

type callKey struct {
	role, action, resource, context, via, source, name, region, errorCode string
	kind                                                                  MappingKind
	denied                                                                bool
}

type roleAgg struct {
	name     string
	sessions *Sessions
	calls    map[callKey]*Call
}

// aggregator is owned by one worker; aggregators are merged at the end.
type aggregator struct {
	filter *Filter
	roles  map[string]*roleAgg
	stats  Stats
	dedup  *dedupSet
}

func newAggregator(f *Filter, d *dedupSet) *aggregator {
	return &aggregator{filter: f, roles: map[string]*roleAgg{}, dedup: d}
}

func (a *aggregator) role(arn, name string) *roleAgg {
	ra := a.roles[arn]
	if ra == nil {
		ra = &roleAgg{name: name, calls: map[callKey]*Call{}}
		a.roles[arn] = ra
	}
	if ra.name == "" {
		ra.name = name
	}
	return ra
}

const ecsTasks = "ecs-tasks.amazonaws.com"

// add attributes one record (research section 3.3) and aggregates it.
func (a *aggregator) add(r *Record) {
	if r.EventSource == "" || r.EventName == "" || r.EventType == "AwsCloudTrailInsight" {
		a.stats.BadRecords++
		return
	}
	id := r.UserIdentity
	isStart := r.EventSource == "sts.amazonaws.com" && r.EventName == "AssumeRole" &&
		id.Type == "AWSService" && id.InvokedBy == ecsTasks
	var roleARN, roleName string
	switch {
	case isStart:
		roleARN = r.param("roleArn")
		if roleARN == "" {
			if arns := firstResourceARNs(r, "AWS::IAM::Role"); len(arns) > 0 {
				roleARN = arns[0]
			}
		}
		roleName = roleNameFromARN(roleARN)
	case id.Type == "AssumedRole" && id.SessionContext.SessionIssuer.ARN != "":
		roleARN = id.SessionContext.SessionIssuer.ARN
		roleName = id.SessionContext.SessionIssuer.UserName
	default:
		return
	}
	if roleARN == "" {
		return
	}
	t, err := r.Time()
	if err != nil {
		a.stats.BadRecords++
		return
	}
	if !a.filter.inWindow(t) {
		a.stats.OutOfWindow++
		return
	}
	if !a.filter.matchRole(roleARN, roleName) {
		a.role(roleARN, roleName) // remembered for OtherRoles
		return
	}
	if r.EventID != "" && a.dedup.seen(r.EventID) {
		a.stats.Duplicates++
		return
	}
	a.stats.Attributed++
	ra := a.role(roleARN, roleName)
	if isStart {
		s := ra.sessions
		if s == nil {
			s = &Sessions{First: t, Last: t}
			ra.sessions = s
		}
		s.Count++
		if r.ErrorCode != "" {
			s.Failures++
		}
		s.First, s.Last = minTime(s.First, t), maxTime(s.Last, t)
		s.Tasks.add(r.param("roleSessionName"))
		return
	}
	denied := IsDenial(r.ErrorCode)
	session := r.SessionName()
	var maps []Mapped
	var detail *DenialDetail
	if denied {
		if d, ok := ParseDenial(r.ErrorMessage); ok && d.Action != "" && d.Resource != "" {
			detail = &d
			m := Map(r)
			kind := Generic
			if len(m) > 0 {
				kind = m[0].Kind
			}
			maps = []Mapped{{Action: d.Action, Resource: d.Resource, Context: kmsContext(r), Kind: kind}}
		} else if ok {
			detail = &d
		}
	}
	if maps == nil {
		maps = Map(r)
	}
	for _, m := range maps {
		k := callKey{role: roleARN, action: m.Action, resource: m.Resource, context: m.Context, via: id.InvokedBy,
			source: r.EventSource, name: r.EventName, region: r.AWSRegion, kind: m.Kind, denied: denied}
		if denied {
			k.errorCode = r.ErrorCode
		}
		c := ra.calls[k]
		if c == nil {
			c = &Call{Action: m.Action, Resource: m.Resource, Context: m.Context, Via: id.InvokedBy, Mapping: m.Kind,
				Source: r.EventSource, Event: r.EventName, Region: r.AWSRegion, First: t, Last: t}
			if denied {
				c.ErrorCode, c.ErrorMessage, c.Denial = r.ErrorCode, r.ErrorMessage, detail
			}
			ra.calls[k] = c
		} else if denied && (t.Before(c.First) || t.Equal(c.First) && r.ErrorMessage < c.ErrorMessage) {
			c.ErrorMessage, c.Denial = r.ErrorMessage, detail
		}
		c.Count++
		if !denied && r.ErrorCode != "" {
			c.Errors++
		}
		c.First, c.Last = minTime(c.First, t), maxTime(c.Last, t)
		c.Tasks.add(session)
	}
}

func (a *aggregator) merge(o *aggregator) {
	s := &a.stats
	s.Files += o.stats.Files
	s.SkippedFiles += o.stats.SkippedFiles
	s.Bytes += o.stats.Bytes
	s.Records += o.stats.Records
	s.Attributed += o.stats.Attributed
	s.Duplicates += o.stats.Duplicates
	s.OutOfWindow += o.stats.OutOfWindow
	s.OutOfWindowFiles += o.stats.OutOfWindowFiles
	s.BadRecords += o.stats.BadRecords
	for arn, or := range o.roles {
		ra := a.role(arn, or.name)
		if or.sessions != nil {
			if ra.sessions == nil {
				cp := *or.sessions
				cp.Tasks = TaskSet{Names: slices.Clone(or.sessions.Tasks.Names), Truncated: or.sessions.Tasks.Truncated}
				ra.sessions = &cp
			} else {
				x := ra.sessions
				x.Count += or.sessions.Count
				x.Failures += or.sessions.Failures
				x.First, x.Last = minTime(x.First, or.sessions.First), maxTime(x.Last, or.sessions.Last)
				x.Tasks.merge(or.sessions.Tasks)
			}
		}
		for k, oc := range or.calls {
			c := ra.calls[k]
			if c == nil {
				ra.calls[k] = oc
				continue
			}
			if oc.First.Before(c.First) || oc.First.Equal(c.First) && oc.ErrorMessage < c.ErrorMessage {
				c.ErrorMessage, c.Denial = oc.ErrorMessage, oc.Denial
			}
			c.Count += oc.Count
			c.Errors += oc.Errors
			c.First, c.Last = minTime(c.First, oc.First), maxTime(c.Last, oc.Last)
			c.Tasks.merge(oc.Tasks)
		}
	}
}

// usage turns the merged aggregator into the sorted, public form.
func (a *aggregator) usage() *Usage {
	u := &Usage{Stats: a.stats, Roles: []*RoleUsage{}}
	for arn, ra := range a.roles {
		selected := len(ra.calls) > 0 || ra.sessions != nil
		if len(a.filter.Roles) == 0 && ra.sessions == nil {
			selected = false
		}
		if !selected {
			u.OtherRoles = append(u.OtherRoles, arn)
			continue
		}
		ru := &RoleUsage{Role: arn, Name: ra.name, ECSSessions: ra.sessions, Used: []*Call{}, Denied: []*Call{}}
		for k, c := range ra.calls {
			if k.denied {
				ru.Denied = append(ru.Denied, c)
			} else {
				ru.Used = append(ru.Used, c)
			}
		}
		SortCalls(ru.Used)
		SortCalls(ru.Denied)
		u.Roles = append(u.Roles, ru)
	}
	sort.Slice(u.Roles, func(i, j int) bool { return u.Roles[i].Role < u.Roles[j].Role })
	sort.Strings(u.OtherRoles)
	return u
}

// SortCalls puts rows in the report's stable order, which every source of
// usage (local logs, Athena) shares.
func SortCalls(cs []*Call) {
	slices.SortFunc(cs, func(x, y *Call) int {
		return cmp.Or(
			cmp.Compare(x.Action, y.Action), cmp.Compare(x.Resource, y.Resource),
			cmp.Compare(x.Context, y.Context), cmp.Compare(x.Via, y.Via),
			cmp.Compare(x.Region, y.Region), cmp.Compare(x.Source, y.Source),
			cmp.Compare(x.Event, y.Event), cmp.Compare(x.ErrorCode, y.ErrorCode),
			cmp.Compare(x.Mapping, y.Mapping))
	})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
