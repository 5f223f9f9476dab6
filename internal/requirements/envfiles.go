package requirements

import "strings"

// Environment files (research §1.6).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html;
// agent/taskresource/envFiles/envfile.go.

// environmentFile derives one environmentFiles entry.
func (d *deriver) environmentFile(container string, typ, value val) {
	if typ.Text != "s3" {
		d.diags.Errorf(typ.Range, "environment file type %q is not supported; ECS only knows \"s3\"", typ.Text)
		return
	}
	if !strings.HasSuffix(value.Text, ".env") && !value.Unknown {
		d.diags.Warnf(value.Range, "environment files must have the .env extension")
	}
	d.s3Object(value, "environment file of container "+container, FeatureEnvironmentFile, StepEnvironmentFiles)
}
