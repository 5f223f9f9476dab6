package eval

import "strconv"

// whyKind names an explanation message: what an implicit deny lacks
// (Result.Missing) or why a near miss did not apply (NearMiss.Reason).
type whyKind uint8

const (
	whyNone whyKind = iota
	// Near misses.
	whyResourceNotIn    // the resource is not in Resource
	whyResourceExcluded // the resource is excluded by NotResource
	whyWildcardOnly     // the action takes only Resource "*"
	whyPrincipalExcluded
	whyPrincipalNotNamed
	whyNoPrincipal // a resource policy statement without Principal
	whyCondition   // text: the failed condition, rendered at compile time
	// Missing permissions.
	whyAWSOwned
	whySCP // level
	whyEndpoint
	whyResourcePolicy // for a caller only a resource policy can allow
	whyBoundary
	whySession
	whyIdentity
	whyCrossAccount // text: the resource's account
	whyTrustOrKey
)

// why is one message before it is rendered: Lazy results keep these, so
// that explaining builds no strings. The rest of the message comes from
// the request and its caller.
type why struct {
	kind  whyKind
	level int
	text  string
	key   string // whyCondition: the condition key
}

// appendWhy renders w for req, whose caller is named who.
func appendWhy(dst []byte, w why, req *Request, who string) []byte {
	on := func(dst []byte) []byte {
		dst = append(dst, req.Action...)
		dst = append(dst, " on "...)
		return append(dst, req.Resource...)
	}
	perform := func(dst []byte) []byte {
		dst = append(dst, who...)
		dst = append(dst, " to perform "...)
		return on(dst)
	}
	switch w.kind {
	case whyNoPrincipal, whyCondition:
		return append(dst, w.text...)
	case whyResourceNotIn:
		dst = append(append(dst, "resource "...), req.Resource...)
		return append(dst, " is not in its Resource"...)
	case whyResourceExcluded:
		dst = append(append(dst, "resource "...), req.Resource...)
		return append(dst, " is excluded by its NotResource"...)
	case whyWildcardOnly:
		dst = append(dst, req.Action...)
		return append(dst, ` supports no resource-level permissions: only Resource "*" grants it`...)
	case whyPrincipalExcluded:
		dst = append(append(dst, "principal "...), who...)
		return append(dst, " is excluded by its NotPrincipal"...)
	case whyPrincipalNotNamed:
		dst = append(append(dst, "principal "...), who...)
		return append(dst, " is not named in its Principal"...)
	case whyAWSOwned:
		dst = append(dst, req.Resource...)
		dst = append(dst, " is owned by AWS and cannot be changed with "...)
		return append(dst, req.Action...)
	case whySCP:
		dst = append(dst, "no service control policy at organization level "...)
		dst = strconv.AppendInt(dst, int64(w.level), 10)
		return on(append(dst, " allows "...))
	case whyEndpoint:
		return on(append(dst, "the VPC endpoint policy does not allow "...))
	case whyResourcePolicy:
		return perform(append(dst, "no resource-based policy allows "...))
	case whyBoundary:
		return on(append(dst, "the permissions boundary does not allow "...))
	case whySession:
		return on(append(dst, "the session policy does not allow "...))
	case whyIdentity:
		return on(append(dst, "no identity-based policy allows "...))
	case whyCrossAccount:
		dst = append(dst, "no resource-based policy in account "...)
		dst = append(dst, w.text...)
		return perform(append(dst, " allows "...))
	case whyTrustOrKey:
		return perform(append(dst, "the resource-based policy (trust or key policy) does not allow "...))
	}
	return dst
}

// render returns w as a string, allocating only the string.
func (w why) render(req *Request, who string) string {
	var buf [256]byte
	return string(appendWhy(buf[:0], w, req, who))
}

// AppendMissing appends Missing[i], or with Lazy the i-th of
// MissingCount() messages, to dst. With Lazy it reads the request given
// to ExplainInto, which must not have changed.
func (r *Result) AppendMissing(dst []byte, i int) []byte {
	if r.Lazy {
		return appendWhy(dst, r.lazyMissing[i], r.req, r.who)
	}
	return append(dst, r.Missing[i]...)
}

// MissingCount returns how many messages say what an implicit deny
// lacks: len(Missing), or with Lazy the ones AppendMissing writes.
func (r *Result) MissingCount() int {
	if r.Lazy {
		return len(r.lazyMissing)
	}
	return len(r.Missing)
}

// AppendReason appends NearMisses[i].Reason to dst, which with Lazy is
// empty and rendered here instead, from the request given to ExplainInto
// (which must not have changed).
func (r *Result) AppendReason(dst []byte, i int) []byte {
	if r.Lazy {
		return appendWhy(dst, r.NearMisses[i].why, r.req, r.who)
	}
	return append(dst, r.NearMisses[i].Reason...)
}

// Element names the statement element a near miss failed on: "Resource",
// "Principal" or "Condition". Callers that judge a denial (is it only a
// value the input did not say?) use it instead of reading Reason.
func (n *NearMiss) Element() string {
	switch n.why.kind {
	case whyResourceNotIn, whyResourceExcluded, whyWildcardOnly:
		return "Resource"
	case whyPrincipalExcluded, whyPrincipalNotNamed, whyNoPrincipal:
		return "Principal"
	case whyCondition:
		return "Condition"
	}
	return ""
}

// ConditionKey is the key of the condition a near miss failed on, as
// written in the policy; "" unless Element is "Condition".
func (n *NearMiss) ConditionKey() string { return n.why.key }
