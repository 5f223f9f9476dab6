// Package jsontree reads JSON into a tree that remembers where every value
// and object key stands in the file, and that rejects what a lenient decoder
// would silently accept: duplicate object keys and invalid UTF-8.
//
// IAM, ECS and CloudFormation all treat a repeated key as an error, while
// encoding/json keeps the last one; jsontree follows the services.
package jsontree

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/execrole/execrole/internal/source"
)

// Kind is the JSON type of a node.
type Kind int

// The JSON kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// Node is one JSON value with its source range.
type Node struct {
	Kind  Kind
	Range source.Range
	// Str holds a string's decoded value, or a number's literal text.
	Str     string
	Bool    bool
	Items   []*Node   // Array
	Members []*Member // Object, in file order
	// Unknown marks a value that a template could not resolve (a
	// CloudFormation !GetAtt or !ImportValue, a Terraform resource
	// attribute). Kind is String and Str holds a visible placeholder that
	// names what is missing, such as "${GetAtt:TaskRole.Arn}".
	Unknown bool
}

// Member is one key of an object.
type Member struct {
	Key      string
	KeyRange source.Range
	Value    *Node
}

// Get returns the value of key in an object node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// Member returns the member named key, or nil.
func (n *Node) Member(key string) *Member {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m
		}
	}
	return nil
}

// Text returns the node as text the way AWS reads scalar values: strings as
// they are, numbers as written, booleans as "true" or "false". ok is false for
// null, arrays and objects.
func (n *Node) Text() (s string, ok bool) {
	switch n.Kind {
	case String, Number:
		return n.Str, true
	case Bool:
		return strconv.FormatBool(n.Bool), true
	}
	return "", false
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 10000

// Parse reads one JSON value from src. Errors name file, line and column.
func Parse(file string, src []byte) (*Node, error) {
	p := &parser{
		src:   src,
		lines: source.NewLines(file, src),
		dec:   jsontext.NewDecoder(bytes.NewReader(src)),
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.ReadToken(); err == nil {
		return nil, p.errAt(int(p.dec.InputOffset()), "unexpected data after the top-level value")
	} else if !errors.Is(err, errEOF) && err.Error() != "EOF" {
		return nil, p.syntax(err)
	}
	return n, nil
}

var errEOF = errors.New("EOF")

type parser struct {
	src   []byte
	lines *source.Lines
	dec   *jsontext.Decoder
}

// start returns the offset at which the next token begins.
func (p *parser) start() int {
	i := int(p.dec.InputOffset())
	for i < len(p.src) {
		switch p.src[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (p *parser) errAt(offset int, format string, args ...any) error {
	return &source.Diagnostic{Range: p.lines.Range(offset, offset), Summary: fmt.Sprintf(format, args...)}
}

func (p *parser) syntax(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		msg := se.Err.Error()
		if ptr := string(se.JSONPointer); ptr != "" && strings.Contains(msg, "duplicate") {
			msg = fmt.Sprintf("%s (at %s); a key may appear only once in an object", msg, ptr)
		}
		return p.errAt(int(se.ByteOffset), "invalid JSON: %s", msg)
	}
	if err.Error() == "unexpected EOF" || err.Error() == "EOF" {
		return p.errAt(len(p.src), "invalid JSON: unexpected end of input")
	}
	return p.errAt(int(p.dec.InputOffset()), "invalid JSON: %v", err)
}

func (p *parser) value(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.start(), "JSON nested more than %d levels deep", maxDepth)
	}
	begin := p.start()
	tok, err := p.dec.ReadToken()
	if err != nil {
		return nil, p.syntax(err)
	}
	n := &Node{}
	switch tok.Kind() {
	case 'n':
		n.Kind = Null
	case 't', 'f':
		n.Kind, n.Bool = Bool, tok.Bool()
	case '"':
		n.Kind, n.Str = String, tok.String()
	case '0':
		n.Kind, n.Str = Number, tok.String()
	case '[':
		n.Kind = Array
		for p.dec.PeekKind() != ']' {
			item, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
		}
		if _, err := p.dec.ReadToken(); err != nil {
			return nil, p.syntax(err)
		}
	case '{':
		n.Kind = Object
		for p.dec.PeekKind() != '}' {
			kb := p.start()
			kt, err := p.dec.ReadToken()
			if err != nil {
				return nil, p.syntax(err)
			}
			m := &Member{Key: kt.String(), KeyRange: p.lines.Range(kb, int(p.dec.InputOffset()))}
			if m.Value, err = p.value(depth + 1); err != nil {
				return nil, err
			}
			n.Members = append(n.Members, m)
		}
		if _, err := p.dec.ReadToken(); err != nil {
			return nil, p.syntax(err)
		}
	default:
		return nil, p.errAt(begin, "invalid JSON: unexpected token")
	}
	n.Range = p.lines.Range(begin, int(p.dec.InputOffset()))
	return n, nil
}

// Relocate points every range of the tree, keys included, at r. Trees parsed
// from text embedded in a file (a policy document in a string, a Terraform
// jsonencode result) use it: offsets inside the decoded text mean nothing
// in the file, the string's own range does.
func (n *Node) Relocate(r source.Range) {
	n.Range = r
	for _, it := range n.Items {
		it.Relocate(r)
	}
	for _, m := range n.Members {
		m.KeyRange = r
		m.Value.Relocate(r)
	}
}
