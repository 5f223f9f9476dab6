package taskdef

import "github.com/execrole/execrole/internal/source"

// fromTerraform reads Terraform inputs (.tf, .tf.json, a directory, or
// terraform show -json output). It is the hook internal/terraform fills.
func fromTerraform(path string, opts Options) ([]*TaskDefinition, source.Diagnostics) {
	var ds source.Diagnostics
	ds.Errorf(source.Range{File: path}, "Terraform input support is not built yet")
	return nil, ds
}
