// Package cloudtrail reads CloudTrail logs (S3 delivery files, lookup-events
// output, CloudTrail Lake rows), attributes each event to the ECS role whose
// session made it, maps the event to the IAM action and resource that were
// authorised, and aggregates the result with memory that stays flat however
// large the trail is.
//
// Formats, attribution rules and the event-to-action mapping follow
// /work/shared/research/cloudtrail-audit.md, which cites the AWS CloudTrail
// User Guide for every behaviour encoded here.
package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Record is the subset of a CloudTrail event the audit needs. Fields follow
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
// unknown fields are ignored, as AWS asks of parsers, so newer eventVersions
// keep working.
type Record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	ErrorCode          string         `json:"errorCode"`
	ErrorMessage       string         `json:"errorMessage"`
	RequestParameters  jsontext.Value `json:"requestParameters"`
	EventID            string         `json:"eventID"`
	EventType          string         `json:"eventType"`
	Resources          []Resource     `json:"resources"`
	RecipientAccountID string         `json:"recipientAccountId"`
	VPCEndpointID      string         `json:"vpcEndpointId"`
}

// UserIdentity is who made the call. For an ECS task the execution role
// session is Type "AssumedRole" with SessionContext.SessionIssuer naming the
// role; the session name after the ':' of PrincipalID is the task ID.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
type UserIdentity struct {
	Type           string `json:"type"`
	PrincipalID    string `json:"principalId"`
	ARN            string `json:"arn"`
	AccountID      string `json:"accountId"`
	InvokedBy      string `json:"invokedBy"`
	SessionContext struct {
		SessionIssuer struct {
			Type     string `json:"type"`
			ARN      string `json:"arn"`
			UserName string `json:"userName"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

// Resource is one entry of resources[]. The key is upper-case "ARN" in
// delivered files and lower-case in Athena and some exports, so names are
// matched case-insensitively.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// SessionName is the role session name, which ECS sets to the task ID.
func (r *Record) SessionName() string {
	if i := strings.LastIndexByte(r.UserIdentity.PrincipalID, ':'); i >= 0 {
		return r.UserIdentity.PrincipalID[i+1:]
	}
	if i := strings.LastIndexByte(r.UserIdentity.ARN, '/'); i >= 0 && strings.Contains(r.UserIdentity.ARN, ":assumed-role/") {
		return r.UserIdentity.ARN[i+1:]
	}
	return ""
}

// Time parses EventTime, which CloudTrail writes as UTC
// "YYYY-MM-DDTHH:MM:SSZ"; fractional seconds and offsets are accepted too.
func (r *Record) Time() (time.Time, error) {
	return parseEventTime(r.EventTime)
}

func parseEventTime(s string) (time.Time, error) {
	if len(s) == 20 && s[19] == 'Z' && s[10] == 'T' {
		if t, ok := fastTime(s); ok {
			return t, nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// CloudTrail Lake and Athena print "YYYY-MM-DD HH:MM:SS(.fff)".
		if t2, err2 := time.Parse("2006-01-02 15:04:05.999999999", s); err2 == nil {
			return t2.UTC(), nil
		}
		return time.Time{}, fmt.Errorf("eventTime %q: want YYYY-MM-DDTHH:MM:SSZ", s)
	}
	return t.UTC(), nil
}

// fastTime parses the fixed CloudTrail layout without the generic parser,
// since it runs once per attributed record.
func fastTime(s string) (time.Time, bool) {
	n := func(a, b int) (int, bool) {
		v := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := n(0, 4)
	mo, ok2 := n(5, 7)
	d, ok3 := n(8, 10)
	h, ok4 := n(11, 13)
	mi, ok5 := n(14, 16)
	se, ok6 := n(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), true
}

// decodeOpts relax validation on the hot path: CloudTrail truncates fields at
// byte limits (which can split UTF-8) and we never re-emit the raw text, so
// duplicate names and invalid UTF-8 are tolerated rather than fatal.
var decodeOpts = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	json.MatchCaseInsensitiveNames(true),
)

var errNotObject = errors.New("record is not a JSON object")

// ParseRecord decodes one CloudTrail event. It returns a nil record with any
// error; it never panics on any input.
func ParseRecord(b []byte) (*Record, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	if !jsontext.Value(b).IsValid(decodeOpts) {
		// Let the full decoder describe the problem.
		var v any
		if err := json.Unmarshal(b, &v, decodeOpts); err != nil {
			return nil, err
		}
		return nil, errSyntax
	}
	r := new(Record)
	if err := parseRecordFast(b, r); err != nil {
		return nil, err
	}
	r.RequestParameters = bytes.Clone(r.RequestParameters)
	return r, nil
}

// param returns the string value of a requestParameters member, matching
// the name case-insensitively: Secrets Manager wrote "aRN" for "arn" before
// February 2024
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html).
// A dotted name descends into nested objects ("encryptionContext.SecretARN").
func (r *Record) param(name string) string {
	v := r.paramValue(name)
	if len(v) == 0 || v[0] != '"' {
		return ""
	}
	s := &scan{b: v}
	return s.str()
}

// paramStrings returns the strings of an array member of requestParameters.
func (r *Record) paramStrings(name string) []string {
	v := r.paramValue(name)
	if len(v) == 0 || v[0] != '[' {
		return nil
	}
	var out []string
	s := &scan{b: v}
	s.array(func() {
		if s.peek() == '"' {
			out = append(out, s.str())
		} else {
			s.skip()
		}
	})
	return out
}

// paramValue finds a member of requestParameters without decoding the rest.
func (r *Record) paramValue(name string) []byte {
	v := []byte(r.RequestParameters)
	for name != "" {
		part := name
		if i := strings.IndexByte(name, '.'); i >= 0 {
			part, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		v = member(v, part)
		if v == nil {
			return nil
		}
	}
	return v
}

func member(v []byte, name string) []byte {
	s := &scan{b: v}
	if s.peek() != '{' {
		return nil
	}
	var found []byte
	s.object(func(k []byte) {
		if found == nil && strings.EqualFold(string(k), name) {
			s.ws()
			start := s.i
			s.skip()
			found = v[start:s.i]
		}
	})
	if s.err != nil {
		return nil
	}
	return found
}
