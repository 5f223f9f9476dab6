package cloudtrail

import "strings"

// IsDenial reports whether an errorCode is an authorisation failure. The
// pattern is the CIS CloudTrail metric filter
// ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*"),
// widened to any code containing "Unauthorized" (research section 2.5).
func IsDenial(code string) bool {
	return strings.HasPrefix(code, "AccessDenied") || strings.Contains(code, "Unauthorized")
}

// DenialDetail is what an AccessDenied message says, in the grammar
// "User: P is not authorized to perform: A on resource: R because no T policy
// allows the A action" or "... with an explicit deny in a T policy"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
type DenialDetail struct {
	Action     string `json:"action,omitempty"`
	Resource   string `json:"resource,omitempty"`
	PolicyType string `json:"policyType,omitempty"` // e.g. "identity-based", "service control"
	Explicit   bool   `json:"explicit,omitzero"`
}

// ParseDenial extracts action, resource and policy type from an
// errorMessage. ok is false when the message does not follow the grammar
// (older or service-specific texts); CloudTrail truncates messages at 1 KB,
// so a missing tail is tolerated.
func ParseDenial(msg string) (d DenialDetail, ok bool) {
	const perform = " is not authorized to perform: "
	i := strings.Index(msg, perform)
	if i < 0 {
		return d, false
	}
	rest := msg[i+len(perform):]
	j := strings.Index(rest, " on resource: ")
	if j < 0 {
		d.Action = strings.TrimRight(firstWord(rest), ".")
		return d, d.Action != ""
	}
	d.Action = rest[:j]
	rest = rest[j+len(" on resource: "):]
	end := len(rest)
	for _, sep := range []string{" because ", " with an explicit deny", ". ", " Encoded authorization"} {
		if k := strings.Index(rest, sep); k >= 0 && k < end {
			end = k
		}
	}
	d.Resource = strings.TrimRight(rest[:end], ".")
	tail := rest[end:]
	switch {
	case strings.HasPrefix(tail, " with an explicit deny in a"):
		d.Explicit = true
		d.PolicyType = policyType(strings.TrimPrefix(tail, " with an explicit deny in a"))
	case strings.HasPrefix(tail, " because no "):
		d.PolicyType = policyType(strings.TrimPrefix(tail, " because no "))
	}
	return d, true
}

func policyType(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "n ")
	if k := strings.Index(s, " policy"); k >= 0 {
		return strings.TrimSpace(s[:k])
	}
	return ""
}

func firstWord(s string) string {
	if k := strings.IndexByte(s, ' '); k >= 0 {
		return s[:k]
	}
	return s
}
