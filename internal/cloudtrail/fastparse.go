package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// This file is the hot path: a field extractor over one record whose syntax
// the streaming decoder has already validated. It reads only the members a
// Record holds and skips the rest by bracket matching, which is several
// times faster than a reflective decode of the whole event. Members of an
// unexpected type are left empty rather than failing the record.

var errSyntax = errors.New("malformed record")

type scan struct {
	b   []byte
	i   int
	err error
	in  *interner
}

// interner shares the strings of low-cardinality fields (event source and
// name, region, role ARN) across records, saving most per-record
// allocations. It stops growing at maxInterned entries.
type interner map[string]string

const maxInterned = 1 << 14

func (in *interner) get(raw []byte) string {
	if s, ok := (*in)[string(raw)]; ok {
		return s
	}
	s := string(raw)
	if *in == nil {
		*in = interner{}
	}
	if len(*in) < maxInterned {
		(*in)[s] = s
	}
	return s
}

// istr is str for low-cardinality fields.
func (s *scan) istr() string {
	if s.in == nil || s.peek() != '"' {
		return s.str()
	}
	save := s.i
	raw, esc := s.rawString()
	if esc {
		s.i = save
		return s.str()
	}
	return s.in.get(raw)
}

func (s *scan) fail() {
	if s.err == nil {
		if s.i >= len(s.b) {
			s.err = fmt.Errorf("unexpected end of JSON at %s", s.position(len(s.b)))
		} else {
			s.err = fmt.Errorf("malformed JSON at %s", s.position(s.i))
		}
	}
	s.i = len(s.b)
}

// position names offset i of the (decompressed) file as line and column,
// counted only when an error is reported.
func (s *scan) position(i int) string {
	line, col := 1, 1
	for _, c := range s.b[:min(i, len(s.b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, i)
}

func (s *scan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scan) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// rawString returns the bytes between the quotes and whether they contain
// escapes; s.i must be at the opening quote.
func (s *scan) rawString() (raw []byte, escaped bool) {
	s.i++ // opening quote
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.fail()
			return nil, false
		}
		end := s.i + j
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for k := end - 1; k >= start && s.b[k] == '\\'; k-- {
			n++
		}
		s.i = end + 1
		if n%2 == 0 {
			raw = s.b[start:end]
			return raw, escaped || bytes.IndexByte(raw, '\\') >= 0
		}
		escaped = true
	}
}

// str reads a string value; non-strings are skipped and yield "".
func (s *scan) str() string {
	if s.peek() != '"' {
		s.skip()
		return ""
	}
	start := s.i
	raw, esc := s.rawString()
	if !esc {
		return string(raw)
	}
	out, err := jsontext.AppendUnquote(nil, s.b[start:s.i])
	if err != nil {
		return string(raw)
	}
	return string(out)
}

// key reads an object member name and the colon after it.
func (s *scan) key() (k []byte, ok bool) {
	if s.peek() != '"' {
		s.fail()
		return nil, false
	}
	k, esc := s.rawString()
	if esc {
		if u, err := jsontext.AppendUnquote(nil, append(append([]byte{'"'}, k...), '"')); err == nil {
			k = u
		}
	}
	if s.peek() != ':' {
		s.fail()
		return nil, false
	}
	s.i++
	return k, true
}

// skip moves past one value of any kind.
func (s *scan) skip() {
	switch s.peek() {
	case '"':
		s.rawString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.rawString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
		s.fail()
	case 0:
		s.fail()
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

// object calls fn for each member; fn must consume the value.
func (s *scan) object(fn func(k []byte)) {
	if s.peek() != '{' {
		s.skip()
		return
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return
	}
	for s.err == nil {
		k, ok := s.key()
		if !ok {
			return
		}
		s.ws()
		before := s.i
		fn(k)
		if s.i == before {
			s.skip()
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return
		default:
			s.fail()
			return
		}
	}
}

// array calls fn for each element; fn must consume the element.
func (s *scan) array(fn func()) {
	if s.peek() != '[' {
		s.skip()
		return
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return
	}
	for s.err == nil {
		fn()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return
		default:
			s.fail()
			return
		}
	}
}

func keyIs(k []byte, name string) bool { return string(k) == name }

// parseRecordFast fills r from one JSON object.
func parseRecordFast(b []byte, r *Record) error {
	return parseRecordInto(b, r, nil)
}

func parseRecordInto(b []byte, r *Record, in *interner) error {
	s := &scan{b: b, in: in}
	return s.record(r)
}

// record reads one event object at the current position.
func (s *scan) record(r *Record) error {
	if s.peek() != '{' {
		s.skip()
		return errNotObject
	}
	s.object(func(k []byte) {
		switch string(k) {
		case "eventVersion":
			r.EventVersion = s.istr()
		case "eventTime":
			r.EventTime = s.str()
		case "eventSource":
			r.EventSource = s.istr()
		case "eventName":
			r.EventName = s.istr()
		case "awsRegion":
			r.AWSRegion = s.istr()
		case "errorCode":
			r.ErrorCode = s.istr()
		case "errorMessage":
			r.ErrorMessage = s.str()
		case "eventID":
			r.EventID = s.str()
		case "eventType":
			r.EventType = s.istr()
		case "recipientAccountId":
			r.RecipientAccountID = s.istr()
		case "vpcEndpointId":
			r.VPCEndpointID = s.str()
		case "requestParameters":
			// Aliases the input: callers that keep the record copy it.
			if s.peek() == '{' {
				start := s.i
				s.skip()
				r.RequestParameters = jsontext.Value(s.b[start:s.i])
			}
		case "resources":
			s.array(func() {
				var res Resource
				s.object(func(k []byte) {
					switch {
					case strings.EqualFold(string(k), "ARN"):
						res.ARN = s.str()
					case strings.EqualFold(string(k), "accountId"):
						res.AccountID = s.istr()
					case strings.EqualFold(string(k), "type"):
						res.Type = s.istr()
					}
				})
				r.Resources = append(r.Resources, res)
			})
		case "userIdentity":
			u := &r.UserIdentity
			s.object(func(k []byte) {
				switch string(k) {
				case "type":
					u.Type = s.istr()
				case "principalId":
					u.PrincipalID = s.str()
				case "arn":
					u.ARN = s.str()
				case "accountId":
					u.AccountID = s.istr()
				case "invokedBy":
					u.InvokedBy = s.istr()
				case "sessionContext":
					s.object(func(k []byte) {
						if !keyIs(k, "sessionIssuer") {
							return
						}
						si := &u.SessionContext.SessionIssuer
						s.object(func(k []byte) {
							switch string(k) {
							case "type":
								si.Type = s.istr()
							case "arn":
								si.ARN = s.istr()
							case "userName":
								si.UserName = s.istr()
							}
						})
					})
				}
			})
		}
	})
	if s.err != nil {
		return s.err
	}
	return nil
}
