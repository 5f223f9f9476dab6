// Package terraform reads the Terraform that defines ECS task definitions and
// their IAM roles, evaluates what can be evaluated offline (variables, locals,
// functions, aws_iam_policy_document) and hands callers plain jsontree values
// with ranges in the user's .tf files, so that no caller sees HCL or cty.
//
// Terraform semantics followed: variable precedence and tfvars auto-loading
// (https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence),
// count and for_each (https://developer.hashicorp.com/terraform/language/meta-arguments/count),
// local child modules with their inputs and outputs, addressed
// module.NAME.TYPE.NAME (https://developer.hashicorp.com/terraform/language/modules/syntax,
// https://developer.hashicorp.com/terraform/language/expressions/references),
// and the JSON configuration syntax
// (https://developer.hashicorp.com/terraform/language/syntax/json).
//
// What is not known offline stays visible as a placeholder naming its
// reference, ${aws_iam_role.r.arn}, module-qualified inside a child module
// (${module.x.aws_iam_role.r.arn}), so that a task definition and the role
// or policy that names the same resource meet on the same text.
package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// Options carry what the command line knows that the Terraform does not.
type Options struct {
	Vars     map[string]string // -var name=value, highest precedence
	VarFiles []string          // -var-file paths, after the auto-loaded ones
	Region   string            // answers data.aws_region.*.name
	Account  string            // answers data.aws_caller_identity.*.account_id
}

// Module is what one Terraform module declares, evaluated as far as offline
// evaluation goes.
type Module struct {
	Dir         string
	Resources   []*Resource // managed resources, one per instance, child modules' included
	DataSources []*Resource // data sources, one per instance, child modules' included
	// Aliases maps the placeholder of a child module's output that is
	// unknown offline (${module.x.role_arn}) to the placeholder of the one
	// reference it passes on (${module.x.aws_iam_role.r.arn}), so that a
	// role found by one name is found by the other.
	Aliases map[string]string
	shared  *loadState
	files   map[string][]byte
	origins map[*jsontree.Node]origin
	// placeholders are the ${...} strings jsonencode wrote for unknowns.
	placeholders map[string]bool
}

// Resource is one instance of a resource or data block.
type Resource struct {
	Type, Name string
	// Address is how Terraform names the instance: aws_iam_role.execution,
	// aws_iam_role.x[0], data.aws_iam_policy_document.p, and in a child
	// module module.svc.aws_iam_role.r or module.svc[0].module.b.TYPE.NAME.
	Address string
	// Attributes is an object: arguments as values, nested blocks as arrays
	// of objects. Unresolvable values are Unknown nodes naming the reference.
	Attributes *jsontree.Node
	Range      source.Range
}

// Get returns attribute name, or nil.
func (r *Resource) Get(name string) *jsontree.Node { return r.Attributes.Get(name) }

// origin remembers where a string's text stands verbatim in a file, so that
// JSON inside it can be positioned exactly.
type origin struct {
	file       string
	start, end int
}

// Load reads a .tf or .tf.json file, or every such file of a directory,
// with the directory's terraform.tfvars and *.auto.tfvars, following the
// local child modules they call (modules.go); or a .json file written by
// `terraform show -json` (state or plan). It always returns a Module
// (possibly empty); problems come back as diagnostics.
func Load(path string, opts Options) (*Module, source.Diagnostics) {
	var ds source.Diagnostics
	st, err := os.Stat(path)
	if err != nil {
		ds.Errorf(source.Range{File: path}, "cannot read Terraform: %v", err)
		return &Module{Dir: path}, ds
	}
	var files, tfvars []string
	dir := path
	if st.IsDir() {
		var err error
		files, tfvars, err = listModule(path, &ds)
		if err != nil {
			ds.Errorf(source.Range{File: path}, "cannot read directory: %v", err)
			return &Module{Dir: path}, ds
		}
	} else {
		dir = filepath.Dir(path)
		if isShowJSON(path) {
			src, err := readFile(path)
			if err != nil {
				ds.Errorf(source.Range{File: path}, "cannot read: %v", err)
				return &Module{Dir: dir}, ds
			}
			return loadShowJSON(path, src)
		}
		files = []string{path}
	}
	m := newModule(dir)
	bodies := m.parse(files, &ds)
	e := newEvaluator(m, opts, &ds)
	if abs, err := filepath.Abs(dir); err == nil {
		e.stack = []string{abs}
	}
	e.collect(bodies)
	e.loadVariables(append(tfvars, opts.VarFiles...))
	e.run()
	ds.Sort()
	return m, ds
}

// newModule is an empty module rooted at dir.
func newModule(dir string) *Module {
	return &Module{Dir: dir, Aliases: map[string]string{}, shared: &loadState{root: dir, parsed: map[string]*hclsyntax.Body{}, warned: map[string]bool{}},
		files: map[string][]byte{}, origins: map[*jsontree.Node]origin{}, placeholders: map[string]bool{}}
}

// loadState is what a root module and its child modules share.
type loadState struct {
	root   string
	parsed map[string]*hclsyntax.Body // file → body, nil when it did not parse
	warned map[string]bool
}

// listModule lists a module directory's configuration files and its
// variable files, terraform.tfvars first, then *.auto.tfvars in lexical
// order.
func listModule(dir string, ds *source.Diagnostics) (files, tfvars []string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		n := e.Name()
		switch {
		case e.IsDir():
		case strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json"):
			files = append(files, filepath.Join(dir, n))
		case n == "terraform.tfvars" || strings.HasSuffix(n, ".auto.tfvars"):
			tfvars = append(tfvars, filepath.Join(dir, n))
		}
	}
	sort.SliceStable(tfvars, func(i, j int) bool {
		return filepath.Base(tfvars[i]) == "terraform.tfvars" && filepath.Base(tfvars[j]) != "terraform.tfvars"
	})
	return files, tfvars, nil
}

// parse parses configuration files, each once per load: a child module
// called twice is read once, and its syntax errors are reported once.
func (m *Module) parse(files []string, ds *source.Diagnostics) []*hclsyntax.Body {
	var bodies []*hclsyntax.Body
	for _, f := range files {
		if b, ok := m.shared.parsed[f]; ok {
			if b != nil {
				bodies = append(bodies, b)
			}
			continue
		}
		m.shared.parsed[f] = nil
		src, err := os.ReadFile(f)
		if err != nil {
			ds.Errorf(source.Range{File: f}, "cannot read: %v", err)
			continue
		}
		m.files[f] = src
		var b *hclsyntax.Body
		if strings.HasSuffix(f, ".tf.json") {
			var diags hcl.Diagnostics
			b, diags = parseJSONConfig(src, f)
			addHCL(ds, diags, source.Error)
			if b == nil || diags.HasErrors() {
				continue
			}
		} else {
			file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
			addHCL(ds, diags, source.Error)
			if file == nil || diags.HasErrors() {
				continue
			}
			b = file.Body.(*hclsyntax.Body)
		}
		m.shared.parsed[f] = b
		bodies = append(bodies, b)
	}
	return bodies
}

// rootDir is path.root: the directory of the module Load was given.
func (m *Module) rootDir() string {
	if m.shared == nil {
		return m.Dir
	}
	return m.shared.root
}

// addHCL turns HCL diagnostics into ours. HCL errors carry a subject range.
func addHCL(ds *source.Diagnostics, diags hcl.Diagnostics, sev source.Severity) {
	for _, d := range diags {
		r := source.Range{}
		if d.Subject != nil {
			r = hclRange(*d.Subject)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if sev == source.Error && d.Severity == hcl.DiagError {
			ds.Errorf(r, "%s", msg)
		} else {
			ds.Warnf(r, "%s", msg)
		}
	}
}

func hclRange(r hcl.Range) source.Range {
	return source.Range{
		File:  r.Filename,
		Start: source.Pos{Line: r.Start.Line, Column: r.Start.Column, Offset: r.Start.Byte},
		End:   source.Pos{Line: r.End.Line, Column: r.End.Column, Offset: r.End.Byte},
	}
}

// placeholder names an unresolvable expression the way Terraform's own
// interpolation would print it. In a child module (prefix "module.x."),
// each reference in it is written with its module-qualified address, so
// that the text names the same things from everywhere.
func placeholder(expr hclsyntax.Expression, files map[string][]byte, prefix string) string {
	r := expr.Range()
	src := files[r.Filename]
	if src != nil && r.End.Byte <= len(src) && r.Start.Byte <= r.End.Byte {
		text := src[r.Start.Byte:r.End.Byte]
		if prefix != "" {
			var at []int
			for _, v := range expr.Variables() {
				root := v.RootName()
				vr := v.SourceRange()
				// Addresses only: not count, each, path, self, terraform,
				// nor a dynamic block's iterator (no "_", unlike a
				// resource type; the heuristic refScan uses too).
				if reserved[root] && root != "var" && root != "local" && root != "module" && root != "data" ||
					!reserved[root] && !strings.Contains(root, "_") ||
					vr.Filename != r.Filename || vr.Start.Byte < r.Start.Byte || vr.Start.Byte >= r.End.Byte {
					continue
				}
				at = append(at, vr.Start.Byte-r.Start.Byte)
			}
			sort.Ints(at)
			var b strings.Builder
			last := 0
			for _, i := range at {
				if i < last {
					continue
				}
				b.Write(text[last:i])
				b.WriteString(prefix)
				last = i
			}
			b.Write(text[last:])
			text = []byte(b.String())
		}
		t := strings.TrimSpace(string(text))
		if strings.HasPrefix(t, `"${`) && strings.HasSuffix(t, `}"`) && strings.Count(t, "${") == 1 {
			return t[1 : len(t)-1]
		}
		if strings.HasPrefix(t, "${") && strings.HasSuffix(t, "}") && strings.Count(t, "${") == 1 {
			return t // the inside of a JSON string
		}
		if len(t) > 200 {
			t = t[:200] + "..."
		}
		return "${" + t + "}"
	}
	return "${unknown}"
}

// placeholder names an unknown value. A reference through a variable, a
// local or a module output names what it stands for when that is one
// reference (${aws_iam_role.r.arn} rather than ${local.role_arn}), so that a
// role is found however its ARN travelled. In a child module, references
// name the module-qualified address (${module.x.aws_iam_role.r.arn}),
// which is the address of the resource the role loader reads.
func (e *evaluator) placeholder(expr hclsyntax.Expression, marks cty.ValueMarks) string {
	ph := placeholder(expr, e.m.files, e.prefix)
	if t, ok := traversalOf(expr); ok {
		switch t.RootName() {
		case "var", "local", "module":
			name := refName(marks)
			// A name that the reference only extends (module.x for
			// module.x[0].out, unknown as a whole) says less than the
			// reference.
			if name != "" && !strings.Contains(name, ",") && !strings.HasPrefix(strings.TrimPrefix(ph, "${"), name) {
				return "${" + name + "}"
			}
		}
	}
	return ph
}

// traversalOf is the traversal an expression is, seen through a "${...}"
// wrapper.
func traversalOf(expr hclsyntax.Expression) (hcl.Traversal, bool) {
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	if s, ok := expr.(*hclsyntax.ScopeTraversalExpr); ok {
		return s.Traversal, true
	}
	return nil, false
}

// toNode converts a cty value into a jsontree node. expr, when not nil, is
// the expression the value came from and gives ranges and placeholders to the
// parts that line up with it.
func (e *evaluator) toNode(v cty.Value, expr hclsyntax.Expression, fallback source.Range) *jsontree.Node {
	r := fallback
	if expr != nil {
		r = hclRange(expr.Range())
	}
	v, marks := v.UnmarkDeep()
	if !v.IsWhollyKnown() && (!v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType() || v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType())) {
		ph := "${unknown}"
		if expr != nil {
			ph = e.placeholder(expr, marks)
		} else if name := refName(marks); name != "" {
			ph = "${" + name + "}"
		}
		return &jsontree.Node{Kind: jsontree.String, Range: r, Str: ph, Unknown: true}
	}
	if v.IsNull() {
		return &jsontree.Node{Kind: jsontree.Null, Range: r}
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		n := &jsontree.Node{Kind: jsontree.String, Range: r, Str: v.AsString()}
		if o, ok := e.literalOrigin(expr, n.Str); ok {
			e.m.origins[n] = o
		}
		return n
	case ty == cty.Number:
		return &jsontree.Node{Kind: jsontree.Number, Range: r, Str: v.AsBigFloat().Text('f', -1)}
	case ty == cty.Bool:
		return &jsontree.Node{Kind: jsontree.Bool, Range: r, Bool: v.True()}
	case ty.IsObjectType() || ty.IsMapType():
		n := &jsontree.Node{Kind: jsontree.Object, Range: r}
		items := map[string]hclsyntax.Expression{}
		keyRanges := map[string]source.Range{}
		if oc, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
			for _, it := range oc.Items {
				kv, diags := it.KeyExpr.Value(nil)
				if diags.HasErrors() || kv.Type() != cty.String || kv.IsNull() {
					continue
				}
				items[kv.AsString()] = it.ValueExpr
				keyRanges[kv.AsString()] = hclRange(it.KeyExpr.Range())
			}
		}
		vals := map[string]cty.Value{}
		var keys []string
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			vals[k.AsString()] = ev
			keys = append(keys, k.AsString())
		}
		// Keys as written when the value is an object literal, else sorted.
		sort.SliceStable(keys, func(i, j int) bool {
			ri, iok := keyRanges[keys[i]]
			rj, jok := keyRanges[keys[j]]
			if iok && jok {
				return ri.Start.Offset < rj.Start.Offset
			}
			if iok != jok {
				return iok
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			kr, ok := keyRanges[k]
			if !ok {
				kr = r
			}
			n.Members = append(n.Members, &jsontree.Member{Key: k, KeyRange: kr, Value: e.toNode(vals[k], items[k], r)})
		}
		return n
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		n := &jsontree.Node{Kind: jsontree.Array, Range: r}
		var exprs []hclsyntax.Expression
		if tc, ok := expr.(*hclsyntax.TupleConsExpr); ok && !ty.IsSetType() {
			exprs = tc.Exprs
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			var sub hclsyntax.Expression
			if i < len(exprs) {
				sub = exprs[i]
			}
			n.Items = append(n.Items, e.toNode(ev, sub, r))
		}
		return n
	}
	return &jsontree.Node{Kind: jsontree.String, Range: r, Str: fmt.Sprintf("${%s}", ty.FriendlyName()), Unknown: true}
}

// literalOrigin reports where the text s stands verbatim in a file: a heredoc
// or quoted string without escapes or interpolation, or a file()/templatefile()
// whose result equals the file's text.
func (e *evaluator) literalOrigin(expr hclsyntax.Expression, s string) (origin, bool) {
	switch x := expr.(type) {
	case *hclsyntax.TemplateExpr:
		for _, p := range x.Parts {
			lit, ok := p.(*hclsyntax.LiteralValueExpr)
			if !ok {
				return origin{}, false
			}
			_ = lit
		}
		if len(x.Parts) == 0 {
			return origin{}, false
		}
		first, last := x.Parts[0].Range(), x.Parts[len(x.Parts)-1].Range()
		src := e.m.files[first.Filename]
		if src != nil && last.End.Byte <= len(src) && string(src[first.Start.Byte:last.End.Byte]) == s {
			return origin{file: first.Filename, start: first.Start.Byte, end: last.End.Byte}, true
		}
	case *hclsyntax.FunctionCallExpr:
		if (x.Name == "file" || x.Name == "templatefile") && len(x.Args) > 0 {
			pv, diags := x.Args[0].Value(e.ctx)
			if diags.HasErrors() || !pv.IsWhollyKnown() || pv.Type() != cty.String {
				return origin{}, false
			}
			p := e.resolvePath(pv.AsString())
			src, err := os.ReadFile(p)
			if err == nil && string(src) == s {
				e.m.files[p] = src
				return origin{file: p, start: 0, end: len(src)}, true
			}
		}
	}
	return origin{}, false
}

// ParseJSON parses a string attribute that holds JSON, such as
// container_definitions or a policy. Positions point into the text the JSON
// was written in when it stands verbatim in a file (heredoc, file(),
// templatefile() without interpolations); otherwise every node carries the
// attribute's range. An Unknown node gives an error naming the reference.
func (m *Module) ParseJSON(n *jsontree.Node) (*jsontree.Node, error) {
	if n == nil {
		return nil, fmt.Errorf("no value")
	}
	if n.Unknown {
		return nil, &source.Diagnostic{Range: n.Range, Summary: fmt.Sprintf("value is not known offline: %s", n.Str)}
	}
	if n.Kind != jsontree.String {
		return nil, &source.Diagnostic{Range: n.Range, Summary: fmt.Sprintf("expected a JSON string, found %s", n.Kind)}
	}
	if o, ok := m.origins[n]; ok {
		src := m.files[o.file]
		masked := make([]byte, len(src))
		for i, b := range src {
			if (i < o.start || i >= o.end) && b != '\n' {
				b = ' '
			}
			masked[i] = b
		}
		return jsontree.Parse(o.file, masked)
	}
	t, err := jsontree.Parse(n.Range.File, []byte(n.Str))
	if err != nil {
		return nil, &source.Diagnostic{Range: n.Range, Summary: "invalid JSON in string: " + err.Error()}
	}
	t.Relocate(n.Range)
	m.markUnknown(t)
	return t, nil
}

// markUnknown flags the strings holding placeholders that jsonencode,
// templates and policy documents wrote for unknown values.
func (m *Module) markUnknown(n *jsontree.Node) {
	if n.Kind == jsontree.String && m.holdsPlaceholder(n.Str) {
		n.Unknown = true
	}
	for _, it := range n.Items {
		m.markUnknown(it)
	}
	for _, mem := range n.Members {
		m.markUnknown(mem.Value)
	}
}

// holdsPlaceholder reports whether s is or contains a placeholder this load
// wrote; a "${...}" the input wrote itself is left as it is.
func (m *Module) holdsPlaceholder(s string) bool {
	if m.placeholders[s] {
		return true
	}
	for i := strings.Index(s, "${"); i >= 0; {
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return false
		}
		if m.placeholders[s[i:i+j+1]] {
			return true
		}
		k := strings.Index(s[i+2:], "${")
		if k < 0 {
			return false
		}
		i += 2 + k
	}
	return false
}
