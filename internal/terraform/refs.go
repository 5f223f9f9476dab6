package terraform

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ref marks an unknown value with the reference it stands for, so that a
// placeholder such as ${aws_iam_role.execution.arn} survives jsonencode and
// reaches the caller.
type ref string

// unknownRef is an unknown value that remembers what it stands for.
func unknownRef(name string) cty.Value { return cty.DynamicVal.Mark(ref(name)) }

// reserved roots are not resource types.
var reserved = map[string]bool{"var": true, "local": true, "data": true, "module": true, "path": true,
	"count": true, "each": true, "terraform": true, "self": true}

// refScan records every reference the module's expressions make, so that
// references to things declared elsewhere (another file, another module, the
// cloud) evaluate to named unknowns rather than failing.
type refScan struct {
	first map[string]hcl.Range       // "var.x", "local.y", "aws_iam_role.r" → first use
	attrs map[string]map[string]bool // "aws_iam_role.r" / "data.t.n" / "module.m" → attributes used
	index map[string]bool            // addresses used with [..] after the name
	types map[string]map[string]bool // resource type → names
	data  map[string]map[string]bool // data type → names
	mods  map[string]bool
	// prefix qualifies the names of unknowns inside a child module
	// ("module.x."), so that they name the same thing from everywhere.
	prefix string
}

func (e *evaluator) scanRefs(bodies []*hclsyntax.Body) *refScan {
	s := &refScan{first: map[string]hcl.Range{}, attrs: map[string]map[string]bool{}, index: map[string]bool{},
		types: map[string]map[string]bool{}, data: map[string]map[string]bool{}, mods: map[string]bool{}, prefix: e.prefix}
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			for _, t := range a.Expr.Variables() {
				s.add(t)
			}
		}
		for _, blk := range b.Blocks {
			walk(blk.Body)
		}
	}
	for _, b := range bodies {
		walk(b)
	}
	return s
}

func attrName(t hcl.Traverser) (string, bool) {
	a, ok := t.(hcl.TraverseAttr)
	return a.Name, ok
}

func (s *refScan) use(key string, r hcl.Range) {
	// Keep the earliest use, whatever order the walk visits them in.
	if old, ok := s.first[key]; !ok || r.Filename < old.Filename || r.Filename == old.Filename && r.Start.Byte < old.Start.Byte {
		s.first[key] = r
	}
}

func (s *refScan) addAttr(addr string, rest hcl.Traversal) {
	if s.attrs[addr] == nil {
		s.attrs[addr] = map[string]bool{}
	}
	if len(rest) == 0 {
		return
	}
	if n, ok := attrName(rest[0]); ok {
		s.attrs[addr][n] = true
	} else {
		s.index[addr] = true
	}
}

func (s *refScan) add(t hcl.Traversal) {
	root := t.RootName()
	rng := t.SourceRange()
	switch root {
	case "var", "local":
		if len(t) > 1 {
			if n, ok := attrName(t[1]); ok {
				s.use(root+"."+n, rng)
			}
		}
	case "module":
		if len(t) > 1 {
			if n, ok := attrName(t[1]); ok {
				s.mods[n] = true
				s.addAttr("module."+n, t[2:])
			}
		}
	case "data":
		if len(t) > 2 {
			ty, ok1 := attrName(t[1])
			n, ok2 := attrName(t[2])
			if ok1 && ok2 {
				if s.data[ty] == nil {
					s.data[ty] = map[string]bool{}
				}
				s.data[ty][n] = true
				s.addAttr("data."+ty+"."+n, t[3:])
			}
		}
	default:
		if reserved[root] || len(t) < 2 || !strings.Contains(root, "_") {
			return
		}
		if n, ok := attrName(t[1]); ok {
			if s.types[root] == nil {
				s.types[root] = map[string]bool{}
			}
			s.types[root][n] = true
			s.addAttr(root+"."+n, t[2:])
		}
	}
}

// instanceValue is what a reference to an address sees: an object of named
// unknown attributes, or a named unknown when it is indexed (count,
// for_each) or expanded.
func (s *refScan) instanceValue(addr string, expanded bool) cty.Value {
	if expanded || s.index[addr] || len(s.attrs[addr]) == 0 {
		return unknownRef(s.prefix + addr)
	}
	names := make([]string, 0, len(s.attrs[addr]))
	for n := range s.attrs[addr] {
		names = append(names, n)
	}
	sort.Strings(names)
	obj := map[string]cty.Value{}
	for _, n := range names {
		obj[n] = unknownRef(s.prefix + addr + "." + n)
	}
	return cty.ObjectVal(obj)
}
