package terraform

import (
	"encoding/json"
	"path/filepath"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/execrole/execrole/internal/jsontree"
	"github.com/execrole/execrole/internal/source"
)

// loadShowJSON reads `terraform show -json` output, of a state or of a plan
// (https://developer.hashicorp.com/terraform/internals/json-format), into
// the same Module: resources from values.root_module (state) or
// planned_values.root_module (plan) and their child modules. terraform-json
// checks the format version; jsontree supplies positions.
func loadShowJSON(path string, src []byte) (*Module, source.Diagnostics) {
	var ds source.Diagnostics
	m := &Module{Dir: filepath.Dir(path), files: map[string][]byte{path: src}, origins: map[*jsontree.Node]origin{}, placeholders: map[string]bool{}}
	root, err := jsontree.Parse(path, src)
	if err != nil {
		ds.Errorf(source.Range{File: path}, "%v", err)
		return m, ds
	}
	var values *jsontree.Node
	if pv := root.Get("planned_values"); pv != nil {
		var p tfjson.Plan
		if err := json.Unmarshal(src, &p); err != nil {
			ds.Errorf(root.Range, "not a Terraform plan in JSON: %v", err)
			return m, ds
		}
		values = pv
	} else {
		var s tfjson.State
		if err := json.Unmarshal(src, &s); err != nil {
			ds.Errorf(root.Range, "not Terraform state in JSON (expected `terraform show -json` output): %v", err)
			return m, ds
		}
		values = root.Get("values")
	}
	if values == nil {
		ds.Warnf(root.Range, "no values in this Terraform JSON (empty state?)")
		return m, ds
	}
	var walk func(mod *jsontree.Node, depth int)
	walk = func(mod *jsontree.Node, depth int) {
		if mod == nil || mod.Kind != jsontree.Object || depth > 100 {
			return
		}
		if rs := mod.Get("resources"); rs != nil {
			for _, r := range rs.Items {
				res, data := showResource(r, &ds)
				switch {
				case res == nil:
				case data:
					m.DataSources = append(m.DataSources, res)
				default:
					m.Resources = append(m.Resources, res)
				}
			}
		}
		if cs := mod.Get("child_modules"); cs != nil {
			for _, c := range cs.Items {
				walk(c, depth+1)
			}
		}
	}
	walk(values.Get("root_module"), 0)
	return m, ds
}

func showResource(r *jsontree.Node, ds *source.Diagnostics) (*Resource, bool) {
	str := func(k string) string {
		if n := r.Get(k); n != nil && n.Kind == jsontree.String {
			return n.Str
		}
		return ""
	}
	addr, typ, name := str("address"), str("type"), str("name")
	if addr == "" || typ == "" {
		ds.Warnf(r.Range, "resource without address or type skipped")
		return nil, false
	}
	attrs := r.Get("values")
	if attrs == nil || attrs.Kind != jsontree.Object {
		attrs = &jsontree.Node{Kind: jsontree.Object, Range: r.Range}
	}
	return &Resource{Type: typ, Name: name, Address: addr, Attributes: attrs, Range: r.Range},
		str("mode") == "data" || strings.HasPrefix(addr, "data.") || strings.Contains(addr, ".data.")
}

// isShowJSON tells `terraform show -json` output from Terraform's own JSON
// configuration syntax by name.
func isShowJSON(path string) bool {
	return strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".tf.json")
}
