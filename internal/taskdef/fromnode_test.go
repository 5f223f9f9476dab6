package taskdef

import (
	"testing"

	"github.com/execrole/execrole/internal/jsontree"
)

// Adapters (Terraform) hand over trees whose unresolved values are
// Unknown nodes; the model must keep them as placeholders with positions.
func TestFromNodeKeepsUnknown(t *testing.T) {
	n, err := jsontree.Parse("main.tf", []byte(`{"executionRoleArn":"x","containerDefinitions":[{"name":"a","secrets":[{"name":"S","valueFrom":"y"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	vf := n.Get("containerDefinitions").Items[0].Get("secrets").Items[0].Get("valueFrom")
	vf.Str, vf.Unknown = "${aws_ssm_parameter.db.arn}", true
	tds, ds := FromNode(n, "main.tf")
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatalf("FromNode: %v", ds)
	}
	got := tds[0].Containers[0].Secrets[0].ValueFrom
	if !got.Unknown || got.Text != "${aws_ssm_parameter.db.arn}" || got.Path != "containerDefinitions[0].secrets[0].valueFrom" || got.Range.Start.Line != 1 {
		t.Errorf("got %+v", got)
	}
	if tds[0].Source.File != "main.tf" {
		t.Errorf("source file = %q", tds[0].Source.File)
	}
}
