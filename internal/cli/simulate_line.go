package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/go-json-experiment/json/jsontext"
)

// requestLine is one line of a --requests file:
// {"principal","action","resource","resourceAccount","context"}.
type requestLine struct {
	Principal, Action, Resource, ResourceAccount string
	// Context holds the line's condition keys in line order; a value is
	// a string, number or boolean (its JSON text, unquoted) or a list of
	// them (one string each).
	Context []ctxEntry
	// plain: every string member came from the line as printable ASCII
	// without escapes, so the output may copy it between quotes as is.
	plain bool
}

// ctxEntry is one context key: with vals nil, its one value is val (the
// fast decoder's case, which so allocates nothing).
type ctxEntry struct {
	key, val string
	vals     []string
}

// reset empties rl, keeping its Context's capacity.
func (rl *requestLine) reset() {
	*rl = requestLine{Context: rl.Context[:0]}
}

// lineError is a bad request line: what is wrong and the byte offset in
// the line where it is.
type lineError struct {
	off int
	err error
}

func (e *lineError) Error() string { return e.err.Error() }

// decodeFast parses the common shape of a request line without
// allocating: an object whose members are among the five names, once each,
// with strings of printable ASCII without escapes as values, and a context
// of such strings. It reports false, leaving rl partly filled, for anything
// else, valid or not; lineDecoder then decides. Strings are substrings of
// line, which must stay unchanged while they are in use.
func decodeFast(line string, rl *requestLine) bool {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	i = skipWS(line, i+1)
	var seen uint8
	if i < len(line) && line[i] == '}' {
		i++
	} else {
		for {
			name, j, ok := plainString(line, i)
			if !ok {
				return false
			}
			if i = skipWS(line, j); i >= len(line) || line[i] != ':' {
				return false
			}
			i = skipWS(line, i+1)
			var dst *string
			var bit uint8
			switch name {
			case "principal":
				dst, bit = &rl.Principal, 1
			case "action":
				dst, bit = &rl.Action, 2
			case "resource":
				dst, bit = &rl.Resource, 4
			case "resourceAccount":
				dst, bit = &rl.ResourceAccount, 8
			case "context":
				bit = 16
			default:
				return false
			}
			if seen&bit != 0 {
				return false // duplicate: the general decoder reports it
			}
			seen |= bit
			if dst != nil {
				if *dst, i, ok = plainString(line, i); !ok {
					return false
				}
			} else if i, ok = fastContext(line, i, rl); !ok {
				return false
			}
			if i = skipWS(line, i); i >= len(line) {
				return false
			}
			if line[i] == '}' {
				i++
				break
			}
			if line[i] != ',' {
				return false
			}
			i = skipWS(line, i+1)
		}
	}
	if skipWS(line, i) != len(line) {
		return false
	}
	rl.plain = true
	return true
}

// fastContext parses a context object of plain strings at line[i:].
func fastContext(line string, i int, rl *requestLine) (int, bool) {
	if i >= len(line) || line[i] != '{' {
		return i, false
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return i + 1, true
	}
	for {
		k, j, ok := plainString(line, i)
		if !ok {
			return i, false
		}
		if len(rl.Context) >= 16 {
			return i, false // many keys: the general decoder's duplicate check is not quadratic
		}
		for _, e := range rl.Context {
			if e.key == k {
				return i, false // duplicate
			}
		}
		if i = skipWS(line, j); i >= len(line) || line[i] != ':' {
			return i, false
		}
		v, j, ok := plainString(line, skipWS(line, i+1))
		if !ok {
			return i, false
		}
		rl.Context = append(rl.Context, ctxEntry{key: k, val: v})
		if i = skipWS(line, j); i >= len(line) {
			return i, false
		}
		switch line[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipWS(line, i+1)
		default:
			return i, false
		}
	}
}

// plainString reads a JSON string at line[i:] made only of printable ASCII
// other than '"' and '\\': its text is its value, and its output needs no
// escaping. It returns the value and the offset after the closing quote.
func plainString(line string, i int) (string, int, bool) {
	if i >= len(line) || line[i] != '"' {
		return "", i, false
	}
	j := i + 1
	// Eight bytes at a time (SWAR, the bit tricks of
	// https://graphics.stanford.edu/~seander/bithacks.html#HasLessInWord),
	// since this loop is most of the decoding: the lowest flagged byte is
	// the first special one.
	for ; j+8 <= len(line); j += 8 {
		if m := specialMask(load64(line, j)); m != 0 {
			j += bits.TrailingZeros64(m) / 8
			if line[j] == '"' {
				return line[i+1 : j], j + 1, true
			}
			return "", j, false
		}
	}
	for ; j < len(line); j++ {
		c := line[j]
		if c == '"' {
			return line[i+1 : j], j + 1, true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return "", j, false
		}
	}
	return "", len(line), false
}

// load64 returns s[i:i+8] as a little-endian word (one load once compiled).
func load64[B ~[]byte | ~string](s B, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// specialMask sets the high bit of each byte of w that is below 0x20,
// above 0x7e, '"' or '\\', and maybe of bytes above such a byte (borrows
// and carries only move upwards): the lowest set bit is exact, and so is
// whether any is set.
func specialMask(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ctl := (w - 0x20*ones) &^ w
	high := w | (w + ones)
	q := w ^ '"'*ones
	bs := w ^ '\\'*ones
	return (ctl | high | (q-ones)&^q | (bs-ones)&^bs) & highs
}

// skipWS skips JSON whitespace (RFC 8259 §2).
func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// lineDecoder reads request lines of any valid shape token by token with
// one reusable decoder: escapes, Unicode, numbers, booleans and lists in
// the context, and it says what is wrong with a bad line, and where.
type lineDecoder struct {
	dec  *jsontext.Decoder
	r    bytes.Reader
	line []byte
}

func newLineDecoder() *lineDecoder {
	d := &lineDecoder{}
	d.dec = jsontext.NewDecoder(&d.r)
	return d
}

var errNotObject = errors.New("a request line must be a JSON object")

// decode parses one line into rl. Unknown members are errors, as are
// duplicate ones (jsontext rejects those). The error is a *lineError.
func (d *lineDecoder) decode(line []byte, rl *requestLine) error {
	d.line = line
	d.r.Reset(line)
	d.dec.Reset(&d.r)
	if err := d.object(rl); err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return &lineError{le.off, err} // err may add "context key ..."
		}
		var se *jsontext.SyntacticError
		if errors.As(err, &se) {
			return &lineError{int(se.ByteOffset), err}
		}
		return &lineError{int(d.dec.InputOffset()), err}
	}
	return nil
}

// fail reports err at the token that starts at or after off.
func (d *lineDecoder) fail(off int64, err error) error {
	i := int(off)
	for i < len(d.line) && bytes.IndexByte([]byte(" \t\r\n,:"), d.line[i]) >= 0 {
		i++
	}
	return &lineError{i, err}
}

func (d *lineDecoder) object(rl *requestLine) error {
	off := d.dec.InputOffset()
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return d.fail(off, errNotObject)
	}
	for d.dec.PeekKind() != '}' {
		off := d.dec.InputOffset()
		k, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		var dst *string
		name := k.String() // tokens are void after the next read
		switch name {
		case "principal":
			dst = &rl.Principal
		case "action":
			dst = &rl.Action
		case "resource":
			dst = &rl.Resource
		case "resourceAccount":
			dst = &rl.ResourceAccount
		case "context":
			if err := d.context(rl); err != nil {
				return err
			}
			continue
		default:
			return d.fail(off, fmt.Errorf("unknown member %q", name))
		}
		off = d.dec.InputOffset()
		v, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		if v.Kind() != '"' {
			return d.fail(off, fmt.Errorf("%s must be a string", name))
		}
		*dst = v.String()
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	off = d.dec.InputOffset()
	if _, err := d.dec.ReadToken(); err != io.EOF {
		// A valid token and a syntax error alike: nothing may follow.
		return d.fail(off, errors.New("unexpected data after the request object"))
	}
	return nil
}

func (d *lineDecoder) context(rl *requestLine) error {
	off := d.dec.InputOffset()
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == 'n' {
		return nil
	}
	if tok.Kind() != '{' {
		return d.fail(off, errors.New("context must be an object"))
	}
	for d.dec.PeekKind() != '}' {
		k, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		key := k.String() // tokens are void after the next read
		vals, err := d.scalarOrList()
		if err != nil {
			return fmt.Errorf("context key %q: %w", key, err)
		}
		rl.Context = append(rl.Context, ctxEntry{key: key, vals: vals})
	}
	_, err = d.dec.ReadToken()
	return err
}

var errContextValue = errors.New("expected a string, number, boolean or a list of them")

// scalarOrList returns a context value as strings: a string's value, a
// number's JSON text, "true" or "false"; a list gives one string each.
func (d *lineDecoder) scalarOrList() ([]string, error) {
	off := d.dec.InputOffset()
	tok, err := d.dec.ReadToken()
	if err != nil {
		return nil, err
	}
	if tok.Kind() != '[' {
		s, ok := scalar(tok)
		if !ok {
			return nil, d.fail(off, errContextValue)
		}
		return []string{s}, nil
	}
	list := []string{}
	for d.dec.PeekKind() != ']' {
		off := d.dec.InputOffset()
		it, err := d.dec.ReadToken()
		if err != nil {
			return nil, err
		}
		s, ok := scalar(it)
		if !ok {
			return nil, d.fail(off, errContextValue)
		}
		list = append(list, s)
	}
	_, err = d.dec.ReadToken()
	return list, err
}

func scalar(tok jsontext.Token) (string, bool) {
	switch tok.Kind() {
	case '"', '0':
		return tok.String(), true
	case 't':
		return "true", true
	case 'f':
		return "false", true
	}
	return "", false
}
