package cli

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// lineDecoder reads request lines token by token with one reusable
// decoder: batch throughput is bounded by this, not by the engine.
type lineDecoder struct {
	dec *jsontext.Decoder
	r   bytes.Reader
}

func newLineDecoder() *lineDecoder {
	d := &lineDecoder{}
	d.dec = jsontext.NewDecoder(&d.r)
	return d
}

var errNotObject = errors.New("a request line must be a JSON object")

// decode parses one line into rl. Unknown members are errors, as are
// duplicate ones (jsontext rejects those).
func (d *lineDecoder) decode(line []byte, rl *requestLine) error {
	d.r.Reset(line)
	d.dec.Reset(&d.r)
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return errNotObject
	}
	for d.dec.PeekKind() != '}' {
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
			return fmt.Errorf("unknown member %q", name)
		}
		v, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		if v.Kind() != '"' {
			return fmt.Errorf("%s must be a string", name)
		}
		*dst = v.String()
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	if _, err := d.dec.ReadToken(); err == nil {
		return errors.New("unexpected data after the request object")
	}
	return nil
}

func (d *lineDecoder) context(rl *requestLine) error {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == 'n' {
		return nil
	}
	if tok.Kind() != '{' {
		return errors.New("context must be an object")
	}
	rl.Context = map[string]any{}
	for d.dec.PeekKind() != '}' {
		k, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		key := k.String() // tokens are void after the next read
		v, err := d.scalarOrList()
		if err != nil {
			return fmt.Errorf("context key %q: %w", key, err)
		}
		rl.Context[key] = v
	}
	_, err = d.dec.ReadToken()
	return err
}

// scalarOrList returns a context value as contextValues accepts it.
func (d *lineDecoder) scalarOrList() (any, error) {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '"', '0':
		return tok.String(), nil
	case 't', 'f':
		return tok.Bool(), nil
	case '[':
		var list []any
		for d.dec.PeekKind() != ']' {
			it, err := d.dec.ReadToken()
			if err != nil {
				return nil, err
			}
			switch it.Kind() {
			case '"', '0':
				list = append(list, it.String())
			case 't', 'f':
				list = append(list, it.Bool())
			default:
				return nil, errors.New("expected a string, number, boolean or a list of them")
			}
		}
		_, err := d.dec.ReadToken()
		return list, err
	}
	return nil, errors.New("expected a string, number, boolean or a list of them")
}
